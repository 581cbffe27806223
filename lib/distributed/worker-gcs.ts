// Mark-compacts of this worker thread's heap since it started, counted from Node's `gc` performance
// entries: a fresh thread's first one (once loading tfjs and a model have filled its old generation)
// is marked on V8's helper threads, so the bench warms threads until every worker has had it.
import { constants, PerformanceObserver } from "node:perf_hooks";

let majors = 0;
let observer: PerformanceObserver | null = null;

/** Starts counting (once a thread; later calls do nothing). */
export function countMajorGcs(): void {
  if (observer) return;
  observer = new PerformanceObserver((list) => {
    // Node 20 types leave out a gc entry's detail ({ kind, flags }).
    for (const e of list.getEntries()) if ((e as unknown as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) majors++;
  });
  observer.observe({ entryTypes: ["gc"] });
}

/** Mark-compacts counted so far (entries arrive when the event loop turns). */
export function majorGcs(): number {
  return majors;
}
