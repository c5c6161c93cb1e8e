/** A share in [0, 1] as a percentage with one decimal: `97.3%`; `—` when there is none. */
export function percent(share: number | null): string {
  return share === null || !Number.isFinite(share) ? '—' : `${(share * 100).toFixed(1)}%`
}
