/**
 * The app and its project files: which project is open, the recent ones, opening and creating.
 */
import { z } from 'zod'
import { method, NoArgs } from './rpc.js'

export const ProjectInfo = z.object({
  path: z.string(),
  name: z.string(),
  schemaVersion: z.number().int(),
  recordings: z.number().int(),
  createdAt: z.number().nullable(),
  /** Open read-only (TinyLoop may not write the file or its folder): changes are refused. */
  readOnly: z.boolean(),
})
export type ProjectInfo = z.infer<typeof ProjectInfo>

export const RecentProject = z.object({
  path: z.string(),
  name: z.string(),
  openedAt: z.number(),
  exists: z.boolean(),
})
export type RecentProject = z.infer<typeof RecentProject>

export const AppInfo = z.object({
  version: z.string(),
  /** Who is asking: the desktop app, a browser (web mode), or the command line. */
  mode: z.enum(['desktop', 'web', 'cli']),
  platform: z.string(),
  /** Whether the host can show native open/save dialogs (desktop only). */
  nativeDialogs: z.boolean(),
  userDataDir: z.string(),
  defaultProjectPath: z.string(),
})
export type AppInfo = z.infer<typeof AppInfo>

/** A path typed by the user or picked in a dialog; the service resolves and checks it. */
const ProjectPath = z.string().trim().min(1, 'Give a project file path.').max(4096)

export const AppCommand = z.enum(['project.new', 'project.open', 'palette.open'])
export type AppCommand = z.infer<typeof AppCommand>

export const projectMethods = {
  'app.info': method(NoArgs, AppInfo),
  'project.current': method(NoArgs, ProjectInfo),
  'project.recent': method(NoArgs, z.array(RecentProject)),
  /** Opens an existing project file. */
  'project.open': method(z.object({ path: ProjectPath }).strict(), ProjectInfo),
  /** Creates a new project file (refuses to overwrite an existing file). */
  'project.create': method(z.object({ path: ProjectPath }).strict(), ProjectInfo),
  /** Shows a native dialog (desktop); resolves to the chosen path or null if cancelled. */
  'project.pickFile': method(
    z.object({ purpose: z.enum(['open', 'create']) }).strict(),
    z.string().nullable(),
  ),
  'project.forgetRecent': method(z.object({ path: ProjectPath }).strict(), z.array(RecentProject)),
} as const

export const projectEvents = {
  /** The open project changed (opened, created, or its summary changed). */
  'project.onChanged': ProjectInfo,
  /** A command from outside the page (the desktop menu) for the UI to run. */
  'app.onCommand': z.object({ command: AppCommand }),
} as const
