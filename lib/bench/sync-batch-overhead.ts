// Where a synchronous per-batch worker's time goes (issue 14: barrier + store ≤ 8% of worker time):
// per worker and per round, compute, store copies, averaging, barrier wait and the rest of the loop,
// with the cores the process and other processes used. Diagnostic, not part of `npm run bench`.
import { initBackend } from "../backend";
import { DistributedModel } from "../distributed/distributed-model";
import { urfdShapedSpec, urfdShapedWindows } from "../distributed/measure-throughput";
import type { RnnKind } from "../model/rnn";
import { cpuShare, cpuSnapshot } from "./cpu";

export interface OverheadRow {
  kind: RnnKind;
  workers: number;
  steadyWindowsPerSec: number;
  ownCores: number;
  otherCores: number;
  /** Store + averaging + waits over all workers' time after their first epoch, % (FitResult.timing.steadyOverheadFraction). */
  steadyOverheadPct: number;
  /** Per worker, µs per round (one batch a round): compute, store, averaging, wait, the rest of the loop. */
  perWorker: { id: number; rounds: number; computeUs: number; storeUs: number; averagingUs: number; waitUs: number; otherUs: number; storePlusWaitPct: number }[];
}

/** The two setups that meet at a barrier every batch: Elephas's per-batch averaging and mode gradients. */
export type PerBatchMode = "synchronous" | "gradients";

export async function measureSyncBatchOverhead(kind: RnnKind, workers: number, windows: number, epochs: number, mode: PerBatchMode = "synchronous"): Promise<OverheadRow> {
  const data = urfdShapedWindows(windows);
  const config = { numWorkers: workers, batchSize: 64, mode, frequency: "batch" as const, ...(mode === "synchronous" ? { syncEvery: 1 } : {}) };
  const dm = await DistributedModel.create({ model: urfdShapedSpec(kind, data), config });
  const c0 = cpuSnapshot();
  const r = await dm.fit(data, { epochs });
  const share = cpuShare(c0);
  return {
    kind, workers, steadyWindowsPerSec: r.steadyWindowsPerSec, ownCores: share.ownCores, otherCores: share.otherCores ?? NaN, steadyOverheadPct: 100 * r.timing.steadyOverheadFraction,
    perWorker: r.workers.map((w) => {
      const t = w.timing;
      const n = Math.max(t.rounds, 1);
      const us = (ms: number) => (1000 * ms) / n;
      const other = t.trainMs - t.computeMs - t.paramStoreMs - t.averagingMs - t.barrierWaitMs - t.lockWaitMs - t.validationMs;
      return {
        id: w.id, rounds: t.rounds, computeUs: us(t.computeMs), storeUs: us(t.paramStoreMs), averagingUs: us(t.averagingMs), waitUs: us(t.barrierWaitMs), otherUs: us(other),
        storePlusWaitPct: (100 * (t.paramStoreMs + t.averagingMs + t.barrierWaitMs)) / t.trainMs,
      };
    }),
  };
}

// node dist/lib/bench/sync-batch-overhead.js [windows=6144] [epochs=3] [kinds=gru,lstm] [workers=1,2] [repeats=1] [mode=synchronous|gradients]
if (require.main === module) {
  const [windows = "6144", epochs = "3", kinds = "gru,lstm", workers = "1,2", repeats = "1", mode = "synchronous"] = process.argv.slice(2);
  if (mode !== "synchronous" && mode !== "gradients") throw new Error(`mode must be synchronous or gradients; got ${mode}`);
  initBackend().then(async () => {
    for (let k = 0; k < Number(repeats); k++) {
      for (const kind of kinds.split(",") as RnnKind[]) {
        for (const w of workers.split(",").map(Number)) {
          const r = await measureSyncBatchOverhead(kind, w, Number(windows), Number(epochs), mode);
          console.log(`${kind} ${w} worker(s): ${r.steadyWindowsPerSec.toFixed(0)} win/s steady, ${r.ownCores.toFixed(2)} cores (others ${r.otherCores.toFixed(2)}); store + averaging + wait after epoch 1: ${r.steadyOverheadPct.toFixed(1)}%`);
          for (const p of r.perWorker) {
            console.log(`  worker ${p.id}: ${p.rounds} rounds; µs a round: compute ${p.computeUs.toFixed(0)}, store ${p.storeUs.toFixed(0)}, averaging ${p.averagingUs.toFixed(0)}, wait ${p.waitUs.toFixed(0)}, rest ${p.otherUs.toFixed(0)}; store + averaging + wait ${p.storePlusWaitPct.toFixed(1)}%`);
          }
        }
      }
    }
    process.exit(0);
  });
}
