import { describe, expect, it } from 'vitest'
import type {
  MethodArgs,
  ModelCard,
  RunSummary,
  Verification,
} from '../../../src-preload/contract/index'
import {
  andList,
  boardName,
  formatKB,
  formatLatency,
  formatScale,
  identicalIn,
  isVerified,
} from '../../../src-renderer/lib/deploy/format'
import { AppState } from '../../../src-renderer/lib/state/app.svelte'
import { CaptureState } from '../../../src-renderer/lib/state/capture.svelte'
import { DeployState } from '../../../src-renderer/lib/state/deploy.svelte'
import { FakeBridge, ServiceFailure, deferred, settle, type Answers } from './fake-bridge'

function run(id: number, status: RunSummary['status'] = 'complete'): RunSummary {
  return {
    id,
    createdAt: id,
    status,
    preset: 'dense',
    datasetVersionId: 1,
    datasetName: 'pumps v1',
    epochs: 20,
    bestEpoch: 18,
    params: 2147,
    valAccuracy: 0.95,
    testAccuracy: 0.94,
    seconds: 12,
    error: null,
    datasetChanged: false,
    kind: 'classifier',
    anomaly: null,
  }
}

const checked = (status: 'identical' | 'unavailable' = 'identical'): Verification => ({
  sha256: 'ab'.repeat(32),
  checkedAt: 1,
  windows: 200,
  runtimes: [
    { runtime: 'LiteRT.js', status: 'identical', windows: 200, detail: null },
    { runtime: 'Arm NN', status, windows: status === 'identical' ? 200 : 0, detail: null },
  ],
})

function card(runId: number, change: Partial<ModelCard> = {}): ModelCard {
  const accuracy = { windows: 80, floatAccuracy: 0.95, int8Accuracy: 0.95, agreement: 1 }
  return {
    runId,
    classes: ['normal', 'bearing'],
    file: { bytes: 4000, sha256: 'ab'.repeat(32) },
    arena: { bytes: 1328, activationBytes: 80, lowerBoundBytes: 80, overheadBytes: 1248 },
    macs: 2096,
    ops: ['FULLY_CONNECTED', 'SOFTMAX'],
    input: { scale: 0.05, zeroPoint: -63, shape: [1, 48] },
    output: { scale: 1 / 256, zeroPoint: -128, shape: [1, 2] },
    calibrationWindows: 242,
    val: accuracy,
    test: accuracy,
    boards: [],
    verification: null,
    datasetChanged: false,
    ...change,
  }
}

/**
 * A project whose runs are, newest first: 4 (still training), 3 and 2 (complete), 1 (failed).
 * The desktop app's dialogs unless `web`.
 */
function deployWith(
  answers: Answers = {},
  { web = false, runs = [run(4, 'running'), run(3), run(2), run(1, 'failed')] } = {},
) {
  const saved: { fileName: string; bytes: Uint8Array }[] = []
  const bridge = new FakeBridge({
    'deploy.card': ({ runId }) => card(runId),
    ...answers,
  })
  const client = bridge.client()
  const state = new DeployState(client, {
    runs: () => runs,
    nativeDialogs: () => !web,
    save: (fileName, bytes) => saved.push({ fileName, bytes }),
    capture: new CaptureState(client),
  })
  return { bridge, state, saved }
}

