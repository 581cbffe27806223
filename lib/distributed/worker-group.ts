// Start one worker per task, route their messages, and end them all together: the group resolves
// when every worker has sent its final message (and every promise a handler returned settled), and
// rejects on the first failure anywhere (Failed message, 'error' such as running out of memory,
// early or non-zero exit, a throwing handler or a rejected handler promise) after terminating
// every worker and letting pending handler promises settle. A group that succeeds hands its threads
// to the pool (worker-pool.ts) for the next group.
import * as fs from "node:fs";
import * as path from "node:path";
import { ResourceLimits, Worker } from "node:worker_threads";
import type { WorkerResourceLimits } from "./config";
import { assertPlainMessage, isFinal, MainToWorker, WorkerTask, WorkerToMain } from "./protocol";
import { findStalledWorker, stallMessage } from "./stall-watchdog";
import { compileOnWorkerThreads } from "./jit-threads";
import { applyOpenblasCore } from "../native/openblas-core";
import { acquireWorker, releaseWorker } from "./worker-pool";

/** The compiled worker entry next to this file (dist/lib/distributed/worker.js). */
export const WORKER_ENTRY = path.join(__dirname, "worker.js");

const live = new Set<Worker>();

/** Worker threads running a task of a group now (all DistributedModels together; idle pooled threads not counted). */
export function activeWorkerCount(): number {
  return live.size;
}

export interface GroupTask {
  task: WorkerTask;
  /** Buffers moved, not copied, into the worker (the task's own typed arrays). */
  transfer: ArrayBuffer[];
}

/** What a handler may do to the running group. */
export interface GroupControl {
  /** Terminate one worker now (its exit then fails the group unless it had finished). */
  terminate(workerId: number): void;
}

export interface GroupHandlers {
  /** A returned promise is awaited before the group resolves; its rejection fails the group. */
  onMessage(msg: WorkerToMain, group: GroupControl): void | Promise<unknown>;
  /** Called once, first thing on failure: release anything workers may be blocked on. */
  onAbort?(): void;
}

export interface GroupOptions {
  resourceLimits?: WorkerResourceLimits;
  /** Fail the group when an unfinished worker has sent nothing for this long (0 or absent: never). */
  stallTimeoutMs?: number;
  /** Whether a worker is blocked waiting for others (barrier, lock): silent then, but not stuck. */
  isWaiting?: (workerId: number) => boolean;
}

export class WorkerFailedError extends Error {
  constructor(readonly workerId: number | null, message: string, options?: { cause?: unknown }) {
    super(workerId === null ? message : `worker ${workerId} failed: ${message}`, options);
    this.name = "WorkerFailedError";
  }
}

/** TEST AND DEBUG ONLY: sees every init message sent and every message received, in order. */
export const messageTap: { fn: ((direction: "to-worker" | "from-worker", msg: MainToWorker | WorkerToMain) => void) | null } = { fn: null };

function describeWorkerError(err: Error & { code?: string }): string {
  if (err.code === "ERR_WORKER_OUT_OF_MEMORY") return `ran out of memory (${err.code}: ${err.message})`;
  return err.code && !err.message.includes(err.code) ? `${err.message} (${err.code})` : err.message;
}

