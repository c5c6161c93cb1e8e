import type { Command } from 'commander'
import type { EventPayload } from '../../../src-preload/contract/index.js'
import { CliError, type CliContext } from '../context.js'

const runId = (value: string): number => {
  if (!/^\d+$/.test(value))
    throw new CliError(`Give the run's id (tinyloop runs lists them), not "${value}".`)
  return Number(value)
}

const STAGES: Record<EventPayload<'device.onFlashProgress'>['stage'], string> = {
  connecting: 'connecting',
  sending: 'sending',
  checking: 'the device checks the model',
}

export function registerDevice(program: Command, ctx: CliContext): void {
  program
    .command('flash')
    .description("flash a run's model to a board running TinyLoop firmware (progress on stderr)")
    .argument('<run>', 'run id (see tinyloop runs)')
    .requiredOption('--port <path>', 'serial port path, or a virtual board (tinyloop devices)')
    .action((run: string, cmd: { port: string }) =>
      ctx.withServices(async (services, client) => {
        const id = runId(run)
        const tty = process.stderr.isTTY
        let lastStage = ''
        const unsubscribe = services.events.subscribe((event, payload) => {
          if (event !== 'device.onFlashProgress') return
          const p = payload as EventPayload<'device.onFlashProgress'>
          if (p.port !== cmd.port || p.runId !== id) return
          const line = `${STAGES[p.stage]}  ${p.sentBytes.toLocaleString('en-US')} of ${p.totalBytes.toLocaleString('en-US')} bytes`
          // A terminal gets one line rewritten; a pipe or a log gets one line per stage and
          // per acknowledged chunk, so a script can follow it.
          if (tty) process.stderr.write(`\r${line}   `)
          else if (p.stage !== lastStage || p.stage === 'sending') process.stderr.write(`${line}\n`)
          lastStage = p.stage
        })
        const cancel = () => void client.call('device.cancelFlash', { port: cmd.port })
        process.once('SIGINT', cancel)
        process.once('SIGTERM', cancel)
        try {
          const result = await client.call('device.flash', { runId: id, port: cmd.port })
          ctx.print(result, () =>
            [
              `Flashed run ${result.runId} to ${result.port}: ${result.bytes.toLocaleString('en-US')} bytes (CRC-32 ${result.crc32}) in ${result.seconds.toFixed(2)} s`,
              `Active model: slot ${result.slot}, CRC-32 ${result.activeCrc32}, arena ${result.arenaBytes.toLocaleString('en-US')} bytes`,
            ].join('\n'),
          )
        } finally {
          if (tty) process.stderr.write('\n')
          unsubscribe()
          process.off('SIGINT', cancel)
          process.off('SIGTERM', cancel)
        }
      }, 'read'),
    )

  program
    .command('board')
    .description('what the board on a port says of itself: firmware, channels, model slots')
    .requiredOption('--port <path>', 'serial port path, or a virtual board (tinyloop devices)')
    .option('--run <id>', "also say whether this run's model is the active one", runId)
    .action((cmd: { port: string; run?: number }) =>
      ctx.withServices(async (_services, client) => {
        const hello = await client.call('device.info', { port: cmd.port, runId: cmd.run })
        ctx.print(hello, () =>
          [
            `${hello.board} on ${hello.port}: firmware ${hello.firmware}, device ${hello.deviceId}`,
            `Channels  ${hello.channels.join(', ')} at ${hello.rateHz} Hz${hello.streaming ? ' (streaming)' : ''}`,
            ...hello.slots.map(
              (s) =>
                `Slot ${s.slot}    ${s.state}${s.state === 'empty' ? '' : `, ${s.bytes.toLocaleString('en-US')} bytes, CRC-32 ${s.crc32}, run ${s.modelId}`}${hello.active?.slot === s.slot ? ' (active)' : ''}`,
            ),
            ...(hello.image
              ? [
                  `Run ${hello.image.runId}: CRC-32 ${hello.image.crc32}, ${hello.image.active ? 'the active model' : 'not on the device'}`,
                ]
              : []),
          ].join('\n'),
        )
      }, 'read'),
    )
}
