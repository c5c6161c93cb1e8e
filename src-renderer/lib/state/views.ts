export type ViewId = 'capture' | 'label' | 'dataset' | 'train' | 'deploy'

export interface ViewMeta {
  id: ViewId
  title: string
  /** What the step is for, in a few words (rail tooltip, palette). */
  purpose: string
}

/** The loop, in order: the rail shows it top to bottom and Alt+1..5 jumps to a step. */
export const VIEWS: readonly ViewMeta[] = [
  { id: 'capture', title: 'Capture', purpose: 'Record sensor data from a device' },
  { id: 'label', title: 'Label', purpose: 'Mark anomalies on the timeline' },
  { id: 'dataset', title: 'Dataset', purpose: 'Windows, features and splits' },
  { id: 'train', title: 'Train', purpose: 'Train and evaluate a model' },
  { id: 'deploy', title: 'Deploy', purpose: 'Quantize, export and flash' },
]
