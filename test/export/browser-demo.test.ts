import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { pageWindows, runBrowserDemo, writeBrowserDemo } from "../../lib/export";
import { CHROMIUM, findExternalScripts } from "../../lib/notebook/html-check";
import { predictWindows } from "../streaming/fixtures";
import { exportFixture, STRIDE } from "./fixtures";
import { DEFAULT_DIFF_LAGS } from "../../lib/data/windows";
import { saveModelFiles } from "../../lib/model/io";
import { buildRnnModel } from "../../lib/model/rnn";
import { meanProbabilities } from "../../lib/pipeline/train-fold";
import { smoothScores } from "../../lib/evaluate/smoothing";
import { recordingAlarms, refractoryFrames } from "../../lib/detect";
import { F, T } from "../streaming/fixtures";
import { generateSynthetic, loadUrfd, readWindowSet, writeUrfdFolder } from "../../lib/data";
import { PLAIN_PIPELINE_OPTIONS } from "../../lib/pipeline/options";
import { runPipeline } from "../../lib/pipeline/run-pipeline";
import { readPreprocessing } from "../../lib/export/preprocessing";
import type { Scaler } from "../../lib/data/scaler";
import { FallDetector } from "../../lib/detect/detector";
import { replayDataset } from "../../lib/detect/replay-dataset";

/** A second tiny GRU like the fixture's, from another seed. */
async function tinyModelSeeded(seed: number): Promise<tf.LayersModel> {
  return buildRnnModel({ kind: "gru", timesteps: T, features: F, units: [6], dropout: 0.2, seed });
}

const tmp = (p: string) => fs.mkdtempSync(path.join(os.tmpdir(), p));

/** A custom IOHandler over the demo folder's files, as a browser's http loader would read them. */
function folderHandler(dir: string): tf.io.IOHandler {
  return {
    load: async () => {
      const json = JSON.parse(fs.readFileSync(path.join(dir, "model.json"), "utf8"));
      const manifest = json.weightsManifest[0];
      const bin = fs.readFileSync(path.join(dir, manifest.paths[0]));
      return {
        modelTopology: json.modelTopology,
        weightSpecs: manifest.weights,
        weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength),
      };
    },
  };
}

test("pageWindows (the page's windowing) gives makeWindows + applyScaler inputs bit for bit", async () => {
  const f = await exportFixture();
  try {
    const w = pageWindows(f.sequence.features, f.sequence.frames, f.scaler, 8, STRIDE, [...DEFAULT_DIFF_LAGS]);
    assert.equal(w.count, f.windows.count);
    assert.deepEqual(w.x, f.windows.x);
    assert.deepEqual(w.lastFrame, Array.from(f.windows.lastFrame));
  } finally {
    f.cleanup();
  }
});

test("writeBrowserDemo: files, no CDN, and the copied model loads (custom IOHandler) with identical predictions", async () => {
  const f = await exportFixture();
  const out = tmp("export-demo-");
  try {
    const demo = writeBrowserDemo(f.modelDir, out, { sequence: f.sequence, scaler: f.scaler, stride: STRIDE });
    assert.deepEqual(fs.readdirSync(out).sort(), ["index.html", "model.json", "tf.min.js", "weights.bin"]);
    assert.deepEqual([demo.T, demo.F, demo.windows], [8, 24, f.windows.count]);
    const html = fs.readFileSync(path.join(out, "index.html"), "utf8");
    assert.deepEqual(findExternalScripts(html), [], "no script from the network");
    assert.match(html, /<script src="tf\.min\.js"><\/script>/);
    const loaded = await tf.loadLayersModel(folderHandler(out));
    assert.deepEqual(predictWindows(loaded, f.windows), f.expected);
    loaded.dispose();
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
    f.cleanup();
  }
});

test("writeBrowserDemo rejects a sequence shorter than a window and a scaler of the wrong size", async () => {
  const f = await exportFixture();
  const out = tmp("export-bad-");
  try {
    const short = { id: "short", features: f.sequence.features.slice(0, 7) };
    assert.throws(() => writeBrowserDemo(f.modelDir, out, { sequence: short, scaler: f.scaler }), /7 frames, fewer than one window of 8/);
    const scaler = { ...f.scaler, mean: f.scaler.mean.slice(0, 8), std: f.scaler.std.slice(0, 8) };
    assert.throws(() => writeBrowserDemo(f.modelDir, out, { sequence: f.sequence, scaler }), /scaler has 8 features, the model takes 24/);
    assert.throws(() => writeBrowserDemo(path.join(out, "nope"), out, { sequence: f.sequence, scaler: f.scaler }), /nope.model\.json: cannot read/);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
    f.cleanup();
  }
});

