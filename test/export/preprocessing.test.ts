import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parsePreprocessing, readPreprocessing, windowDiffLags, writePreprocessing } from "../../lib/export/preprocessing";

const scaler = { mean: [1, 2], std: [0.5, 3], featureNames: ["a", "b"] };
const good = { scaler, window: { T: 32, stride: 4, withDiffs: true }, threshold: 0.3 };

test("preprocessing.json round-trips and carries format and version", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "prep-"));
  try {
    const file = writePreprocessing(dir, good);
    const raw = JSON.parse(fs.readFileSync(file, "utf8"));
    assert.equal(raw.format, "fall-detection-preprocessing");
    assert.equal(raw.version, 1);
    assert.deepEqual(readPreprocessing(dir), good);
    fs.writeFileSync(file, "{");
    assert.throws(() => readPreprocessing(dir), new RegExp(`${file.replace(/[.\\/]/g, "\\$&")}: invalid JSON`));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("parsePreprocessing names the bad field; threshold is optional; extra top-level keys are ignored", () => {
  assert.deepEqual(parsePreprocessing({ scaler, window: good.window, note: "x" }), { scaler, window: good.window });
  assert.throws(() => parsePreprocessing({ window: good.window }), /preprocessing\.json\.scaler must be an object/);
  assert.throws(() => parsePreprocessing({ ...good, scaler: { ...scaler, std: [1, 0] } }), /scaler\.std\[1\] must be a finite number > 0/);
  assert.throws(() => parsePreprocessing({ ...good, scaler: { ...scaler, mean: [1] } }), /same length \(1, 2, 2\)/);
  assert.throws(() => parsePreprocessing({ ...good, window: { T: 32, stride: 4 } }), /window\.withDiffs must be true or false/);
  assert.throws(() => parsePreprocessing({ ...good, window: { ...good.window, T: 0 } }), /window\.T must be an integer >= 1/);
  assert.throws(() => parsePreprocessing({ ...good, window: { ...good.window, size: 3 } }), /unknown key\(s\) size/);
  assert.throws(() => parsePreprocessing({ ...good, threshold: 2 }), /threshold must be a finite number >= 0 and <= 1/);
  assert.throws(() => parsePreprocessing({ ...good, format: "other" }), /format must be "fall-detection-preprocessing"/);
});

test("window.diffLags: checked when present; absent (files from before lags) means lag 1 only", () => {
  const lagged = parsePreprocessing({ ...good, window: { ...good.window, diffLags: [1, 4] } });
  assert.deepEqual(windowDiffLags(lagged.window), [1, 4]);
  assert.deepEqual(windowDiffLags(parsePreprocessing(good).window), [1]);
  assert.deepEqual(windowDiffLags({ T: 3, stride: 1, withDiffs: false, diffLags: [1, 4] }), []);
  assert.throws(() => parsePreprocessing({ ...good, window: { ...good.window, diffLags: [4, 4] } }), /window\.diffLags: diff lags must be increasing positive integers, got \[4, 4\]/);
  assert.throws(() => parsePreprocessing({ ...good, window: { ...good.window, diffLags: 4 } }), /window\.diffLags must be an array/);
});

test("parsePreprocessing: secondWindow's hold a whole number of frames > 0 and its level an aligned score below 0.5, where given", () => {
  const withSecond = { ...good, threshold: 0.5, startModels: "start", secondWindow: { dir: "window-48", rule: "min-agree" } };
  assert.deepEqual(parsePreprocessing(withSecond).secondWindow, { dir: "window-48", rule: "min-agree" });
  assert.deepEqual(parsePreprocessing({ ...withSecond, secondWindow: { ...withSecond.secondWindow, hold: 6 } }).secondWindow, { dir: "window-48", rule: "min-agree", hold: 6 });
  for (const hold of [0, 1.5, -2, "6"]) {
    assert.throws(() => parsePreprocessing({ ...withSecond, secondWindow: { ...withSecond.secondWindow, hold } }), /preprocessing\.json\.secondWindow\.hold must be a whole number of frames > 0 \(absent: none\)/, String(hold));
  }
  assert.deepEqual(parsePreprocessing({ ...withSecond, secondWindow: { ...withSecond.secondWindow, level: 0.45 } }).secondWindow, { dir: "window-48", rule: "min-agree", level: 0.45 });
  for (const level of [0, 0.5, 0.7, -0.1, "0.45"]) {
    assert.throws(() => parsePreprocessing({ ...withSecond, secondWindow: { ...withSecond.secondWindow, level } }), /preprocessing\.json\.secondWindow\.level must be an aligned score in \(0, 0\.5\) \(absent: 0\.5\)/, String(level));
  }
});
