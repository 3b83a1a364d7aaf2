// Percentiles of one run and medians across rounds. Nearest-rank percentiles
// on the sorted samples: no interpolation, so p99 is a latency that was seen.

export interface Percentiles {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export function percentiles(samples: ArrayLike<number>, count = samples.length): Percentiles {
  const sorted = Float64Array.from({ length: count }, (_, i) => samples[i]!).sort();
  const at = (q: number) => (count === 0 ? NaN : sorted[Math.min(count - 1, Math.max(0, Math.ceil(q * count) - 1))]!);
  return { count, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: count === 0 ? NaN : sorted[count - 1]! };
}

/** The median of the finite values; NaN when there is none. */
export function median(values: readonly number[]): number {
  const finite = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (finite.length === 0) return NaN;
  const mid = finite.length >> 1;
  return finite.length % 2 === 1 ? finite[mid]! : (finite[mid - 1]! + finite[mid]!) / 2;
}

/** a / b, NaN when either is missing or b is 0. */
export function ratio(a: number, b: number): number {
  return Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? a / b : NaN;
}
