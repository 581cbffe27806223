// "Bit-for-bit reproducible" for a whole pipeline run in the default mode (whatever the default
// data-parallel mode is, 2 workers): the same command twice gives the same metrics.json once the
// timing fields and the output folder are removed, and the same saved weights; another seed
// does not (so the comparison is not vacuous). Small: generated data, 2 folds, 2 epochs.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runCli } from "../fixtures/cli";

const ARGS = ["--detector", "plain", "--synthetic", "--window", "16", "--stride", "8", "--epochs", "2", "--batch-size", "16", "--folds", "2", "--ensemble", "2"];
/** Wall-clock figures: they differ between runs by nature. */
const TIMING_KEY = /(?:Sec|Ms|Seconds|PerSec|Fraction)$/;

/** metrics.json without timing fields and without config.out (each run writes elsewhere); the removed paths are listed. */
function withoutTimings(value: unknown, at = "", removed: string[] = []): unknown {
  if (Array.isArray(value)) return value.map((v, i) => withoutTimings(v, `${at}[${i}]`, removed));
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const p = at ? `${at}.${k}` : k;
    if (TIMING_KEY.test(k) || p === "config.out") removed.push(p);
    else out[k] = withoutTimings(v, p, removed);
  }
  return out;
}

/** Every weights.bin under `dir`, in path order. */
function weightFiles(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => path.basename(f) === "weights.bin").sort().map((f) => path.join(dir, f));
}

async function run(dir: string, name: string, extra: string[] = [], args: readonly string[] = ARGS): Promise<{ metrics: unknown; removed: string[]; weights: Buffer[] }> {
  const out = path.join(dir, name);
  const r = await runCli([...args, ...extra, "--out", out]);
  assert.equal(r.code, 0, r.stderr);
  const removed: string[] = [];
  const metrics = withoutTimings(JSON.parse(fs.readFileSync(path.join(out, "metrics.json"), "utf8")), "", removed);
  const weights = weightFiles(path.join(out, "models")).map((f) => fs.readFileSync(f));
  return { metrics, removed, weights };
}

test("the same pipeline command twice (default mode, 2 workers, seed 1): identical metrics.json without timings, identical weights; seed 2 differs", { timeout: 10 * 60_000 }, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "reproducible-"));
  try {
    const a = await run(dir, "a");
    const b = await run(dir, "b");
    t.diagnostic(`left out of the comparison: ${a.removed.join(", ")}`);
    assert.ok(a.removed.includes("training.wallSec") && a.removed.includes("config.out"), "the timing fields were found and removed");
    assert.deepEqual(b.metrics, a.metrics);
    assert.equal(a.weights.length, 4);
    a.weights.forEach((w, i) => assert.ok(w.equals(b.weights[i]), `weights file ${i + 1} differs between the two runs`));
    const c = await run(dir, "c", ["--seed", "2"]);
    assert.notDeepEqual((c.metrics as { training: unknown }).training, (a.metrics as { training: unknown }).training, "seed 2 trains differently");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

// The default detector (no --detector flag), at a small shape its start models fit (T 24, 8 frames of padding): 1 LSTM
// and 1 GRU a group, the main and the start group, a window every frame; and its second detector alike on 48 frames.
const DEFAULT_ARGS = ["--synthetic", "--window", "24", "--start-models", "8", "--stride", "8", "--epochs", "2", "--batch-size", "16", "--folds", "2", "--ensemble", "1"];

test("the default detector twice (start models, LSTM and GRU, a second window): identical metrics.json without timings and identical weights, 16 files", { timeout: 10 * 60_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "reproducible-default-"));
  try {
    const a = await run(dir, "a", [], DEFAULT_ARGS);
    const b = await run(dir, "b", [], DEFAULT_ARGS);
    const config = (a.metrics as { config: Record<string, unknown> }).config;
    assert.deepEqual([config.secondModel, config.combine, config.scoreStride, config.startModels, config.secondWindow, config.secondWindowHold, config.secondWindowLevel], ["gru", "logit-mean", 1, 8, 48, 6, 0.45]);
    assert.deepEqual(b.metrics, a.metrics);
    assert.equal(a.weights.length, 16, "2 folds x (1 LSTM + 1 GRU) x (main + start group) x (two window lengths)");
    a.weights.forEach((w, i) => assert.ok(w.equals(b.weights[i]), `weights file ${i + 1} differs between the two runs`));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
