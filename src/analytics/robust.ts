// Robust location and spread of a baseline window: median and scaled MAD.
import type { BaselineParams } from './types.js';

/** Scales the MAD so it estimates the standard deviation of normally distributed data. */
export const MAD_SCALE = 1.4826;

export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function mad(values: readonly number[], med = median(values)): number {
  return median(values.map((v) => Math.abs(v - med)));
}

export interface Judgement {
  anomalous: boolean;
  median: number;
  mad: number;
  spread: number;
  /** The smallest value that would have been anomalous. */
  threshold: number;
  samples: number;
}

/** Judges one interval's value against the past window; every configured condition must hold. */
export function judge(history: readonly number[], observed: number, p: BaselineParams): Judgement {
  const med = median(history);
  const m = mad(history, med);
  const spread = Math.max(m * MAD_SCALE, p.minSpread);
  let threshold = p.floor;
  if (p.threshold.mad !== undefined) threshold = Math.max(threshold, med + p.threshold.mad * spread);
  if (p.threshold.ratio !== undefined) threshold = Math.max(threshold, p.threshold.ratio * med);
  const overMad = p.threshold.mad === undefined || observed > med + p.threshold.mad * spread;
  const overRatio = p.threshold.ratio === undefined || observed >= p.threshold.ratio * med;
  const anomalous = observed >= p.floor && overMad && overRatio && observed > 0;
  return { anomalous, median: med, mad: m, spread, threshold, samples: history.length };
}
