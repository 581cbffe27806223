// V8 compiles a worker's hot JavaScript on helper threads by default (concurrent recompilation): in a
// training fit's first epochs that is a second thread busy beside each worker (issue 14: one worker,
// one core; it read 1.03–1.07 cores in the bench). With it off, each isolate compiles on its own
// thread, so the work stays on the worker's core; the training code and results are the same.
import * as v8 from "node:v8";

/** FALL_CONCURRENT_JIT=1 keeps V8's default (to measure against). */
export const CONCURRENT_JIT_ENV = "FALL_CONCURRENT_JIT";

let applied = false;

/**
 * Turns V8's concurrent recompilation off for isolates made from now on (the worker threads; it is
 * read when an isolate starts), once per process, unless FALL_CONCURRENT_JIT=1. Returns whether it is off.
 */
export function compileOnWorkerThreads(): boolean {
  if (process.env[CONCURRENT_JIT_ENV] === "1") return false;
  if (!applied) {
    v8.setFlagsFromString("--no-concurrent-recompilation");
    applied = true;
  }
  return true;
}
