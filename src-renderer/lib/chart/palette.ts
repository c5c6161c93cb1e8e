/** Okabe-Ito: colour-blind-safe, and the same per channel or class in every view. */
export const OKABE_ITO = [
  '#0072B2', // blue
  '#E69F00', // orange
  '#009E73', // bluish green
  '#CC79A7', // reddish purple
  '#56B4E9', // sky blue
  '#D55E00', // vermillion
  '#F0E442', // yellow
] as const

export function seriesColor(index: number): string {
  return OKABE_ITO[index % OKABE_ITO.length] as string
}
