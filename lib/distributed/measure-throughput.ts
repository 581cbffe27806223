// Training throughput (windows/s) of the distributed trainer per mode and worker count, on
// URFD-shaped synthetic windows [32, 16] with the default model. Also a main-thread training
// baseline. CLI: fall-dp throughput (lib/cli/throughput.ts).
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../backend";
import { createRng, gaussian, shuffleInPlace } from "../random";
import { buildRnnModel, RnnKind } from "../model/rnn";
import { makeTrainStep } from "../model/train-step";
import { gatherRows } from "./partition";
import { DistributedConfig } from "./config";
import { DistributedModel, FitResult } from "./distributed-model";

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
  /** Code that computed the training steps ("fused-native" or "tfjs-layers"). */
  kernel: string;
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

/** The default recurrent model on those windows' shape (what every throughput diagnostic trains). */
export function urfdShapedSpec(kind: RnnKind, data: { T: number; F: number }) {
  return { type: "rnn" as const, options: { kind, timesteps: data.T, features: data.F } };
}

export async function measureThroughput(opts: ThroughputOptions = {}): Promise<ThroughputRow[]> {
  const { windows = 4096, epochs = 3, workerCounts = [1, 2], kind = "gru", batchSize = 64, setups = DEFAULT_SETUPS, repeats = 1, log = () => {} } = opts;
  const data = urfdShapedWindows(windows);
  const spec = urfdShapedSpec(kind, data);
  const rows: ThroughputRow[] = [];

  const backend = (await initBackend()).name;
  const main = await mainThreadTraining(data, kind, epochs, batchSize);
  rows.push({
    setup: `main thread (${main.kernel})`, workers: 0, windowsPerSec: main.windowsPerSec, steadyWindowsPerSec: main.steadyWindowsPerSec,
    overheadFraction: 0, barrierWaitSec: 0, averagingSec: 0, startupSec: 0, finalAcc: main.finalAcc, backend, kernel: main.kernel,
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
        kernel: r.trainingKernel,
      });
      log(format(rows[rows.length - 1]));
    }
  }
  return rows;
}

/**
 * Training on the main thread, batch by batch through the same training step the workers use (the
 * fused kernel, or trainOnBatch with FALL_RNN_KERNEL=tfjs), shuffled each epoch like model.fit.
 */
export async function mainThreadTraining(data: { x: Float32Array; y: Float32Array; count: number; T: number; F: number }, kind: RnnKind, epochs: number, batchSize: number) {
  const model = buildRnnModel({ kind, timesteps: data.T, features: data.F });
  const step = makeTrainStep(model);
  const rng = createRng(7);
  const row = data.T * data.F;
  const epochSec: number[] = [];
  let acc = NaN;
  for (let e = 0; e < epochs; e++) {
    const t = performance.now();
    const order = Array.from({ length: data.count }, (_, i) => i);
    shuffleInPlace(order, rng);
    let accSum = 0;
    for (let s = 0; s < order.length; s += batchSize) {
      const idx = order.slice(s, s + batchSize);
      const xs = tf.tensor3d(gatherRows(data.x, row, idx), [idx.length, data.T, data.F]);
      const ys = tf.tensor2d(Float32Array.from(idx, (i) => data.y[i]), [idx.length, 1]);
      accSum += (await step.run(xs, ys))[1] * idx.length;
      tf.dispose([xs, ys]);
    }
    acc = accSum / data.count;
    epochSec.push((performance.now() - t) / 1000);
  }
  model.dispose();
  const total = epochSec.reduce((a, b) => a + b, 0);
  return {
    kernel: step.kernel,
    windowsPerSec: (data.count * epochs) / total,
    steadyWindowsPerSec: epochs > 1 ? (data.count * (epochs - 1)) / (total - epochSec[0]) : NaN,
    finalAcc: acc,
  };
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
