/**
 * Class colours: the Okabe-Ito palette, distinguishable with every common colour-vision
 * deficiency, in its published order. A class keeps the colour it was given, in every view.
 */
export const OKABE_ITO = [
  '#E69F00', // orange
  '#56B4E9', // sky blue
  '#009E73', // bluish green
  '#F0E442', // yellow
  '#0072B2', // blue
  '#D55E00', // vermillion
  '#CC79A7', // reddish purple
] as const

// The seeded classes (store/migrations.ts): `normal` is a neutral grey (#999999), so labelled
// regions stand out from it; `anomaly` is vermillion (#D55E00), the palette's warning colour.

/** The first palette colour no class uses yet; once all are taken, round again. */
export function nextColor(used: readonly string[]): string {
  const taken = new Set(used.map((color) => color.toUpperCase()))
  const free = OKABE_ITO.find((color) => !taken.has(color))
  return free ?? (OKABE_ITO[used.length % OKABE_ITO.length] as string)
}