export function runWorkerGroup(tasks: readonly GroupTask[], handlers: GroupHandlers, options: GroupOptions = {}): Promise<void> {
  if (!fs.existsSync(WORKER_ENTRY)) {
    return Promise.reject(new Error(`worker entry ${WORKER_ENTRY} not found: compile the project (npx tsc -p .) and import it from dist/`));
  }
  if (tasks.length === 0) return Promise.resolve();
  try {
    for (const { task } of tasks) assertPlainMessage({ type: "init", task }, `init message of worker ${task.workerId}`);
  } catch (err) {
    return Promise.reject(err);
  }
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    const finished = new Set<number>();
    const terminatedByUs = new Set<number>();
    const byId = new Map<number, Worker>();
    const workers: Worker[] = [];
    const pending = new Set<Promise<unknown>>();
    const lastHeard = new Map<number, number>();
    let watchdog: NodeJS.Timeout | undefined;

    const detach: Array<() => void> = [];
    const shutdown = async (ok: boolean) => {
      if (watchdog) clearInterval(watchdog);
      if (ok) {
        // Every worker sent its final message: its thread is idle and clean, so the pool keeps it.
        for (const off of detach) off();
        for (const [id, w] of byId) {
          // A thread a handler terminated (after its final message), or one that exited, is not idle.
          if (terminatedByUs.has(id) || !live.has(w)) void w.terminate().catch(() => undefined);
          else releaseWorker(w);
          live.delete(w);
        }
      } else {
        await Promise.all(workers.map((w) => w.terminate().catch(() => undefined)));
        for (const w of workers) live.delete(w);
      }
      // Handler promises (e.g. a checkpoint being written) finish before the caller hears anything.
      while (pending.size) await Promise.allSettled([...pending]);
    };
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      try {
        handlers.onAbort?.();
      } finally {
        void shutdown(false).then(() => reject(err));
      }
    };
    const maybeDone = () => {
      if (settled || finished.size !== tasks.length || pending.size) return;
      settled = true;
      void shutdown(true).then(() => resolve());
    };
    const control: GroupControl = {
      terminate(workerId) {
        const w = byId.get(workerId);
        if (!w) throw new RangeError(`no worker ${workerId} in this group`);
        terminatedByUs.add(workerId);
        void w.terminate();
      },
    };
    const limits: ResourceLimits | undefined = options.resourceLimits ? { ...options.resourceLimits } : undefined;

    compileOnWorkerThreads();
    // Before any worker can load OpenBLAS: the workers' process.env copies never reach its getenv.
    applyOpenblasCore();
    for (const { task, transfer } of tasks) {
      const id = task.workerId;
      const worker = acquireWorker(WORKER_ENTRY, limits);
      workers.push(worker);
      byId.set(id, worker);
      live.add(worker);
      lastHeard.set(id, Date.now());
      const onMessage = (msg: WorkerToMain) => {
        if (settled) return;
        lastHeard.set(id, Date.now());
        messageTap.fn?.("from-worker", msg);
        if (msg.type === "failed") {
          fail(new WorkerFailedError(id, msg.message, { cause: msg.stack }));
          return;
        }
        let result: void | Promise<unknown>;
        try {
          result = handlers.onMessage(msg, control);
        } catch (err) {
          fail(err instanceof Error ? err : new Error(String(err)));
          return;
        }
        if (result instanceof Promise) {
          const p = result.then(
            () => {
              pending.delete(p);
              maybeDone();
            },
            (err: unknown) => {
              pending.delete(p);
              fail(err instanceof Error ? err : new Error(String(err)));
            },
          );
          pending.add(p);
        }
        if (isFinal(msg)) {
          finished.add(id);
          maybeDone();
        }
      };
      const onError = (err: Error) => fail(new WorkerFailedError(id, describeWorkerError(err), { cause: err }));
      const onMessageError = (err: Error) => fail(new WorkerFailedError(id, `could not deserialise a message: ${err.message}`));
      const onExit = (code: number) => {
        live.delete(worker);
        if (finished.has(id)) return;
        fail(new WorkerFailedError(id, terminatedByUs.has(id) ? "was terminated before finishing" : `exited with code ${code} before finishing`));
      };
      worker.on("message", onMessage);
      worker.on("error", onError);
      worker.on("messageerror", onMessageError);
      worker.on("exit", onExit);
      detach.push(() => {
        worker.off("message", onMessage);
        worker.off("error", onError);
        worker.off("messageerror", onMessageError);
        worker.off("exit", onExit);
      });
      const init: MainToWorker = { type: "init", task };
      messageTap.fn?.("to-worker", init);
      worker.postMessage(init, transfer);
    }
    const stall = options.stallTimeoutMs ?? 0;
    if (stall > 0) {
      // Blame rules (waiting workers are not stuck): lib/distributed/stall-watchdog.ts.
      const waiting = options.isWaiting ?? (() => false);
      watchdog = setInterval(() => {
        const verdict = findStalledWorker(lastHeard, finished, Date.now(), stall, waiting);
        if (verdict) fail(new WorkerFailedError(verdict.workerId, stallMessage(verdict, stall)));
      }, Math.min(1000, Math.max(50, stall / 4)));
      watchdog.unref();
    }
  });
}
