/**
 * Capture throughput and storage, end to end: a data file is pushed by socat through a real
 * pseudo-terminal as fast as it goes, read by serialport, decoded, and written to a project file.
 * TinyLoop's recorder is measured beside a naive recorder (split + parseFloat, one SQLite row per
 * sample in 10k-row transactions) on the same input in the same run. Every run checks that no
 * sample was lost (count and checksum).
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { SerialPort } from 'serialport'
import { LineDecoder } from '../src-main/capture/decoders/text-decoder.js'
import { Recorder } from '../src-main/capture/recorder.js'
import { openProject } from '../src-main/store/index.js'

const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 2_000_000)
const RUNS = Number(process.env.BENCH_RUNS ?? 3)
const CHANNELS = 3

interface Input {
  file: string
  samples: number
  /** Sum of all values as printed, to prove nothing was lost or changed. */
  checksum: number
}

function makeInput(dir: string, format: 'csv' | 'plotter'): Input {
  const lines: string[] = []
  let checksum = 0
  for (let i = 0; i < SAMPLES; i++) {
    const x = ((i * 7919) % 20000) / 1000 - 10
    const y = ((i * 104729) % 4000) / 1000 - 2
    const z = 1 + (i % 97) / 1000
    const xs = x.toFixed(3)
    const ys = y.toFixed(3)
    const zs = z.toFixed(3)
    checksum += Number(xs) + Number(ys) + Number(zs)
    lines.push(format === 'csv' ? `${xs},${ys},${zs}` : `ax:${xs},ay:${ys},az:${zs}`)
  }
  const file = join(dir, `input-${format}.txt`)
  writeFileSync(file, `${format === 'csv' ? 'ax,ay,az\n' : ''}${lines.join('\n')}\n`)
  return { file, samples: SAMPLES, checksum }
}

/** A pty whose device end is at `link`; socat writes `file` into it once a reader opens it. */
async function ptyFeeding(file: string, link: string) {
  // The data starts shortly after the reader opens the port (opening flushes the input queue,
  // as it should for a real device), and the pty stays open after the end until the reader has
  // drained it (closing it would discard what is still queued).
  const child = spawn('socat', [
    '-u',
    '-t',
    '10',
    `SYSTEM:sleep 0.3 && cat ${file} && sleep 30`,
    `pty,raw,echo=0,wait-slave,link=${link}`,
  ])
  for (let i = 0; i < 250; i++) {
    try {
      statSync(link)
      return child
    } catch {
      await new Promise((r) => setTimeout(r, 20))
    }
  }
  throw new Error('socat did not create the pty')
}

function openPort(link: string): Promise<SerialPort> {
  return new Promise((resolve, reject) => {
    const port = new SerialPort({ path: link, baudRate: 115200, autoOpen: false })
    port.open((err) => (err ? reject(err) : resolve(port)))
  })
}

interface RunResult {
  seconds: number
  samples: number
  checksumOk: boolean
  fileBytes: number
}

/**
 * Feeds the port's data to `onData` until it has been quiet for a second (the whole file has been
 * read); resolves to the ms from the first byte to the last.
 */
function untilQuiet(port: SerialPort, onData: (bytes: Buffer) => void): Promise<number> {
  return new Promise((resolve) => {
    let first = 0
    let last = performance.now()
    const timer = setInterval(() => {
      if (performance.now() - last > 1000) {
        clearInterval(timer)
        resolve(last - first)
      }
    }, 100)
    port.on('data', (bytes: Buffer) => {
      if (first === 0) first = performance.now()
      onData(bytes)
      last = performance.now()
    })
  })
}

/** TinyLoop's recorder: decode in batches, chunks + envelopes in batched transactions. */
async function runTinyLoop(input: Input, dir: string, run: number): Promise<RunResult> {
  const link = join(dir, `tty-tl-${run}`)
  const projectFile = join(dir, `tl-${run}.tinyloop`)
  const project = openProject(projectFile)
  const recorder = new Recorder({
    project,
    name: 'bench',
    rateHz: 1000,
    decoder: new LineDecoder(),
  })
  const socat = await ptyFeeding(input.file, link)
  const port = await openPort(link)
  const elapsedMs = await untilQuiet(port, (bytes) => recorder.push(bytes))
  const status = recorder.stop()
  await new Promise((r) => port.close(r))
  const seconds = elapsedMs / 1000
  const stream = project.streams.list(status.recordingId)[0]
  let checksum = 0
  if (stream) {
    const { data } = project.samples.read(stream.id, 0, Number.MAX_SAFE_INTEGER)
    for (let i = 0; i < data.length; i++) checksum += data[i] as number
  }
  project.close()
  socat.kill()
  const fileBytes = statSync(projectFile).size
  return {
    seconds,
    samples: status.samples,
    // float32 storage: compare with a tolerance proportional to the sum of magnitudes
    checksumOk: Math.abs(checksum - input.checksum) < 1e-4 * SAMPLES,
    fileBytes,
  }
}

