const twiddles = new Map<number, { cos: Float64Array; sin: Float64Array }>()

function twiddlesOf(size: number): { cos: Float64Array; sin: Float64Array } {
  let table = twiddles.get(size)
  if (!table) {
    const cos = new Float64Array(size / 2)
    const sin = new Float64Array(size / 2)
    for (let k = 0; k < size / 2; k++) {
      cos[k] = Math.cos((2 * Math.PI * k) / size)
      sin[k] = -Math.sin((2 * Math.PI * k) / size)
    }
    table = { cos, sin }
    twiddles.set(size, table)
  }
  return table
}

export function nextPowerOfTwo(n: number): number {
  let size = 1
  while (size < n) size *= 2
  return size
}

/**
 * In-place radix-2 FFT, X_k = sum_i x_i e^{-2 pi i k / N}; `re.length` must be a power of two.
 * Twiddle tables are cached per size, as a window's FFT size repeats for every window.
 */
export function fft(re: Float64Array, im: Float64Array): void {
  const size = re.length
  for (let i = 1, j = 0; i < size; i++) {
    let bit = size >> 1
    for (; j & bit; bit >>= 1) j ^= bit
    j ^= bit
    if (i < j) {
      const r = re[i] as number
      re[i] = re[j] as number
      re[j] = r
      const m = im[i] as number
      im[i] = im[j] as number
      im[j] = m
    }
  }
  const { cos, sin } = twiddlesOf(size)
  for (let length = 2; length <= size; length *= 2) {
    const half = length / 2
    const step = size / length
    for (let start = 0; start < size; start += length) {
      for (let k = 0; k < half; k++) {
        const wr = cos[k * step] as number
        const wi = sin[k * step] as number
        const a = start + k
        const b = a + half
        const br = re[b] as number
        const bi = im[b] as number
        const tr = br * wr - bi * wi
        const ti = br * wi + bi * wr
        const ar = re[a] as number
        const ai = im[a] as number
        re[b] = ar - tr
        im[b] = ai - ti
        re[a] = ar + tr
        im[a] = ai + ti
      }
    }
  }
}
