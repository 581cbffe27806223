import { test } from "node:test";
import assert from "node:assert/strict";
import { padRecordingStarts, windowsWithRealFrames } from "../../lib/data/pad-starts";
import { generateSynthetic } from "../../lib/data/synthetic";
import { makeWindows } from "../../lib/data/windows";
import { withFrameGap } from "../fixtures/frame-gap";

const ds = generateSynthetic({ seed: 2, falls: 2, adls: 2 });
const nf = ds.table.featureNames.length;

test("each recording gets its first frame repeated in front, numbered before it; the recording itself is unchanged", () => {
  const p = padRecordingStarts(ds, 5);
  assert.equal(p.table.rows, ds.table.rows + 5 * ds.sequences.length);
  for (const [i, s] of ds.sequences.entries()) {
    const q = p.sequences[i];
    assert.deepEqual([q.id, q.isFall, q.length], [s.id, s.isFall, s.length + 5]);
    const first = ds.table.frame[s.start];
    assert.deepEqual(Array.from(p.table.frame.subarray(q.start, q.start + 6)), [first - 5, first - 4, first - 3, first - 2, first - 1, first]);
    for (let r = 0; r < 5; r++) assert.deepEqual(p.table.features.subarray((q.start + r) * nf, (q.start + r + 1) * nf), ds.table.features.subarray(s.start * nf, (s.start + 1) * nf));
    assert.deepEqual(p.table.features.subarray((q.start + 5) * nf, (q.start + q.length) * nf), ds.table.features.subarray(s.start * nf, (s.start + s.length) * nf));
    assert.deepEqual(p.table.label.subarray(q.start + 5, q.start + q.length), ds.table.label.subarray(s.start, s.start + s.length));
  }
  assert.deepEqual(padRecordingStarts(ds, 0).table.features, ds.table.features);
  assert.throws(() => padRecordingStarts(ds, -1), /non-negative integer/);
});

test("padded windows: the unpadded windows are all there, plus earlier ones holding at least minReal real frames", () => {
  const T = 16;
  const plain = makeWindows(ds, { T, stride: 4 });
  const padded = makeWindows(padRecordingStarts(ds, T - 4), { T, stride: 4 });
  const keep = windowsWithRealFrames(padded, ds, 4);
  const ends = new Set(keep.map((i) => `${padded.sequenceIds[padded.seq[i]]}@${padded.lastFrame[i]}`));
  for (let i = 0; i < plain.count; i++) assert.ok(ends.has(`${plain.sequenceIds[plain.seq[i]]}@${plain.lastFrame[i]}`));
  assert.ok(keep.length > plain.count, "earlier windows were added");
  for (const i of keep) {
    const s = ds.sequences.find((q) => q.id === padded.sequenceIds[padded.seq[i]])!;
    assert.ok(padded.lastFrame[i] >= ds.table.frame[s.start] + 3, "at least 4 real frames");
  }
  assert.equal(windowsWithRealFrames(padded, ds, T + 1000).length, 0);
});

test("real frames are the recording's rows, not the span of its frame numbers: a skipped number does not make a padded window full", () => {
  const T = 8;
  const gap = withFrameGap(ds, 2);
  const padded = makeWindows(padRecordingStarts(gap, 4), { T, stride: 1 });
  const s = gap.sequences[0];
  const first = gap.table.frame[s.start];
  const full = new Set(windowsWithRealFrames(padded, gap, T).map((i) => `${padded.sequenceIds[padded.seq[i]]}@${padded.lastFrame[i]}`));
  // Row T - 2 ends at frame first + T - 1 (one number skipped): T frame numbers, but T - 1 rows, so not full.
  assert.equal(gap.table.frame[s.start + T - 2], first + T - 1);
  assert.ok(!full.has(`${s.id}@${first + T - 1}`), "T - 1 rows spanning T numbers: not full");
  assert.ok(full.has(`${s.id}@${gap.table.frame[s.start + T - 1]}`), "T rows: full");
});
