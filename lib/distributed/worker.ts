// Worker thread entry (compiled to dist/lib/distributed/worker.js). Receives one Init, runs it,
// and reports any failure — thrown, rejected or uncaught — as a Failed message. The wasm backend
// installs its own uncaughtException/unhandledRejection listeners that rethrow; ours are added
// first, so the report is posted before the thread dies.
import { parentPort } from "node:worker_threads";
import { assertPlainMessage, MainToWorker, WorkerToMain } from "./protocol";
import { runFit, runPredict } from "./worker-tasks";

const port = parentPort;
if (!port) throw new Error("lib/distributed/worker.js must be started as a worker thread");

let workerId = -1;
let failed = false;

/** Every message is checked to be plain data first (a cheap walk over its fields). */
function post(msg: WorkerToMain, transfer: ArrayBuffer[] = []): void {
  assertPlainMessage(msg, `${msg.type} message of worker ${workerId}`);
  port!.postMessage(msg, transfer);
}

function reportFailure(err: unknown): void {
  if (failed) return;
  failed = true;
  const e = err instanceof Error ? err : new Error(String(err));
  post({ type: "failed", workerId, message: e.message, stack: e.stack });
}

process.on("uncaughtException", reportFailure);
process.on("unhandledRejection", reportFailure);

port.once("message", (msg: MainToWorker) => {
  workerId = msg.task.workerId;
  const run = msg.task.kind === "fit" ? runFit(msg.task, post) : runPredict(msg.task, post);
  run.catch(reportFailure);
});