test("the page served over http://127.0.0.1 scores the windows in headless Chromium as Node does", async (t) => {
  if (!fs.existsSync(CHROMIUM)) {
    t.skip(`${CHROMIUM} not found: browser check skipped`);
    return;
  }
  const f = await exportFixture();
  const out = tmp("export-browser-");
  try {
    writeBrowserDemo(f.modelDir, out, { sequence: f.sequence, scaler: f.scaler, stride: STRIDE });
    const r = await runBrowserDemo(out);
    assert.equal(r.done, "1", `page finished (status: ${r.status})`);
    assert.ok(r.result);
    assert.equal(r.result.backend, "cpu");
    assert.equal(r.result.id, f.sequence.id);
    assert.deepEqual(r.result.lastFrame, Array.from(f.windows.lastFrame));
    assert.equal(r.result.scores.length, f.expected.length);
    const diff = Math.max(...r.result.scores.map((s, i) => Math.abs(s - f.expected[i])));
    t.diagnostic(`${f.expected.length} windows, max |browser cpu − node ${tf.getBackend()}| = ${diff.toExponential(2)}`);
    // Measured 5.96e-8 (one float32 step below 1, 2^-24); the bound allows 4 such steps, not 1e-5.
    assert.ok(diff <= 4 * 2 ** -24, `browser and Node agree within 4 float32 steps, 2.4e-7 (max diff ${diff})`);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
    f.cleanup();
  }
});

test("an ensemble folder in the page: members averaged, alarms from lib/detect's alarmLogic as Node computes them", async (t) => {
  if (!fs.existsSync(CHROMIUM)) {
    t.skip(`${CHROMIUM} not found: browser check skipped`);
    return;
  }
  const f = await exportFixture();
  const out = tmp("export-ensemble-");
  const ens = tmp("export-members-");
  const other = await tinyModelSeeded(23);
  try {
    await saveModelFiles(f.model, path.join(ens, "member-1"));
    await saveModelFiles(other, path.join(ens, "member-2"));
    const mean = meanProbabilities([f.expected, predictWindows(other, f.windows)]);
    const smoothed = smoothScores(mean, f.windows, 2);
    const sorted = [...new Set(smoothed)].sort((a, b) => a - b);
    const threshold = (sorted[sorted.length - 3] + sorted[sorted.length - 2]) / 2;
    const demo = writeBrowserDemo(ens, out, { sequence: f.sequence, scaler: f.scaler, stride: STRIDE, alarms: { threshold, smooth: 2, refractorySec: 0.2 } });
    assert.equal(demo.members, 2);
    assert.deepEqual(fs.readdirSync(out).sort(), ["index.html", "member-1.bin", "member-1.json", "member-2.bin", "member-2.json", "tf.min.js"]);
    const r = await runBrowserDemo(out);
    assert.equal(r.done, "1", `page finished (status: ${r.status})`);
    assert.ok(r.result && r.result.smoothed && r.result.alarms);
    assert.equal(r.result.members, 2);
    const diff = Math.max(...r.result.scores.map((s, i) => Math.abs(s - mean[i])));
    assert.ok(diff <= 1e-5, `the page's member mean equals Node's to 1e-5 (max diff ${diff})`);
    // The page's alarms on its own scores are what the Node alarm logic gives on them.
    const want = recordingAlarms(r.result.lastFrame, r.result.scores, { threshold, smooth: 2, refractoryFrames: refractoryFrames(0.2), fps: 30 });
    assert.deepEqual(r.result.smoothed, Array.from(want.scores));
    assert.deepEqual(r.result.alarms, want.alarms);
    assert.ok(want.alarms.length > 0, "the threshold leaves alarms to compare");
    // And the same alarms as Node's own probabilities give.
    assert.deepEqual(r.result.alarms.map((a) => a.frame), recordingAlarms(Array.from(f.windows.lastFrame), mean, { threshold, smooth: 2, refractoryFrames: 6, fps: 30 }).alarms.map((a) => a.frame));
    assert.match(r.status, /by 2 model\(s\).*alarm\(s\) at frame/);
  } finally {
    other.dispose();
    fs.rmSync(out, { recursive: true, force: true });
    fs.rmSync(ens, { recursive: true, force: true });
    f.cleanup();
  }
});