describe('the run to deploy', () => {
  it('is the newest completed run unless one is picked, and its card follows the choice', async () => {
    const { bridge, state } = deployWith()
    expect(state.runs.map((r) => r.id)).toEqual([3, 2])
    expect(state.run?.id).toBe(3)
    await state.load()
    expect(state.card?.runId).toBe(3)
    await state.choose(2)
    expect(state.run?.id).toBe(2)
    expect(state.card?.runId).toBe(2)
    expect(bridge.argsOf('deploy.card')).toEqual([{ runId: 3 }, { runId: 2 }])
  })

  it('has nothing to deploy while no run has completed', async () => {
    const { bridge, state } = deployWith({}, { runs: [run(2, 'running'), run(1, 'failed')] })
    expect(state.run).toBe(null)
    await state.load()
    await state.verify()
    await state.exportFormat('tflite')
    expect(bridge.calls).toEqual([])
  })

  it('drops the card of a run no longer chosen when it answers late', async () => {
    const slow = deferred<ModelCard>()
    const { state } = deployWith({
      'deploy.card': ({ runId }) => (runId === 3 ? slow.promise : card(runId)),
    })
    const first = state.load()
    expect(state.loading).toBe(true)
    await state.choose(2)
    slow.resolve(card(3))
    await first
    expect(state.card?.runId).toBe(2)
    expect(state.loading).toBe(false)
    // Back on run 3, its card is not the late one kept by accident: it is fetched again.
    state.runId = 3
    expect(state.card).toBe(null)
  })

  it('says why a run has no card, for that run only', async () => {
    const { state } = deployWith({
      'deploy.card': ({ runId }) => {
        if (runId === 3) {
          throw new ServiceFailure(
            'INVALID_ARGUMENT',
            'Layer 2 (dense) uses tanh, which the int8 export does not support.',
          )
        }
        return card(runId)
      },
    })
    await state.load()
    expect(state.cardError).toBe(
      'Layer 2 (dense) uses tanh, which the int8 export does not support.',
    )
    expect(state.loading).toBe(false)
    await state.choose(2)
    expect(state.cardError).toBe(null)
    expect(state.card?.runId).toBe(2)
  })

  it('forgets the choice and the card when another project opens', async () => {
    const { bridge, state } = deployWith()
    await state.choose(2)
    bridge.emit('project.onChanged', {
      path: '/p/other.tinyloop',
      name: 'other',
      schemaVersion: 3,
      recordings: 0,
      createdAt: 0,
      readOnly: false,
    })
    expect(state.runId).toBe(null)
    expect(state.run?.id).toBe(3)
    expect(state.card).toBe(null)
  })
})

describe('the check in LiteRT.js and Arm NN', () => {
  it('is in progress while it runs, and the card then carries what the runtimes gave', async () => {
    const answer = deferred<ModelCard>()
    const { bridge, state } = deployWith({ 'deploy.verify': () => answer.promise })
    await state.load()
    const verifying = state.verify()
    expect(state.verifying).toBe(3)
    // One check at a time: a second press does not start another.
    await state.verify()
    expect(bridge.argsOf('deploy.verify')).toEqual([{ runId: 3 }])
    answer.resolve(card(3, { verification: checked() }))
    await verifying
    expect(state.verifying).toBe(null)
    expect(state.card?.verification?.runtimes.map((r) => r.status)).toEqual([
      'identical',
      'identical',
    ])
  })

  it('is not undone by a card asked for before it ended', async () => {
    const slowCard = deferred<ModelCard>()
    const { state } = deployWith({
      'deploy.card': () => slowCard.promise,
      'deploy.verify': ({ runId }) => card(runId, { verification: checked() }),
    })
    const loading = state.load()
    await state.verify()
    slowCard.resolve(card(3))
    await loading
    expect(state.card?.verification).not.toBe(null)
  })

  it('does not show a check of a run no longer chosen on the run chosen', async () => {
    const answer = deferred<ModelCard>()
    const { state } = deployWith({ 'deploy.verify': () => answer.promise })
    await state.load()
    const verifying = state.verify()
    await state.choose(2)
    answer.resolve(card(3, { verification: checked() }))
    await verifying
    expect(state.card?.runId).toBe(2)
    expect(state.card?.verification).toBe(null)
  })

  it('says why it could not run', async () => {
    const { state } = deployWith({
      'deploy.verify': () => {
        throw new ServiceFailure('NOT_FOUND', 'There is no run 3 in this project.')
      },
    })
    await state.verify()
    expect(state.verifyError).toBe('There is no run 3 in this project.')
    expect(state.verifying).toBe(null)
    await state.choose(2)
    expect(state.verifyError).toBe(null)
  })
})

