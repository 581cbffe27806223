// Old step (tfjs around the fused RNN layers) against the whole step in native code, in one run:
// the default GRU and LSTM on URFD-shaped [32, 16] windows, batch 64. "1 worker": the training loop
// a worker runs, on the main thread (no thread startup in the figure), windows per wall second and
// per CPU second; "gradients, 2 workers": DistributedModel's steady windows/s. Old and new alternate
// `repeats` times and each keeps its best (other load on the machine only slows a run down).
// CLI: node dist/lib/bench/native-step-speed.js [windows] [epochs] [repeats]
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../backend";
import { DistributedModel } from "../distributed/distributed-model";
import { urfdShapedSpec, urfdShapedWindows } from "../distributed/measure-throughput";
import { gatherRows } from "../distributed/partition";
import { NATIVE_STEP_ENV } from "../model/native-plan";
import { buildRnnModel, RnnKind } from "../model/rnn";
import { makeTrainStep } from "../model/train-step";
import { createRng, shuffleInPlace } from "../random";

export type StepVariant = "old" | "native";

export interface StepSpeedRow {
  kind: RnnKind;
  setup: "1 worker (main thread)" | "gradients, 2 workers";
  step: StepVariant;
  kernel: string;
  windowsPerSec: number;
  /** Windows per second of process CPU time (all threads); null for the workers' case. */
  windowsPerCpuSec: number | null;
}

type Windows = ReturnType<typeof urfdShapedWindows>;
const BATCH = 64;

/** Runs fn with the native step switched on or off (workers copy process.env when they start). */
async function withStep<T>(step: StepVariant, fn: () => Promise<T>): Promise<T> {
  if (step === "old") process.env[NATIVE_STEP_ENV] = "0";
  try {
    return await fn();
  } finally {
    delete process.env[NATIVE_STEP_ENV];
  }
}

/** One untimed epoch, then `epochs` timed ones of the step a worker runs. */
async function mainThreadOnce(kind: RnnKind, step: StepVariant, data: Windows, epochs: number): Promise<StepSpeedRow> {
  const model = buildRnnModel({ kind, timesteps: data.T, features: data.F });
  const train = await withStep(step, async () => makeTrainStep(model));
  const rng = createRng(7);
  const row = data.T * data.F;
  const epoch = async () => {
    const order = Array.from({ length: data.count }, (_, i) => i);
    shuffleInPlace(order, rng);
    for (let s = 0; s < order.length; s += BATCH) {
      const idx = order.slice(s, s + BATCH);
      const xs = tf.tensor3d(gatherRows(data.x, row, idx), [idx.length, data.T, data.F]);
      const ys = tf.tensor2d(Float32Array.from(idx, (i) => data.y[i]), [idx.length, 1]);
      await train.run(xs, ys);
      tf.dispose([xs, ys]);
    }
  };
  await epoch();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let e = 0; e < epochs; e++) await epoch();
  const sec = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  model.dispose();
  const windows = data.count * epochs;
  return { kind, setup: "1 worker (main thread)", step, kernel: train.kernel, windowsPerSec: windows / sec, windowsPerCpuSec: windows / ((cpu.user + cpu.system) / 1e6) };
}

async function gradientsOnce(kind: RnnKind, step: StepVariant, data: Windows, epochs: number): Promise<StepSpeedRow> {
  const spec = urfdShapedSpec(kind, data);
  const fit = await withStep(step, async () => {
    const dm = await DistributedModel.create({ model: spec, config: { mode: "gradients", numWorkers: 2, batchSize: BATCH } });
    return dm.fit(data, { epochs });
  });
  return { kind, setup: "gradients, 2 workers", step, kernel: fit.trainingKernel, windowsPerSec: fit.steadyWindowsPerSec, windowsPerCpuSec: null };
}

export async function measureStepSpeed(opts: { windows?: number; epochs?: number; repeats?: number; log?: (line: string) => void } = {}): Promise<StepSpeedRow[]> {
  const { windows = 4096, epochs = 3, repeats = 3, log = () => {} } = opts;
  await initBackend();
  const data = urfdShapedWindows(windows);
  const rows: StepSpeedRow[] = [];
  for (const kind of ["gru", "lstm"] as const) {
    for (const once of [mainThreadOnce, gradientsOnce]) {
      const best: Partial<Record<StepVariant, StepSpeedRow>> = {};
      for (let r = 0; r < repeats; r++) {
        for (const step of ["old", "native"] as const) {
          const row = await once(kind, step, data, epochs);
          if (!best[step] || row.windowsPerSec > best[step]!.windowsPerSec) best[step] = row;
        }
      }
      const [old, native] = [best.old!, best.native!];
      rows.push(old, native);
      for (const b of [old, native]) {
        log(`${kind} ${b.setup} ${b.step}: ${b.windowsPerSec.toFixed(0)} windows/s${b.windowsPerCpuSec ? `, ${b.windowsPerCpuSec.toFixed(0)} per CPU-s` : ""} (${b.kernel})`);
      }
      const cpuRatio = old.windowsPerCpuSec && native.windowsPerCpuSec ? `, per CPU-s ${(native.windowsPerCpuSec / old.windowsPerCpuSec).toFixed(2)}×` : "";
      log(`${kind} ${old.setup}: native ÷ old = ${(native.windowsPerSec / old.windowsPerSec).toFixed(2)}×${cpuRatio}`);
    }
  }
  return rows;
}

if (require.main === module) {
  const [windows, epochs, repeats] = process.argv.slice(2).map(Number);
  measureStepSpeed({ windows: windows || undefined, epochs: epochs || undefined, repeats: repeats || undefined, log: (l) => console.log(l) })
    .then((rows) => console.log(JSON.stringify(rows)))
    .catch((e) => {
      console.error(e);
      process.exitCode = 1;
    });
}
