import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { Settings } from '../../src-main/settings.js'
import { fitBounds } from '../../src-main/window-bounds.js'

describe('settings', () => {
  const dir = () => mkdtempSync(join(tmpdir(), 'tinyloop-settings-'))

  it('remembers recent projects, newest first, without duplicates, across restarts', () => {
    const file = join(dir(), 'settings.json')
    const s = new Settings(file)
    s.rememberProject('/a.tinyloop', 'a', 1)
    s.rememberProject('/b.tinyloop', 'b', 2)
    s.rememberProject('/a.tinyloop', 'a', 3)
    const reread = new Settings(file)
    expect(reread.data.recentProjects.map((p) => p.path)).toEqual(['/a.tinyloop', '/b.tinyloop'])
    expect(reread.data.lastProject).toBe('/a.tinyloop')
    reread.forgetProject('/a.tinyloop')
    expect(new Settings(file).data.lastProject).toBeNull()
  })

  it('keeps a corrupt settings file aside instead of overwriting it', () => {
    const d = dir()
    const file = join(d, 'settings.json')
    writeFileSync(file, '{ not json')
    const s = new Settings(file)
    expect(s.data.recentProjects).toEqual([])
    expect(readFileSync(`${file}.bad`, 'utf8')).toBe('{ not json')
    s.rememberProject('/a.tinyloop', 'a')
    expect(existsSync(file)).toBe(true)
  })
})

describe('window bounds', () => {
  const display = { x: 0, y: 0, width: 1920, height: 1080 }

  it('restores saved bounds that are on a display', () => {
    const saved = { x: 100, y: 80, width: 1200, height: 800, maximized: false }
    expect(fitBounds(saved, [display])).toEqual({ x: 100, y: 80, width: 1200, height: 800 })
  })

  it('recentres a window whose monitor is gone', () => {
    const saved = { x: 2500, y: 100, width: 1200, height: 800, maximized: false }
    expect(fitBounds(saved, [display])).toEqual({ x: 240, y: 90, width: 1440, height: 900 })
  })

  it('fits the default size into a small screen', () => {
    expect(fitBounds(null, [{ x: 0, y: 0, width: 1280, height: 720 }])).toEqual({
      x: 0,
      y: 0,
      width: 1280,
      height: 720,
    })
  })
})
