/**
 * `npm run bench [-- name...]`: runs the benchmarks (all, or those named) and prints one JSON
 * report. Each compares against a baseline measured in the same run.
 */
import { anomaly } from './anomaly.js'
import { captureThroughput } from './capture-throughput.js'
import { dataset } from './dataset.js'
import { drift } from './drift.js'
import { flash } from './flash.js'
import { firmware } from './firmware.js'
import { hostileClients } from './hostile-clients.js'
import { liveView } from './live-view.js'
import { livePredictions } from './live-predictions.js'
import { retrainAndFlash } from './retrain-and-flash.js'
import { timeline } from './timeline.js'
import { tflite } from './tflite.js'
import { training } from './training.js'

const BENCHMARKS = {
  'capture-throughput': captureThroughput,
  'live-view': liveView,
  'live-predictions': livePredictions,
  timeline,
  dataset,
  'hostile-clients': hostileClients,
  training,
  tflite,
  firmware,
  flash,
  'retrain-and-flash': retrainAndFlash,
  drift,
  anomaly,
}

const wanted = process.argv.slice(2)
const unknown = wanted.filter((name) => !(name in BENCHMARKS))
if (unknown.length) {
  process.stderr.write(
    `Unknown benchmark ${unknown.join(', ')}; known: ${Object.keys(BENCHMARKS).join(', ')}\n`,
  )
  process.exit(2)
}
const report: Record<string, unknown> = { date: new Date().toISOString() }
for (const [name, run] of Object.entries(BENCHMARKS)) {
  if (wanted.length && !wanted.includes(name)) continue
  process.stderr.write(`running ${name}…\n`)
  report[name] = await run()
}
process.stdout.write(`${JSON.stringify(report, null, 2)}\n`)
