import type { AppState } from './state/app.svelte'
import { VIEWS } from './state/views'

export interface Command {
  id: string
  title: string
  /** Shown right-aligned: the shortcut, or where the command comes from. */
  hint?: string
  run(): void
}

/** Everything the palette can reach. Each later feature adds its commands here. */
export function buildCommands(app: AppState): Command[] {
  const goTo = VIEWS.map((view, i) => ({
    id: `view.${view.id}`,
    title: `Go to ${view.title}`,
    hint: `Alt+${i + 1}`,
    run: () => {
      app.view = view.id
    },
  }))
  const projects: Command[] = [
    {
      id: 'project.switch',
      title: 'Switch project…',
      run: () => {
        app.switcher = 'recent'
      },
    },
    {
      id: 'project.open',
      title: 'Open project…',
      hint: 'Ctrl+O',
      run: () => void app.chooseProject('open'),
    },
    {
      id: 'project.new',
      title: 'New project…',
      hint: 'Ctrl+Shift+N',
      run: () => void app.chooseProject('create'),
    },
  ]
  const data: Command[] = [
    {
      id: 'data.import',
      title: 'Import recordings…',
      hint: 'CSV, Edge Impulse',
      run: () => {
        app.importOpen = true
      },
    },
  ]
  const actions: Command[] = [
    {
      id: 'capture.toggle',
      title: app.capture.active ? 'Stop recording' : 'Record the selected device',
      hint: 'R in Capture',
      run: () => {
        app.view = 'capture'
        if (app.capture.active) void app.capture.stop(app.capture.active.recordingId)
        else void app.capture.start()
      },
    },
    {
      id: 'labels.undo',
      title: 'Undo the last label change',
      hint: 'Ctrl+Z',
      run: () => void app.labels.undo(),
    },
    {
      id: 'labels.redo',
      title: 'Redo the label change',
      hint: 'Ctrl+Shift+Z',
      run: () => void app.labels.redo(),
    },
    {
      id: 'timeline.fit',
      title: 'Fit the whole recording on the timeline',
      hint: 'F in Label',
      run: () => {
        app.view = 'label'
        app.timeline.fit()
      },
    },
    {
      id: 'classes.edit',
      title: 'Edit classes…',
      run: () => {
        app.view = 'label'
        app.editingClasses = true
      },
    },
  ]
  const recent = app.recent
    .filter((p) => p.exists && p.path !== app.project?.path)
    .map((p) => ({
      id: `project.recent:${p.path}`,
      title: `Open recent: ${p.name}`,
      hint: p.path,
      run: () => void app.openProject(p.path),
    }))
  return [...goTo, ...projects, ...data, ...actions, ...recent]
}

/** Case-insensitive match of all query words, best (earliest) matches first. */
export function filterCommands(commands: Command[], query: string): Command[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean)
  if (words.length === 0) return commands
  return commands
    .map((command) => {
      const title = command.title.toLowerCase()
      const positions = words.map((w) => title.indexOf(w))
      return {
        command,
        score: positions.every((p) => p >= 0) ? positions.reduce((a, b) => a + b, 0) : -1,
      }
    })
    .filter((m) => m.score >= 0)
    .sort((a, b) => a.score - b.score)
    .map((m) => m.command)
}
