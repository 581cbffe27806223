// The cluster path across three simulated hosts (network namespaces joined by veth pairs on a
// bridge, each with its own address and hostname, reached by mpirun through our launch agent):
// synchronous training equals the thread trainer on the same partitions, and killing one rank
// mid-epoch fails the fit within 10 s naming the rank and its host, with no process left anywhere.
// Needs root, iproute2 and Open MPI (CI has all three); skipped, saying which is missing, otherwise.
import { test, after } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import { spawnSync } from "node:child_process";
import { DistributedModel } from "../../lib/distributed/distributed-model";
import type { DistributedConfig } from "../../lib/distributed/config";
import type { ModelSpec } from "../../lib/model/spec";
import { fitOnCluster, RANK_ENTRY } from "../../lib/cluster/cluster-fit";
import { mpiJobUnavailableReason } from "../../lib/cluster/mpi";
import { SimCluster, simHostPids, simHostsDown, simHostsUnavailable, simHostsUp } from "../../lib/cluster/sim-hosts";
import { separableWindows } from "../fixtures/synthetic-windows";

function unavailable(): string | false {
  return mpiJobUnavailableReason() ?? simHostsUnavailable() ?? false;
}
const skip = unavailable();

const T = 8;
const F = 3;
const spec: ModelSpec = { type: "rnn", options: { kind: "gru", timesteps: T, features: F, units: [8], dropout: 0.1, seed: 11, learningRate: 0.01 } };
const train = separableWindows(240, T, F, 1);

let sim: SimCluster | null = null;
function hosts(): SimCluster {
  sim ??= simHostsUp(3);
  return sim;
}
// Removed even when a test fails or throws.
after(() => {
  if (sim) simHostsDown(sim);
});
process.on("exit", () => {
  if (sim) simHostsDown(sim);
});
// Ctrl-C or a kill of npm test would skip 'exit': the namespaces must not outlive the run.
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    if (sim) simHostsDown(sim);
    process.exit(128 + (signal === "SIGINT" ? 2 : 15));
  });
}

function pgrep(pattern: string): number[] {
  const r = spawnSync("pgrep", ["-f", pattern], { encoding: "utf8" });
  return r.stdout.split("\n").filter(Boolean).map(Number).filter((p) => p !== process.pid);
}

test("three simulated hosts: synchronous across ranks equals the thread trainer on the same partitions", { skip }, async () => {
  const s = hosts();
  const config: DistributedConfig = { mode: "synchronous", frequency: "batch", syncEvery: 3, numWorkers: 3, batchSize: 16 };
  const threads = await DistributedModel.create({ model: spec, config });
  const byThreads = await threads.fit(train, { epochs: 2 });
  const ranks = await DistributedModel.create({ model: spec, config: { ...config, numWorkers: 1 } });
  const byRanks = await fitOnCluster(ranks, train, { epochs: 2 }, { kind: "mpi", ranks: 3, hostfile: s.hostfile, launchAgent: s.agent, network: s.subnet });
  const a = ranks.getFlatWeights();
  const b = threads.getFlatWeights();
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  assert.ok(d <= 1e-6, `max difference ${d}`);
  assert.deepEqual(byRanks.merged.acc, byThreads.merged.acc);
  // Each rank ran on its own host, under that host's name.
  assert.deepEqual(byRanks.cluster.placement.map((p) => p.host), s.hosts.map((h) => h.name));
  for (const h of s.hosts) assert.deepEqual(simHostPids(h), [], `nothing left on ${h.name}`);
});

test("three simulated hosts: gradients across ranks train the weights of one thread, bit for bit", { skip }, async () => {
  const s = hosts();
  const config: DistributedConfig = { mode: "gradients", numWorkers: 1, batchSize: 16, microBatches: 6 };
  const one = await DistributedModel.create({ model: spec, config });
  await one.fit(train, { epochs: 2 });
  const ranks = await DistributedModel.create({ model: spec, config });
  const byRanks = await fitOnCluster(ranks, train, { epochs: 2 }, { kind: "mpi", ranks: 3, hostfile: s.hostfile, launchAgent: s.agent, network: s.subnet });
  assert.deepEqual(ranks.getFlatWeights(), one.getFlatWeights());
  assert.deepEqual(byRanks.cluster.placement.map((p) => p.host), s.hosts.map((h) => h.name));
  for (const h of s.hosts) assert.deepEqual(simHostPids(h), [], `nothing left on ${h.name}`);
});

