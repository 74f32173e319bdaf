// Summaries of latency samples, and the number formats the results table uses.

/** The value below which `p` percent of the samples fall (nearest rank); NaN when there are none. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export interface Summary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** Percentiles of unsorted samples (the array is not changed). */
export function summarize(samples: readonly number[]): Summary {
  const sorted = Float64Array.from(samples).sort();
  const s = Array.from(sorted);
  return {
    count: s.length,
    p50: percentile(s, 50),
    p95: percentile(s, 95),
    p99: percentile(s, 99),
    max: s.at(-1) ?? Number.NaN,
  };
}

export interface Tail {
  count: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
}

/**
 * Exact percentiles (nearest rank over every sample, sorted; nothing is binned or sampled) of one
 * or more sets of samples taken as one.
 */
export function tail(...sets: readonly Float64Array[]): Tail {
  const all = new Float64Array(sets.reduce((n, s) => n + s.length, 0));
  let at = 0;
  for (const s of sets) {
    all.set(s, at);
    at += s.length;
  }
  all.sort();
  const s = all as unknown as readonly number[];
  return {
    count: all.length,
    p50: percentile(s, 50),
    p99: percentile(s, 99),
    p999: percentile(s, 99.9),
    max: all.length ? all[all.length - 1]! : Number.NaN,
  };
}

/** Milliseconds with precision that suits their size: 0.42 ms, 4.2 ms, 42 ms. */
export function ms(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  return `${value < 10 ? value.toFixed(2) : value < 100 ? value.toFixed(1) : value.toFixed(0)} ms`;
}

/** A rate with thousands separators: 12,345/s. */
export function perSecond(value: number): string {
  return `${Math.round(value).toLocaleString('en-US')}/s`;
}