describe('exports on the desktop', () => {
  function exporting(answers: Answers = {}) {
    const written: MethodArgs<'deploy.export'>[] = []
    const deploy = deployWith({
      'deploy.pickExportPath': ({ format }) =>
        format === 'c' ? '/home/me/firmware' : '/home/me/model.tflite',
      'deploy.export': (args) => {
        written.push(args)
        const files =
          args.format === 'c'
            ? ['tinyloop_model.h', 'tinyloop_model.c'].map((f) => `${args.path}/${f}`)
            : [args.path]
        return { format: args.format, path: args.path, files }
      },
      ...answers,
    })
    return { ...deploy, written }
  }

  it('writes where the save dialog says, replacing a file only the dialog asked about', async () => {
    const { bridge, state, written } = exporting()
    await state.exportFormat('tflite')
    await state.exportFormat('c')
    expect(bridge.argsOf('deploy.pickExportPath')).toEqual([
      { format: 'tflite', suggestedName: 'tinyloop-run-3' },
      { format: 'c', suggestedName: 'tinyloop-run-3' },
    ])
    expect(written).toEqual([
      { runId: 3, format: 'tflite', path: '/home/me/model.tflite', overwrite: true },
      { runId: 3, format: 'c', path: '/home/me/firmware', overwrite: false },
    ])
    expect(state.outcome('tflite')).toEqual({ state: 'done', text: 'Wrote /home/me/model.tflite.' })
    expect(state.outcome('c')).toEqual({
      state: 'done',
      text: 'Wrote 2 files into /home/me/firmware: tinyloop_model.h, tinyloop_model.c.',
    })
    // Each run has its own results.
    await state.choose(2)
    expect(state.outcome('tflite')).toBe(null)
  })

  it('writes nothing when the dialog is cancelled', async () => {
    const { state, written } = exporting({ 'deploy.pickExportPath': () => null })
    await state.exportFormat('arduino')
    expect(written).toEqual([])
    expect(state.outcome('arduino')).toBe(null)
  })

  it('offers to replace the files of a folder it refused to write into', async () => {
    const refusal =
      '/home/me/firmware is not empty and was left as it is. Choose an empty or new folder, ' +
      'or allow replacing its files (--force on the command line).'
    const { state, written } = exporting({
      'deploy.export': (args) => {
        written.push(args)
        if (!args.overwrite) throw new ServiceFailure('ALREADY_EXISTS', refusal)
        return { format: args.format, path: args.path, files: [`${args.path}/tinyloop_model.h`] }
      },
    })
    await state.exportFormat('c')
    expect(state.outcome('c')).toEqual({
      state: 'error',
      text: refusal,
      replace: '/home/me/firmware',
    })
    await state.replace('c')
    expect(written.map((w) => [w.path, w.overwrite])).toEqual([
      ['/home/me/firmware', false],
      ['/home/me/firmware', true],
    ])
    expect(state.outcome('c')?.state).toBe('done')
  })

  it('says why an export failed, with nothing to replace when nothing was in the way', async () => {
    const { state } = exporting({
      'deploy.export': () => {
        throw new ServiceFailure('NOT_FOUND', 'The folder /nope does not exist. Create it first.')
      },
    })
    await state.exportFormat('bundle')
    expect(state.outcome('bundle')).toEqual({
      state: 'error',
      text: 'The folder /nope does not exist. Create it first.',
      replace: null,
    })
  })
})

describe('exports in a browser', () => {
  it('downloads the bytes the services give, under their name', async () => {
    const bytes = Uint8Array.from({ length: 4000 }, (_, i) => (i * 7) % 256)
    const { state, saved, bridge } = deployWith(
      {
        'deploy.download': ({ runId }) => ({
          fileName: `tinyloop-run-${runId}.tflite`,
          base64: btoa(String.fromCharCode(...bytes)),
          bytes: bytes.length,
        }),
      },
      { web: true },
    )
    const downloading = state.exportFormat('tflite')
    expect(state.outcome('tflite')).toEqual({ state: 'busy' })
    await downloading
    expect(bridge.argsOf('deploy.pickExportPath')).toEqual([])
    expect(saved.map((s) => s.fileName)).toEqual(['tinyloop-run-3.tflite'])
    expect(saved[0]?.bytes).toEqual(bytes)
    expect(state.outcome('tflite')).toEqual({
      state: 'done',
      text: 'Downloaded tinyloop-run-3.tflite (3.9 KB).',
    })
  })

  it('says why a download failed', async () => {
    const { state, saved } = deployWith(
      {
        'deploy.download': () => {
          throw new ServiceFailure('INTERNAL', 'The feature code is missing from this build.')
        },
      },
      { web: true },
    )
    await state.exportFormat('arduino')
    expect(saved).toEqual([])
    expect(state.outcome('arduino')).toEqual({
      state: 'error',
      text: 'The feature code is missing from this build.',
      replace: null,
    })
  })

  it('writes on the server at a typed path, replacing only when asked', async () => {
    const { state, bridge } = deployWith(
      {
        'deploy.export': (args) => ({ format: args.format, path: args.path, files: [args.path] }),
      },
      { web: true },
    )
    await state.exportTo('arduino', '/srv/TinyLoopModel.zip', false)
    expect(bridge.argsOf('deploy.export')).toEqual([
      { runId: 3, format: 'arduino', path: '/srv/TinyLoopModel.zip', overwrite: false },
    ])
    expect(state.outcome('arduino')).toEqual({
      state: 'done',
      text: 'Wrote /srv/TinyLoopModel.zip.',
    })
  })
})

