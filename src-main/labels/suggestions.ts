import type {
  LabelList,
  LabelSuggestion,
  LabelSuggestions,
} from '../../src-preload/contract/index.js'
import type { DatasetService } from '../dataset/dataset-service.js'
import type { DeployService } from '../deploy/deploy-service.js'
import { readStoredAnomaly } from '../anomaly/anomaly-run.js'
import { modelOverRecording } from '../deploy/model-over-recording.js'
import { ServiceError } from '../rpc/errors.js'
import type { ClassService } from './class-service.js'
import { formatSpan } from './describe.js'
import type { LabelService } from './label-service.js'

export interface SuggestionServiceOptions {
  classes: ClassService
  labels: LabelService
  deploy: DeployService
  datasets: DatasetService
}

/** One window's vote: the part of the timeline it speaks for, its class and probability. */
interface Vote {
  startUs: number
  endUs: number
  probability: number
}

interface Region {
  classId: number
  votes: Vote[]
}

/** Interval [startUs, endUs). */
interface Span {
  startUs: number
  endUs: number
}

/**
 * Model-assisted labeling (docs/labels.md, "Suggestions"): a trained run's int8 model (the bytes
 * a device gets, through TinyLoop's interpreter) over every window of a recording, consecutive
 * windows of one class merged into a suggested region, never over a label. Accepting makes them
 * labels through the label service, in one action whose actor is the model.
 */
export class SuggestionService {
  readonly #opts: SuggestionServiceOptions

  constructor(opts: SuggestionServiceOptions) {
    this.#opts = opts
  }

  /** The model's actor in the label journal. */
  static actorOf(runId: number, acceptedBy: string): string {
    return `model:run ${runId} (accepted by ${acceptedBy})`
  }

  suggest(recordingId: number, runId: number, minConfidence: number): LabelSuggestions {
    const { classes } = this.#opts
    const project = classes.project()
    const recording = project.recordings.get(recordingId)
    if (!recording) {
      throw new ServiceError('NOT_FOUND', `There is no recording ${recordingId} in this project.`)
    }
    if (readStoredAnomaly(project, runId)) {
      throw new ServiceError(
        'INVALID_ARGUMENT',
        `Run ${runId} is an anomaly model: it flags windows but does not name their class. Suggest labels with a classifier run.`,
      )
    }
    const over = modelOverRecording(this.#opts, recordingId, runId)
    const { config, model } = over
    const windowUs = config.windowMs * 1000
    const strideUs = config.strideMs * 1000
    // A window speaks for its middle stride: overlapping windows then tile the timeline.
    const ownUs = Math.min(strideUs, windowUs)
    const inset = (windowUs - ownUs) / 2
    const regions: Region[] = []
    let previousStart = -Infinity
    over.windows.forEach((w, row) => {
      const classId = model.classIds[over.classIndex[row] as number] as number
      const vote = {
        startUs: w.startUs + inset,
        endUs: w.startUs + inset + ownUs,
        probability: over.probability[row] as number,
      }
      const last = regions.at(-1)
      // Consecutive windows (no gap dropped between them) of one class make one region.
      if (last && last.classId === classId && Math.abs(w.startUs - previousStart - strideUs) < 1) {
        last.votes.push(vote)
      } else regions.push({ classId, votes: [vote] })
      previousStart = w.startUs
    })

    const defaultClassId = classes.defaultOf(project, recording)
    const known = new Set(project.classes.list().map((c) => c.id))
    const labels = project.labels.list(recordingId)
    const result: LabelSuggestions = {
      recordingId,
      runId,
      suggestions: [],
      windows: over.windows.length,
      defaultRegions: 0,
      belowConfidence: 0,
      cut: 0,
      coveredByLabels: 0,
    }
    for (const region of regions) {
      if (region.classId === defaultClassId || !known.has(region.classId)) {
        result.defaultRegions++
        continue
      }
      const span = {
        startUs: region.votes[0]!.startUs,
        endUs: region.votes.at(-1)!.endUs,
      }
      // What is left around the labels; pieces shorter than half a window say too little.
      const pieces = around(span, labels).filter((p) => p.endUs - p.startUs >= windowUs / 2)
      const touched =
        pieces.length !== 1 ||
        pieces[0]!.startUs !== span.startUs ||
        pieces[0]!.endUs !== span.endUs
      if (pieces.length === 0) {
        result.coveredByLabels++
        continue
      }
      if (touched) result.cut++
      for (const piece of pieces) {
        const votes = region.votes.filter((v) => v.endUs > piece.startUs && v.startUs < piece.endUs)
        const confidence = votes.reduce((sum, v) => sum + v.probability, 0) / votes.length
        if (confidence < minConfidence) {
          result.belowConfidence++
          continue
        }
        result.suggestions.push({
          classId: region.classId,
          ...piece,
          confidence: Math.min(1, Math.max(0, confidence)),
          windows: votes.length,
        })
      }
    }
    return result
  }

  /**
   * The suggestions become labels in one action by the model (undoable like any edit), cut
   * again around the labels as they are now, so an accepted suggestion never changes a label.
   */
  accept(
    recordingId: number,
    runId: number,
    suggestions: readonly Pick<LabelSuggestion, 'classId' | 'startUs' | 'endUs' | 'confidence'>[],
  ): LabelList {
    const { classes, labels: service } = this.#opts
    const project = classes.project()
    if (!project.runs.get(runId)) {
      throw new ServiceError('NOT_FOUND', `There is no run ${runId} in this project.`)
    }
    const labels = project.labels.list(recordingId)
    const regions = suggestions.flatMap((s) =>
      around(s, labels).map((piece) => ({ classId: s.classId, ...piece })),
    )
    if (regions.length === 0) {
      throw new ServiceError(
        'INVALID_ARGUMENT',
        'Labels now cover those suggestions, so there is nothing left to accept. Suggest again.',
      )
    }
    const name = (id: number) => project.classes.get(id)?.name ?? `class ${id}`
    const first = suggestions[0]!
    const description =
      suggestions.length === 1
        ? `accept ${name(first.classId)} ${formatSpan(first.startUs, first.endUs)} ` +
          `(${Math.round(first.confidence * 100)}%) from run ${runId}`
        : `accept ${suggestions.length} suggestions from run ${runId} (` +
          `${Math.round(Math.min(...suggestions.map((s) => s.confidence)) * 100)}% and up)`
    return service.createMany({
      recordingId,
      regions,
      actor: SuggestionService.actorOf(runId, service.actor),
      description,
    })
  }
}

/** The parts of `span` no label covers (labels of any class), in time order. */
export function around(span: Span, labels: readonly Span[]): Span[] {
  const covering = labels
    .filter((l) => l.endUs > span.startUs && l.startUs < span.endUs)
    .sort((a, b) => a.startUs - b.startUs)
  const pieces: Span[] = []
  let from = span.startUs
  for (const label of covering) {
    if (label.startUs > from) pieces.push({ startUs: from, endUs: label.startUs })
    from = Math.max(from, label.endUs)
  }
  if (from < span.endUs) pieces.push({ startUs: from, endUs: span.endUs })
  return pieces
}
