import { Option, type Command } from 'commander'
import { ModelExportFormat } from '../../../src-preload/contract/deploy.js'
import type { InspectedModel, ModelCard } from '../../../src-preload/contract/index.js'
import { plural } from '../../../src-preload/format.js'
import { CliError, table, type CliContext } from '../context.js'

const runId = (value: string): number => {
  if (!/^\d+$/.test(value))
    throw new CliError(`Give the run's id (tinyloop runs lists them), not "${value}".`)
  return Number(value)
}

export function registerDeploy(program: Command, ctx: CliContext): void {
  program
    .command('export')
    .description(
      'export a trained run for a device: .tflite, C files, an Arduino library, a bundle, a model image',
    )
    .argument('<run>', 'run id (see tinyloop runs)')
    .addOption(
      new Option('--format <format>', 'what to write')
        .choices(ModelExportFormat.options)
        .makeOptionMandatory(),
    )
    .requiredOption(
      '-o, --output <path>',
      'the file (tflite, image .tlmi, arduino .zip) or folder (c, bundle)',
    )
    .option('--force', 'replace files that exist')
    .action((run: string, cmd: { format: ModelExportFormat; output: string; force?: boolean }) =>
      ctx.withServices(async (_services, client) => {
        const result = await client.call('deploy.export', {
          runId: runId(run),
          format: cmd.format,
          path: cmd.output,
          overwrite: cmd.force ?? false,
        })
        ctx.print(result, () =>
          result.files.length === 1
            ? `Wrote ${result.path}`
            : `Wrote ${plural(result.files.length, 'file')} into ${result.path}: ` +
              result.files.map((f) => f.slice(result.path.length + 1)).join(', '),
        )
      }, 'read'),
    )

  program
    .command('card')
    .description("a run's int8 model: accuracy on its own bytes, size, arena, boards")
    .argument('<run>', 'run id (see tinyloop runs)')
    .option('--verify', 'also run the file in LiteRT.js and Arm NN, and compare their outputs')
    .action((run: string, cmd: { verify?: boolean }) =>
      ctx.withServices(
        async (_services, client) => {
          const card = cmd.verify
            ? await client.call('deploy.verify', { runId: runId(run) })
            : await client.call('deploy.card', { runId: runId(run) })
          ctx.print(card, () => describeCard(card))
        },
        cmd.verify ? 'write' : 'read',
      ),
    )

  program
    .command('inspect')
    .description('what a .tflite file holds: operators, tensors, types, quantization, sizes')
    .argument('<file>', 'a .tflite file (ours or from TensorFlow)')
    .action((file: string) =>
      ctx.withServices(async (_services, client) => {
        const model = await client.call('tflite.inspect', { path: file })
        ctx.print(model, () => describeModel(model))
      }, 'read'),
    )

  program
    .command('predict')
    .description(
      "a run on the windows of a tinyloop windows --out CSV: a classifier's int8 outputs, an anomaly model's scores",
    )
    .argument('<run>', 'run id (see tinyloop runs)')
    .requiredOption('--input <file>', 'windows CSV (tinyloop windows --config ... --out x.csv)')
    .action((run: string, cmd: { input: string }) =>
      ctx.withServices(async (_services, client) => {
        const result = await client.call('deploy.predict', { runId: runId(run), path: cmd.input })
        ctx.print(result, () =>
          result.kind === 'anomaly'
            ? [
                table(
                  ['LINE', 'SCORE', 'VERDICT'],
                  result.windows.map((w) => [
                    String(w.line),
                    (w.score ?? 0).toPrecision(5),
                    w.anomalous ? 'ANOMALY' : w.className,
                  ]),
                ),
                `${result.windows.filter((w) => w.anomalous).length} of ${result.windows.length} windows over the threshold ${result.threshold?.toPrecision(5)}.`,
              ].join('\n')
            : table(
                ['LINE', 'CLASS', ...result.classes.map((c) => `${c} (int8)`)],
                result.windows.map((w) => [String(w.line), w.className, ...w.output.map(String)]),
              ),
        )
      }, 'read'),
    )
}

