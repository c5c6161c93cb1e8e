import type { datasetMethods } from '../../src-preload/contract/index.js'
import type { DomainHandlers } from '../rpc/dispatcher.js'
import type { DatasetService } from './dataset-service.js'

/** Dataset previews and saved versions (contract/dataset.ts). */
export function datasetHandlers(deps: {
  datasets: DatasetService
}): DomainHandlers<typeof datasetMethods> {
  const { datasets } = deps
  return {
    'dataset.preview': ({ config, feature }) => datasets.preview(config, feature),
    'dataset.save': ({ name, config }) => datasets.save(name, config),
    'dataset.export': ({ config, path, overwrite }) => datasets.export(config, path, overwrite),
    'dataset.list': () => datasets.list(),
    'dataset.get': (which) => datasets.get(which),
  }
}
