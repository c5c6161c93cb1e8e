const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i)

/**
 * Parses a decimal number from bytes[start, end) without making a string: the hot path of text
 * capture. Integer and fraction digits are gathered as an exact integer mantissa and divided once
 * by an exact power of ten, which is correctly rounded; longer numbers and exponents fall back to
 * parseFloat. Returns NaN for anything that is not entirely a number (no trailing garbage).
 */
export function parseNumber(bytes: Buffer, start: number, end: number): number {
  let i = start
  let negative = false
  const first = bytes[i]
  if (first === 0x2d /* - */ || first === 0x2b /* + */) {
    negative = first === 0x2d
    i++
  }
  let mantissa = 0
  let digits = 0
  let fractionDigits = 0
  let sawPoint = false
  for (; i < end; i++) {
    const b = bytes[i] as number
    if (b >= 0x30 && b <= 0x39) {
      mantissa = mantissa * 10 + (b - 0x30)
      digits++
      if (sawPoint) fractionDigits++
    } else if (b === 0x2e /* . */ && !sawPoint) {
      sawPoint = true
    } else {
      break
    }
  }
  if (digits === 0) return Number.NaN
  if (i < end) {
    const b = bytes[i]
    if (b !== 0x65 && b !== 0x45) return Number.NaN // only an exponent may follow
    return slowParse(bytes, start, end)
  }
  if (digits > 15 || fractionDigits > 22) return slowParse(bytes, start, end)
  const value = fractionDigits === 0 ? mantissa : mantissa / (POW10[fractionDigits] as number)
  return negative ? -value : value
}

function slowParse(bytes: Buffer, start: number, end: number): number {
  const text = bytes.toString('latin1', start, end)
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return Number.NaN
  const value = Number(text)
  return Number.isFinite(value) ? value : Number.NaN
}
