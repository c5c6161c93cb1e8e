import type { DeployService } from '../deploy/deploy-service.js'
import { readModelImage } from '../device/model-image.js'
import { crc32 } from '../device/protocol/crc32.js'
import type { PredictionModel, Project } from '../store/index.js'

/** The int8 model a run keeps once its card or image was made (deploy-service.ts). */
const INT8_ARTIFACT = 'model-int8.tflite'

/**
 * Finds the run of the open project whose model image has a given CRC-32: the model a device
 * reports in its INFERENCE frames. Each completed run's image is built once per project and
 * remembered, so a recording pays for it at its first prediction of an unknown CRC at most.
 */
export class ModelLookup {
  readonly #deploy: DeployService
  /** By project path: each run's image CRC and what the app knows of its model. */
  readonly #known = new Map<string, Map<number, { crc32: number; model: PredictionModel } | null>>()

  constructor(deploy: DeployService) {
    this.#deploy = deploy
  }

  find(project: Project, crc: number): PredictionModel | null {
    let runs = this.#known.get(project.path)
    if (!runs) this.#known.set(project.path, (runs = new Map()))
    // Runs whose int8 file is kept first (cheap to describe), then the others newest first (a
    // read-only flash, `tinyloop flash`, keeps none): the device's model is usually recent.
    const complete = project.runs.list().filter((run) => run.status === 'complete')
    const kept = (run: (typeof complete)[number]) =>
      run.artifacts.some((a) => a.kind === INT8_ARTIFACT) ? 0 : 1
    complete.sort((a, b) => kept(a) - kept(b) || b.id - a.id)
    for (const run of complete) {
      if (!runs.has(run.id)) runs.set(run.id, this.#imageOf(run.id))
      const entry = runs.get(run.id)
      if (entry && entry.crc32 === crc >>> 0) return entry.model
    }
    return null
  }

  #imageOf(runId: number): { crc32: number; model: PredictionModel } | null {
    try {
      return describe(runId, this.#deploy.image(runId))
    } catch {
      // A run whose model cannot be made (its dataset gone): not the device's model.
      return null
    }
  }
}

function describe(runId: number, bytes: Uint8Array): { crc32: number; model: PredictionModel } {
  const image = readModelImage(bytes)
  return {
    crc32: crc32(bytes) >>> 0,
    model: {
      runId,
      // An anomaly model's windows are normal or not, by its score.
      classes: image.anomaly ? ['normal', 'anomaly'] : image.classes,
      outputScale: image.outputScale,
      outputZeroPoint: image.outputZeroPoint,
      windowUs: (image.windowSamples * 1e6) / image.sampleRateHz,
      threshold: image.anomaly?.threshold ?? null,
    },
  }
}
