// `npm run pipeline -- --cluster mpi`: the command-line checks, and a small run on one host (2 ranks)
// writing the cluster layout into metrics.json and report.html. Skipped, saying why, without Open MPI.
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { generateSynthetic, writeUrfdFolder } from "../../lib/data";
import { PLAIN_PIPELINE_OPTIONS, parsePipelineCommand, UsageError } from "../../lib/pipeline/options";
import { spawnSync } from "node:child_process";
import { runPipeline } from "../../lib/pipeline/run-pipeline";
import { mpiJobUnavailableReason } from "../../lib/cluster/mpi";
import { localMpirunArgs } from "../../lib/cluster/launcher";

function unavailable(): string | false {
  return mpiJobUnavailableReason() ?? false;
}

test("--cluster flags: --ranks is required, the other flags need --cluster mpi, --workers is refused", () => {
  const bad: [string[], RegExp][] = [
    [["--cluster", "mpi"], /--cluster mpi needs --ranks R/],
    [["--ranks", "2"], /--ranks needs --cluster mpi/],
    [["--hostfile", "h"], /--hostfile needs --cluster mpi/],
    [["--share-dir", "d"], /--share-dir needs --cluster mpi/],
    [["--cluster", "mpi", "--ranks", "2", "--workers", "2"], /instead of --workers/],
    [["--cluster", "mpi", "--ranks", "0"], /--ranks expects a positive integer/],
    [["--cluster", "mpi", "--ranks", "2", "--grid"], /--grid .* cannot be combined with --cluster/],
  ];
  for (const [argv, re] of bad) assert.throws(() => parsePipelineCommand(argv), (e: Error) => e instanceof UsageError && re.test(e.message), argv.join(" "));
  const ok = parsePipelineCommand(["--cluster", "mpi", "--ranks", "3", "--workers-per-rank", "2", "--hostfile", "h", "--share-dir", "/nfs/x"]);
  assert.equal(ok.kind, "run");
  if (ok.kind === "run") assert.deepEqual([ok.options.cluster, ok.options.ranks, ok.options.workersPerRank, ok.options.hostfile, ok.options.shareDir], ["mpi", 3, 2, "h", "/nfs/x"]);
});

