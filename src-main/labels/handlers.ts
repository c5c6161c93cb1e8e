import type { labelsMethods } from '../../src-preload/contract/index.js'
import type { DomainHandlers } from '../rpc/dispatcher.js'
import type { ClassService } from './class-service.js'
import type { LabelService } from './label-service.js'
import type { SuggestionService } from './suggestions.js'

/** Label classes and the labels of recordings (contract/labels.ts). */
export function labelsHandlers(deps: {
  classes: ClassService
  labels: LabelService
  suggestions: SuggestionService
}): DomainHandlers<typeof labelsMethods> {
  const { classes, labels, suggestions } = deps
  return {
    'classes.list': () => classes.list(),
    'classes.upsert': (input) => classes.upsert(input),
    'classes.delete': ({ id }) => classes.delete(id),
    'classes.settings': () => classes.settings(),
    'classes.setSettings': (change) => classes.setSettings(change),
    'labels.list': ({ recordingId }) => labels.list(recordingId),
    'labels.create': (request) => labels.create(request),
    'labels.update': (request) => labels.update(request),
    'labels.delete': ({ id }) => labels.delete(id),
    'labels.undo': ({ recordingId }) => labels.undo(recordingId),
    'labels.redo': ({ recordingId }) => labels.redo(recordingId),
    'labels.setDefaultClass': ({ recordingId, classId }) =>
      labels.setDefaultClass(recordingId, classId),
    'labels.history': ({ recordingId, limit }) => labels.history(recordingId, limit),
    'labels.import': (request) => labels.import(request),
    'labels.export': (request) => labels.export(request),
    'labels.exportText': (request) => labels.exportText(request),
    'labels.suggest': ({ recordingId, runId, minConfidence }) =>
      suggestions.suggest(recordingId, runId, minConfidence),
    'labels.acceptSuggestions': ({ recordingId, runId, suggestions: accepted }) =>
      suggestions.accept(recordingId, runId, accepted),
  }
}
