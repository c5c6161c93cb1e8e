import { resolve } from 'node:path'
import {
  DatasetConfig,
  type DatasetConfigInput,
  type DatasetExportResult,
  type DatasetSummary,
  type DatasetPreview,
  type DatasetVersionInfo,
} from '../../src-preload/contract/index.js'
import { writeOutputFile } from '../data/export/output-file.js'
import type { ClassService } from '../labels/class-service.js'
import { ServiceError } from '../rpc/errors.js'
import type { DatasetVersion } from '../store/datasets.js'
import type { Project } from '../store/project.js'
import { buildDataset, type BuiltDataset } from './build.js'
import { datasetCsv, datasetNpz } from './export.js'
import { countsOf, previewOf, type FeatureView } from './preview.js'
import { loadRecordings, selectRecordings } from './source.js'

export interface DatasetServiceOptions {
  project: () => Project
  classes: ClassService
}

/** Datasets of the open project: previews, saved versions, and the full table for exports. */
export class DatasetService {
  readonly #project: () => Project
  readonly #classes: ClassService

  constructor(opts: DatasetServiceOptions) {
    this.#project = opts.project
    this.#classes = opts.classes
  }

  /** The whole dataset with its features (raw, before normalization), and class names by id. */
  build(input: DatasetConfigInput, options: { features?: boolean } = {}) {
    const config = DatasetConfig.parse(input)
    const project = this.#project()
    const classes = project.classes.list()
    const ids = selectRecordings(project, config.recordings)
    const recordings = loadRecordings(project, this.#classes, ids)
    const built = buildDataset(
      recordings,
      config,
      classes.map((c) => c.id),
      options,
    )
    return { config, built, names: new Map(classes.map((c) => [c.id, c.name])), recordingIds: ids }
  }

  preview(config: DatasetConfigInput, feature?: FeatureView): DatasetPreview {
    const { config: parsed, built, names } = this.build(config, { features: feature !== undefined })
    return previewOf(built, names, parsed.split.ratios, feature)
  }

  /** Writes the windows to `path` (.csv, or .npz with a .json sidecar); see dataset.export. */
  async export(
    input: DatasetConfigInput,
    path: string,
    overwrite: boolean,
  ): Promise<DatasetExportResult> {
    const { config, built, names } = this.build(input)
    const file = resolve(path)
    let sidecarPath: string | null = null
    if (/\.npz$/i.test(file)) {
      const { zip, sidecar } = datasetNpz(built, names)
      sidecarPath = file.replace(/\.npz$/i, '.json')
      await writeOutputFile(file, overwrite, (sink) => sink.write(zip))
      await writeOutputFile(sidecarPath, overwrite, (sink) =>
        sink.write(`${JSON.stringify(sidecar, null, 2)}\n`),
      )
    } else {
      await writeOutputFile(file, overwrite, (sink) => sink.write(datasetCsv(built, names)))
    }
    return {
      path: file,
      format: sidecarPath ? 'npz' : 'csv',
      sidecarPath,
      preview: previewOf(built, names, config.split.ratios),
    }
  }

  /** Saves the next version of `name`: its config, the data's position and the normalization. */
  save(name: string, input: DatasetConfigInput): DatasetVersionInfo {
    const { config, built, names, recordingIds } = this.build(input)
    const project = this.#project()
    const id = project.datasets.save({
      name,
      config,
      snapshot: { recordings: project.datasets.marks(recordingIds) },
      summary: summaryOf(built, names),
    })
    return this.get({ id })
  }

  list(): DatasetVersionInfo[] {
    return this.#project()
      .datasets.list()
      .map((version) => this.#info(version))
  }

  get(which: { id?: number; name?: string }): DatasetVersionInfo {
    const datasets = this.#project().datasets
    const version =
      which.id !== undefined ? datasets.get(which.id) : datasets.latest(which.name ?? '')
    if (!version) {
      throw new ServiceError(
        'NOT_FOUND',
        which.id !== undefined
          ? `Dataset version ${which.id} does not exist.`
          : `There is no dataset named "${which.name}".`,
      )
    }
    return this.#info(version)
  }

  #info(version: DatasetVersion): DatasetVersionInfo {
    const { config, snapshot, summary } = version
    return {
      id: version.id,
      name: version.name,
      version: version.version,
      createdAt: version.createdAt,
      config,
      snapshot,
      ...summary,
      changed: this.changedSince(config, snapshot),
    }
  }

  /**
   * Whether the data of a saved version moved on: its selection picks other recordings now, or
   * a recording's labels (newest journal row) or samples (count) are not where they were.
   */
  changedSince(config: DatasetConfig, snapshot: DatasetVersionInfo['snapshot']): boolean {
    const project = this.#project()
    const ids = (() => {
      try {
        return selectRecordings(project, config.recordings)
      } catch {
        return null
      }
    })()
    if (!ids) return true
    const now = project.datasets.marks(ids)
    return JSON.stringify(now) !== JSON.stringify(snapshot.recordings)
  }
}

function summaryOf(built: BuiltDataset, names: ReadonlyMap<number, string>): DatasetSummary {
  return {
    featureNames: built.featureNames,
    normalization: built.normalization,
    ...countsOf(built, names),
  }
}
