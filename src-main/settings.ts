import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { z } from 'zod'

const WindowBounds = z.object({
  x: z.number().int(),
  y: z.number().int(),
  width: z.number().int().min(200),
  height: z.number().int().min(150),
  maximized: z.boolean(),
})
export type WindowBounds = z.infer<typeof WindowBounds>

const SettingsShape = z.object({
  recentProjects: z
    .array(z.object({ path: z.string(), name: z.string(), openedAt: z.number() }))
    .default([]),
  lastProject: z.string().nullable().default(null),
  window: WindowBounds.nullable().default(null),
  /** Settings last used per device, keyed by serial number (or path, or 'demo'). */
  devices: z
    .record(
      z.string(),
      z.object({
        baudRate: z.number().int(),
        format: z.enum(['auto', 'csv', 'plotter', 'binary']),
        rateHz: z.number().nullable(),
      }),
    )
    .default({}),
})
export type SettingsData = z.infer<typeof SettingsShape>

const MAX_RECENT = 10

/**
 * User settings in one JSON file, written atomically (temp file + rename). A file that cannot be
 * read as settings is kept aside as `.bad` and replaced by defaults, never silently overwritten.
 */
export class Settings {
  readonly path: string
  #data: SettingsData

  constructor(path: string) {
    this.path = path
    this.#data = this.#load()
  }

  get data(): Readonly<SettingsData> {
    return this.#data
  }

  update(change: (draft: SettingsData) => void): void {
    const draft = structuredClone(this.#data)
    change(draft)
    this.#data = SettingsShape.parse(draft)
    this.#save()
  }

  rememberProject(path: string, name: string, now = Date.now()): void {
    this.update((d) => {
      d.recentProjects = [
        { path, name, openedAt: now },
        ...d.recentProjects.filter((p) => p.path !== path),
      ].slice(0, MAX_RECENT)
      d.lastProject = path
    })
  }

  forgetProject(path: string): void {
    this.update((d) => {
      d.recentProjects = d.recentProjects.filter((p) => p.path !== path)
      if (d.lastProject === path) d.lastProject = null
    })
  }

  #load(): SettingsData {
    let text: string
    try {
      text = readFileSync(this.path, 'utf8')
    } catch {
      return SettingsShape.parse({})
    }
    try {
      return SettingsShape.parse(JSON.parse(text))
    } catch {
      try {
        renameSync(this.path, `${this.path}.bad`)
      } catch {
        // keep going with defaults
      }
      return SettingsShape.parse({})
    }
  }

  #save(): void {
    mkdirSync(dirname(this.path), { recursive: true })
    const tmp = `${this.path}.${process.pid}.tmp`
    writeFileSync(tmp, JSON.stringify(this.#data, null, 2))
    renameSync(tmp, this.path)
  }
}
