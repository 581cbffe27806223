// Worker threads kept between groups: a new thread spends ~250 ms compiling tfjs before its first
// batch, and a 5-fold pipeline starts several groups of 2 a model (a fit and two predicts).
// A group that succeeds hands its threads back here; one that fails terminates them (worker-group.ts).
// An idle thread is unref'd (it never keeps the process alive) and ends after IDLE_MS unused.
import { ResourceLimits, Worker } from "node:worker_threads";

/** How long an idle thread waits for its next group before it ends (covers the gaps between a pipeline's fits). */
export const IDLE_MS = 5000;

/** FALL_WORKER_POOL=0 starts a fresh thread for every task (to measure against). */
export const WORKER_POOL_ENV = "FALL_WORKER_POOL";

interface Idle {
  worker: Worker;
  key: string;
  timer: NodeJS.Timeout;
  /** Anything from an idle thread (a late failure, its exit) retires it. */
  onEvent: () => void;
}

const idle: Idle[] = [];
/** Threads retired from the pool whose termination has not finished yet. */
const ending = new Set<Worker>();
/** Each pooled thread's key, fixed when it started. */
const startedUnder = new WeakMap<Worker, string>();

// A thread keeps the environment it started with (its process.env is a copy: FALL_NATIVE_STEP and the
// like are read there), so it serves only groups started under the same environment and limits.
const keyOf = (limits: ResourceLimits | undefined): string => JSON.stringify([limits ?? {}, process.env]);

function retire(entry: Idle, terminate: boolean): void {
  const i = idle.indexOf(entry);
  if (i >= 0) idle.splice(i, 1);
  clearTimeout(entry.timer);
  entry.worker.off("message", entry.onEvent);
  entry.worker.off("error", entry.onEvent);
  entry.worker.off("exit", entry.onEvent);
  if (terminate) void end(entry.worker);
}

function end(worker: Worker): Promise<void> {
  ending.add(worker);
  return worker.terminate().then(
    () => void ending.delete(worker),
    () => void ending.delete(worker),
  );
}

/** An idle thread started under the same environment and resource limits, or a new one. */
export function acquireWorker(entry: string, limits: ResourceLimits | undefined): Worker {
  const key = keyOf(limits);
  const found = process.env[WORKER_POOL_ENV] === "0" ? undefined : idle.find((e) => e.key === key);
  if (found) {
    retire(found, false);
    found.worker.ref();
    return found.worker;
  }
  const worker = new Worker(entry, limits ? { resourceLimits: limits } : {});
  startedUnder.set(worker, key);
  return worker;
}

/** Takes back a thread whose task ended well and that carries no listener of its group any more. */
export function releaseWorker(worker: Worker): void {
  const key = startedUnder.get(worker);
  if (process.env[WORKER_POOL_ENV] === "0" || key === undefined) {
    void end(worker);
    return;
  }
  const entry: Idle = {
    worker,
    key,
    timer: setTimeout(() => retire(entry, true), IDLE_MS),
    onEvent: () => retire(entry, true),
  };
  entry.timer.unref();
  worker.on("message", entry.onEvent);
  worker.on("error", entry.onEvent);
  worker.on("exit", entry.onEvent);
  // After the listeners: adding a 'message' listener refs the thread's port again.
  worker.unref();
  idle.push(entry);
}

/** Threads outside any group that have not exited: waiting for one, or ending (idle too long, or a late message). */
export function idleWorkerCount(): number {
  return idle.length + ending.size;
}

/** Ends every idle thread now (a notebook that wants its memory back, or a test); resolves when they have exited. */
export async function endIdleWorkers(): Promise<void> {
  const all = idle.splice(0, idle.length);
  for (const e of all) retire(e, false);
  await Promise.all([...all.map((e) => end(e.worker)), ...[...ending].map((w) => w.terminate().catch(() => undefined))]);
}
