// Start one worker per task, route their messages, and end them all together: the group resolves
// when every worker has sent its final message, and rejects on the first failure anywhere (Failed
// message, 'error', early or non-zero exit, a throwing handler) after terminating every worker.
import * as fs from "node:fs";
import * as path from "node:path";
import { Worker } from "node:worker_threads";
import { isFinal, MainToWorker, WorkerTask, WorkerToMain } from "./protocol";

/** The compiled worker entry next to this file (dist/lib/distributed/worker.js). */
export const WORKER_ENTRY = path.join(__dirname, "worker.js");

const live = new Set<Worker>();

/** Worker threads started by this module and not yet exited (all DistributedModels together). */
export function activeWorkerCount(): number {
  return live.size;
}

export interface GroupTask {
  task: WorkerTask;
  /** Buffers moved, not copied, into the worker (the task's own typed arrays). */
  transfer: ArrayBuffer[];
}

export interface GroupHandlers {
  onMessage(msg: WorkerToMain): void;
  /** Called once, first thing on failure: release anything workers may be blocked on. */
  onAbort?(): void;
}

export class WorkerFailedError extends Error {
  constructor(readonly workerId: number | null, message: string, options?: { cause?: unknown }) {
    super(workerId === null ? message : `worker ${workerId} failed: ${message}`, options);
    this.name = "WorkerFailedError";
  }
}

export function runWorkerGroup(tasks: readonly GroupTask[], handlers: GroupHandlers): Promise<void> {
  if (!fs.existsSync(WORKER_ENTRY)) {
    return Promise.reject(new Error(`worker entry ${WORKER_ENTRY} not found: compile the project (npx tsc -p .) and import it from dist/`));
  }
  if (tasks.length === 0) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    const finished = new Set<number>();
    const workers: Worker[] = [];

    const shutdown = async () => {
      await Promise.all(workers.map((w) => w.terminate().catch(() => undefined)));
      for (const w of workers) live.delete(w);
    };
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      try {
        handlers.onAbort?.();
      } finally {
        void shutdown().then(() => reject(err));
      }
    };

    for (const { task, transfer } of tasks) {
      const id = task.workerId;
      const worker = new Worker(WORKER_ENTRY);
      workers.push(worker);
      live.add(worker);
      worker.on("message", (msg: WorkerToMain) => {
        if (settled) return;
        if (msg.type === "failed") {
          fail(new WorkerFailedError(id, msg.message, { cause: msg.stack }));
          return;
        }
        try {
          handlers.onMessage(msg);
        } catch (err) {
          fail(err instanceof Error ? err : new Error(String(err)));
          return;
        }
        if (isFinal(msg)) {
          finished.add(id);
          if (finished.size === tasks.length) {
            settled = true;
            void shutdown().then(() => resolve());
          }
        }
      });
      worker.on("error", (err) => fail(new WorkerFailedError(id, err.message, { cause: err })));
      worker.on("messageerror", (err) => fail(new WorkerFailedError(id, `could not deserialise a message: ${err.message}`)));
      worker.on("exit", (code) => {
        live.delete(worker);
        if (!finished.has(id)) fail(new WorkerFailedError(id, `exited with code ${code} before finishing`));
      });
      const init: MainToWorker = { type: "init", task };
      worker.postMessage(init, transfer);
    }
  });
}
