/**
 * The labeling timeline on a day-long recording: 24 h at 1 kHz, 3 channels (about 260 million
 * values), written through the store API.
 * - Viewport queries (the service behind `timeline.view`) for random zooms and pans at 1920 px,
 *   beside a baseline that reads the raw samples of the window and thins them in JavaScript.
 * - In Chromium against `tinyloop serve`: frame intervals while zooming and panning the day
 *   continuously with the wheel, and the page's JS heap before and after.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { chromium } from '@playwright/test'
import { openProject, type Project } from '../src-main/store/index.js'

const HOURS = Number(process.env.BENCH_TIMELINE_HOURS ?? 24)
const RATE = 1000
const CHANNELS = 3
const PIXELS = 1920
const QUERIES = 300

function random(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0
    return state / 4294967296
  }
}

/** A day of vibration, written as the recorder would: 4096-sample chunks, batched. */
function writeDay(project: Project): { streamId: number; recordingId: number; seconds: number } {
  const recordingId = project.recordings.create({
    name: `${HOURS} h at 1 kHz`,
    status: 'complete',
    startedAt: Date.now(),
  })
  const streamId = project.streams.create(recordingId, {
    name: 'device',
    rateHz: RATE,
    channels: ['ax', 'ay', 'az'].map((name) => ({ name, unit: 'g' })),
  })
  const total = HOURS * 3600 * RATE
  const chunk = 4096
  const dt = 1e6 / RATE
  const next = random(1)
  const started = performance.now()
  let batch = []
  for (let start = 0; start < total; start += chunk) {
    const n = Math.min(chunk, total - start)
    const data = new Float32Array(n * CHANNELS)
    for (let i = 0; i < n; i++) {
      const t = (start + i) / RATE
      const burst = Math.floor(t / 600) % 7 === 3 ? 0.5 : 0
      data[i * 3] = 0.2 * Math.sin(2 * Math.PI * 24.5 * t) + burst * (next() - 0.5)
      data[i * 3 + 1] = 0.15 * Math.cos(2 * Math.PI * 24.5 * t) + 0.01 * (next() - 0.5)
      data[i * 3 + 2] = 1 + 0.02 * Math.sin(2 * Math.PI * 49 * t)
    }
    batch.push({ t0Us: start * dt, dtUs: dt, data })
    if (batch.length === 64) {
      project.samples.appendChunks(streamId, batch)
      batch = []
    }
  }
  if (batch.length) project.samples.appendChunks(streamId, batch)
  project.samples.finish(streamId)
  return { streamId, recordingId, seconds: (performance.now() - started) / 1000 }
}

function percentile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0
}

function summary(ms: number[]) {
  const sorted = [...ms].sort((a, b) => a - b)
  return {
    queries: ms.length,
    medianMs: Number(percentile(sorted, 0.5).toFixed(3)),
    p95Ms: Number(percentile(sorted, 0.95).toFixed(3)),
    maxMs: Number(percentile(sorted, 1).toFixed(3)),
  }
}

/** The straightforward way: read every sample of the window, min/max per pixel in JS. */
function naiveView(project: Project, streamId: number, fromUs: number, toUs: number) {
  const { t, data } = project.samples.read(streamId, fromUs, toUs)
  const min = new Float32Array(PIXELS * CHANNELS).fill(Infinity)
  const max = new Float32Array(PIXELS * CHANNELS).fill(-Infinity)
  const scale = PIXELS / (toUs - fromUs)
  for (let i = 0; i < t.length; i++) {
    const px = Math.min(PIXELS - 1, Math.floor(((t[i] as number) - fromUs) * scale))
    for (let c = 0; c < CHANNELS; c++) {
      const v = data[i * CHANNELS + c] as number
      if (v < (min[px * CHANNELS + c] as number)) min[px * CHANNELS + c] = v
      if (v > (max[px * CHANNELS + c] as number)) max[px * CHANNELS + c] = v
    }
  }
  return { min, max }
}

function queries(project: Project, streamId: number) {
  const totalUs = HOURS * 3600e6
  const next = random(7)
  const windows = Array.from({ length: QUERIES }, () => {
    // Spans from 20 ms to the whole day, log-uniform: every zoom level is exercised.
    const spanUs = Math.exp(Math.log(20e3) + next() * (Math.log(totalUs) - Math.log(20e3)))
    const fromUs = next() * (totalUs - spanUs)
    return { fromUs, toUs: fromUs + spanUs }
  })
  const ours: number[] = []
  const levels = new Map<number, number>()
  let maxRows = 0
  for (const w of windows) {
    const started = performance.now()
    const slice = project.envelopes.query(streamId, w.fromUs, w.toUs, PIXELS)
    ours.push(performance.now() - started)
    levels.set(slice.level, (levels.get(slice.level) ?? 0) + 1)
    maxRows = Math.max(maxRows, slice.t0.length)
  }
  // The baseline only for windows up to 10 minutes: wider ones take seconds each.
  const small = windows.filter((w) => w.toUs - w.fromUs <= 600e6)
  const naive: number[] = []
  const oursSmall: number[] = []
  for (const w of small) {
    let started = performance.now()
    naiveView(project, streamId, w.fromUs, w.toUs)
    naive.push(performance.now() - started)
    started = performance.now()
    project.envelopes.query(streamId, w.fromUs, w.toUs, PIXELS)
    oursSmall.push(performance.now() - started)
  }
  return {
    all: {
      ...summary(ours),
      maxBucketsReturned: maxRows,
      levelsUsed: Object.fromEntries([...levels].sort((a, b) => a[0] - b[0])),
    },
    windowsUpTo10Min: { tinyloop: summary(oursSmall), naiveRawReadAndThin: summary(naive) },
  }
}

