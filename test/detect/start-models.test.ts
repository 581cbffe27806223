// --start-models' arithmetic: which windows are the start models' own, the mixed test stream's order, all members'
// mean picked by recording and frame, each score aligned to its own group's threshold.
import { test } from "node:test";
import assert from "node:assert/strict";
import { generateSynthetic, makeWindows } from "../../lib/data";
import { alignToThreshold } from "../../lib/evaluate/align";
import { memberMean, mixedTestWindows, mixFold, startWindowIndices } from "../../lib/detect/start-models";
import type { WindowSet } from "../../lib/types";

const ds = generateSynthetic({ seed: 3, falls: 2, adls: 2 });
const T = 8;
const PAD = 4;
const main = makeWindows(ds, { T, stride: 1, withDiffs: false });
const padded = makeWindows(ds, { T, stride: 1, withDiffs: false, padStarts: PAD });
const firstFrame = new Map(ds.sequences.map((s) => [s.id, ds.table.frame[s.start]]));
const realFrames = (ws: WindowSet, i: number) => ws.lastFrame[i] - firstFrame.get(ws.sequenceIds[ws.seq[i]])! + 1;

test("the start models' windows are exactly the padded ones holding fewer than T real frames, T - PAD at least", () => {
  const early = startWindowIndices(padded, ds);
  assert.equal(early.length, ds.sequences.length * PAD, "PAD windows a recording end before its Tth frame");
  for (let i = 0; i < padded.count; i++) {
    const r = realFrames(padded, i);
    assert.equal(early.includes(i), r < T, `window ${i} (${r} real frames)`);
    assert.ok(r >= T - PAD);
  }
  assert.deepEqual(startWindowIndices(main, ds), [], "an unpadded set has none");
});

test("the mixed stream holds the start windows first, then every full window of the main group", () => {
  const { windows, early } = mixedTestWindows(main, padded, ds);
  assert.equal(windows.count, early.length + main.count);
  for (let k = 0; k < early.length; k++) assert.ok(realFrames(windows, k) < T);
  for (let k = early.length; k < windows.count; k++) assert.equal(windows.lastFrame[k], main.lastFrame[k - early.length]);
});

test("memberMean adds in float32, in member order, then divides once", () => {
  const a = Float32Array.of(0.1, 0.7);
  const b = Float32Array.of(0.2, 0.9);
  const c = Float32Array.of(0.3, 0.05);
  const m = memberMean([a, b, c], 2);
  const f = Math.fround;
  assert.deepEqual(Array.from(m), [f(f(f(f(0.1) + f(0.2)) + f(0.3)) / 3), f(f(f(f(0.7) + f(0.9)) + f(0.05)) / 3)]);
  assert.throws(() => memberMean([a, Float32Array.of(1)], 2), /holds 1 scores, expected 2/);
  assert.throws(() => memberMean([], 2), /no members/);
});

test("mixFold: full windows get all members' mean (start members picked by recording and frame), start windows the start models' own; each aligned to its threshold", () => {
  // Main members: 0.1 everywhere; start members: the window's last frame / 1000 and a constant, so a wrong pick shows.
  const mainMembers = [new Float32Array(main.count).fill(0.1)];
  const startMembers = [Float32Array.from(padded.lastFrame, (f) => f / 1000), new Float32Array(padded.count).fill(0.5)];
  const startThreshold = 0.3;
  const m = mixFold(
    { train: main, test: main, trainMembers: mainMembers, testMembers: mainMembers },
    { train: padded, test: padded, trainMembers: startMembers, testMembers: startMembers },
    ds, { startThreshold, midpoint: "logit", what: "fold 1" },
  );
  assert.ok(m.fullThreshold > 0 && m.fullThreshold < 1);
  const { early } = mixedTestWindows(main, padded, ds);
  assert.equal(m.testWindows.count, early.length + main.count);
  const startMean = memberMean(startMembers, padded.count);
  for (const [k, i] of early.entries()) assert.equal(m.testScores[k], alignToThreshold([startMean[i]], startThreshold)[0], `start window ${k}`);
  for (let i = 0; i < main.count; i++) {
    const all = memberMean([Float32Array.of(0.1), Float32Array.of(main.lastFrame[i] / 1000), Float32Array.of(0.5)], 1)[0];
    assert.equal(m.testScores[early.length + i], alignToThreshold([all], m.fullThreshold)[0], `full window ${i}`);
    assert.equal(m.trainScores[i], m.testScores[early.length + i], "train and test are the same windows here");
  }
  // A full window the start models lack: refused, naming the side.
  const missing = { ...padded, count: padded.count - 1 };
  assert.throws(
    () => mixFold({ train: main, test: main, trainMembers: mainMembers, testMembers: mainMembers }, { train: missing, test: padded, trainMembers: startMembers, testMembers: startMembers }, ds, { startThreshold, midpoint: "logit", what: "fold 2" }),
    /fold 2, training side: window .* is not among the windows it is matched with/,
  );
});
