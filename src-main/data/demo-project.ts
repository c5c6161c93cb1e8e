import {
  DEMO_CHANNELS,
  type DriftMode,
  MachineSimulator,
} from '../capture/demo/machine-simulator.js'
import type { ClassService } from '../labels/class-service.js'
import type { Project } from '../store/index.js'

export interface DemoRequest {
  /** Minutes of signal in all, shared by the recordings. */
  minutes: number
  recordings: number
  seed: number
  /** Samples per second; 400 Hz, the virtual boards' rate, by default. */
  rateHz?: number
  /** A drifting machine: its recordings are left unlabeled, as new data from the field. */
  drift?: DriftMode
}

const DRIFT_NAMES: Record<DriftMode, string> = {
  none: 'Demo machine',
  wear: 'Demo machine, bearing wearing',
  mount: 'Demo machine, sensor remounted',
}

export interface DemoResult {
  recordingIds: number[]
  labels: number
  /** Of each class, in seconds. */
  seconds: Record<string, number>
}

const DEFAULT_RATE_HZ = 400
const CHUNK_SAMPLES = 2000

/**
 * A labeled demo project, so the whole loop can be tried without hardware: recordings of the
 * demo machine (simulated faster than real time, one seed each) with its fault episodes stored
 * as labels of the classes `imbalance` and `bearing` (the rest is the default class, `normal`).
 * The same seed gives the same recordings and labels.
 */
export function writeDemoProject(
  project: Project,
  classes: ClassService,
  actor: string,
  request: DemoRequest,
): DemoResult {
  const seconds: Record<string, number> = { normal: 0, imbalance: 0, bearing: 0 }
  const recordingIds: number[] = []
  let labels = 0
  const RATE_HZ = request.rateHz ?? DEFAULT_RATE_HZ
  const each = Math.max(10, Math.round((request.minutes * 60) / request.recordings))
  for (let r = 0; r < request.recordings; r++) {
    const seed = request.seed * 1000 + r + 1
    const drift = request.drift ?? 'none'
    const simulator = new MachineSimulator({ rateHz: RATE_HZ, seed, drift })
    const samples = each * RATE_HZ
    project.transaction(() => {
      const classIds = {
        imbalance: classes.addForImport(project, 'imbalance'),
        bearing: classes.addForImport(project, 'bearing'),
      }
      const recordingId = project.recordings.create({
        name: `${DRIFT_NAMES[drift]} ${r + 1}`,
        device: 'Demo device',
        tags: drift === 'none' ? ['demo'] : ['demo', `drift-${drift}`],
        status: 'complete',
        startedAt: Date.UTC(2026, 0, 1 + r, 8),
        metadata: { demo: { seed, rateHz: RATE_HZ, drift } },
      })
      const streamId = project.streams.create(recordingId, {
        name: 'accelerometer',
        rateHz: RATE_HZ,
        channels: DEMO_CHANNELS.map((name) => ({ name, unit: 'g' })),
      })
      const dtUs = 1e6 / RATE_HZ
      for (let at = 0; at < samples; at += CHUNK_SAMPLES) {
        const n = Math.min(CHUNK_SAMPLES, samples - at)
        project.samples.appendChunks(streamId, [{ t0Us: at * dtUs, dtUs, data: simulator.next(n) }])
      }
      project.samples.finish(streamId)
      // Label edges on sample times, as labels drawn on the timeline are.
      const endUs = samples * dtUs
      const onSample = (us: number) => Math.min(Math.round(us / dtUs) * dtUs, endUs)
      const episodes = (drift !== 'none' ? [] : simulator.anomalies(each))
        .map((a) => ({ ...a, startUs: onSample(a.startS * 1e6), endUs: onSample(a.endS * 1e6) }))
        .filter((a) => a.endUs > a.startUs)
      // A short recording may have no episode: nothing to label.
      if (episodes.length > 0)
        project.labels.edit(
          recordingId,
          actor,
          `demo: label ${episodes.length} fault episodes`,
          episodes.map((a) => ({
            op: 'insert' as const,
            label: { recordingId, classId: classIds[a.kind], startUs: a.startUs, endUs: a.endUs },
          })),
        )
      labels += episodes.length
      let faulty = 0
      for (const a of episodes) {
        const length = (a.endUs - a.startUs) / 1e6
        seconds[a.kind] = (seconds[a.kind] ?? 0) + length
        faulty += length
      }
      seconds.normal = (seconds.normal ?? 0) + each - faulty
      recordingIds.push(recordingId)
    })
  }
  return { recordingIds, labels, seconds }
}
