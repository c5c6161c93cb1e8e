import { PALETTE_ENTRIES, paletteHint } from './keymap'
import { actionOf, keymapActions } from './keymap-actions'
import type { AppState } from './state/app.svelte'
export interface Command {
  id: string
  title: string
  /** Shown right-aligned: the shortcut, or where the command comes from. */
  hint?: string
  run(): void
}

/** Everything the palette can reach: the keymap's listed entries, then the recent projects. */
export function buildCommands(app: AppState): Command[] {
  const actions = keymapActions(app)
  const listed = PALETTE_ENTRIES.map((entry) => ({
    id: entry.id,
    // The one entry whose words follow the state: what pressing R would do now.
    title: entry.id === 'capture.toggle' && app.capture.active ? 'Stop recording' : entry.label,
    hint: paletteHint(entry),
    run: () => {
      if (entry.palette === 'in its view' && entry.scope !== 'global') app.view = entry.scope
      actionOf(actions, entry)()
    },
  }))
  const recent = app.recent
    .filter((p) => p.exists && p.path !== app.project?.path)
    .map((p) => ({
      id: `project.recent:${p.path}`,
      title: `Open recent: ${p.name}`,
      hint: p.path,
      run: () => void app.openProject(p.path),
    }))
  return [...listed, ...recent]
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
