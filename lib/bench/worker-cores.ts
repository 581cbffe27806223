// Where one worker's CPU goes, epoch by epoch (issue 14: "a worker keeps <= 1.0 core busy"): a 1-worker
// fit, each thread's CPU read from /proc/self/task/*/schedstat at every merged epoch, split into the
// worker thread (the busiest), the main thread and every other thread (V8's compiler and GC helpers).
// Process CPU ÷ worker-thread CPU is the cores one worker costs whatever share of a core the host
// gave it. Diagnostic, Linux only, not part of `npm run bench`:
//   node dist/lib/bench/worker-cores.js [MODE] [MODEL] [EPOCHS] [FROM] [WINDOWS]
import * as fs from "node:fs";
import { DistributedModel } from "../distributed/distributed-model";
import { urfdShapedSpec, urfdShapedWindows } from "../distributed/measure-throughput";
import type { DistributedConfig } from "../distributed/config";
import type { RnnKind } from "../model/rnn";
import { threadCpuNs } from "./cpu";

/** The setups compared: mode gradients, Elephas's averaging per epoch and per batch, and its asynchronous and hogwild pushes. */
export const CORE_SETUPS: Record<string, Omit<DistributedConfig, "numWorkers" | "batchSize">> = {
  gradients: { mode: "gradients" },
  synchronous: { mode: "synchronous", frequency: "epoch" },
  "synchronous-batch": { mode: "synchronous", frequency: "batch", syncEvery: 1 },
  asynchronous: { mode: "asynchronous", frequency: "epoch" },
  hogwild: { mode: "hogwild", frequency: "epoch" },
};

/** Nanoseconds on a CPU so far for every thread of this process, by thread id. */
export function allThreadsCpuNs(): Map<number, number> {
  const out = new Map<number, number>();
  for (const tid of fs.readdirSync("/proc/self/task").map(Number)) {
    const ns = threadCpuNs(tid);
    // null: the thread ended between the listing and the read.
    if (ns !== null) out.set(tid, ns);
  }
  return out;
}

export interface CoreWindow {
  /** Wall seconds of the window. */
  wallSec: number;
  /** Process CPU ÷ wall. */
  processCores: number;
  /** The busiest thread (the worker) CPU ÷ wall: below 1 when the host lent it less than a core. */
  workerCores: number;
  /** Process CPU ÷ worker CPU: what one worker's core costs in all. */
  perWorkerCore: number;
  mainMs: number;
  /** CPU of every thread but the worker and the main thread (V8's background compiler, GC helpers, libuv). */
  otherMs: number;
}

/** The split between two snapshots of allThreadsCpuNs taken `wallMs` apart in a process whose main thread is `mainTid`. */
export function coreWindow(a: Map<number, number>, b: Map<number, number>, wallMs: number, mainTid: number): CoreWindow {
  const used = [...b].map(([tid, ns]) => ({ tid, ms: (ns - (a.get(tid) ?? 0)) / 1e6 })).filter((t) => t.ms > 0);
  const total = used.reduce((s, t) => s + t.ms, 0);
  const worker = used.filter((t) => t.tid !== mainTid).sort((x, y) => y.ms - x.ms)[0] ?? { tid: -1, ms: 0 };
  const mainMs = used.find((t) => t.tid === mainTid)?.ms ?? 0;
  return {
    wallSec: wallMs / 1000,
    processCores: total / wallMs,
    workerCores: worker.ms / wallMs,
    perWorkerCore: worker.ms > 0 ? total / worker.ms : NaN,
    mainMs,
    otherMs: total - worker.ms - mainMs,
  };
}

export interface WorkerCoresResult {
  setup: string;
  kind: RnnKind;
  /** One window an epoch (epoch 0 from the fit's start). */
  perEpoch: CoreWindow[];
  /** Epochs `from`..last together. */
  steady: CoreWindow;
  from: number;
}

export async function measureWorkerCores(setup: string, kind: RnnKind, epochs: number, from: number, windows: number): Promise<WorkerCoresResult> {
  const config = CORE_SETUPS[setup];
  if (!config) throw new Error(`worker-cores: setup "${setup}" is not one of ${Object.keys(CORE_SETUPS).join(", ")}`);
  if (!(from >= 1 && from < epochs)) throw new Error(`worker-cores: FROM (${from}) must be an epoch in 1..${epochs - 1}`);
  const data = urfdShapedWindows(windows);
  const dm = await DistributedModel.create({ model: urfdShapedSpec(kind, data), config: { ...config, numWorkers: 1, batchSize: 64 } });
  const marks: { at: number; cpu: Map<number, number> }[] = [];
  const mark = () => marks.push({ at: performance.now(), cpu: allThreadsCpuNs() });
  mark();
  await dm.fit(data, { epochs, onProgress: (e) => e.type === "merged" && mark() });
  const window = (i: number, j: number) => coreWindow(marks[i].cpu, marks[j].cpu, marks[j].at - marks[i].at, process.pid);
  return { setup, kind, from, perEpoch: marks.slice(1).map((_, i) => window(i, i + 1)), steady: window(from, marks.length - 1) };
}

function line(label: string, w: CoreWindow): string {
  return `${label.padEnd(12)} process ${w.processCores.toFixed(3)} cores, worker ${w.workerCores.toFixed(3)}, per worker core ${w.perWorkerCore.toFixed(3)}; main ${w.mainMs.toFixed(0)} ms, other threads ${w.otherMs.toFixed(0)} ms over ${w.wallSec.toFixed(2)} s`;
}

if (require.main === module) {
  const [setup = "gradients", kind = "gru", epochs = "8", from = "4", windows = "6144"] = process.argv.slice(2);
  if (!fs.existsSync("/proc/self/task")) {
    console.error("worker-cores: needs Linux's /proc/self/task (per-thread CPU)");
    process.exit(1);
  }
  measureWorkerCores(setup, kind as RnnKind, Number(epochs), Number(from), Number(windows)).then(
    (r) => {
      r.perEpoch.forEach((w, i) => console.log(line(`epoch ${i}`, w)));
      console.log(line(`epochs ${r.from}+`, r.steady));
      console.log(JSON.stringify(r));
      process.exit(0);
    },
    (e) => {
      console.error(e instanceof Error ? e.message : String(e));
      process.exit(1);
    },
  );
}
