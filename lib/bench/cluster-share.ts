// Pure parts of the cluster bench: its row types and the exchange's share of an epoch (issue 13's
// goal: under 5% for the default model at 1 Gbit/s).
import type { SyncMode } from "../distributed/config";
import type { ExchangeTiming } from "../cluster/measure-exchange";

/** One timing of measure-exchange.js: the synchronous weight allreduce or the gradient chain. */
export type { ExchangeTiming };

export interface ExchangeRow {
  where: string;
  ranks: number;
  /** The simulated hosts' link rate; null on one host (shared memory). */
  rateMbit: number | null;
  results: ExchangeTiming[];
}

export interface EpochRow {
  setup: string;
  mode: SyncMode;
  ranks: number;
  threads: number;
  simulatedHosts: boolean;
  /** Multiple of URFD's windows. */
  scale: number;
  windows: number;
  secPerEpoch: number;
  peakRssMbPerRank?: number[];
  /** Training windows each rank held (its partitions, or in mode gradients its slot shards). */
  heldRowsPerRank?: number[];
}

export interface ShareRow {
  mode: "synchronous" | "gradients";
  ranks: number;
  where: string;
  exchangesPerEpoch: number;
  exchangeMs: number;
  epochSec: number;
  /** Exchange time ÷ epoch time, in percent. */
  pct: number;
}

/**
 * The exchange's share of an epoch for the default model: per-epoch synchronous exchanges once an
 * epoch, gradients once per global batch; the epoch is the same rank count's 1× URFD row (mean of
 * steady epochs on this machine), so the share is the exchange's cost on those links for that work.
 */
export function exchangeShares(exchange: readonly ExchangeRow[], epochs: readonly EpochRow[], batchSize: number, defaultFloats = 7329): ShareRow[] {
  const out: ShareRow[] = [];
  for (const x of exchange) {
    for (const mode of ["synchronous", "gradients"] as const) {
      const timing = x.results.find((t) => t.floats === defaultFloats && t.kind === (mode === "synchronous" ? "weights" : "gradients"));
      const epoch = epochs.find((e) => e.mode === mode && e.ranks === x.ranks && e.scale === 1 && !e.simulatedHosts) ?? epochs.find((e) => e.mode === mode && e.scale === 1 && e.ranks > 1);
      if (!timing || !epoch || !Number.isFinite(epoch.secPerEpoch)) continue;
      const exchangesPerEpoch = mode === "synchronous" ? 1 : Math.ceil(epoch.windows / batchSize);
      const pct = (100 * exchangesPerEpoch * timing.medianMs) / 1000 / epoch.secPerEpoch;
      out.push({ mode, ranks: x.ranks, where: x.where, exchangesPerEpoch, exchangeMs: timing.medianMs, epochSec: epoch.secPerEpoch, pct });
    }
  }
  return out;
}

/** What the simulated links cost a whole epoch, with the exchanges overlapping the other ranks' work as they do in training. */
export interface NetworkCostRow {
  mode: SyncMode;
  ranks: number;
  /** Seconds an epoch: ranks on simulated hosts over the capped links, and the same ranks on one host (shared memory). */
  linkedSec: number;
  localSec: number;
  /** (linked − local) ÷ linked, in percent; negative within noise when the links cost nothing measurable. */
  pct: number;
}

/**
 * In place of one exchange timed alone: the same epoch (mode, ranks, 1× URFD) on simulated hosts and
 * on one host; the difference is what the network costs, exposed latency only (a rank's hop overlaps
 * the next rank's compute in training, which the alone-timing cannot show).
 */
export function networkCosts(epochs: readonly EpochRow[]): NetworkCostRow[] {
  const out: NetworkCostRow[] = [];
  for (const linked of epochs.filter((e) => e.simulatedHosts && e.scale === 1)) {
    const local = epochs.find((e) => !e.simulatedHosts && e.scale === 1 && e.mode === linked.mode && e.ranks === linked.ranks && e.threads === linked.threads);
    if (!local || !Number.isFinite(linked.secPerEpoch) || !Number.isFinite(local.secPerEpoch)) continue;
    out.push({ mode: linked.mode, ranks: linked.ranks, linkedSec: linked.secPerEpoch, localSec: local.secPerEpoch, pct: (100 * (linked.secPerEpoch - local.secPerEpoch)) / linked.secPerEpoch });
  }
  return out;
}
