// The cluster part of `npm run bench` (issue 13 item 6): the time of one cross-rank exchange on one
// host and over simulated hosts with capped links, the time per epoch of ranks beside threads at 1×,
// 10× and 100× URFD's windows with every rank's peak memory, and the exchange's share of an epoch.
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import type { ProgressEvent, SyncMode } from "../distributed/config";
import { localMpirunArgs, mpirunArgs, resolveCluster } from "../cluster/launcher";
import { mpiJobUnavailableReason } from "../cluster/mpi";
import { simHostsDown, simHostsUnavailable, simHostsUp, SimCluster } from "../cluster/sim-hosts";
import { exchangeShares, ExchangeRow, ExchangeTiming, EpochRow, networkCosts, NetworkCostRow, ShareRow } from "./cluster-share";

/** Weights of the default model (F = 24) and of the original preset (Embedding + 3 × LSTM(256)). */
export const EXCHANGE_SIZES = { default: 7329, original: 1_373_649 };
export const URFD_WINDOWS = 2372;

export interface ClusterBenchOptions {
  quick: boolean;
  /** Link rate of the simulated hosts. */
  rateMbit: number;
  /** Multiples of URFD's window count for the epoch rows. */
  scales: number[];
  epochs: number;
  log: (line: string) => void;
}

export interface ClusterBenchResult {
  rateMbit: number;
  sizes: typeof EXCHANGE_SIZES;
  exchange: ExchangeRow[];
  /** Why the simulated-host rows are missing (no root, no iproute2), or null. */
  simulatedHostsSkipped: string | null;
  epochs: EpochRow[];
  share: ShareRow[];
  /** The links' cost of a whole epoch, simulated hosts against one host (absent in runs before 2026-12-03). */
  networkCost?: NetworkCostRow[];
  steadyState: string;
}

const MEASURE = path.join(__dirname, "..", "cluster", "measure-exchange.js");

/** The cluster bench, or a sentence saying why it cannot run here (no Open MPI). */
export async function measureCluster(o: ClusterBenchOptions): Promise<ClusterBenchResult | string> {
  const missing = mpiJobUnavailableReason();
  if (missing) return missing;
  const simSkipped = simHostsUnavailable();
  const exchange = measureExchanges(o, simSkipped === null);
  const epochs = await measureEpochs(o, simSkipped === null);
  return {
    rateMbit: o.rateMbit,
    sizes: EXCHANGE_SIZES,
    exchange,
    simulatedHostsSkipped: simSkipped,
    epochs,
    share: exchangeShares(exchange, epochs, 64),
    networkCost: networkCosts(epochs),
    steadyState: `seconds per epoch: mean of epochs 2..${o.epochs} (the first includes starting the ranks and sending the partitions)`,
  };
}

function runExchange(args: string[], sizes: number[]): { host: string; results: ExchangeTiming[] } {
  const r = spawnSync("mpirun", [...args, process.execPath, MEASURE, ...sizes.map(String)], { encoding: "utf8", timeout: 300_000 });
  const line = (r.stdout ?? "").split("\n").find((l) => l.startsWith("@@exchange "));
  if (r.status !== 0 || !line) throw new Error(`exchange bench: mpirun failed (${r.status ?? r.signal}): ${(r.stderr || r.stdout || "").trim().split("\n").slice(-1)[0]}`);
  return JSON.parse(line.slice("@@exchange ".length)) as { host: string; results: ExchangeTiming[] };
}

function measureExchanges(o: ClusterBenchOptions, simulated: boolean): ExchangeRow[] {
  const sizes = o.quick ? [EXCHANGE_SIZES.default] : [EXCHANGE_SIZES.default, EXCHANGE_SIZES.original];
  const rows: ExchangeRow[] = [];
  for (const ranks of o.quick ? [2] : [2, 3]) {
    rows.push({ where: "one host (shared memory)", ranks, rateMbit: null, results: runExchange(localMpirunArgs(ranks), sizes).results });
    o.log(`exchange: ${ranks} ranks on one host done`);
    if (!simulated) continue;
    const sim = simHostsUp(ranks, { rateMbit: o.rateMbit });
    try {
      const c = resolveCluster({ kind: "mpi", ranks, hostfile: sim.hostfile, launchAgent: sim.agent, network: sim.subnet });
      rows.push({ where: `${ranks} simulated hosts, veth capped at ${o.rateMbit} Mbit/s`, ranks, rateMbit: o.rateMbit, results: runExchange(mpirunArgs(c, []), sizes).results });
      o.log(`exchange: ${ranks} simulated hosts done`);
    } finally {
      simHostsDown(sim);
    }
  }
  return rows;
}

interface EpochSetup {
  label: string;
  mode: SyncMode;
  ranks: number;
  threads: number;
  /** false: the thread trainer in this process. */
  cluster: boolean;
  /** Mode gradients: how the micro-batches are drawn (default global: every rank holds every row). */
  sampling?: "shards";
  simulated?: boolean;
  scales: number[];
}

