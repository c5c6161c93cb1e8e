import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { MachineSimulator } from '../../../src-main/capture/demo/machine-simulator.js'
import { openProject } from '../../../src-main/store/index.js'

// The demo device on a real pseudo-terminal (`tinyloop sim`, through socat), recorded by the
// real `tinyloop record`.
let dir: string

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tinyloop-sim-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

function tinyloop(...args: string[]): ChildProcess {
  return spawn(process.execPath, ['bin/tinyloop.js', ...args], {
    env: { ...process.env, TINYLOOP_USER_DATA: join(dir, 'data') },
  })
}

function output(child: ChildProcess): Promise<string> {
  let stdout = ''
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()))
  return new Promise((resolve) => child.once('exit', () => resolve(stdout)))
}

describe('tinyloop sim', () => {
  it('sends the simulated machine of its seed at its rate, and record gets every sample', async () => {
    const link = join(dir, 'ttyDEMO')
    const truthFile = join(dir, 'truth.json')
    const sim = tinyloop(
      ...['sim', '--rate', '500', '--seed', '3', '--duration', '4'],
      ...['--link', link, '--truth', truthFile],
    )
    const simDone = output(sim)
    // Its first line on stdout says the device is there.
    await new Promise((resolve) => sim.stdout?.once('data', resolve))
    const projectFile = join(dir, 'p.tinyloop')
    const recorded = output(
      tinyloop('--project', projectFile, '--json', 'record', '--port', link, '--idle-stop', '1'),
    )
    const json = JSON.parse(await recorded) as Record<string, unknown>
    await simDone

    expect(json).toMatchObject({ rateHz: 500, format: 'csv', rejected: 0 })
    expect(Math.abs((json.measuredHz as number) - 500) / 500).toBeLessThan(0.03)
    const truth = JSON.parse(readFileSync(truthFile, 'utf8'))
    expect(truth.anomalies).toEqual(new MachineSimulator({ rateHz: 500, seed: 3 }).anomalies(4))

    const project = openProject(projectFile)
    try {
      const stream = project.streams.list(json.recordingId as number)[0]!
      const { data } = project.samples.read(stream.id, 0, Number.MAX_SAFE_INTEGER)
      const received = Array.from(data)
      // Printed with 4 decimals, stored as float32.
      const sent = Array.from(new MachineSimulator({ rateHz: 500, seed: 3 }).next(3000), (v) =>
        Math.fround(Number(v.toFixed(4))),
      )
      // Recording starts where the port was opened, perhaps mid-line: from the second sample on,
      // it is what was sent, in order, with nothing lost.
      const second = received.slice(3, 6)
      let at = 0
      while (at < 3000 && sent.slice(at * 3, at * 3 + 3).join() !== second.join()) at++
      expect(at).toBeLessThan(3000)
      expect(received.length / 3).toBeGreaterThan(1500)
      expect(received.slice(3)).toEqual(sent.slice(at * 3, at * 3 + received.length - 3))
    } finally {
      project.close()
    }
  }, 30_000)
})
