/**
 * Dataset benchmark: one hour at 1 kHz, 3 channels, 1 s windows every 0.5 s (about 7,200
 * windows), stats and spectral features. The fast path (streams read once, windows walked with
 * cursors) runs side by side with a straightforward per-window implementation (each window's
 * samples read from the project file and copied per channel), and both must give the same numbers.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { DatasetConfig } from '../src-preload/contract/index.js'
import { buildDataset } from '../src-main/dataset/build.js'
import { SpectralScratch, spectralOf, STATS, statsOf } from '../src-main/dataset/features.js'
import { loadRecordings } from '../src-main/dataset/source.js'
import { ClassService } from '../src-main/labels/class-service.js'
import { EventBus } from '../src-main/rpc/events.js'
import { openProject } from '../src-main/store/open.js'
import type { Project } from '../src-main/store/project.js'

const RATE = 1000
const SECONDS = 3600
const CHANNELS = 3
const BANDS = 8

function seed(project: Project): number {
  const id = project.recordings.create({ name: 'bench', status: 'complete' })
  const stream = project.streams.create(id, {
    name: 'acc',
    rateHz: RATE,
    channels: [{ name: 'x' }, { name: 'y' }, { name: 'z' }],
  })
  const chunk = 1000
  for (let start = 0; start < RATE * SECONDS; start += chunk * 60) {
    const chunks = []
    for (let c = start; c < Math.min(RATE * SECONDS, start + chunk * 60); c += chunk) {
      const data = new Float32Array(chunk * CHANNELS)
      for (let i = 0; i < chunk; i++) {
        const t = (c + i) / RATE
        data[i * 3] = Math.sin(2 * Math.PI * 50 * t)
        data[i * 3 + 1] = Math.cos(2 * Math.PI * 120 * t) + 0.1 * Math.sin(t)
        data[i * 3 + 2] = 9.81 + 0.01 * ((c + i) % 17)
      }
      chunks.push({ t0Us: (c * 1e6) / RATE, dtUs: 1e6 / RATE, data })
    }
    project.samples.appendChunks(stream, chunks)
  }
  project.samples.finish(stream)
  return id
}

/** One window at a time: read it from the file, split channels, compute. */
function perWindow(
  project: Project,
  recordingId: number,
  kind: 'stats' | 'spectral',
): Float32Array {
  const stream = project.streams.list(recordingId)[0]!
  const width = kind === 'stats' ? STATS.length : BANDS
  const rows: number[] = []
  const scratch = new SpectralScratch()
  const out = new Float64Array(width)
  for (let start = 0; start + 1e6 <= SECONDS * 1e6; start += 5e5) {
    const { t, data } = project.samples.read(stream.id, start, start + 1e6)
    const n = t.filter((time) => time < start + 1e6).length
    for (let c = 0; c < CHANNELS; c++) {
      const values = Array.from({ length: n }, (_, i) => data[i * CHANNELS + c] as number)
      if (kind === 'stats') statsOf(values, 0, n, 0, out, 0)
      else spectralOf(values, 0, n, BANDS, scratch, out, 0)
      rows.push(...out)
    }
  }
  return Float32Array.from(rows)
}

export async function dataset() {
  const dir = mkdtempSync(join(tmpdir(), 'tinyloop-bench-dataset-'))
  const project = openProject(join(dir, 'bench.tinyloop'))
  try {
    const recordingId = seed(project)
    const classes = new ClassService({ project: () => project, events: new EventBus() })
    const classOrder = classes.list().map((c) => c.id)
    const readStart = performance.now()
    const recordings = loadRecordings(project, classes, [recordingId])
    const readMs = performance.now() - readStart
    const report: Record<string, unknown> = { samples: RATE * SECONDS, channels: CHANNELS, readMs }
    for (const kind of ['stats', 'spectral'] as const) {
      const config = DatasetConfig.parse({
        windowMs: 1000,
        strideMs: 500,
        features: { kind, bands: BANDS },
        split: { method: 'blocks' },
      })
      const fastStart = performance.now()
      const built = buildDataset(recordings, config, classOrder)
      const fastMs = performance.now() - fastStart
      const baseStart = performance.now()
      const baseline = perWindow(project, recordingId, kind)
      const baselineMs = performance.now() - baseStart
      // The fast path keeps only unpurged windows: compare those rows with the baseline's.
      const width = built.featureNames.length
      let same = true
      built.windows.forEach((w, row) => {
        const k = w.startUs / 5e5
        for (let f = 0; f < width; f++) {
          if (built.features[row * width + f] !== baseline[k * width + f]) same = false
        }
      })
      report[kind] = {
        windows: built.windows.length + built.dropped.purge,
        fastMs: Math.round(fastMs),
        windowsPerSecond: Math.round(
          (built.windows.length + built.dropped.purge) / (fastMs / 1000),
        ),
        baselineMs: Math.round(baselineMs),
        speedup: Number((baselineMs / fastMs).toFixed(1)),
        sameResults: same,
      }
    }
    return report
  } finally {
    project.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await dataset(), null, 2))
}