/** A synthetic 2-fold run with `extra` options; fold 1's first test fall as a page's recording. */
async function runForPage(work: string, extra: Partial<typeof PLAIN_PIPELINE_OPTIONS>) {
  const dataDir = path.join(work, "data");
  writeUrfdFolder(dataDir, generateSynthetic({ seed: 6, falls: 6, adls: 6 }));
  const run = path.join(work, "run");
  await runPipeline({ ...PLAIN_PIPELINE_OPTIONS, data: dataDir, workers: 1, epochs: 2, window: 16, stride: 4, scoreStride: 1, smooth: 1, thresholdMidpoint: "logit", folds: 2, ensemble: 1, startModels: 8, ...extra, out: run }, { log: () => {} });
  const fold = path.join(run, "models", "fold-1");
  const ds = loadUrfd(dataDir);
  const test = readWindowSet(path.join(run, "arrow", "fold-1", "test.arrow"));
  const id = [...new Set(Array.from(test.seq, (s) => test.sequenceIds[s]))].find((x) => x.startsWith("fall"))!;
  const seq = ds.sequences.find((s) => s.id === id)!;
  const nf = ds.table.featureNames.length;
  const rows = Array.from({ length: seq.length }, (_, r) => seq.start + r);
  const sequence = { id, features: rows.map((r) => Array.from(ds.table.features.subarray(r * nf, (r + 1) * nf))), frames: rows.map((r) => ds.table.frame[r]) };
  return { fold, ds, id, sequence };
}

/** The page of `fold` for that recording, run in headless Chromium, beside FallDetector's replay of it: the same windows. */
async function pageBesideDetector(run: Awaited<ReturnType<typeof runForPage>>, scaler: Scaler, out: string) {
  const demo = writeBrowserDemo(run.fold, out, { sequence: run.sequence, scaler });
  const detector = await FallDetector.fromDir(run.fold);
  const [node] = replayDataset(detector, run.ds, { ids: [run.id] });
  detector.dispose();
  const r = await runBrowserDemo(out);
  assert.equal(r.done, "1", `page finished (status: ${r.status})`);
  assert.ok(r.result && r.result.smoothed && r.result.alarms);
  assert.equal(demo.windows, node.windows.length, "writeBrowserDemo counts the windows the page scores");
  assert.deepEqual(r.result.lastFrame, node.windows.map((w) => w.frame), "the same windows: the start models' first, then every full one");
  return { demo, node, result: { ...r.result, smoothed: r.result.smoothed, alarms: r.result.alarms } };
}

const maxDiff = (a: number[], b: number[]) => Math.max(...a.map((x, i) => Math.abs(x - b[i])));

