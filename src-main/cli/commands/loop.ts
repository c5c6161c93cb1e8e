import type { Command } from 'commander'
import type { EventPayload, LoopResult, LoopStage } from '../../../src-preload/contract/index.js'
import { CliError, type CliContext } from '../context.js'

/** The exit code when the new model scored worse and was not flashed (docs/loop.md). */
export const EXIT_WORSE = 3

const STAGES: Record<LoopStage, string> = {
  dataset: 'dataset',
  training: 'training',
  quantizing: 'int8',
  verifying: 'LiteRT.js and Arm NN',
  comparing: 'comparing',
  flashing: 'flashing',
  confirming: 'live predictions',
}

const percent = (score: LoopResult['old']) =>
  score?.testAccuracy == null ? 'no test windows' : `${(score.testAccuracy * 100).toFixed(1)}%`

export function registerLoop(program: Command, ctx: CliContext): void {
  program
    .command('retrain-and-flash')
    .description(
      "retrain on today's labels with the device model's settings, check, flash and confirm its live predictions (progress on stderr)",
    )
    .requiredOption('--port <path>', 'serial port path, or a virtual board (tinyloop devices)')
    .option('--force', 'flash even if the new model scores worse on its test split')
    .action((cmd: { port: string; force?: boolean }) =>
      ctx.withServices(async (services, client) => {
        const tty = process.stderr.isTTY
        let last = ''
        const unsubscribe = services.events.subscribe((event, payload) => {
          if (event !== 'loop.onProgress') return
          const p = payload as EventPayload<'loop.onProgress'>
          if (p.port !== cmd.port) return
          const line = `${STAGES[p.stage]}  ${Math.round(p.fraction * 100)}%  ${p.detail}`
          // A terminal gets one line rewritten; a pipe a line per stage and per tenth.
          const key = `${p.stage} ${Math.floor(p.fraction * 10)}`
          if (tty) process.stderr.write(`\r${line.padEnd(78)}`)
          else if (key !== last) process.stderr.write(`${line}\n`)
          last = key
        })
        const cancel = () => void client.call('loop.cancel', { port: cmd.port })
        process.once('SIGINT', cancel)
        process.once('SIGTERM', cancel)
        try {
          const result = await client.call('loop.retrainAndFlash', {
            port: cmd.port,
            force: cmd.force === true,
          })
          if (tty) process.stderr.write('\n')
          ctx.print(result, () =>
            [
              result.outcome === 'flashed'
                ? `Run ${result.new?.runId} is on ${result.port}: active CRC-32 ${result.activeCrc32}, its live predictions arrive (first: ${result.live?.className}).`
                : result.outcome === 'worse'
                  ? `Run ${result.new?.runId} was trained but not flashed.`
                  : `Cancelled during ${result.stoppedAt}; ${result.port} keeps its model (CRC-32 ${result.activeCrc32}).`,
              `Test accuracy (int8): ${result.old ? `run ${result.old.runId} ${percent(result.old)}` : 'no model on the device'} -> ${result.new ? `run ${result.new.runId} ${percent(result.new)}` : 'none'}`,
              `Stages: ${result.stages.map((s) => `${STAGES[s.stage]} ${s.seconds.toFixed(1)} s`).join(', ')}; ${result.seconds.toFixed(1)} s in all`,
            ].join('\n'),
          )
          if (result.outcome === 'worse') {
            throw new CliError(
              `The new model (run ${result.new?.runId}, ${percent(result.new)}) scores worse on its test split than the device's (run ${result.old?.runId}, ${percent(result.old)}); it was not flashed. Flash it with --force, or tinyloop flash ${result.new?.runId} --port ${cmd.port}.`,
              EXIT_WORSE,
            )
          }
          if (result.outcome === 'cancelled')
            throw new CliError(`Cancelled during ${result.stoppedAt}; the device keeps its model.`)
        } finally {
          unsubscribe()
          process.off('SIGINT', cancel)
          process.off('SIGTERM', cancel)
        }
      }),
    )
}
