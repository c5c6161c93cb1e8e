const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/
const DECIMAL_COMMA = /^[+-]?\d+,\d+$/

/**
 * A decimal number written as text, or NaN. Stricter than `Number()`, which also takes '', hex,
 * 'Infinity' and surrounding spaces. `decimalComma` accepts `1,5` for files whose separator is
 * not a comma, as spreadsheets in many locales write them.
 */
export function parseDecimal(text: string, decimalComma: boolean): number {
  if (DECIMAL.test(text)) return Number(text)
  if (decimalComma && DECIMAL_COMMA.test(text)) return Number(text.replace(',', '.'))
  return Number.NaN
}