test("the README's deployment detector in the page: start models, LSTM and GRU by their mean log-odds, as FallDetector replays the recording", { timeout: 10 * 60_000 }, async (t) => {
  if (!fs.existsSync(CHROMIUM)) {
    t.skip(`${CHROMIUM} not found: browser check skipped`);
    return;
  }
  const work = tmp("export-deploy-");
  try {
    const run = await runForPage(work, { secondModel: "gru", combine: "logit-mean" });
    const { fold, sequence, id } = run;
    const pre = readPreprocessing(path.join(fold, "member-1"));
    const out = path.join(work, "page");
    const { demo, node, result } = await pageBesideDetector(run, pre.scaler, out);
    assert.equal(demo.members, 4, "2 main and 2 start models");
    assert.ok(fs.readdirSync(out).includes("start-member-2.json"));
    assert.throws(() => writeBrowserDemo(fold, path.join(work, "x"), { sequence, scaler: pre.scaler, alarms: { threshold: 0.6, smooth: 1 } }), /takes their two thresholds from the folder/);
    assert.equal(result.members, 4);
    assert.ok(maxDiff(result.scores, node.windows.map((w) => w.probability)) <= 1e-5, "the combined probabilities agree to 1e-5");
    assert.ok(maxDiff(result.smoothed, node.windows.map((w) => w.score)) <= 1e-5, "the scores aligned to the two thresholds agree to 1e-5");
    assert.deepEqual(result.alarms.map((a) => a.frame), node.alarms.map((a) => a.frame), "the same alarms");
    assert.ok(node.windows[0].frame < sequence.frames[15], "the stream starts before T = 16 real frames: start windows are compared");

    // A recording shorter than T: only start windows, in the page as in the detector.
    const short = { id: `${id}-short`, features: sequence.features.slice(0, 12), frames: sequence.frames.slice(0, 12) };
    const shortOut = path.join(work, "short");
    const shortDemo = writeBrowserDemo(fold, shortOut, { sequence: short, scaler: pre.scaler });
    const det = await FallDetector.fromDir(fold);
    const steps = short.features.flatMap((f, i) => det.push(f, short.frames[i]) ?? []);
    det.dispose();
    assert.equal(shortDemo.windows, steps.length);
    assert.equal(steps.length, 5, "windows of 8..12 real frames");
    const rs = await runBrowserDemo(shortOut);
    assert.equal(rs.done, "1", `short page finished (status: ${rs.status})`);
    assert.deepEqual(rs.result!.lastFrame, steps.map((x) => x.frame));
    assert.ok(maxDiff(rs.result!.smoothed!, steps.map((x) => x.score)) <= 1e-5);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
});

test("a --second-window detector in the page: both detectors' streams joined by the lower score (and by min-agree and min-agree-mean, held or not), as FallDetector replays the recording", { timeout: 10 * 60_000 }, async (t) => {
  if (!fs.existsSync(CHROMIUM)) {
    t.skip(`${CHROMIUM} not found: browser check skipped`);
    return;
  }
  const work = tmp("export-second-");
  try {
    const run = await runForPage(work, { secondWindow: 24, secondWindowRule: "min" });
    const pre = readPreprocessing(run.fold);
    const out = path.join(work, "page");
    const { demo, node, result } = await pageBesideDetector(run, pre.scaler, out);
    assert.equal(demo.members, 4, "each detector's main and start model");
    assert.ok(["second-member-1.json", "second-start-member-1.json"].every((f) => fs.readdirSync(out).includes(f)));
    assert.equal(result.members, 4);
    assert.ok(maxDiff(result.smoothed, node.windows.map((w) => w.score)) <= 1e-5, "the joined scores agree to 1e-5");
    assert.deepEqual(result.alarms.map((a) => a.frame), node.alarms.map((a) => a.frame), "the same alarms");

    // The same two detectors joined by min-agree (the rule is preprocessing.json's): the page follows the detector again.
    const first = path.join(run.fold, "preprocessing.json");
    const agree = JSON.parse(fs.readFileSync(first, "utf8"));
    agree.secondWindow.rule = "min-agree";
    fs.writeFileSync(first, JSON.stringify(agree));
    const again = await pageBesideDetector(run, pre.scaler, path.join(work, "page-agree"));
    assert.ok(maxDiff(again.result.smoothed, again.node.windows.map((w) => w.score)) <= 1e-5, "min-agree's joined scores agree to 1e-5");
    assert.ok(maxDiff(again.result.smoothed, result.smoothed) > 1e-4, "and differ from min's");
    assert.deepEqual(again.result.alarms.map((a) => a.frame), node.alarms.map((a) => a.frame), "min's alarms");

    // preprocessing.json's secondWindow changed as `change` says: the page follows FallDetector, and moves from `before`.
    const follows = async (change: Record<string, unknown>, dir: string, what: string, before: typeof again) => {
      Object.assign(agree.secondWindow, change);
      fs.writeFileSync(first, JSON.stringify(agree));
      const page = await pageBesideDetector(run, pre.scaler, path.join(work, dir));
      assert.ok(maxDiff(page.result.smoothed, page.node.windows.map((w) => w.score)) <= 1e-5, `${what}: the joined scores agree to 1e-5`);
      assert.deepEqual(page.result.alarms.map((a) => a.frame), page.node.alarms.map((a) => a.frame), `${what}: the alarms`);
      assert.ok(maxDiff(page.result.smoothed, before.result.smoothed) > 0, `${what} moved some score (it is not vacuous)`);
      return page;
    };
    // Held 12 frames (the hold), then the second at level 0.4 (the level): the page holds and lowers as FallDetector does.
    const held = await follows({ hold: 12 }, "page-held", "the hold", again);
    const lowered = await follows({ level: 0.4 }, "page-level", "the level", held);
    // min-agree-mean: the same alarms, the disagreeing frames ranked by both.
    await follows({ rule: "min-agree-mean" }, "page-agree-mean", "min-agree-mean", lowered);

    // A second detector padded otherwise would score other frames: the page is not written.
    const startPre = path.join(run.fold, "window-24", "start", "preprocessing.json");
    const doctored = JSON.parse(fs.readFileSync(startPre, "utf8"));
    doctored.window.padStarts = 15;
    fs.writeFileSync(startPre, JSON.stringify(doctored));
    assert.throws(() => writeBrowserDemo(run.fold, path.join(work, "x"), { sequence: run.sequence, scaler: pre.scaler }), /window-24.*start models padded 15 times, the first's 8: they must differ by 8/);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
});
