import { dialog, type BrowserWindow } from 'electron'
import { PROJECT_EXTENSION } from '../paths.js'
import type { FileDialogs } from '../project/project-service.js'

/** The native open and save dialogs, attached to the main window when there is one. */
export function nativeDialogs(window: () => BrowserWindow | null): FileDialogs {
  const open = async (options: Electron.OpenDialogOptions): Promise<string[] | null> => {
    const parent = window()
    const result = parent
      ? await dialog.showOpenDialog(parent, options)
      : await dialog.showOpenDialog(options)
    return result.canceled ? null : result.filePaths
  }
  const save = async (options: Electron.SaveDialogOptions): Promise<string | null> => {
    const parent = window()
    const result = parent
      ? await dialog.showSaveDialog(parent, options)
      : await dialog.showSaveDialog(options)
    return result.canceled ? null : (result.filePath ?? null)
  }
  const projectFilter = { name: 'TinyLoop project', extensions: [PROJECT_EXTENSION.slice(1)] }

  return {
    async pickProjectFile(purpose) {
      if (purpose === 'open') {
        const files = await open({
          title: 'Open TinyLoop project',
          filters: [projectFilter],
          properties: ['openFile'],
        })
        return files?.[0] ?? null
      }
      return save({
        title: 'New TinyLoop project',
        filters: [projectFilter],
        defaultPath: `untitled${PROJECT_EXTENSION}`,
      })
    },
    pickImportPaths: () =>
      open({
        title: 'Import recordings',
        properties: ['openFile', 'openDirectory', 'multiSelections'],
        filters: [
          { name: 'Recordings (CSV, Edge Impulse)', extensions: ['csv', 'json', 'cbor', 'labels'] },
          { name: 'All files', extensions: ['*'] },
        ],
      }),
    pickExportPath(format, suggestedName) {
      const extension = format === 'csv' ? 'csv' : 'json'
      return save({
        title: 'Export recording',
        defaultPath: `${suggestedName}.${extension}`,
        filters: [
          { name: format === 'csv' ? 'CSV' : 'Edge Impulse JSON', extensions: [extension] },
        ],
      })
    },
    async pickModelExportPath(format, suggestedName) {
      // The C files and the bundle are folders; the model and the Arduino library are files.
      if (format === 'c' || format === 'bundle') {
        const folders = await open({
          title: `Export the model as ${format === 'c' ? 'C files' : 'a bundle'}: choose a folder`,
          properties: ['openDirectory', 'createDirectory'],
        })
        return folders?.[0] ?? null
      }
      const file = {
        tflite: { extension: 'tflite', title: 'Export the model', name: 'TensorFlow Lite model' },
        image: { extension: 'tlmi', title: 'Export the model image', name: 'TinyLoop model image' },
        arduino: {
          extension: 'zip',
          title: 'Export an Arduino library',
          name: 'Arduino library (.zip)',
        },
      }[format as 'tflite' | 'image' | 'arduino']
      const { extension } = file
      return save({
        title: file.title,
        defaultPath: `${suggestedName}.${extension}`,
        filters: [
          {
            name: file.name,
            extensions: [extension],
          },
        ],
      })
    },
  }
}