test("pipeline --cluster mpi --ranks 2 --folds 2 writes the cluster layout into metrics.json and the report, gives the 1-thread results (mode gradients), and started by mpirun on every rank the same again", { skip: unavailable() }, async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "pipeline-cluster-"));
  try {
    const dataDir = path.join(tmp, "data");
    writeUrfdFolder(dataDir, generateSynthetic({ seed: 3, falls: 6, adls: 6 }));
    const out = path.join(tmp, "out");
    const lines: string[] = [];
    await runPipeline(
      { ...PLAIN_PIPELINE_OPTIONS, data: dataDir, epochs: 2, window: 16, stride: 8, folds: 2, ensemble: 1, out, cluster: "mpi", ranks: 2, workersPerRank: 1 },
      { log: (l) => lines.push(l) },
    );
    // The default mode, gradients, trains on 2 ranks the model of one thread in one process.
    const local = path.join(tmp, "local");
    await runPipeline({ ...PLAIN_PIPELINE_OPTIONS, data: dataDir, epochs: 2, window: 16, stride: 8, folds: 2, ensemble: 1, out: local, workers: 1 }, { log: () => undefined });
    assert.ok(lines.some((l) => /^cluster: MPI job of 2 rank\(s\) × 1 thread\(s\) on this machine/.test(l)), lines.join("\n"));
    const metrics = JSON.parse(fs.readFileSync(path.join(out, "metrics.json"), "utf8"));
    assert.equal(metrics.training.cluster.ranks, 2);
    assert.deepEqual(metrics.training.cluster.placement.map((p: { rank: number }) => p.rank), [0, 1]);
    assert.equal(metrics.training.workers.length, 4, "2 ranks × 1 thread × 2 folds");
    assert.equal(metrics.config.cluster, "mpi");
    assert.match(metrics.training.averaging, /^gradients of .* across ranks: each rank computes its slots' micro-batch gradients \(from all rows, which every rank holds\)/);
    const byThread = JSON.parse(fs.readFileSync(path.join(local, "metrics.json"), "utf8"));
    // The same weights; the epoch loss is merged from each rank's own mean, so its last bit may differ.
    const losses = (m: { training: { merged: { loss: number[] }[] } }) => m.training.merged.flatMap((f) => f.loss);
    losses(metrics).forEach((l, i) => assert.ok(Math.abs(l - losses(byThread)[i]) <= 1e-12 * Math.abs(l), `loss ${i}: ${l} vs ${losses(byThread)[i]}`));
    assert.deepEqual([metrics.window, metrics.sequence], [byThread.window, byThread.sequence], "the same results as one thread");
    assert.match(fs.readFileSync(path.join(out, "report.html"), "utf8"), /Trained on an MPI job \(.*\) of 2 rank\(s\) × 1 thread\(s\): rank 0 on /);
    assert.deepEqual(fs.readdirSync(tmp).sort(), ["data", "local", "out"], "no staging folder is left");
    // The scheduler-first form: every rank runs the pipeline, rank 0 drives.
    const out2 = path.join(tmp, "out2");
    const cli = path.join(__dirname, "..", "..", "lib", "cli", "pipeline.js");
    const flags = ["--detector", "plain", "--cluster", "mpi", "--ranks", "2", "--data", dataDir, "--epochs", "2", "--window", "16", "--stride", "8", "--folds", "2", "--ensemble", "1", "--out", out2];
    const run = spawnSync("mpirun", [...localMpirunArgs(2), process.execPath, cli, ...flags], { encoding: "utf8", timeout: 300_000 });
    assert.equal(run.status, 0, run.stderr + run.stdout);
    const again = JSON.parse(fs.readFileSync(path.join(out2, "metrics.json"), "utf8"));
    assert.deepEqual(again.training.merged, metrics.training.merged, "same training, epoch by epoch");
    assert.deepEqual([again.window, again.sequence], [metrics.window, metrics.sequence]);
    assert.deepEqual(again.training.cluster.placement.map((p: { rank: number }) => p.rank), [0, 1]);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test("pipeline --cluster mpi --mode hogwild --push gradients: metrics.json holds the threads' and the ranks' staleness and the rule across ranks", { skip: unavailable() }, async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "pipeline-cluster-push-"));
  const small = { ...PLAIN_PIPELINE_OPTIONS, data: path.join(tmp, "data"), epochs: 2, window: 16, stride: 8, folds: 2, ensemble: 1, out: path.join(tmp, "out") };
  try {
    writeUrfdFolder(small.data, generateSynthetic({ seed: 4, falls: 6, adls: 6 }));
    await runPipeline({ ...small, cluster: "mpi", ranks: 2, workersPerRank: 2, mode: "hogwild", push: "gradients" }, { log: () => undefined });
    const t = JSON.parse(fs.readFileSync(path.join(small.out, "metrics.json"), "utf8")).training;
    assert.match(t.averaging, /one shared Adam state.*across ranks: each rank pushes its weights' change to rank 0's store every 2 batches of its threads .*without a lock; each rank's threads step that rank's own Adam state/);
    const batches = t.workers.reduce((a: number, w: { history: { loss: number[] } }) => a + w.history.loss.length, 0);
    assert.ok(t.staleness.pushes >= batches, `every thread's every batch is a push: ${JSON.stringify(t.staleness)} over ${batches} worker-epochs`);
    // Rank 1 pushes once every 2 of its threads' batches, and once more at the end of each fit.
    assert.ok(t.rankStaleness.pushes >= 2 * 2 && t.rankStaleness.pushes <= t.staleness.pushes, JSON.stringify(t.rankStaleness));
    assert.equal(t.rankStaleness.dropped, 0, "the ranks' pushes are never dropped");
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test("pipeline --average-epochs 2 on an MPI job, started by the driver or by mpirun on every rank: the threads' averaged models (mode gradients)", { skip: unavailable() }, async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "pipeline-cluster-swa-"));
  try {
    const dataDir = path.join(tmp, "data");
    writeUrfdFolder(dataDir, generateSynthetic({ seed: 5, falls: 6, adls: 6 }));
    const small = { ...PLAIN_PIPELINE_OPTIONS, data: dataDir, epochs: 3, window: 16, stride: 8, folds: 2, ensemble: 1, averageEpochs: 2 };
    const weightsOf = (out: string) => [1, 2].map((k) => fs.readFileSync(path.join(out, "models", `fold-${k}`, "weights.bin")));
    await runPipeline({ ...small, out: path.join(tmp, "threads"), workers: 1 }, { log: () => undefined });
    await runPipeline({ ...small, out: path.join(tmp, "last"), workers: 1, averageEpochs: 0 }, { log: () => undefined });
    await runPipeline({ ...small, out: path.join(tmp, "ranks"), cluster: "mpi", ranks: 2, workersPerRank: 1 }, { log: () => undefined });
    const threads = weightsOf(path.join(tmp, "threads"));
    weightsOf(path.join(tmp, "ranks")).forEach((w, k) => assert.ok(w.equals(threads[k]), `fold ${k + 1}: the driver-started job's averaged weights`));
    weightsOf(path.join(tmp, "last")).forEach((w, k) => assert.ok(!w.equals(threads[k]), `fold ${k + 1}: averaged, not the last epoch's`));
    const cli = path.join(__dirname, "..", "..", "lib", "cli", "pipeline.js");
    const flags = ["--detector", "plain", "--cluster", "mpi", "--ranks", "2", "--data", dataDir, "--epochs", "3", "--average-epochs", "2", "--window", "16", "--stride", "8", "--folds", "2", "--ensemble", "1", "--out", path.join(tmp, "scheduled")];
    const run = spawnSync("mpirun", [...localMpirunArgs(2), process.execPath, cli, ...flags], { encoding: "utf8", timeout: 300_000 });
    assert.equal(run.status, 0, run.stderr + run.stdout);
    weightsOf(path.join(tmp, "scheduled")).forEach((w, k) => assert.ok(w.equals(threads[k]), `fold ${k + 1}: the scheduler-started job's averaged weights`));
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
