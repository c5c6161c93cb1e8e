import type { deployMethods } from '../../src-preload/contract/index.js'
import type { ProjectService } from '../project/project-service.js'
import type { DomainHandlers } from '../rpc/dispatcher.js'
import type { DeployService } from './deploy-service.js'

/** Deploying runs: the int8 model card, its check, exports, predictions (contract/deploy.ts). */
export function deployHandlers(deps: {
  deploy: DeployService
  projects: ProjectService
}): DomainHandlers<typeof deployMethods> {
  const { deploy, projects } = deps
  return {
    'deploy.card': ({ runId }) => deploy.card(runId),
    'deploy.verify': ({ runId, windows }) => deploy.verify(runId, windows),
    'deploy.export': ({ runId, format, path, overwrite }) =>
      deploy.export(runId, format, path, overwrite),
    'deploy.download': ({ runId, format }) => deploy.download(runId, format),
    'deploy.pickExportPath': ({ format, suggestedName }) =>
      projects.dialogs().pickModelExportPath(format, suggestedName),
    'deploy.predict': ({ runId, path }) => deploy.predict(runId, path),
    'tflite.inspect': ({ path }) => deploy.inspect(path),
  }
}
