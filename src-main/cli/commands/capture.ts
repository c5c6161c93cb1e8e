import { writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { InvalidArgumentError, type Command } from 'commander'
import { formatCount, formatDuration, formatRate } from '../../../src-preload/format.js'
import { FormatChoice } from '../../../src-preload/contract/capture.js'
import type { CaptureStatus, EventPayload } from '../../../src-preload/contract/index.js'
import { DemoTransmitter } from '../../capture/demo/demo-transmitter.js'
import { DRIFT_MODES, type DriftMode } from '../../capture/demo/machine-simulator.js'
import { PtyDevice } from '../../capture/demo/pty-device.js'
import type { EventBus } from '../../rpc/events.js'
import { startVirtualBoard } from '../../device/virtual-board.js'
import { userDataDir } from '../../paths.js'
import { CliError, table, type CliContext } from '../context.js'

const positive = (what: string) => (value: string) => {
  const n = Number(value)
  if (!(n > 0) || !Number.isFinite(n))
    throw new InvalidArgumentError(`Give ${what} as a positive number.`)
  return n
}
const integer = (value: string) => {
  const n = Number(value)
  if (!Number.isInteger(n)) throw new InvalidArgumentError('Give a whole number.')
  return n
}
const textFormat = (allowed: readonly string[]) => (value: string) => {
  if (!allowed.includes(value))
    throw new InvalidArgumentError(`Choose one of ${allowed.join(', ')}.`)
  return value
}

function summary(status: CaptureStatus) {
  return {
    recordingId: status.recordingId,
    samples: status.samples,
    channels: status.channels,
    rateHz: status.rateHz,
    measuredHz: status.measuredHz,
    format: status.format,
    rejected: status.rejected,
    rejectedBy: status.rejectedBy,
    gaps: status.gaps,
    lostFrames: status.lostFrames,
    durationS: status.durationS,
  }
}

/**
 * Follows the recording of `deviceId` by its status events, as the app does: `onStatus` gets
 * each, and `closed` resolves with the last, once it has stopped. This process records that one
 * device, so they are its recording's events.
 */
function follow(events: EventBus, deviceId: string, onStatus: (status: CaptureStatus) => void) {
  let fail!: (err: unknown) => void
  let unsubscribe!: () => void
  const closed = new Promise<CaptureStatus>((resolve, reject) => {
    fail = reject
    unsubscribe = events.subscribe((event, payload) => {
      if (event !== 'capture.onStatus') return
      const status = payload as EventPayload<'capture.onStatus'>
      if (status.deviceId !== deviceId) return
      onStatus(status)
      if (status.connection === 'closed') resolve(status)
    })
  })
  return { closed: closed.finally(() => unsubscribe()), fail }
}

export function registerCapture(program: Command, ctx: CliContext): void {
  program
    .command('devices')
    .description('list serial ports and the demo device')
    .action(() =>
      ctx.withServices(async (_services, client) => {
        const devices = await client.call('devices.list', {})
        ctx.print(devices, () =>
          table(
            ['PORT', 'DEVICE', 'VID:PID', 'SERIAL'],
            devices.map((d) => [
              d.id,
              d.label,
              d.vendorId ? `${d.vendorId}:${d.productId ?? ''}` : '–',
              d.serialNumber ?? '–',
            ]),
          ),
        )
      }, 'read'),
    )

  program
    .command('record')
    .description('record a serial device (or --port demo) into the project')
    .requiredOption('--port <path>', "serial port path, or 'demo'")
    .option('--baud <n>', 'baud rate', integer)
    .option(
      '--format <f>',
      'auto, csv, plotter or binary',
      textFormat(FormatChoice.options),
      'auto',
    )
    .option(
      '--rate <hz>',
      'declared sample rate (measured when absent)',
      positive('the rate in Hz'),
    )
    .option('--name <s>', 'recording name')
    .option('--notes <s>', 'notes')
    .option('--tag <t...>', 'tags')
    .option('--duration <s>', 'stop after this many seconds', positive('the duration in seconds'))
    .option('--idle-stop <s>', 'stop after this many seconds without data', positive('seconds'))
    .option(
      '--drift <mode>',
      'demo only: none, wear (a bearing wearing) or mount (the sensor turned 30°), to see the drift check fire',
      textFormat([...DRIFT_MODES]),
    )
    .action(
      async (opts: {
        port: string
        drift?: DriftMode
        baud?: number
        format: FormatChoice
        rate?: number
        name?: string
        notes?: string
        tag?: string[]
        duration?: number
        idleStop?: number
      }) => {
        await ctx.withServices(async (services, client) => {
          const progress = process.stderr.isTTY
          const recording = follow(services.events, opts.port, (s) => {
            if (!progress) return
            process.stderr.write(
              `\r${s.connection === 'waiting' ? 'waiting for the device…' : 'recording'}  ${formatDuration(s.durationS)}  ${formatCount(s.samples)} samples  ${formatRate(s.rateHz)}  ${s.rejected} rejected  ${s.gaps} gaps   `,
            )
          })
          const started = await client.call('capture.start', {
            deviceId: opts.port,
            baudRate: opts.baud,
            format: opts.format,
            rateHz: opts.rate,
            name: opts.name,
            notes: opts.notes,
            tags: opts.tag,
            durationS: opts.duration,
            idleStopS: opts.idleStop,
            drift: opts.drift,
          })
          const stop = () => {
            const stopping = client.call('capture.stop', { recordingId: started.recordingId })
            stopping.catch((err: { code?: string }) => {
              // NOT_FOUND: it has just ended by itself (duration, idle stop), as asked.
              if (err.code !== 'NOT_FOUND') recording.fail(err)
            })
          }
          process.once('SIGINT', stop)
          process.once('SIGTERM', stop)
          if (!progress) process.stderr.write(`Recording ${opts.port}; Ctrl+C stops.\n`)
          const status = await recording.closed
          process.off('SIGINT', stop)
          process.off('SIGTERM', stop)
          if (progress) process.stderr.write('\n')
          const result = summary(status)
          ctx.print(result, () =>
            [
              `Recording ${result.recordingId}: ${formatCount(result.samples)} samples of ${result.channels.join(', ') || 'no channels'}`,
              `Rate      ${formatRate(result.rateHz)} (measured ${formatRate(result.measuredHz)}), ${result.format ?? 'no format detected'}`,
              `Duration  ${formatDuration(result.durationS)}`,
              `Skipped   ${result.rejected} lines, ${result.gaps} gaps`,
            ].join('\n'),
          )
        })
      },
    )

  program
    .command('monitor')
    .description(
      "print a board's live predictions (time, class, probability or an anomaly model's score, latency); they are recorded with its samples",
    )
    .requiredOption('--port <path>', 'a board running TinyLoop firmware, or virtual:host')
    .option('--duration <s>', 'stop after this many seconds', positive('the duration in seconds'))
    .action(async (opts: { port: string; duration?: number }) => {
      await ctx.withServices(async (services, client) => {
        const json = ctx.globals().json === true
        const classes = new Map<string, string[]>()
        const unsubscribe = services.events.subscribe((event, payload) => {
          if (event !== 'predictions.onLive') return
          const live = payload as EventPayload<'predictions.onLive'>
          for (const m of live.models) classes.set(m.modelCrc32, m.classes)
          for (const p of live.predictions) {
            const name =
              p.classIndex === null ? null : (classes.get(p.modelCrc32)?.[p.classIndex] ?? null)
            const line = {
              recordingId: live.recordingId,
              timeS: p.endUs / 1e6,
              class: name,
              probability: p.probability,
              /** An anomaly model's score (its class: normal or anomaly by the threshold). */
              score: p.score !== null && Number.isFinite(p.score) ? p.score : null,
              latencyUs: p.latencyUs,
              instructions: p.instructions,
              modelCrc32: p.modelCrc32,
              outputs: p.outputs,
            }
            process.stdout.write(
              json
                ? `${JSON.stringify(line)}\n`
                : `${formatDuration(line.timeS)}  ${(name ?? `unknown model ${p.modelCrc32}`).padEnd(12)}  ${line.score !== null ? `score ${line.score.toPrecision(4)}` : p.probability === null ? '–' : p.probability.toFixed(3)}  ${(p.latencyUs / 1000).toFixed(2)} ms${p.instructions ? `  ${formatCount(p.instructions)} instructions` : ''}\n`,
            )
          }
        })
        const recording = follow(services.events, opts.port, () => undefined)
        const started = await client.call('capture.start', {
          deviceId: opts.port,
          format: 'binary',
          name: `monitor ${opts.port}`,
          durationS: opts.duration,
        })
        const stop = () => {
          client
            .call('capture.stop', { recordingId: started.recordingId })
            .catch((err: { code?: string }) => {
              if (err.code !== 'NOT_FOUND') recording.fail(err)
            })
        }
        process.once('SIGINT', stop)
        process.once('SIGTERM', stop)
        process.stderr.write(
          `Monitoring ${opts.port} (recording ${started.recordingId}); Ctrl+C stops.\n`,
        )
        try {
          await recording.closed
        } finally {
          unsubscribe()
          process.off('SIGINT', stop)
          process.off('SIGTERM', stop)
        }
      })
    })

  program
    .command('sim')
    .description(
      'serve the demo device on a pseudo-terminal, for tests and scripts: text (needs socat), or --format binary, the firmware built by npm run build:native',
    )
    .option(
      '--format <f>',
      'csv, plotter, or binary (the TinyLoop firmware host port)',
      textFormat(['csv', 'plotter', 'binary']),
      'csv',
    )
    .option('--rate <hz>', 'samples per second', positive('the rate in Hz'), 400)
    .option('--seed <n>', 'seed of the simulated machine', integer, 1)
    .option(
      '--drift <mode>',
      'none, wear (a bearing wearing over 5 minutes) or mount (the sensor turned 30° about x)',
      textFormat([...DRIFT_MODES]),
      'none',
    )
    .option('--link <path>', 'where to link the device end', `/tmp/tinyloop-sim-${process.pid}`)
    .option('--truth <file>', 'write the true anomaly intervals (JSON) to this file')
    .option('--duration <s>', 'stop after this many seconds', positive('the duration in seconds'))
    .option(
      '--burst-ms <ms>',
      'send in bursts this far apart, as USB does',
      positive('milliseconds'),
      20,
    )
    .option('--no-header', 'do not print a header line of channel names (csv)')
    .option('--state <dir>', "binary: the folder of the firmware's model slots (kept between runs)")
    .action(
      async (opts: {
        format: 'csv' | 'plotter' | 'binary'
        drift: DriftMode
        state?: string
        rate: number
        seed: number
        link: string
        truth?: string
        duration?: number
        burstMs: number
        header: boolean
      }) => {
        if (opts.format === 'binary') {
          await simFirmware(opts)
          return
        }
        const transmitter = new DemoTransmitter({
          rateHz: opts.rate,
          seed: opts.seed,
          drift: opts.drift,
          format: opts.format,
          header: opts.header,
          burstMs: opts.burstMs,
        })
        if (opts.truth) {
          const horizon = opts.duration ?? 3600
          const truth = {
            seed: opts.seed,
            rateHz: opts.rate,
            anomalies: transmitter.simulator.anomalies(horizon),
          }
          writeFileSync(opts.truth, `${JSON.stringify(truth, null, 2)}\n`)
        }
        const device = await PtyDevice.create(opts.link)
        process.stdout.write(`${device.linkPath}\n`)
        process.stderr.write(
          `Demo device at ${device.linkPath} (${opts.format}, ${opts.rate} Hz). Ctrl+C stops.\n`,
        )
        const startMs = performance.now()
        let dropped = 0
        transmitter.start((text, samples) => {
          // A device keeps sampling when nobody reads; what the link cannot take is lost.
          if (!device.input.write(text)) dropped += samples
        })
        await new Promise<void>((resolve) => {
          const timer = setInterval(() => {
            const elapsedS = (performance.now() - startMs) / 1000
            if (!device.alive || (opts.duration !== undefined && elapsedS >= opts.duration)) stop()
          }, opts.burstMs)
          const stop = () => {
            clearInterval(timer)
            resolve()
          }
          process.once('SIGINT', stop)
          process.once('SIGTERM', stop)
        })
        transmitter.stop()
        await device.close()
        if (dropped > 0)
          process.stderr.write(`${dropped} samples were not read in time and dropped.\n`)
      },
    )
}

/**
 * `sim --format binary`: the firmware's host port on a pseudo-terminal, linked at `--link`,
 * until Ctrl+C, `--duration` or its end.
 */
async function simFirmware(opts: {
  state?: string
  rate: number
  seed: number
  drift: DriftMode
  link: string
  duration?: number
}): Promise<void> {
  if (opts.rate !== 400) {
    throw new CliError(
      'The firmware starts at 400 Hz and the host sets its rate (SET_RATE); leave out --rate with --format binary.',
    )
  }
  const board = await startVirtualBoard('host', {
    stateDir: resolve(opts.state ?? join(userDataDir(), 'virtual-boards', 'sim-host')),
    link: opts.link,
    seed: opts.seed,
    drift: opts.drift,
  })
  process.stdout.write(`${board.path}\n`)
  process.stderr.write(
    `TinyLoop firmware (host port, pid ${board.pid}) at ${board.path}. Ctrl+C stops.\n`,
  )
  const startMs = performance.now()
  await new Promise<void>((done) => {
    const timer = setInterval(() => {
      const elapsedS = (performance.now() - startMs) / 1000
      if (!board.alive() || (opts.duration !== undefined && elapsedS >= opts.duration)) stop()
    }, 100)
    const stop = () => {
      clearInterval(timer)
      done()
    }
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
  })
  const died = !board.alive()
  await board.stop()
  if (died) throw new CliError(`The firmware ended by itself: ${board.stderr().trim().slice(-400)}`)
}
