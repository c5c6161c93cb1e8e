import { modelOverRecording } from '../../src-main/deploy/model-over-recording.js'
import { DeployService } from '../../src-main/deploy/deploy-service.js'
import { DatasetService } from '../../src-main/dataset/dataset-service.js'
import { readModelImage } from '../../src-main/device/model-image.js'
import { crc32 } from '../../src-main/device/protocol/crc32.js'
import { ClassService } from '../../src-main/labels/class-service.js'
import { EventBus } from '../../src-main/rpc/events.js'
import { openProject } from '../../src-main/store/open.js'
import { classOf, type Prediction, type PredictionModel } from '../../src-main/store/predictions.js'
import { createInterpreter, predict, readTflite } from '../../src-main/tflite/index.js'

/**
 * Writes the prediction track a board running `runId`'s model would leave on a recording: every
 * window of the run's dataset settings, classified by the app's interpreter from the run's int8
 * bytes (the image a board is flashed with; tests/integration/capture/predictions-pty.test.ts
 * shows a board's outputs equal these), stored with the recorder's own calls; the latency is the
 * interpreter's on this computer. The project must
 * not be open elsewhere for writing. Returns the track's id and the image's CRC-32 (hex).
 */
export function writeInterpretedTrack(
  projectPath: string,
  recordingId: number,
  runId: number,
): { trackId: number; crc32: string; count: number } {
  const project = openProject(projectPath, { create: false })
  try {
    const classes = new ClassService({ project: () => project, events: new EventBus() })
    const datasets = new DatasetService({ project: () => project, classes })
    const deploy = new DeployService({ project: () => project, datasets })
    const image = deploy.image(runId)
    const info = readModelImage(image)
    const over = modelOverRecording({ classes, deploy, datasets }, recordingId, runId)
    const interpreter = createInterpreter(readTflite(deploy.int8Model(runId).bytes))
    const model: PredictionModel = {
      runId,
      classes: info.classes,
      outputScale: info.outputScale,
      outputZeroPoint: info.outputZeroPoint,
      windowUs: (info.windowSamples * 1e6) / info.sampleRateHz,
    }
    const width = over.featureNames.length
    const { mean, std } = over.model.normalization ?? {}
    const predictions: Prediction[] = over.windows.map((window, row) => {
      const input = Float32Array.from(
        { length: width },
        (_, f) => ((over.features[row * width + f] as number) - (mean?.[f] ?? 0)) / (std?.[f] ?? 1),
      )
      const started = performance.now()
      const outputs = Array.from(predict(interpreter, input).output)
      // The interpreter's own time on this computer stands for a board's latency.
      const latencyUs = Math.max(1, Math.round((performance.now() - started) * 1000))
      const named = classOf(outputs, model)
      if (named.classIndex !== over.classIndex[row])
        throw new Error(`window ${row}: the interpreter disagrees with modelOverRecording`)
      return { endUs: window.endUs, outputs, ...named, score: null, latencyUs, instructions: 0 }
    })
    const crc = crc32(image) >>> 0
    const trackId = project.transaction(() => {
      const id = project.predictions.track(recordingId, crc, model)
      project.predictions.append(id, predictions)
      return id
    })
    return { trackId, crc32: crc.toString(16).padStart(8, '0'), count: predictions.length }
  } finally {
    project.close()
  }
}
