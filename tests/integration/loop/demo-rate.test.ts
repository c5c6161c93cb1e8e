import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, expect, it } from 'vitest'

// `tinyloop demo --rate`: the demo machine at another rate (the retrain-and-flash benchmark's
// 30 minutes at 100 Hz); short recordings without a fault episode are fine.
const dir = mkdtempSync(join(tmpdir(), 'tinyloop-demo-rate-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function cli(...args: string[]) {
  return spawnSync(
    process.execPath,
    ['bin/tinyloop.js', '--project', join(dir, 'p.tinyloop'), ...args],
    { env: { ...process.env, TINYLOOP_USER_DATA: join(dir, 'data') }, encoding: 'utf8' },
  )
}

it('writes the demo machine at the rate asked, and refuses a rate out of range', () => {
  const demo = cli('--json', 'demo', '--minutes', '1', '--recordings', '2', '--rate', '100')
  expect(demo.status, demo.stderr).toBe(0)
  const recordings = JSON.parse(cli('--json', 'recordings').stdout) as {
    samples: number
    rateHz: number
  }[]
  expect(recordings).toHaveLength(2)
  for (const r of recordings) {
    expect(r.rateHz).toBe(100)
    expect(r.samples).toBe(30 * 100)
  }
  const refused = cli('demo', '--rate', '10')
  expect(refused.status).toBe(2)
  expect(refused.stderr).toMatch(/50 to 4000 Hz/)
})
