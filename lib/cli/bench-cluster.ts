// `fall-dp bench-cluster` (internal, hidden from the help; also node dist/lib/cli/bench-cluster.js): the cluster path's cost on this machine, with URFD-shaped
// synthetic windows (2,372 a copy, T = 32, F = 24, the default LSTM(32)): time per epoch of 1 rank × 2
// threads against 2 ranks × 1 thread (and the thread trainer with 2 workers), how it grows with 1× and
// 10× the windows, and the peak memory of every rank. Writes runs/bench/cluster.json.
import * as fs from "node:fs";
import * as path from "node:path";
import { findProjectRoot } from "../data/project-root";
import type { ProgressEvent } from "../distributed/config";
import { StrictCommand } from "../pipeline/command-line";
import { runCommand, withAction } from "./run-main";

const URFD_WINDOWS = 2372;
const EPOCHS = 3;

interface Row {
  setup: string;
  windows: number;
  /** Mean of epochs 2..EPOCHS (the first includes start-up). */
  secPerEpoch: number;
  peakRssMbPerRank?: number[];
}

function epochTimer(): { onProgress: (e: ProgressEvent) => void; secPerEpoch: () => number } {
  const at: number[] = [];
  return {
    onProgress: (e) => {
      if (e.type === "merged") at.push(performance.now());
    },
    secPerEpoch: () => (at[at.length - 1] - at[0]) / 1000 / (at.length - 1),
  };
}

/** `bench-cluster`: seconds per epoch of the thread trainer against MPI ranks on this machine. */
export function benchClusterCommand(): StrictCommand {
  const command = new StrictCommand("bench-cluster").description(
    "Time per epoch of 1 rank x 2 threads against 2 ranks x 1 thread (and the thread trainer with 2 workers) on URFD-shaped synthetic windows, at 1x and 10x the windows, with every rank's peak memory. Writes runs/bench/cluster.json.",
  );
  return withAction(command, async () => {
    await benchCluster();
    return 0;
  });
}

async function benchCluster(): Promise<void> {
  // Loaded only now: --help must not load TensorFlow.js.
  const { DistributedModel } = await import("../distributed/distributed-model");
  const { urfdShapedWindows } = await import("../distributed/measure-throughput");
  const { fitOnCluster } = await import("../cluster/cluster-fit");
  const rows: Row[] = [];
  const spec = { type: "rnn" as const, options: { kind: "lstm" as const, timesteps: 32, features: 24, seed: 1 } };
  const config = { mode: "synchronous" as const, frequency: "epoch" as const, batchSize: 64, seed: 1 };
  for (const scale of [1, 10]) {
    const data = urfdShapedWindows(URFD_WINDOWS * scale, 1, 32, 24);
    const setups: { setup: string; ranks: number; threads: number; cluster: boolean }[] = [
      { setup: "threads: 1 process × 2 threads", ranks: 1, threads: 2, cluster: false },
      { setup: "MPI: 1 rank × 2 threads", ranks: 1, threads: 2, cluster: true },
      { setup: "MPI: 2 ranks × 1 thread", ranks: 2, threads: 1, cluster: true },
      { setup: "MPI: 3 ranks × 1 thread", ranks: 3, threads: 1, cluster: true },
    ];
    for (const s of setups) {
      if (scale > 1 && s.setup.startsWith("MPI: 1 rank")) continue;
      const dm = await DistributedModel.create({ model: spec, config: { ...config, numWorkers: s.threads } });
      const t = epochTimer();
      if (s.cluster) {
        const r = await fitOnCluster(dm, data, { epochs: EPOCHS, onProgress: t.onProgress }, { kind: "mpi", ranks: s.ranks, workersPerRank: s.threads });
        rows.push({ setup: s.setup, windows: data.count, secPerEpoch: t.secPerEpoch(), peakRssMbPerRank: r.reports.map((x) => Math.round(x.peakRssMb)) });
      } else {
        await dm.fit(data, { epochs: EPOCHS, onProgress: t.onProgress });
        rows.push({ setup: s.setup, windows: data.count, secPerEpoch: t.secPerEpoch() });
      }
      console.log(JSON.stringify(rows[rows.length - 1]));
    }
  }
  const out = path.join(findProjectRoot(), "runs", "bench", "cluster.json");
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify({ measuredAt: new Date().toISOString(), epochs: EPOCHS, rows }, null, 2) + "\n");
  console.log(`wrote ${out}`);
}

if (require.main === module) runCommand(benchClusterCommand(), process.argv.slice(2));