function describeModel(model: InspectedModel): string {
  const tensorName = (i: number) => (i < 0 ? '–' : `${i}:${model.tensors[i]?.name ?? ''}`)
  const quant = (t: InspectedModel['tensors'][number]) =>
    !t.quantization?.scale.length
      ? ''
      : t.quantization.scale.length === 1
        ? `scale ${t.quantization.scale[0]?.toPrecision(6)} zero ${t.quantization.zeroPoint[0]}`
        : `${t.quantization.scale.length} channel scales`
  return [
    `TFLite schema ${model.version}, ${model.sizeBytes.toLocaleString('en-US')} bytes, ` +
      `${plural(model.operators.length, 'operator')}, ${plural(model.tensors.length, 'tensor')}`,
    `Input ${model.inputs.map(tensorName).join(', ')}; output ${model.outputs.map(tensorName).join(', ')}`,
    '',
    table(
      ['#', 'OPERATOR', 'INPUTS', 'OUTPUTS'],
      model.operators.map((op, i) => [
        String(i),
        op.name,
        op.inputs.map(String).join(' '),
        op.outputs.map(String).join(' '),
      ]),
    ),
    '',
    table(
      ['#', 'TENSOR', 'TYPE', 'SHAPE', 'BYTES', 'QUANTIZATION'],
      model.tensors.map((t, i) => [
        String(i),
        t.name,
        t.type,
        `[${t.shape.join(', ')}]`,
        String(model.bufferBytes[t.buffer] ?? 0),
        quant(t),
      ]),
    ),
  ].join('\n')
}

function describeCard(card: ModelCard): string {
  const pct = (v: number) => `${(v * 100).toFixed(1)}%`
  const accuracy = (name: string, a: ModelCard['test']) =>
    a
      ? `${name}: float ${pct(a.floatAccuracy)}, int8 ${pct(a.int8Accuracy)}, agreement ` +
        `${pct(a.agreement)} (${a.windows} windows)`
      : `${name}: no windows`
  const lines = [
    `Run ${card.runId}: ${card.classes.join(', ')}`,
    accuracy('Validation', card.val),
    accuracy('Test', card.test),
    `File ${card.file.bytes.toLocaleString('en-US')} bytes (sha256 ${card.file.sha256.slice(0, 12)}…), ` +
      `arena ${card.arena.bytes.toLocaleString('en-US')} bytes (activations ` +
      `${card.arena.activationBytes}, lower bound ${card.arena.lowerBoundBytes}), ` +
      `${card.macs.toLocaleString('en-US')} MACs per inference`,
    `Operators: ${card.ops.join(', ')}`,
    '',
    table(
      ['BOARD', 'FITS', 'FLASH NEEDED', 'RAM NEEDED', 'LATENCY (ESTIMATE)'],
      card.boards.map((b) => [
        b.name,
        b.fits ? 'yes' : 'no',
        `${Math.ceil(b.neededFlashBytes / 1024)} of ${Math.floor(b.flashBytes / 1024)} KB`,
        `${Math.ceil(b.neededRamBytes / 1024)} of ${Math.floor(b.ramBytes / 1024)} KB`,
        `${b.estimatedLatencyMs.toFixed(2)} ms`,
      ]),
    ),
  ]
  const v = card.verification
  lines.push(
    '',
    v
      ? `Checked ${new Date(v.checkedAt).toISOString()} on ${v.windows} windows: ` +
          v.runtimes
            .map((r) => `${r.runtime} ${r.status}${r.detail ? ` (${r.detail})` : ''}`)
            .join('; ')
      : 'Not checked in other runtimes yet: tinyloop card RUN --verify',
  )
  if (card.datasetChanged)
    lines.push("The dataset changed since the run trained: these windows are today's.")
  return lines.join('\n')
}
