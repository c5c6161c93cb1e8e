/**
 * The drift check (docs/drift.md): does a recording still look like the training split of a
 * run's model? Each feature's distribution against the training split's (PSI and
 * Kolmogorov-Smirnov), the predicted class mix against the training mix, a verdict in words and
 * the next step.
 */
import { z } from 'zod'
import { method } from './rpc.js'

/** The thresholds the check reads its statistics against (stated in docs/drift.md and the UI). */
export const DRIFT_THRESHOLDS = {
  /** PSI at or over this: the feature shifts (moderately). */
  psiShift: 0.1,
  /** PSI at or over this: the feature moved (significantly). */
  psiMoved: 0.25,
  /**
   * A shift counts only where KS says the two samples differ at this level too, shared among the
   * features (Bonferroni: each feature is tested at ksAlpha / features).
   */
  ksAlpha: 0.01,
  /** Fewer live windows than this: too little to say. */
  minWindows: 30,
} as const

export const FeatureState = z.enum(['stable', 'shifting', 'moved'])
export type FeatureState = z.infer<typeof FeatureState>

export const FeatureDrift = z.object({
  name: z.string(),
  psi: z.number(),
  /** KS statistic D (the largest gap of the two CDFs) and its asymptotic p-value. */
  ks: z.number(),
  ksP: z.number(),
  state: FeatureState,
  training: z.object({ mean: z.number(), std: z.number() }),
  live: z.object({ mean: z.number(), std: z.number() }),
  /** (live mean − training mean) / training std. */
  shiftSigmas: z.number(),
  /** Shares of both in equal-width bins (edges in the feature's own units, before normalizing). */
  histogram: z.object({
    edges: z.array(z.number()),
    /** `log`: bins of equal ratio (positive values spanning a hundredfold or more). */
    scale: z.enum(['linear', 'log']),
    training: z.array(z.number()),
    live: z.array(z.number()),
  }),
})
export type FeatureDrift = z.infer<typeof FeatureDrift>

export const ClassShare = z.object({
  classId: z.number().int(),
  name: z.string(),
  /** Share of the training split's windows labeled with it. */
  training: z.number(),
  /** Share of the recording's windows the model predicts as it. */
  live: z.number(),
})
export type ClassShare = z.infer<typeof ClassShare>

export const DriftVerdict = z.enum(['no drift', 'drift', 'too little data'])
export type DriftVerdict = z.infer<typeof DriftVerdict>

/** What the moved features point to. */
export const DriftCause = z.enum(['mounting', 'condition', 'class mix'])
export type DriftCause = z.infer<typeof DriftCause>

export const DriftReport = z.object({
  recordingId: z.number().int(),
  recordingName: z.string(),
  runId: z.number().int(),
  /** Windows compared: the recording's, and the training split's. */
  windows: z.object({ live: z.number().int(), training: z.number().int() }),
  /** The recording is one of the run's recordings: its windows may be in the training split. */
  inTraining: z.boolean(),
  /** The labels or samples of the run's recordings changed since it trained. */
  datasetChanged: z.boolean(),
  thresholds: z.object({
    psiShift: z.number(),
    psiMoved: z.number(),
    ksAlpha: z.number(),
    minWindows: z.number().int(),
  }),
  /** Every feature, most moved first. */
  features: z.array(FeatureDrift),
  /**
   * Each statistic that adds up over axes as energy (band energies, squares of means, deviations,
   * RMS), with its most moved axis and how much its total over the axes moved: a turned sensor
   * moves the axes but keeps the totals.
   */
  axisTotals: z.array(
    z.object({
      stat: z.string(),
      feature: z.string(),
      psi: z.number(),
      /** Median energy in the recording over the training split's: of that axis, of the total. */
      axisRatio: z.number(),
      totalRatio: z.number(),
      /** The axis changed and the total did not: what a turned sensor does. */
      swap: z.boolean(),
    }),
  ),
  classMix: z.array(ClassShare),
  /** PSI of the predicted class mix against the training mix. */
  classMixPsi: z.number(),
  /**
   * Chi-square p-value of the two mixes (effective window counts, as KS): the mix counts as moved
   * only where it is under ksAlpha too.
   */
  classMixP: z.number(),
  verdict: DriftVerdict,
  cause: DriftCause.nullable(),
  /** One sentence: what the check found. */
  summary: z.string(),
  /** One sentence: what to do about it. */
  nextStep: z.string(),
  seconds: z.number(),
})
export type DriftReport = z.infer<typeof DriftReport>

export const driftMethods = {
  'drift.check': method(
    z.object({ recordingId: z.number().int(), runId: z.number().int() }).strict(),
    DriftReport,
  ),
} as const

export const driftEvents = {} as const
