import type { LayerSpec, ModelPreset, TrainingSettings } from '../../../src-preload/contract/index'

/**
 * What the Train view's model editor and settings start from. The contract states these as
 * schema defaults and the core's presets, which the page cannot import (it takes only types);
 * tests/unit/renderer/training-model.test.ts checks that these say the same.
 */

export type LayerType = LayerSpec['type']

/** Each preset's layers, before the output layer the services add. */
export const PRESET_LAYERS: Record<ModelPreset, readonly LayerSpec[]> = {
  dense: [dense(32), { type: 'dropout', rate: 0.1 }, dense(16)],
  conv1d: [
    conv1d(8, 5),
    { type: 'maxPool1d', poolSize: 4 },
    conv1d(16, 5),
    { type: 'maxPool1d', poolSize: 4 },
    { type: 'globalAvgPool1d' },
    dense(16),
  ],
}

/** The training settings a run gets when nothing is changed. */
export const TRAINING_DEFAULTS: TrainingSettings = {
  epochs: 60,
  batchSize: 32,
  learningRate: 0.002,
  seed: 1,
  earlyStopping: { enabled: true, patience: 10 },
  classWeights: 'auto',
  augmentation: { noise: 0, scale: 0, shift: 0 },
}

/** The preset that suits a dataset's features: convolutions over raw windows, dense otherwise. */
export function presetFor(featureKind: string | undefined): ModelPreset {
  return featureKind === 'raw' ? 'conv1d' : 'dense'
}

function dense(units: number): LayerSpec {
  return { type: 'dense', units, activation: 'relu', l2: 0 }
}

function conv1d(filters: number, kernelSize: number): LayerSpec {
  return { type: 'conv1d', filters, kernelSize, activation: 'relu', l2: 0 }
}

/** A layer of `type` as the editor adds it. */
export function newLayer(type: LayerType): LayerSpec {
  switch (type) {
    case 'dense':
      return dense(16)
    case 'conv1d':
      return conv1d(8, 3)
    case 'maxPool1d':
    case 'avgPool1d':
      return { type, poolSize: 2 }
    case 'dropout':
      return { type, rate: 0.2 }
    case 'globalAvgPool1d':
    case 'flatten':
      return { type }
  }
}

export const LAYER_NAMES: Record<LayerType | 'output', string> = {
  dense: 'Dense',
  conv1d: 'Conv 1D',
  maxPool1d: 'Max pool',
  avgPool1d: 'Average pool',
  globalAvgPool1d: 'Global average pool',
  flatten: 'Flatten',
  dropout: 'Dropout',
  output: 'Output (softmax)',
}

/** A number a layer has, with the range the contract allows. */
export interface LayerField {
  key: 'units' | 'filters' | 'kernelSize' | 'poolSize' | 'rate' | 'l2'
  label: string
  min: number
  max: number
  step: number
  integer: boolean
}

const UNITS: LayerField = {
  key: 'units',
  label: 'units',
  min: 1,
  max: 1024,
  step: 1,
  integer: true,
}
const L2: LayerField = { key: 'l2', label: 'L2', min: 0, max: 1, step: 0.0001, integer: false }
const POOL: LayerField = {
  key: 'poolSize',
  label: 'pool',
  min: 2,
  max: 64,
  step: 1,
  integer: true,
}

/** The numbers of each kind of layer, in the order the editor shows them. */
export const LAYER_FIELDS: Record<LayerType, readonly LayerField[]> = {
  dense: [UNITS, L2],
  conv1d: [
    { key: 'filters', label: 'filters', min: 1, max: 256, step: 1, integer: true },
    { key: 'kernelSize', label: 'kernel', min: 1, max: 64, step: 1, integer: true },
    L2,
  ],
  maxPool1d: [POOL],
  avgPool1d: [POOL],
  dropout: [{ key: 'rate', label: 'rate', min: 0, max: 0.9, step: 0.05, integer: false }],
  globalAvgPool1d: [],
  flatten: [],
}

export const ACTIVATIONS = ['relu', 'relu6', 'tanh', 'linear'] as const

/** Whether two layer lists are the same model. */
export function sameLayers(a: readonly LayerSpec[], b: readonly LayerSpec[]): boolean {
  return JSON.stringify(a) === JSON.stringify(b)
}
