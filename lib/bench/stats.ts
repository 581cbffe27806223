// Small pure statistics for the benchmark: medians of repeated runs and latency percentiles.

/** Nearest-rank percentile (q in 0..1) of values in any order; NaN for an empty list. */
export function percentile(values: ArrayLike<number>, q: number): number {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`percentile: q must be in [0, 1]; got ${q}`);
  const finite = Array.from(values).filter((v) => Number.isFinite(v));
  if (finite.length === 0) return NaN;
  finite.sort((a, b) => a - b);
  return finite[Math.min(finite.length - 1, Math.max(0, Math.ceil(q * finite.length) - 1))];
}

/** Median (mean of the two middle values for an even count), ignoring NaN; NaN for none. */
export function median(values: ArrayLike<number>): number {
  const finite = Array.from(values).filter((v) => Number.isFinite(v));
  if (finite.length === 0) return NaN;
  finite.sort((a, b) => a - b);
  const m = finite.length >> 1;
  return finite.length % 2 ? finite[m] : (finite[m - 1] + finite[m]) / 2;
}

export function min(values: ArrayLike<number>): number {
  const finite = Array.from(values).filter((v) => Number.isFinite(v));
  return finite.length ? Math.min(...finite) : NaN;
}

export function max(values: ArrayLike<number>): number {
  const finite = Array.from(values).filter((v) => Number.isFinite(v));
  return finite.length ? Math.max(...finite) : NaN;
}

/** Round for JSON output (keeps NaN/Infinity out: they become null). */
export function round(v: number, digits = 3): number | null {
  if (!Number.isFinite(v)) return null;
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

/** Time `fn` once per call, `n` times after `warmup` untimed calls; milliseconds each. */
export function timeEach(fn: () => void, n: number, warmup = 0): Float64Array {
  for (let i = 0; i < warmup; i++) fn();
  const ms = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    fn();
    ms[i] = performance.now() - t0;
  }
  return ms;
}

/** A copy of plain data with every number rounded to `digits` decimals (non-finite → NaN, i.e. null in JSON). */
export function roundDeep<T>(value: T, digits = 4): T {
  if (typeof value === "number") return (round(value, digits) ?? NaN) as T;
  if (Array.isArray(value)) return value.map((v) => roundDeep(v, digits)) as T;
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, roundDeep(v, digits)])) as T;
  }
  return value;
}

/** 3 significant digits, plain notation (0.00730, 0.841, 16.2, 137): sub-0.01 ms latencies keep their digits. */
export function sig3(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return "–";
  if (Math.abs(v) >= 100) return v.toFixed(0);
  return v === 0 ? "0" : v.toFixed(Math.max(0, 2 - Math.floor(Math.log10(Math.abs(v)))));
}
