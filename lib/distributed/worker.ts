// Worker thread entry (compiled to dist/lib/distributed/worker.js). Runs each Init it receives, one
// after the other (the pool reuses a thread whose task ended well), frees the task's model after it,
// and reports any failure — thrown, rejected or uncaught — as a Failed message. The wasm backend
// installs its own uncaughtException/unhandledRejection listeners that rethrow; ours are added
// first, so the report is posted before the thread dies.
import { parentPort } from "node:worker_threads";
import { assertPlainMessage, isFinal, MainToWorker, WorkerToMain } from "./protocol";
import { runFit, runPredict } from "./worker-tasks";
import { disposeTaskModel } from "./worker-common";
import { countMajorGcs } from "./worker-gcs";

const port = parentPort;
if (!port) throw new Error("lib/distributed/worker.js must be started as a worker thread");

let workerId = -1;
let failed = false;

/** Every message is checked to be plain data first (a cheap walk over its fields). */
function post(msg: WorkerToMain, transfer: ArrayBuffer[] = []): void {
  assertPlainMessage(msg, `${msg.type} message of worker ${workerId}`);
  if (!isFinal(msg)) {
    port!.postMessage(msg, transfer);
    return;
  }
  // The final message waits one turn of the event loop: a rejection the task left unhandled is reported
  // (as failed) first, instead of reaching a group that has resolved, or the next task's group on this thread.
  setImmediate(() => {
    if (!failed) port!.postMessage(msg, transfer);
  });
}

function reportFailure(err: unknown): void {
  if (failed) return;
  failed = true;
  const e = err instanceof Error ? err : new Error(String(err));
  post({ type: "failed", workerId, message: e.message, stack: e.stack });
}

countMajorGcs();
process.on("uncaughtException", reportFailure);
process.on("unhandledRejection", reportFailure);

// A thread that failed is terminated by its group, never reused: only a clean thread gets another task.
port.on("message", (msg: MainToWorker) => {
  workerId = msg.task.workerId;
  const run = msg.task.kind === "fit" ? runFit(msg.task, post) : runPredict(msg.task, post);
  run.then(() => disposeTaskModel(msg.task), reportFailure);
});
