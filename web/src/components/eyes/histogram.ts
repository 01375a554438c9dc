// Churn-risk histograms: probabilities in [0, 1] counted into equal bins.

export interface Bin {
  from: number
  to: number
  count: number
}

/** Counts values into `bins` equal bins over [0, 1]; 1 falls in the last bin, anything outside or not a number is skipped. */
export function binProbabilities(values: Iterable<number>, bins = 10): Bin[] {
  const n = Math.max(1, Math.floor(bins))
  const out: Bin[] = Array.from({ length: n }, (_, i) => ({ from: i / n, to: (i + 1) / n, count: 0 }))
  for (const v of values) {
    if (!Number.isFinite(v) || v < 0 || v > 1) continue
    const i = Math.min(n - 1, Math.floor(v * n))
    const bin = out[i]
    if (bin) bin.count++
  }
  return out
}

/** Risk bands of the EYES churn mix: high ≥ 0.7, medium ≥ 0.4, else low. */
export type Risk = 'high' | 'medium' | 'low'

export function riskOf(p: number): Risk {
  if (p >= 0.7) return 'high'
  if (p >= 0.4) return 'medium'
  return 'low'
}