test("three simulated hosts: killing one rank mid-epoch fails the fit within 10 s, naming rank and host, nothing left", { skip }, async (t) => {
  const s = hosts();
  const victim = s.hosts[1];
  const dm = await DistributedModel.create({ model: spec, config: { mode: "synchronous", frequency: "batch", numWorkers: 1, batchSize: 8 } });
  let killedAt = 0;
  const killRank = () => {
    const pid = simHostPids(victim).find((p) => {
      try {
        return fs.readFileSync(`/proc/${p}/cmdline`, "utf8").includes(RANK_ENTRY);
      } catch {
        return false;
      }
    });
    if (pid === undefined) return;
    process.kill(pid, "SIGKILL");
    killedAt = Date.now();
  };
  const fit = fitOnCluster(dm, train, {
    epochs: 500,
    onProgress: (e) => {
      if (!killedAt && e.type === "batch" && e.worker === 1 && e.epoch >= 1) killRank();
    },
  }, { kind: "mpi", ranks: 3, hostfile: s.hostfile, launchAgent: s.agent, network: s.subnet });
  await assert.rejects(fit, (e: Error) => {
    assert.ok(killedAt > 0, `the fit ended before the rank was killed: ${e.message}`);
    const seconds = (Date.now() - killedAt) / 1000;
    assert.ok(seconds < 10, `failed ${seconds} s after the kill`);
    assert.match(e.message, new RegExp(`^cluster run failed: rank 1 on ${victim.name}\\b.*(signal 9|Killed)`));
    assert.ok(!e.message.includes("\n"), "one line");
    t.diagnostic(`${seconds.toFixed(1)} s after the kill: ${e.message}`);
    return true;
  });
  for (const h of s.hosts) assert.deepEqual(simHostPids(h), [], `nothing left on ${h.name}`);
  assert.deepEqual(pgrep(RANK_ENTRY), [], "no rank left");
  assert.deepEqual(pgrep(s.hostfile), [], "no mpirun left");
});

test("three simulated hosts: a lost network link fails the fit within 10 s naming the rank and host; the cut-off host ends its rank and daemon itself", { skip }, async (t) => {
  const s = hosts();
  const victim = s.hosts[1];
  const dm = await DistributedModel.create({ model: spec, config: { mode: "gradients", numWorkers: 1, batchSize: 8 } });
  let cutAt = 0;
  const fit = fitOnCluster(dm, train, {
    epochs: 500,
    stallTimeoutSec: 10,
    onProgress: (e) => {
      if (!cutAt && e.type === "batch") {
        spawnSync("ip", ["-n", victim.name, "link", "set", "eth0", "down"]);
        cutAt = Date.now();
      }
    },
  }, { kind: "mpi", ranks: 3, hostfile: s.hostfile, launchAgent: s.agent, network: s.subnet });
  try {
    await assert.rejects(fit, (e: Error) => {
      assert.ok(cutAt > 0, `the fit ended before the link was cut: ${e.message}`);
      const seconds = (Date.now() - cutAt) / 1000;
      assert.ok(seconds < 10, `failed ${seconds} s after the cut`);
      assert.match(e.message, new RegExp(`^cluster run failed: rank 1 on ${victim.name} stopped reporting`));
      assert.ok(!e.message.includes("\n"), "one line");
      t.diagnostic(`${seconds.toFixed(1)} s after the cut: ${e.message}`);
      return true;
    });
    assert.deepEqual(pgrep(s.hostfile), [], "no mpirun left");
    for (const h of s.hosts.filter((h) => h !== victim)) assert.deepEqual(simHostPids(h), [], `nothing left on ${h.name}`);
    // The cut-off rank sees its peers gone only by its stall timeout (10 s), then has 5 s to abort.
    const until = cutAt + 30_000;
    while (simHostPids(victim).length && Date.now() < until) await new Promise((r) => setTimeout(r, 250));
    t.diagnostic(`${victim.name} empty ${((Date.now() - cutAt) / 1000).toFixed(1)} s after the cut`);
    assert.deepEqual(simHostPids(victim), [], `the rank and daemon on ${victim.name} ended themselves`);
  } finally {
    spawnSync("ip", ["-n", victim.name, "link", "set", "eth0", "up"]);
  }
});
