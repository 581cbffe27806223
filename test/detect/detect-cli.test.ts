// `npm run detect` as a user runs it (the compiled CLI in a child process) on a small generated
// recording: alarms with time and delay, --json equal to the in-process detector, one-line errors.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { findProjectRoot } from "../../lib/data/project-root";
import { generateSynthetic, urfdCsvText } from "../../lib/data";
import { readUrfdFile } from "../../lib/data/urfd-csv";
import { sequenceBlocks } from "../../lib/data/frame-table";
import { fitScaler } from "../../lib/data/scaler";
import { DEFAULT_DIFF_LAGS, makeWindows } from "../../lib/data/windows";
import { DistributedModel } from "../../lib/distributed/distributed-model";
import { Preprocessing, writePreprocessing } from "../../lib/export/preprocessing";
import { FallDetector, replayDataset } from "../../lib/detect";
import type { FrameDataset } from "../../lib/types";

const CLI = path.join(findProjectRoot(), "dist", "lib", "cli", "detect.js");
const T = 8;

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { timeout: 120_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? -1) : 0, stdout, stderr });
    });
  });
}

function assertOneLine(r: { stderr: string; stdout: string }, pattern: RegExp): void {
  const lines = r.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, `one line on stderr, got:\n${r.stderr}`);
  assert.match(lines[0], /^detect: /);
  assert.match(lines[0], pattern);
  assert.doesNotMatch(r.stderr + r.stdout, /\n\s+at /, "no stack trace");
}

let root: string;
let modelDir: string;
let csv: string;
let ds: FrameDataset;

before(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "detect-cli-"));
  const gen = generateSynthetic({ seed: 4, falls: 1, adls: 1 });
  csv = path.join(root, "recordings.csv");
  fs.writeFileSync(csv, urfdCsvText(gen, true) + urfdCsvText(gen, false));
  const table = readUrfdFile(csv);
  ds = { table, sequences: sequenceBlocks(table, false).map((s) => ({ ...s, isFall: s.id.startsWith("fall") })), provenance: { source: "urfd", dir: null, files: [csv], note: "test" } };
  const pre: Preprocessing = { scaler: fitScaler(makeWindows(ds, { T, stride: 4 })), window: { T, stride: 4, withDiffs: true, diffLags: [...DEFAULT_DIFF_LAGS] }, threshold: 0.5, smooth: 2 };
  modelDir = path.join(root, "model");
  const dm = await DistributedModel.create({
    model: { type: "rnn", options: { kind: "gru", timesteps: T, features: 8 * (1 + DEFAULT_DIFF_LAGS.length), units: [4], seed: 5 } },
    config: { mode: "synchronous", frequency: "epoch", numWorkers: 1, batchSize: 16 },
  });
  await dm.save(modelDir);
  // An untrained model: put the threshold between its scores on the fall recording so alarms occur.
  const probe = new FallDetector([dm.toModel()], { ...pre, threshold: 0 }); // not owned: dm keeps its model
  const scores = replayDataset(probe, ds).flatMap((r) => (r.isFall ? r.windows.map((w) => w.score) : []));
  const sorted = [...new Set(scores)].sort((a, b) => a - b);
  writePreprocessing(modelDir, { ...pre, threshold: (sorted[sorted.length - 3] + sorted[sorted.length - 2]) / 2 });
});
after(() => fs.rmSync(root, { recursive: true, force: true }));

test("npm run detect prints each alarm with its time and the delay after the falling segment starts", async () => {
  const r = await run(["--model", modelDir, "--data", csv]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^model: .* windows of 8 frames every 4, mean of 2 window\(s\) against threshold/m);
  assert.match(r.stdout, /^fall-01 \(fall, \d+ frames, falling frames \d+–\d+\):$/m);
  assert.match(r.stdout, /^ {2}alarm at frame \d+ \(\d+\.\d\d s\), score 0\.\d{3}, \d+ frames \(\d+\.\d\d s\) (after|before) the falling segment starts$/m);
  assert.match(r.stdout, /^summary: 1\/1 falls alarmed, median delay -?\d+ frames/m);
  // A daily activity's label-0 rows are a transition, not a fall, and an alarm there is a false alarm.
  assert.match(r.stdout, /^adl-01 \(daily activity, \d+ frames(, transition frames \d+–\d+ \(label 0\))?\):/m);
  const adl = r.stdout.slice(r.stdout.indexOf("adl-01 ("), r.stdout.indexOf("summary:"));
  assert.doesNotMatch(adl, /falling/);
  for (const line of adl.split("\n").filter((l) => l.startsWith("  alarm"))) assert.match(line, /: a false alarm$/);
});

test("npm run detect --json gives the in-process detector's alarms; --recording picks one", async () => {
  const r = await run(["--model", modelDir, "--data", csv, "--json", "--recording", "fall-01", "--refractory", "0.5"]);
  assert.equal(r.code, 0, r.stderr);
  const got = JSON.parse(r.stdout);
  assert.deepEqual(got.recordings.map((x: { id: string }) => x.id), ["fall-01"]);
  const detector = await FallDetector.fromDir(modelDir, { refractorySec: 0.5 });
  const want = replayDataset(detector, ds, { ids: ["fall-01"] });
  detector.dispose();
  assert.ok(want[0].alarms.length > 0, "the fixture raises alarms");
  assert.deepEqual(got.recordings[0].alarms, want[0].alarms);
  assert.equal(got.detection.refractorySec, 0.5);
  assert.equal(got.detection.delayFrames.perRecording["fall-01"], want[0].alarms[0].frame - want[0].fallingSegment![0]);
});

test("npm run detect: bad command lines exit 2, bad files exit 1, each with one line", async () => {
  let r = await run(["--model", modelDir]);
  assert.equal(r.code, 2);
  assertOneLine(r, /missing --data/);
  r = await run(["--model", modelDir, "--data", csv, "--frobnicate"]);
  assert.equal(r.code, 2);
  assertOneLine(r, /unknown option "--frobnicate"/);
  r = await run(["--model", modelDir, "--data", csv, "--refractory", "-3"]);
  assert.equal(r.code, 2);
  assertOneLine(r, /--refractory expects a number of seconds/);
  const bad = path.join(root, "bad.csv");
  fs.writeFileSync(bad, "fall-01,1,-1,0.5,0.5\n");
  r = await run(["--model", modelDir, "--data", bad]);
  assert.equal(r.code, 1);
  assertOneLine(r, new RegExp(`${bad.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:1: `));
  r = await run(["--model", path.join(root, "nope"), "--data", csv]);
  assert.equal(r.code, 1);
  assertOneLine(r, /nope.*cannot read/);
  r = await run(["--model", modelDir, "--data", path.join(root, "missing.csv")]);
  assert.equal(r.code, 1);
  assertOneLine(r, /missing\.csv: not found/);
  r = await run(["--model", modelDir, "--data", csv, "--recording", "fall-99"]);
  assert.equal(r.code, 1);
  assertOneLine(r, /recordings\.csv: no recording "fall-99" \(have fall-01, adl-01\)/);
});
