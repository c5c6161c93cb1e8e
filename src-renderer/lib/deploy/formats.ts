import type { ModelExportFormat } from '../../../src-preload/contract/index'

export interface ExportFormatInfo {
  id: ModelExportFormat
  title: string
  /** What the export gives, in one line. */
  description: string
  /** What the services write: one file, or files into a folder (downloads zip a folder). */
  writes: 'file' | 'folder'
  /** What a path to write it to ends in, after the run's name: a file's extension, a folder's suffix. */
  ending: string
}

/** The exports of a run's int8 model, in the order the Deploy view offers them. */
export const EXPORT_FORMATS: readonly ExportFormatInfo[] = [
  {
    id: 'tflite',
    title: 'TFLite model',
    description: 'The int8 .tflite file, for TFLite Micro, LiteRT or any TFLite runtime.',
    writes: 'file',
    ending: '.tflite',
  },
  {
    id: 'c',
    title: 'C files',
    description:
      'The model as a C array with its classes, window and quantization, and the feature code in C.',
    writes: 'folder',
    ending: '-c',
  },
  {
    id: 'arduino',
    title: 'Arduino library',
    description:
      'A .zip for the IDE’s Add .ZIP Library, with a sketch for the Nano 33 BLE Sense (needs TFLite Micro).',
    writes: 'file',
    ending: '-arduino.zip',
  },
  {
    id: 'image',
    title: 'Model image',
    description:
      'The .tlmi that TinyLoop firmware is flashed with: the .tflite with its window, features and classes.',
    writes: 'file',
    ending: '.tlmi',
  },
  {
    id: 'bundle',
    title: 'Bundle',
    description:
      'The .tflite, metadata.json (classes, normalization, quantization) and the C files.',
    writes: 'folder',
    ending: '-bundle',
  },
]

export function exportFormat(id: ModelExportFormat): ExportFormatInfo {
  return EXPORT_FORMATS.find((f) => f.id === id) as ExportFormatInfo
}
