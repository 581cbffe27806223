// Old step (tfjs around the fused RNN layers) against the whole step in native code, in one run:
// windows/s and cores busy for the default GRU and LSTM on URFD-shaped [32, 16] windows, batch 64,
// 1 worker (synchronous) and the gradients mode at 2 workers. The two alternate, best steady rate of
// `repeats` kept (other load only slows a run down).
// CLI: node dist/lib/bench/native-step-speed.js [windows] [epochs] [repeats]
import { initBackend } from "../backend";
import { DistributedConfig } from "../distributed/config";
import { DistributedModel } from "../distributed/distributed-model";
import { urfdShapedWindows } from "../distributed/measure-throughput";
import { NATIVE_STEP_ENV } from "../model/native-plan";
import { RnnKind } from "../model/rnn";

export interface StepSpeedRow {
  kind: RnnKind;
  setup: string;
  workers: number;
  step: "old" | "native";
  kernel: string;
  steadyWindowsPerSec: number;
  /** Process CPU time (all threads) over wall time during fit. */
  cores: number;
}

type Setup = { label: string; config: Pick<DistributedConfig, "mode" | "numWorkers" | "batchSize"> };

const SETUPS: Setup[] = [
  { label: "synchronous, 1 worker", config: { mode: "synchronous", numWorkers: 1, batchSize: 64 } },
  { label: "gradients, 2 workers", config: { mode: "gradients", numWorkers: 2, batchSize: 64 } },
];

async function fitOnce(kind: RnnKind, setup: Setup, step: "old" | "native", data: ReturnType<typeof urfdShapedWindows>, epochs: number): Promise<StepSpeedRow> {
  // Workers copy process.env when they start: the switch must be set before create().
  if (step === "old") process.env[NATIVE_STEP_ENV] = "0";
  else delete process.env[NATIVE_STEP_ENV];
  const spec = { type: "rnn" as const, options: { kind, timesteps: data.T, features: data.F } };
  const dm = await DistributedModel.create({ model: spec, config: setup.config });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const fit = await dm.fit(data, { epochs });
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  delete process.env[NATIVE_STEP_ENV];
  return { kind, setup: setup.label, workers: setup.config.numWorkers, step, kernel: fit.trainingKernel, steadyWindowsPerSec: fit.steadyWindowsPerSec, cores: (cpu.user + cpu.system) / 1000 / wallMs };
}

export async function measureStepSpeed(opts: { windows?: number; epochs?: number; repeats?: number; log?: (line: string) => void } = {}): Promise<StepSpeedRow[]> {
  const { windows = 4096, epochs = 3, repeats = 2, log = () => {} } = opts;
  await initBackend();
  const data = urfdShapedWindows(windows);
  const best: StepSpeedRow[] = [];
  for (const kind of ["gru", "lstm"] as const) {
    for (const setup of SETUPS) {
      for (const step of ["old", "native"] as const) {
        let keep: StepSpeedRow | null = null;
        for (let r = 0; r < repeats; r++) {
          const row = await fitOnce(kind, setup, step, data, epochs);
          if (!keep || row.steadyWindowsPerSec > keep.steadyWindowsPerSec) keep = row;
        }
        best.push(keep!);
        log(`${kind} ${setup.label} ${step}: ${keep!.steadyWindowsPerSec.toFixed(0)} windows/s, ${keep!.cores.toFixed(2)} cores (${keep!.kernel})`);
      }
      const [old, native] = best.slice(-2);
      log(`${kind} ${setup.label}: native ÷ old = ${(native.steadyWindowsPerSec / old.steadyWindowsPerSec).toFixed(2)}×`);
    }
  }
  return best;
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
