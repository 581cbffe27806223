// Training throughput (windows/s) of the distributed trainer per mode and worker count, on
// URFD-shaped synthetic windows [32, 16] with the default model. Also a main-thread model.fit
// baseline. CLI: node dist/lib/distributed/measure-throughput.js [windows] [epochs] [workers,...] [repeats]
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../backend";
import { createRng, gaussian } from "../random";
import { buildRnnModel, RnnKind } from "../model/rnn";
import { DistributedConfig } from "./config";
import { DistributedModel, FitResult } from "./distributed-model";
import * as os from "node:os";

export interface ThroughputRow {
  setup: string;
  workers: number;
  windowsPerSec: number;
  steadyWindowsPerSec: number;
  /** (param store + averaging + barrier + lock) / worker training time. */
  overheadFraction: number;
  barrierWaitSec: number;
  averagingSec: number;
  startupSec: number;
  finalAcc: number;
  backend: string;
}

export interface ThroughputOptions {
  windows?: number;
  epochs?: number;
  workerCounts?: number[];
  kind?: RnnKind;
  batchSize?: number;
  setups?: Pick<DistributedConfig, "mode" | "frequency" | "syncEvery">[];
  /** Runs per setting; the one with the best steady rate is kept (other load on the machine only slows runs down). */
  repeats?: number;
  log?: (line: string) => void;
}

export const DEFAULT_SETUPS: Pick<DistributedConfig, "mode" | "frequency" | "syncEvery">[] = [
  { mode: "synchronous", frequency: "epoch" },
  { mode: "synchronous", frequency: "batch", syncEvery: 1 },
  { mode: "synchronous", frequency: "batch", syncEvery: 8 },
  { mode: "asynchronous", frequency: "epoch" },
  { mode: "asynchronous", frequency: "batch", syncEvery: 1 },
  { mode: "hogwild", frequency: "epoch" },
  { mode: "hogwild", frequency: "batch", syncEvery: 1 },
];

/** Windows whose class shows in a drift of feature 0 over time, [count, 32, 16]. */
export function urfdShapedWindows(count: number, seed = 1, T = 32, F = 16) {
  const rng = createRng(seed);
  const x = new Float32Array(count * T * F);
  const y = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    y[i] = rng() < 0.3 ? 1 : 0;
    for (let t = 0; t < T; t++) {
      for (let f = 0; f < F; f++) x[(i * T + t) * F + f] = gaussian(rng) + (f === 0 && y[i] ? (2 * t) / T : 0);
    }
  }
  return { x, y, count, T, F };
}

export async function measureThroughput(opts: ThroughputOptions = {}): Promise<ThroughputRow[]> {
  const { windows = 4096, epochs = 3, workerCounts = [1, 2], kind = "gru", batchSize = 64, setups = DEFAULT_SETUPS, repeats = 1, log = () => {} } = opts;
  const data = urfdShapedWindows(windows);
  const spec = { type: "rnn" as const, options: { kind, timesteps: data.T, features: data.F } };
  const rows: ThroughputRow[] = [];

  const backend = (await initBackend()).name;
  const model = buildRnnModel(spec.options);
  const xs = tf.tensor3d(data.x, [windows, data.T, data.F]);
  const ys = tf.tensor2d(data.y, [windows, 1]);
  const epochSec: number[] = [];
  let t = performance.now();
  const h = await model.fit(xs, ys, {
    epochs, batchSize, shuffle: true, verbose: 0,
    callbacks: { onEpochEnd: async () => { epochSec.push((performance.now() - t) / 1000); t = performance.now(); } },
  });
  tf.dispose([xs, ys]);
  const total = epochSec.reduce((a, b) => a + b, 0);
  rows.push({
    setup: "main thread model.fit", workers: 0, windowsPerSec: (windows * epochs) / total,
    steadyWindowsPerSec: epochs > 1 ? (windows * (epochs - 1)) / (total - epochSec[0]) : NaN,
    overheadFraction: 0, barrierWaitSec: 0, averagingSec: 0, startupSec: 0,
    finalAcc: Number(h.history.acc[epochs - 1]), backend,
  });
  log(format(rows[rows.length - 1]));

  for (const setup of setups) {
    for (const numWorkers of workerCounts) {
      let r: FitResult | undefined;
      for (let k = 0; k < repeats; k++) {
        const dm = await DistributedModel.create({ model: spec, config: { ...setup, numWorkers, batchSize } });
        const run = await dm.fit(data, { epochs });
        if (!r || run.steadyWindowsPerSec > r.steadyWindowsPerSec) r = run;
      }
      if (!r) continue;
      rows.push({
        setup: `${setup.mode} × ${setup.frequency}${setup.frequency === "batch" ? ` (every ${setup.syncEvery ?? 1})` : ""}`,
        workers: numWorkers,
        windowsPerSec: r.windowsPerSec,
        steadyWindowsPerSec: r.steadyWindowsPerSec,
        overheadFraction: r.timing.overheadFraction,
        barrierWaitSec: r.timing.barrierWaitSec,
        averagingSec: r.timing.averagingSec,
        startupSec: r.timing.startupSec,
        finalAcc: r.merged.acc[epochs - 1],
        backend: r.backend,
      });
      log(format(rows[rows.length - 1]));
    }
  }
  return rows;
}

export function format(r: ThroughputRow): string {
  const n = (v: number, d = 0) => (Number.isFinite(v) ? v.toFixed(d) : "-");
  return [
    r.setup.padEnd(36), String(r.workers).padStart(2), n(r.windowsPerSec).padStart(7), n(r.steadyWindowsPerSec).padStart(7),
    `${n(100 * r.overheadFraction, 1)}%`.padStart(7), n(r.barrierWaitSec, 2).padStart(6), n(r.averagingSec, 3).padStart(7),
    n(r.startupSec, 2).padStart(6), n(r.finalAcc, 3).padStart(6), r.backend,
  ].join(" ");
}

export const HEADER = "setup                                 W   win/s  steady overhead barrier avg(s) start   acc backend";

if (require.main === module) {
  const [windows, epochs, workers, repeats] = process.argv.slice(2);
  console.log(`# ${os.cpus().length} CPUs, load average ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}`);
  console.log(HEADER);
  measureThroughput({
    windows: windows ? Number(windows) : undefined,
    epochs: epochs ? Number(epochs) : undefined,
    workerCounts: workers ? workers.split(",").map(Number) : undefined,
    repeats: repeats ? Number(repeats) : undefined,
    log: (line) => console.log(line),
  }).catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
