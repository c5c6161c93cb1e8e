import type { AppInfo, projectMethods } from '../../src-preload/contract/index.js'
import type { DomainHandlers } from '../rpc/dispatcher.js'
import type { ProjectService } from './project-service.js'

/** The app and project methods (contract/project.ts). */
export function projectHandlers(deps: {
  appInfo: AppInfo
  projects: ProjectService
}): DomainHandlers<typeof projectMethods> {
  const { appInfo, projects } = deps
  return {
    'app.info': () => appInfo,
    'project.current': () => projects.info(),
    'project.recent': () => projects.recent(),
    'project.open': ({ path }) => projects.open(path),
    'project.create': ({ path }) => projects.create(path),
    'project.pickFile': ({ purpose }) => projects.pickFile(purpose),
    'project.forgetRecent': ({ path }) => projects.forgetRecent(path),
  }
}
