import { test } from "node:test";
import assert from "node:assert/strict";
import { makeWindows } from "../../lib/data/windows";
import { applyScaler } from "../../lib/data/scaler";
import { WindowedStream } from "../../lib/streaming";
import type { FrameDataset } from "../../lib/types";
import { frameAt, predictWindows, streamData, T, tinyModel } from "./fixtures";

/** Stream every sequence of `ds` (reset between them); returns score and scored window per (seq, lastFrame). */
function streamAll(stream: WindowedStream, ds: FrameDataset): Map<string, { p: number; x: Float32Array }> {
  const out = new Map<string, { p: number; x: Float32Array }>();
  ds.sequences.forEach((s, si) => {
    stream.reset();
    for (let r = s.start; r < s.start + s.length; r++) {
      const p = stream.push(frameAt(ds, r), ds.table.frame[r]);
      if (r - s.start < T - 1) assert.equal(p, null, "no score before T frames");
      else out.set(`${si}:${ds.table.frame[r]}`, { p: p as number, x: stream.lastWindow() });
    }
  });
  return out;
}

/** The data set without row `drop` (a missing frame inside a recording). */
function withoutRow(ds: FrameDataset, drop: number): FrameDataset {
  const t = ds.table;
  const nf = t.featureNames.length;
  const keep = Array.from({ length: t.rows }, (_, r) => r).filter((r) => r !== drop);
  const features = new Float32Array(keep.length * nf);
  keep.forEach((r, i) => features.set(t.features.subarray(r * nf, (r + 1) * nf), i * nf));
  return {
    ...ds,
    table: { ...t, rows: keep.length, sequence: keep.map((r) => t.sequence[r]), frame: Int32Array.from(keep, (r) => t.frame[r]), label: Int8Array.from(keep, (r) => t.label[r]), features },
    sequences: ds.sequences.map((s) => ({ ...s, start: s.start > drop ? s.start - 1 : s.start, length: drop >= s.start && drop < s.start + s.length ? s.length - 1 : s.length })),
  };
}

for (const kind of ["gru", "lstm"] as const) {
  test(`WindowedStream (${kind}) scores every frame exactly as model.predict scores makeWindows + applyScaler windows`, async () => {
    const { ds, scaler, windows } = streamData();
    const model = await tinyModel(kind, kind === "lstm" ? [6, 4] : [6]);
    const batch = predictWindows(model, windows);
    const streamed = streamAll(new WindowedStream(model, scaler), ds);
    assert.equal(streamed.size, windows.count, "one streamed score per stride-1 window");
    const rowSize = T * windows.F;
    for (let w = 0; w < windows.count; w++) {
      const got = streamed.get(`${windows.seq[w]}:${windows.lastFrame[w]}`);
      assert.ok(got, `window ${w} was streamed`);
      assert.deepEqual(got.x, windows.x.subarray(w * rowSize, (w + 1) * rowSize), `window ${w}: same float32 inputs, bit for bit`);
      assert.equal(got.p, batch[w], `window ${w}: same probability`);
    }
    model.dispose();
  });
}

test("WindowedStream divides diffs by the frame gap as makeWindows does (missing frame)", async () => {
  const base = streamData();
  const ds = withoutRow(base.ds, base.ds.sequences[0].start + 20);
  const windows = applyScaler(makeWindows(ds, { T, stride: 1 }), base.scaler);
  const model = await tinyModel("gru");
  const batch = predictWindows(model, windows);
  const streamed = streamAll(new WindowedStream(model, base.scaler), ds);
  for (let w = 0; w < windows.count; w++) assert.equal(streamed.get(`${windows.seq[w]}:${windows.lastFrame[w]}`)?.p, batch[w], `window ${w}`);
  model.dispose();
});

test("WindowedStream rejects a frame with the wrong number of features, a frame number that goes back, a scaler for other inputs, and use after dispose()", async () => {
  const { scaler } = streamData();
  const model = await tinyModel("gru");
  const stream = new WindowedStream(model, scaler);
  assert.throws(() => stream.push([1, 2, 3]), /8 features, got 3/);
  stream.push([1, 1, 1, 1, 1, 1, 1, 1], 10);
  assert.throws(() => stream.push([1, 1, 1, 1, 1, 1, 1, 1], 3), /frame 3 after frame 10: frame numbers must increase/);
  stream.reset();
  stream.push([1, 1, 1, 1, 1, 1, 1, 1], 3); // a new stream may start anywhere
  assert.throws(() => new WindowedStream(model, { ...scaler, featureNames: scaler.featureNames.slice().reverse() }), /streaming needs the 8 features, then their differences/);
  stream.dispose();
  assert.throws(() => stream.push([1, 1, 1, 1, 1, 1, 1, 1]), /WindowedStream was disposed/);
  assert.throws(() => stream.reset(), /WindowedStream was disposed/);
  model.dispose();
});
