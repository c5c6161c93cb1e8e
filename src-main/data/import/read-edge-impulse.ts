import { basename } from 'node:path'
import { Decoder } from 'cbor-x/decode-no-eval'
import { InputFileError, readInputFile } from '../../input-file.js'
import type { JsonObject } from '../../store/index.js'
import type { DecodedRecording } from './decoded-recording.js'
import type { FileKind } from './detect-format.js'
import { ImportError } from './import-error.js'
import { MAX_DOCUMENT_BYTES } from './limits.js'
import { SampleBatches } from './sample-batches.js'

// The no-eval build: record structures in a hostile file must not become generated code.
const cbor = new Decoder({ useRecords: false, mapsAsObjects: true })

/**
 * Reads a file in the Edge Impulse data acquisition format, JSON or CBOR (same structure):
 * `{ protected: { ver, alg, iat }, signature, payload: { device_name, device_type, interval_ms,
 * sensors: [{ name, units }], values } }`, `values` one array per sample (or plain numbers for a
 * single sensor). Signatures are kept, not checked: TinyLoop has no key to check them with.
 */
export async function readEdgeImpulse(
  file: string,
  kind: Exclude<FileKind, 'csv'>,
  onBytes: (bytesRead: number) => void,
): Promise<DecodedRecording> {
  let bytes: Buffer
  try {
    bytes = await readInputFile(file, MAX_DOCUMENT_BYTES)
  } catch (error) {
    if (error instanceof InputFileError && error.problem === 'TOO_LARGE') {
      throw new ImportError(
        file,
        `is larger than ${MAX_DOCUMENT_BYTES / 1024 ** 2} MiB; Edge Impulse files that large ` +
          'are not imported. Export it as CSV instead.',
      )
    }
    throw ImportError.ofUnreadable(error) ?? error
  }
  onBytes(bytes.length)
  const document = kind === 'ei-json' ? parseJson(file, bytes) : decodeCbor(file, bytes)
  return decodedOf(file, kind, document)
}

function parseJson(file: string, bytes: Buffer): unknown {
  const text = bytes.toString('utf8')
  try {
    return JSON.parse(text)
  } catch (error) {
    const message = (error as Error).message
    const position = Number(/at position (\d+)/.exec(message)?.[1] ?? text.length)
    const line = text.slice(0, position).split('\n').length
    const problem =
      position >= text.trimEnd().length
        ? 'the JSON ends before the document is complete: the file was cut short.'
        : `is not valid JSON (${message}).`
    throw new ImportError(file, `${problem} Export or copy it again.`, line)
  }
}

function decodeCbor(file: string, bytes: Buffer): unknown {
  try {
    return cbor.decode(bytes)
  } catch (error) {
    throw new ImportError(
      file,
      `is not a complete CBOR document (${(error as Error).message}): the file was cut short ` +
        'or damaged. Export or copy it again.',
    )
  }
}

interface Sensor {
  name: string
  units: string
}

function decodedOf(file: string, kind: FileKind, document: unknown): DecodedRecording {
  const fail = (problem: string): never => {
    throw new ImportError(
      file,
      `${problem} This is not a valid Edge Impulse data acquisition file.`,
    )
  }
  if (!isObject(document) || !isObject(document.payload)) return fail('payload is missing.')
  const { payload } = document
  const intervalMs = payload.interval_ms
  if (typeof intervalMs !== 'number' || !(intervalMs > 0) || !Number.isFinite(intervalMs)) {
    return fail('payload.interval_ms must be a positive number of milliseconds.')
  }
  const sensors = sensorsOf(payload.sensors, fail)
  const values = payload.values
  if (!isArrayLike(values) || values.length === 0) return fail('payload.values has no samples.')
  const batches = new SampleBatches(file, sensors.length, false)
  const sample = new Float64Array(sensors.length)
  for (let i = 0; i < values.length; i++) {
    const row = values[i]
    const fields = sensors.length === 1 && typeof row === 'number' ? [row] : row
    if (!isArrayLike(fields) || fields.length !== sensors.length) {
      return fail(`payload.values[${i}] should hold ${sensors.length} numbers, one per sensor.`)
    }
    for (let channel = 0; channel < sensors.length; channel++) {
      const value = fields[channel]
      if (typeof value !== 'number' || !Number.isFinite(Math.fround(value))) {
        return fail(
          `payload.values[${i}] has ${JSON.stringify(value)} for ${sensors[channel]?.name}, ` +
            'which is not a number TinyLoop can store.',
        )
      }
      sample[channel] = value
    }
    batches.add(sample)
  }
  const rateHz = 1000 / intervalMs
  const deviceName = stringOrNull(payload.device_name)
  const deviceType = stringOrNull(payload.device_type)
  return {
    device: deviceName ?? deviceType,
    startedAt: null,
    rateHz,
    channels: sensors.map(({ name, units }) => ({ name, unit: units })),
    chunks: batches.uniformChunks(rateHz),
    samples: batches.samples,
    metadata: {
      source: {
        file: basename(file),
        format: kind === 'ei-json' ? 'edge-impulse-json' : 'edge-impulse-cbor',
      },
      edgeImpulse: edgeImpulseDetails(document, payload, deviceName, deviceType, intervalMs),
    },
  }
}

function sensorsOf(sensors: unknown, fail: (problem: string) => never): Sensor[] {
  if (!Array.isArray(sensors) || sensors.length === 0) {
    return fail('payload.sensors must list at least one sensor.')
  }
  const names = new Set<string>()
  return sensors.map((sensor: unknown, i) => {
    if (!isObject(sensor) || typeof sensor.name !== 'string' || sensor.name.trim() === '') {
      return fail(`payload.sensors[${i}] needs a name.`)
    }
    if (names.has(sensor.name)) return fail(`the sensor name "${sensor.name}" appears twice.`)
    names.add(sensor.name)
    // Edge Impulse's tools write 'N/A' for a sensor without a unit.
    const units = typeof sensor.units === 'string' && sensor.units !== 'N/A' ? sensor.units : ''
    return { name: sensor.name, units }
  })
}

/** Everything of the file's header worth keeping; absent fields are left out. */
function edgeImpulseDetails(
  document: Record<string, unknown>,
  payload: Record<string, unknown>,
  deviceName: string | null,
  deviceType: string | null,
  intervalMs: number,
): JsonObject {
  const details: JsonObject = { intervalMs }
  if (deviceName !== null) details.deviceName = deviceName
  if (deviceType !== null) details.deviceType = deviceType
  const signed = isObject(document.protected) ? document.protected : {}
  const version = stringOrNull(signed.ver)
  const algorithm = stringOrNull(signed.alg)
  if (version !== null) details.version = version
  if (algorithm !== null) details.signatureAlgorithm = algorithm
  if (typeof signed.iat === 'number' && Number.isFinite(signed.iat)) details.signedAt = signed.iat
  const signature = stringOrNull(document.signature)
  if (signature !== null) details.signature = signature
  return details
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function isArrayLike(value: unknown): value is ArrayLike<unknown> {
  return Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView))
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null
}
