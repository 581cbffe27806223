// Per-frame latency of a streaming scorer, for tests and the benchmark.
import type { FrameScorer } from "./streaming-detector";

export interface StreamingLatency {
  p50Ms: number;
  p99Ms: number;
}

/** Nearest-rank percentile of sorted values (q in 0..1). */
function percentile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/** Push `frames` in order (from the scorer's current state) and time each push. */
export function measureStreamingLatency(detector: FrameScorer, frames: readonly ArrayLike<number>[]): StreamingLatency {
  if (frames.length === 0) throw new RangeError("measureStreamingLatency: no frames");
  const ms = new Float64Array(frames.length);
  for (let i = 0; i < frames.length; i++) {
    const t0 = performance.now();
    detector.push(frames[i]);
    ms[i] = performance.now() - t0;
  }
  ms.sort();
  return { p50Ms: percentile(ms, 0.5), p99Ms: percentile(ms, 0.99) };
}