/** Continuous wheel zooming and panning in the Label view; frame intervals and JS heap. */
async function chromiumZoomPan(projectFile: string, dataDir: string) {
  const server = spawn(
    process.execPath,
    ['bin/tinyloop.js', '--project', projectFile, 'serve', '--port', '0'],
    {
      env: { ...process.env, TINYLOOP_USER_DATA: dataDir },
      stdio: ['ignore', 'pipe', 'ignore'],
    },
  )
  const url = await new Promise<string>((resolve) =>
    createInterface({ input: server.stdout! }).once('line', resolve),
  )
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--enable-precise-memory-info',
      '--js-flags=--expose-gc',
    ],
  })
  try {
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } })
    await page.goto(url)
    await page.locator('.rail [data-view="label"]').click()
    const timeline = page.getByTestId('timeline')
    await timeline.locator('canvas').waitFor()
    await page.waitForTimeout(1000)
    // After a full garbage collection: what the page keeps, not what it has yet to free.
    const heap = () =>
      page.evaluate(
        'window.gc && window.gc(), performance.memory ? performance.memory.usedJSHeapSize : null',
      ) as Promise<number | null>
    const heapBefore = await heap()
    const box = (await timeline.boundingBox())!
    await page.mouse.move(box.x + box.width * 0.4, box.y + box.height / 2)
    // rAF intervals (a 60 Hz display gives 16.7 ms when no frame is dropped), and the
    // animation frames Chromium itself reports as long (over 50 ms of work).
    await page.evaluate(
      `window.__frames = []; window.__long = [];
       new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__long.push(e.duration) })
         .observe({ type: 'long-animation-frame' });
       (function loop(last) { requestAnimationFrame((now) => { window.__frames.push(now - last); if (!window.__stop) loop(now) }) })(performance.now())`,
    )
    const started = Date.now()
    let step = 0
    while (Date.now() - started < 8000) {
      // Zoom in for a while, pan, zoom out: the whole range of levels, continuously.
      const phase = Math.floor(step / 40) % 3
      if (phase === 0) await page.mouse.wheel(0, -120)
      else if (phase === 1) await page.mouse.wheel(240, 0)
      else await page.mouse.wheel(0, 160)
      step++
      await page.waitForTimeout(16)
    }
    const frames = (await page.evaluate('window.__stop = true; window.__frames')) as number[]
    const long = (await page.evaluate('window.__long')) as number[]
    const heapAfter = await heap()
    const sorted = [...frames].sort((a, b) => a - b)
    return {
      wheelEvents: step,
      frames: frames.length,
      frameMedianMs: Number(percentile(sorted, 0.5).toFixed(2)),
      frameP95Ms: Number(percentile(sorted, 0.95).toFixed(2)),
      frameMaxMs: Number(percentile(sorted, 1).toFixed(2)),
      framesOver20Ms: frames.filter((f) => f > 20).length,
      longAnimationFrames: long.length,
      jsHeapBeforeMB: heapBefore === null ? null : Number((heapBefore / 1e6).toFixed(1)),
      jsHeapAfterMB: heapAfter === null ? null : Number((heapAfter / 1e6).toFixed(1)),
    }
  } finally {
    await browser.close()
    server.kill('SIGTERM')
  }
}

export async function timeline() {
  const dir = mkdtempSync(join(tmpdir(), 'tinyloop-bench-timeline-'))
  try {
    const file = join(dir, 'day.tinyloop')
    const project = openProject(file)
    const written = writeDay(project)
    const samples = HOURS * 3600 * RATE
    const viewport = queries(project, written.streamId)
    project.close()
    const fileBytes = statSync(file).size
    const browser = await chromiumZoomPan(file, dir)
    return {
      benchmark: 'timeline',
      recording: {
        hours: HOURS,
        rateHz: RATE,
        channels: CHANNELS,
        samples,
        values: samples * CHANNELS,
      },
      write: {
        seconds: Number(written.seconds.toFixed(1)),
        samplesPerSecond: Math.round(samples / written.seconds),
        fileMB: Number((fileBytes / 1e6).toFixed(1)),
        storageVsRawFloat32: Number((fileBytes / (samples * CHANNELS * 4)).toFixed(3)),
      },
      viewportQueries: { pixels: PIXELS, target: { p95Ms: 10 }, ...viewport },
      chromiumZoomPan: { target: { frameMedianMs: 16 }, ...browser },
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
