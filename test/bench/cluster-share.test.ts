import { test } from "node:test";
import assert from "node:assert/strict";
import { exchangeShares, EpochRow, ExchangeRow, networkCosts } from "../../lib/bench/cluster-share";

const timing = (kind: "weights" | "gradients", floats: number, medianMs: number) => ({ kind, floats, medianMs, minMs: medianMs, maxMs: medianMs, reps: 5 });
const epoch = (mode: "synchronous" | "gradients", ranks: number, secPerEpoch: number, simulatedHosts = false): EpochRow => ({ setup: `${mode} ${ranks}`, mode, ranks, threads: 1, simulatedHosts, scale: 1, windows: 2372, secPerEpoch });

test("exchange share: once an epoch for synchronous, once a global batch for gradients, over the same rank count's epoch", () => {
  const exchange: ExchangeRow[] = [{ where: "2 simulated hosts", ranks: 2, rateMbit: 1000, results: [timing("weights", 7329, 0.5), timing("gradients", 7329, 2), timing("weights", 99, 100)] }];
  const shares = exchangeShares(exchange, [epoch("synchronous", 2, 0.5), epoch("gradients", 2, 1), epoch("gradients", 2, 99, true)], 64);
  assert.deepEqual(shares.map((s) => [s.mode, s.exchangesPerEpoch, s.epochSec]), [["synchronous", 1, 0.5], ["gradients", 38, 1]]);
  assert.ok(Math.abs(shares[0].pct - 0.1) < 1e-12); // 0.5 ms of a 0.5 s epoch
  assert.ok(Math.abs(shares[1].pct - 7.6) < 1e-12); // 38 × 2 ms of a 1 s epoch
});

test("exchange share: no row without a timing of the default model or a finite epoch", () => {
  const exchange: ExchangeRow[] = [{ where: "one host", ranks: 3, rateMbit: null, results: [timing("weights", 1234, 1)] }];
  assert.deepEqual(exchangeShares(exchange, [epoch("synchronous", 3, 1)], 64), []);
  const ok: ExchangeRow[] = [{ where: "one host", ranks: 3, rateMbit: null, results: [timing("weights", 7329, 1)] }];
  assert.deepEqual(exchangeShares(ok, [epoch("synchronous", 3, NaN)], 64), []);
});

test("network cost: an epoch on simulated hosts against the same ranks, mode and threads on one host", () => {
  const rows = networkCosts([epoch("gradients", 3, 0.2), epoch("gradients", 3, 0.25, true), epoch("synchronous", 3, 0.4, true), epoch("gradients", 2, 0.1)]);
  assert.equal(rows.length, 1, "no one-host row for synchronous 3 ranks");
  assert.deepEqual([rows[0].mode, rows[0].ranks, rows[0].linkedSec, rows[0].localSec], ["gradients", 3, 0.25, 0.2]);
  assert.ok(Math.abs(rows[0].pct - 20) < 1e-9, `${rows[0].pct}`);
});
