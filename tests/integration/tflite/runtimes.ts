/** The runtimes the tests compare in: the same module `deploy.verify` uses. */
export { armNn, joined, liteRt, ours } from '../../../src-main/deploy/runtimes.js'
