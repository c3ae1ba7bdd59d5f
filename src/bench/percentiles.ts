/** Nearest-rank percentile of `samples` (p in [0, 100]); NaN for no samples. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

/** The largest sample, NaN for none; a loop, as spreading 100,000s of samples overflows the stack. */
export function maxOf(samples: readonly number[]): number {
  let max = Number.NaN;
  for (const sample of samples) if (!(sample <= max)) max = sample;
  return max;
}

export function round(value: number, digits = 2): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** Milliseconds as seconds, two decimals: how the bench tables print durations. */
export function seconds(ms: number): number {
  return round(ms / 1000, 2);
}
