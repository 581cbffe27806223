import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { findProjectRoot } from "../../lib/data/project-root";
import { readUrfdFile } from "../../lib/data/urfd-csv";
import { makeWindows } from "../../lib/data/windows";
import { applyScaler } from "../../lib/data/scaler";
import { evaluateAll } from "../../lib/evaluate";
import { fallIntervals, labelMcfdFrames, loadMcfdAnnotations } from "../../lib/mcfd";
import { loadModelFiles } from "../../lib/model/io";
import { STRIDE, T, THRESHOLD, validateFixture, ValidateFixture } from "./fixtures";

const CLI = path.join(findProjectRoot(), "dist", "lib", "cli", "validate.js");

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? -1) : 0, stdout, stderr });
    });
  });
}

/** A failure prints exactly one line, "validate: …", and no stack trace. */
function assertOneLine(r: { stderr: string; stdout: string }, pattern: RegExp): void {
  const lines = r.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, `one line on stderr, got:\n${r.stderr}`);
  assert.match(lines[0], /^validate: /);
  assert.match(lines[0], pattern);
  assert.doesNotMatch(r.stderr + r.stdout, /\n\s+at /, "no stack trace");
}

let f: ValidateFixture;
before(async () => {
  f = await validateFixture();
});
after(() => f.cleanup());

test("validate scores an MCFD-like video, prints window and recording metrics, and --out holds what Node computes", async () => {
  const out = path.join(f.root, "result.json");
  const r = await run(["--model", f.modelDir, "--data", f.fallCsv, "--chute", "5", "--cam", "3", "--annotations", f.annotations, "--out", out]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^threshold: 0\.45 \(preprocessing\.json\)$/m);
  assert.match(r.stdout, /^windows: \d+ \(\d+ fall\): AUC /m);
  assert.match(r.stdout, /^recording mcfd-chute05-cam3 \(fall\): max window probability /m);
  const json = JSON.parse(fs.readFileSync(out, "utf8"));
  // The same steps in this process: label, window, scale, predict, evaluate.
  const falls = fallIntervals(5, 3, loadMcfdAnnotations(f.annotations));
  const ds = labelMcfdFrames(readUrfdFile(f.fallCsv), { chute: 5, cam: 3, falls });
  const ws = applyScaler(makeWindows(ds, { T, stride: STRIDE }), f.preprocessing.scaler);
  const model = await loadModelFiles(f.modelDir);
  const probs = tf.tidy(() => (model.predict(tf.tensor3d(ws.x, [ws.count, T, ws.F])) as tf.Tensor).dataSync() as Float32Array);
  model.dispose();
  assert.equal(json.windows.count, ws.count);
  assert.ok(json.windows.fall > 0 && json.windows.fall < ws.count, "both classes among the windows");
  assert.deepEqual(json.windows.lastFrame, Array.from(ws.lastFrame));
  json.windows.probability.forEach((p: number, i: number) => assert.ok(Math.abs(p - probs[i]) < 1e-6, `window ${i}`));
  assert.deepEqual(json.evaluation, JSON.parse(JSON.stringify(evaluateAll(Float32Array.from(json.windows.probability), ws, THRESHOLD))));
  assert.equal(json.thresholdSource, "preprocessing.json");
});

test("--threshold overrides the saved one; without --out nothing is written; a no-fall chute works", async () => {
  const before = fs.readdirSync(f.root).sort();
  const r = await run(["--model", f.modelDir, "--data", f.adlCsv, "--chute", "24", "--cam", "3", "--annotations", f.annotations, "--threshold", "1"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^threshold: 1 \(--threshold\)$/m);
  assert.match(r.stdout, /^windows: \d+ \(0 fall\): AUC n\/a/m);
  assert.match(r.stdout, /recording mcfd-chute24-cam3 \(no fall\): .* -> no fall detected \(right\)/);
  assert.deepEqual(fs.readdirSync(f.root).sort(), before);
  assert.deepEqual(fs.readdirSync(f.modelDir).sort(), ["distributed.json", "model.json", "preprocessing.json", "weights.bin"]);
});

test("bad command lines exit 2 with one line", async () => {
  const base = ["--model", f.modelDir, "--data", f.fallCsv];
  const cases: [string[], RegExp][] = [
    [[], /missing --model, --data, --chute, --cam/],
    [[...base, "--chute", "25", "--cam", "3"], /--chute expects an integer in 1\.\.24, got "25"/],
    [[...base, "--chute", "5", "--cam", "3", "--threshold", "high"], /--threshold expects a number in \[0, 1\]/],
    [[...base, "--chute", "5", "--cam", "3", "--epochs", "2"], /unknown option "--epochs"/],
    [[...base, "--chute", "5", "--chute", "6", "--cam", "3"], /--chute given twice/],
  ];
  for (const [args, pattern] of cases) {
    const r = await run(args);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assertOneLine(r, pattern);
  }
  const help = await run(["--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^Usage: validate --model DIR --data FILE --chute N --cam M/); // commander's generated help
});

test("bad files exit 1 with one line naming the file", async () => {
  const bare = path.join(f.root, "bare-model");
  fs.mkdirSync(bare);
  for (const name of ["model.json", "weights.bin", "distributed.json"]) fs.copyFileSync(path.join(f.modelDir, name), path.join(bare, name));
  const wrongT = path.join(f.root, "wrong-t");
  fs.cpSync(f.modelDir, wrongT, { recursive: true });
  const pre = JSON.parse(fs.readFileSync(path.join(wrongT, "preprocessing.json"), "utf8"));
  fs.writeFileSync(path.join(wrongT, "preprocessing.json"), JSON.stringify({ ...pre, window: { ...pre.window, T: 16 } }));
  const broken = path.join(f.root, "broken.csv");
  fs.writeFileSync(broken, fs.readFileSync(f.fallCsv, "utf8").replace(/\n(.*?),(\d+),-1,/, "\n$1,$2,-1,abc,"));
  const missing = path.join(f.root, "absent.csv");
  const args = (model: string, data: string, chute = "5") => ["--model", model, "--data", data, "--chute", chute, "--cam", "3", "--annotations", f.annotations];
  const cases: [string[], RegExp][] = [
    [args(f.modelDir, missing), new RegExp(`${missing.replace(/[.\\/]/g, "\\$&")}: cannot read`)],
    [args(f.modelDir, broken), new RegExp(`broken\\.csv:2: `)],
    [args(bare, f.fallCsv), /bare-model\/preprocessing\.json: not found/],
    [args(wrongT, f.fallCsv), /wrong-t\/preprocessing\.json: window\.T is 16 but the model takes windows of 8 frames/],
    [args(path.join(f.root, "no-model"), f.fallCsv), /no-model\/distributed\.json: cannot read \(ENOENT\)/],
    [args(f.modelDir, f.adlCsv), /chute24-cam3\.csv: mcfd-chute05-cam3: the annotated fall\(s\) .* contain none of the table's frames/],
  ];
  for (const [a, pattern] of cases) {
    const r = await run(a);
    assert.equal(r.code, 1, `${a.join(" ")}: ${r.stderr}`);
    assertOneLine(r, pattern);
  }
});
