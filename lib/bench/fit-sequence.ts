// Consecutive fits on the same pooled threads, as the pipeline runs them (15 fits a run): each fit's steady
// windows/s. With `node --trace-opt --trace-deopt` it shows which fit of a thread still compiles or throws away its
// training loop (docs/benchmark.md). Diagnostic, not part of `npm run bench`.
import { initBackend } from "../backend";
import type { SyncMode } from "../distributed/config";
import { DistributedModel } from "../distributed/distributed-model";
import { urfdShapedSpec, urfdShapedWindows } from "../distributed/measure-throughput";
import type { RnnKind } from "../model/rnn";

export interface FitSequenceOptions {
  kind: RnnKind;
  fits: number;
  workers: number;
  mode: SyncMode;
  windows: number;
  epochs: number;
}

/** Steady windows/s of each of `fits` fits, one after another on the same threads. */
export async function measureFitSequence(o: FitSequenceOptions, log: (line: string) => void = () => {}): Promise<number[]> {
  const data = urfdShapedWindows(o.windows);
  const spec = urfdShapedSpec(o.kind, data);
  const config = { mode: o.mode, frequency: "batch" as const, numWorkers: o.workers, batchSize: 64 };
  const rates: number[] = [];
  for (let f = 0; f < o.fits; f++) {
    log(`=== fit ${f} starts`);
    const r = await (await DistributedModel.create({ model: spec, config })).fit(data, { epochs: o.epochs });
    rates.push(r.steadyWindowsPerSec);
    log(`=== fit ${f}: ${r.steadyWindowsPerSec.toFixed(0)} windows/s steady`);
  }
  return rates;
}

// node dist/lib/bench/fit-sequence.js [kind=gru] [fits=4] [workers=2] [mode=gradients] [windows=6144] [epochs=8]
if (require.main === module) {
  const [kind = "gru", fits = "4", workers = "2", mode = "gradients", windows = "6144", epochs = "8"] = process.argv.slice(2);
  if (kind !== "gru" && kind !== "lstm") throw new Error(`kind must be gru or lstm; got ${kind}`);
  const modes: SyncMode[] = ["synchronous", "asynchronous", "hogwild", "gradients"];
  if (!(modes as string[]).includes(mode)) throw new Error(`mode must be one of ${modes.join(", ")}; got ${mode}`);
  initBackend()
    .then(() => measureFitSequence({ kind, fits: Number(fits), workers: Number(workers), mode: mode as SyncMode, windows: Number(windows), epochs: Number(epochs) }, (l) => console.log(l)))
    .then(() => process.exit(0));
}