describe('the Deploy step in the rail', () => {
  async function appWith(answers: Answers) {
    const bridge = new FakeBridge({
      'app.info': () => ({
        version: '0.1.0',
        mode: 'web',
        platform: 'linux',
        nativeDialogs: false,
        userDataDir: '/u',
        defaultProjectPath: '/u/default.tinyloop',
      }),
      'project.current': () => ({
        path: '/p/pumps.tinyloop',
        name: 'pumps',
        schemaVersion: 3,
        recordings: 0,
        createdAt: 0,
        readOnly: false,
      }),
      'project.recent': () => [],
      'recordings.list': () => [],
      'dataset.list': () => [],
      'runs.list': () => [],
      'runs.get': ({ id }) => {
        throw new ServiceFailure('NOT_FOUND', `There is no run ${id} in this project.`)
      },
      ...answers,
    })
    const app = new AppState(() => bridge.client())
    await app.start()
    await settle()
    return app
  }

  it('says whether there is a model, how big it is, and whether it was verified', async () => {
    expect((await appWith({})).stepStatus.deploy).toBe('no model')
    const checkedCard = card(2, { verification: checked('unavailable') })
    const app = await appWith({
      'runs.list': () => [run(3, 'failed'), run(2)],
      'deploy.card': ({ runId }) => card(runId),
      'deploy.verify': () => checkedCard,
    })
    expect(app.stepStatus.deploy).toBe('run 2 ready')
    await app.deploy.load()
    expect(app.stepStatus.deploy).toBe('run 2: 3.9 KB int8')
    await app.deploy.verify()
    expect(app.stepStatus.deploy).toBe('run 2, verified')
  })
})

describe('the card in words', () => {
  it('calls a file verified only where a runtime agreed and none disagreed', () => {
    expect(identicalIn(null)).toEqual([])
    expect(identicalIn(checked('unavailable'))).toEqual(['LiteRT.js'])
    expect(andList(identicalIn(checked()))).toBe('LiteRT.js and Arm NN')
    expect(isVerified(checked('unavailable'))).toBe(true)
    const differing = checked()
    differing.runtimes[1] = { runtime: 'Arm NN', status: 'different', windows: 200, detail: null }
    expect(isVerified(differing)).toBe(false)
    expect(isVerified(null)).toBe(false)
  })

  it('writes sizes as datasheets do, scales and latencies to the precision they have', () => {
    expect([
      formatKB(53_152, 'up'),
      formatKB(983_040, 'down'),
      formatKB(2_093_056, 'down'),
    ]).toEqual(['52 KB', '960 KB', '2,044 KB'])
    expect([formatScale(1 / 256), formatScale(0.055532779544591904)]).toEqual(['1/256', '0.05553'])
    expect([formatLatency(0.256), formatLatency(4.12), formatLatency(38.4)]).toEqual([
      '0.26 ms',
      '4.1 ms',
      '38 ms',
    ])
    expect(boardName('SAMD21 (Cortex-M0+, 32 KB RAM: Arduino Zero, Nano 33 IoT)')).toEqual({
      name: 'SAMD21',
      detail: 'Cortex-M0+, 32 KB RAM: Arduino Zero, Nano 33 IoT',
    })
    expect(boardName('A board')).toEqual({ name: 'A board', detail: null })
  })
})