/** The straightforward recorder: split lines, parseFloat, one row per sample. */
async function runNaive(input: Input, dir: string, run: number, format: 'csv' | 'plotter') {
  const link = join(dir, `tty-naive-${run}`)
  const dbFile = join(dir, `naive-${run}.sqlite`)
  const db = new Database(dbFile)
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = NORMAL')
  db.exec('CREATE TABLE samples (t REAL, x REAL, y REAL, z REAL)')
  const insert = db.prepare('INSERT INTO samples VALUES (?, ?, ?, ?)')
  const insertMany = db.transaction((rows: number[][]) => {
    for (const r of rows) insert.run(r[0], r[1], r[2], r[3])
  })
  const socat = await ptyFeeding(input.file, link)
  const port = await openPort(link)
  let tail = ''
  let count = 0
  let checksum = 0
  let rows: number[][] = []
  const elapsedMs = await untilQuiet(port, (bytes) => {
    const lines = (tail + bytes.toString('latin1')).split('\n')
    tail = lines.pop() ?? ''
    for (const line of lines) {
      const fields = line.split(',')
      if (fields.length !== CHANNELS) continue
      const values = fields.map((f) =>
        Number.parseFloat(format === 'csv' ? f : f.slice(f.indexOf(':') + 1)),
      )
      if (values.some(Number.isNaN)) continue
      rows.push([count / 1000, ...values])
      checksum += (values[0] as number) + (values[1] as number) + (values[2] as number)
      count++
      if (rows.length >= 10_000) {
        insertMany(rows)
        rows = []
      }
    }
  })
  await new Promise((r) => port.close(r))
  insertMany(rows)
  db.pragma('wal_checkpoint(TRUNCATE)')
  db.close()
  socat.kill()
  return {
    seconds: elapsedMs / 1000,
    samples: count,
    checksumOk: Math.abs(checksum - input.checksum) < 1e-6 * SAMPLES,
    fileBytes: statSync(dbFile).size,
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] as number
}

function summarize(name: string, runs: RunResult[], input: Input) {
  const rates = runs.map((r) => r.samples / r.seconds)
  const bytes = runs[0]?.fileBytes ?? 0
  return {
    name,
    runs: runs.length,
    samplesPerSecondMedian: Math.round(median(rates)),
    samplesPerSecondAll: rates.map(Math.round),
    lossless: runs.every((r) => r.samples === input.samples && r.checksumOk),
    samplesStored: runs.map((r) => r.samples),
    checksumOk: runs.map((r) => r.checksumOk),
    bytesPerSample: Number((bytes / input.samples).toFixed(2)),
    storageVsRawFloat32: Number((bytes / (input.samples * CHANNELS * 4)).toFixed(3)),
  }
}

export async function captureThroughput() {
  const dir = mkdtempSync(join(tmpdir(), 'tinyloop-bench-'))
  try {
    const results = []
    for (const format of ['csv', 'plotter'] as const) {
      const input = makeInput(dir, format)
      const tinyloop: RunResult[] = []
      const naive: RunResult[] = []
      // Interleaved, so that machine noise hits both alike.
      for (let run = 0; run < RUNS; run++) {
        tinyloop.push(await runTinyLoop(input, dir, run))
        naive.push(await runNaive(input, dir, run, format))
        rmSync(join(dir, `tl-${run}.tinyloop`), { force: true })
        rmSync(join(dir, `naive-${run}.sqlite`), { force: true })
      }
      const ours = summarize('tinyloop-recorder', tinyloop, input)
      const baseline = summarize('naive-row-per-sample', naive, input)
      results.push({
        format,
        samples: input.samples,
        channels: CHANNELS,
        tinyloop: ours,
        baseline,
        speedup: Number((ours.samplesPerSecondMedian / baseline.samplesPerSecondMedian).toFixed(2)),
      })
    }
    const report = {
      benchmark: 'capture-throughput',
      description:
        'pty (socat, as fast as it goes) -> serialport -> decode -> project file; lossless = every sample stored with the right checksum',
      machine: { cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version },
      targets: { samplesPerSecond: 500_000, stretch: 1_000_000, storageVsRawFloat32: 1.2 },
      results,
    }
    return report
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
