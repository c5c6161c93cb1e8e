import { describe, expect, it } from 'vitest'
import { createDispatcher, type Handlers } from '../../src-main/rpc/dispatcher.js'
import { ServiceError } from '../../src-main/rpc/errors.js'
import { methodNames } from '../../src-preload/contract/index.js'

const info = {
  path: '/p.tinyloop',
  name: 'p',
  schemaVersion: 1,
  recordings: 0,
  createdAt: null,
  readOnly: false,
}

function handlers(overrides: Partial<Handlers> = {}): Handlers {
  const unused = () => {
    throw new Error('not used in this test')
  }
  const all = Object.fromEntries(methodNames.map((m) => [m, unused])) as unknown as Handlers
  return {
    ...all,
    'project.current': () => info,
    'project.open': ({ path }) => ({ ...info, path }),
    'recordings.list': () => [],
    ...overrides,
  }
}

describe('dispatcher', () => {
  const logged: string[] = []
  const log = { error: (m: string) => logged.push(m) }

  it('calls the handler with validated arguments', async () => {
    const dispatch = createDispatcher(handlers(), log)
    expect(await dispatch('project.open', { path: '  /x.tinyloop ' })).toEqual({
      ok: true,
      value: { ...info, path: '/x.tinyloop' },
    })
  })

  it('refuses unknown methods, including prototype names', async () => {
    const dispatch = createDispatcher(handlers(), log)
    for (const method of ['nope', 'toString', '__proto__', 42, null]) {
      const response = await dispatch(method, {})
      expect(response.ok).toBe(false)
      if (!response.ok) expect(response.error.code).toBe('BAD_REQUEST')
    }
  })

  it('gives INVALID_ARGUMENT with per-field issues for malformed arguments', async () => {
    const dispatch = createDispatcher(handlers(), log)
    for (const args of [{ path: '' }, { path: 7 }, {}, 'str', [1], { path: 'a', extra: 1 }]) {
      const response = await dispatch('project.open', args)
      expect(response.ok, JSON.stringify(args)).toBe(false)
      if (!response.ok) {
        expect(response.error.code).toBe('INVALID_ARGUMENT')
        expect(response.error.issues?.length).toBeGreaterThan(0)
      }
    }
  })

  it('keeps user-facing errors and hides internal ones behind INTERNAL', async () => {
    const dispatch = createDispatcher(
      handlers({
        'project.current': () => {
          throw new ServiceError('NOT_FOUND', 'There is no project file at /x.')
        },
        'recordings.list': () => {
          throw new TypeError('cannot read properties of undefined')
        },
      }),
      log,
    )
    expect(await dispatch('project.current', {})).toEqual({
      ok: false,
      error: { code: 'NOT_FOUND', message: 'There is no project file at /x.' },
    })
    const internal = await dispatch('recordings.list', {})
    expect(internal.ok).toBe(false)
    if (!internal.ok) {
      expect(internal.error.code).toBe('INTERNAL')
      expect(internal.error.message).not.toContain('undefined')
    }
    expect(logged).toContain('recordings.list failed')
  })
})