function epochSetups(o: ClusterBenchOptions, simulated: boolean): EpochSetup[] {
  if (o.quick) return [{ label: "MPI synchronous: 2 ranks × 1 thread", mode: "synchronous", ranks: 2, threads: 1, cluster: true, scales: o.scales }];
  const all = o.scales;
  const small = o.scales.filter((s) => s <= 10);
  const list: EpochSetup[] = [
    { label: "threads synchronous: 1 process × 2 threads", mode: "synchronous", ranks: 1, threads: 2, cluster: false, scales: small },
    { label: "MPI synchronous: 1 rank × 2 threads", mode: "synchronous", ranks: 1, threads: 2, cluster: true, scales: [1] },
    { label: "MPI synchronous: 2 ranks × 1 thread", mode: "synchronous", ranks: 2, threads: 1, cluster: true, scales: all },
    { label: "MPI synchronous: 3 ranks × 1 thread", mode: "synchronous", ranks: 3, threads: 1, cluster: true, scales: all },
    { label: "threads gradients: 1 process × 2 threads", mode: "gradients", ranks: 1, threads: 2, cluster: false, scales: [1] },
    { label: "MPI gradients: 2 ranks × 1 thread", mode: "gradients", ranks: 2, threads: 1, cluster: true, scales: [1] },
    { label: "MPI gradients, sampling shards: 2 ranks × 1 thread", mode: "gradients", sampling: "shards", ranks: 2, threads: 1, cluster: true, scales: all },
    { label: "MPI gradients, sampling shards: 3 ranks × 1 thread", mode: "gradients", sampling: "shards", ranks: 3, threads: 1, cluster: true, scales: all.filter((s) => s === 1 || s === 100) },
    ...(simulated
      ? [
          { label: `MPI synchronous: 3 simulated hosts × 1 thread, ${o.rateMbit} Mbit/s`, mode: "synchronous" as const, ranks: 3, threads: 1, cluster: true, simulated: true, scales: [1] },
          { label: `MPI gradients: 3 simulated hosts × 1 thread, ${o.rateMbit} Mbit/s`, mode: "gradients" as const, ranks: 3, threads: 1, cluster: true, simulated: true, scales: [1] },
        ]
      : []),
  ];
  return list.filter((s) => s.scales.length > 0);
}

function epochTimer(): { onProgress: (e: ProgressEvent) => void; secPerEpoch: () => number } {
  const at: number[] = [];
  return {
    onProgress: (e) => {
      if (e.type === "merged") at.push(performance.now());
    },
    secPerEpoch: () => (at.length < 2 ? NaN : (at[at.length - 1] - at[0]) / 1000 / (at.length - 1)),
  };
}

async function measureEpochs(o: ClusterBenchOptions, simulated: boolean): Promise<EpochRow[]> {
  // Loaded on use: TensorFlow.js and the trainer are not needed by the exchange part.
  const { DistributedModel } = await import("../distributed/distributed-model");
  const { urfdShapedWindows } = await import("../distributed/measure-throughput");
  const { fitOnCluster } = await import("../cluster/cluster-fit");
  const rows: EpochRow[] = [];
  const spec = { type: "rnn" as const, options: { kind: "lstm" as const, timesteps: 32, features: 24, seed: 1 } };
  const setups = epochSetups(o, simulated);
  for (const scale of [...new Set(setups.flatMap((s) => s.scales))].sort((a, b) => a - b)) {
    const windows = o.quick ? 512 : URFD_WINDOWS * scale;
    const data = urfdShapedWindows(windows, 1, 32, 24);
    for (const s of setups.filter((x) => x.scales.includes(scale))) {
      const config = { mode: s.mode, ...(s.mode === "gradients" ? (s.sampling ? { sampling: s.sampling } : {}) : { frequency: "epoch" as const }), batchSize: 64, seed: 1, numWorkers: s.threads };
      const dm = await DistributedModel.create({ model: spec, config });
      const t = epochTimer();
      let sim: SimCluster | null = null;
      try {
        const row: EpochRow = { setup: s.label, mode: s.mode, ranks: s.ranks, threads: s.threads, simulatedHosts: s.simulated === true, scale, windows: data.count, secPerEpoch: NaN };
        if (s.cluster) {
          sim = s.simulated ? simHostsUp(s.ranks, { rateMbit: o.rateMbit }) : null;
          const where = sim ? { hostfile: sim.hostfile, launchAgent: sim.agent, network: sim.subnet } : {};
          const r = await fitOnCluster(dm, data, { epochs: o.epochs, onProgress: t.onProgress }, { kind: "mpi", ranks: s.ranks, workersPerRank: s.threads, ...where });
          row.peakRssMbPerRank = r.reports.map((x) => Math.round(x.peakRssMb));
          row.heldRowsPerRank = r.reports.map((x) => x.heldRows);
        } else {
          await dm.fit(data, { epochs: o.epochs, onProgress: t.onProgress });
        }
        row.secPerEpoch = t.secPerEpoch();
        rows.push(row);
        o.log(`cluster epochs: ${s.label}, ${scale}× URFD (${data.count} windows): ${row.secPerEpoch.toFixed(3)} s an epoch${row.peakRssMbPerRank ? `, peak RSS per rank ${row.peakRssMbPerRank.join("/")} MB, training windows held ${row.heldRowsPerRank!.join("/")}` : ""}`);
      } finally {
        if (sim) simHostsDown(sim);
      }
    }
  }
  return rows;
}
