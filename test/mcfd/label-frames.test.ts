import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FEATURE_NAMES, FrameTable } from "../../lib/types";
import { parseUrfdCsv, readUrfdFile } from "../../lib/data/urfd-csv";
import {
  McfdAnnotation,
  fallIntervals,
  labelMcfdFrames,
  loadMcfdAnnotations,
  mcfdSequenceId,
  syntheticMcfdCsv,
  writeSyntheticMcfdCsv,
} from "../../lib/mcfd";
import { realDir, skipReal } from "./fixtures";

/** A plain table of `n` frames numbered from `first`, features = row index. */
function table(n: number, first = 1, seq = "whatever"): FrameTable {
  const nf = FEATURE_NAMES.length;
  return {
    rows: n,
    sequence: new Array<string>(n).fill(seq),
    frame: Int32Array.from({ length: n }, (_, i) => first + i),
    label: new Int8Array(n).fill(-1),
    features: Float32Array.from({ length: n * nf }, (_, i) => Math.floor(i / nf)),
    featureNames: [...FEATURE_NAMES],
  };
}

const labelsOf = (t: FrameTable) => Array.from(t.label);
const runs = (xs: number[]) => {
  const out: [number, number][] = [];
  for (const x of xs) {
    const last = out[out.length - 1];
    if (last && last[0] === x) last[1]++;
    else out.push([x, 1]);
  }
  return out;
};

test("labels: -1 before, 0 inside (inclusive), 1 after the fall; id, isFall and provenance", () => {
  const ann: McfdAnnotation = { chute: 5, cam: 3, falls: [{ start: 20, end: 29 }] };
  const input = table(60); // frames 1..60 = video indices 0..59
  const before = Array.from(input.label);
  const ds = labelMcfdFrames(input, ann, { dir: "/somewhere", files: ["/somewhere/chute05-cam3.csv"] });
  const l = labelsOf(ds.table);
  assert.deepEqual(runs(l), [[-1, 20], [0, 10], [1, 30]]);
  // Table frame 20 = video index 19 is the last -1; frame 21 = index 20 the first 0; frame 30 the last 0.
  assert.equal(l[ds.table.frame.indexOf(20)], -1);
  assert.equal(l[ds.table.frame.indexOf(21)], 0);
  assert.equal(l[ds.table.frame.indexOf(30)], 0);
  assert.equal(l[ds.table.frame.indexOf(31)], 1);
  assert.deepEqual(ds.sequences, [{ id: "mcfd-chute05-cam3", isFall: true, start: 0, length: 60 }]);
  assert.ok(ds.table.sequence.every((s) => s === "mcfd-chute05-cam3"));
  assert.equal(ds.provenance.source, "mcfd");
  assert.equal(ds.provenance.dir, "/somewhere");
  assert.deepEqual(ds.provenance.files, ["/somewhere/chute05-cam3.csv"]);
  assert.match(ds.provenance.note, /^MCFD chute 5 cam 3: falls at video frames 20-29/);
  assert.match(ds.provenance.note, /table frame = 0-based video index \+ 1/);
  // Features copied unchanged; the input is not modified.
  assert.deepEqual(Array.from(ds.table.features), Array.from(input.features));
  assert.deepEqual(Array.from(input.label), before);
  assert.equal(input.sequence[0], "whatever");
});

test("labels: frameBase 0 shifts by one; sequences may start late and have gaps", () => {
  const ann: McfdAnnotation = { chute: 1, cam: 1, falls: [{ start: 20, end: 29 }] };
  const ds0 = labelMcfdFrames(table(60, 0), ann, { frameBase: 0 });
  assert.deepEqual(runs(labelsOf(ds0.table)), [[-1, 20], [0, 10], [1, 30]]);
  // Frames 10, 25, 40 only (with gaps): -1, 0, 1.
  const t = table(3);
  t.frame = Int32Array.from([11, 26, 41]);
  assert.deepEqual(labelsOf(labelMcfdFrames(t, ann).table), [-1, 0, 1]);
});

test("labels: a chute without a fall is all -1 and not a fall sequence", () => {
  const ds = labelMcfdFrames(table(40), { chute: 24, cam: 2, falls: [] });
  assert.ok(labelsOf(ds.table).every((l) => l === -1));
  assert.equal(ds.sequences[0].isFall, false);
  assert.equal(ds.sequences[0].id, "mcfd-chute24-cam2");
  assert.match(ds.provenance.note, /no fall \(ADL-like scenario\)/);
});

test("labels: two falls; lyingFrames caps the 1 segment after each", () => {
  const ann: McfdAnnotation = { chute: 23, cam: 8, falls: [{ start: 10, end: 14 }, { start: 40, end: 44 }] };
  const all = labelMcfdFrames(table(60, 0), ann, { frameBase: 0 });
  assert.deepEqual(runs(labelsOf(all.table)), [[-1, 10], [0, 5], [1, 25], [0, 5], [1, 15]]);
  assert.match(all.provenance.note, /gets up between the falls/);
  const capped = labelMcfdFrames(table(60, 0), ann, { frameBase: 0, lyingFrames: 5 });
  assert.deepEqual(runs(labelsOf(capped.table)), [[-1, 10], [0, 5], [1, 5], [-1, 20], [0, 5], [1, 5], [-1, 10]]);
});

test("labels: inputs are validated", () => {
  const ann: McfdAnnotation = { chute: 5, cam: 3, falls: [{ start: 20, end: 29 }] };
  // The table ends before the fall: refuse rather than return a fall sequence without a 0.
  assert.throws(() => labelMcfdFrames(table(15), ann), /mcfd-chute05-cam3: the annotated fall\(s\) at video frames 20-29 .* misaligned/);
  assert.equal(labelMcfdFrames(table(15), ann, { requireFallFrames: false }).sequences[0].isFall, true);
  const two = table(4);
  two.sequence[3] = "other";
  assert.throws(() => labelMcfdFrames(two, ann, { requireFallFrames: false }), /one video \(one sequence\), got 2/);
  const back = table(4);
  back.frame[2] = 1;
  assert.throws(() => labelMcfdFrames(back, ann, { requireFallFrames: false }), /frames must increase/);
  assert.throws(() => labelMcfdFrames(table(40), { chute: 25, cam: 1, falls: [] }), /chute must be 1\.\.24/);
  assert.throws(() => labelMcfdFrames(table(40), { chute: 1, cam: 1, falls: [{ start: 9, end: 3 }] }), /start <= end/);
  assert.equal(mcfdSequenceId(12, 8), "mcfd-chute12-cam8");
});

test("synthetic MCFD CSV: URFD schema, unlabelled, a quick drop of H and HHmaxRatio at the fall", () => {
  const ann: McfdAnnotation = { chute: 5, cam: 3, falls: [{ start: 100, end: 125 }] };
  const text = syntheticMcfdCsv({ annotation: ann, frames: 260, seed: 3 });
  assert.equal(text, syntheticMcfdCsv({ annotation: ann, frames: 260, seed: 3 }), "seeded output is reproducible");
  assert.ok(text.split("\n")[0].split(",").length === 11);
  const t = parseUrfdCsv(text, "synthetic.csv"); // the URFD reader accepts it
  assert.equal(t.rows, 260);
  assert.equal(t.frame[0], 1);
  assert.ok(Array.from(t.label).every((l) => l === -1));
  assert.ok(t.sequence.every((s) => s === "mcfd-chute05-cam3"));
  const col = (name: string) => {
    const j = FEATURE_NAMES.indexOf(name as (typeof FEATURE_NAMES)[number]);
    return (a: number, b: number) => {
      let s = 0;
      for (let i = a; i < b; i++) s += t.features[i * FEATURE_NAMES.length + j];
      return s / (b - a);
    };
  };
  const H = col("H");
  const hh = col("HHmaxRatio");
  assert.ok(H(0, 100) > 1400 && H(126, 260) < 650, `H ${H(0, 100)} -> ${H(126, 260)}`);
  assert.ok(hh(0, 100) > 0.75 && hh(126, 260) < 0.4);
  // The drop happens inside the annotated frames: halfway through the fall H is between the levels.
  assert.ok(H(110, 116) < H(0, 100) && H(110, 116) > H(126, 260));

  // Labelled with the same annotation: -1 / 0 / 1 exactly at the annotated frames.
  const ds = labelMcfdFrames(t, ann);
  assert.deepEqual(runs(labelsOf(ds.table)), [[-1, 100], [0, 26], [1, 134]]);
});

test("synthetic MCFD CSV: file round trip, two falls, no fall, bad options", () => {
  const dir = mkdtempSync(join(tmpdir(), "mcfd-synth-"));
  const ann: McfdAnnotation = { chute: 23, cam: 1, falls: [{ start: 50, end: 70 }, { start: 300, end: 330 }] };
  const file = writeSyntheticMcfdCsv(join(dir, "c23.csv"), { annotation: ann });
  const t = readUrfdFile(file);
  rmSync(dir, { recursive: true, force: true });
  assert.equal(t.rows, 330 + 150);
  const hAt = (i: number) => t.features[i * FEATURE_NAMES.length + FEATURE_NAMES.indexOf("H")];
  assert.ok(hAt(200) > 1300, "the person is up again between the falls");
  assert.ok(hAt(400) < 800, "and lying after the second fall");
  const none = parseUrfdCsv(syntheticMcfdCsv({ annotation: { chute: 24, cam: 1, falls: [] } }), "none.csv");
  assert.equal(none.rows, 300);
  assert.throws(() => syntheticMcfdCsv({ annotation: ann, frames: 320 }), /must exceed the last fall's end frame 330/);
  assert.throws(() => syntheticMcfdCsv({ annotation: ann, sequence: "a,b" }), /without commas/);
});

test("real annotations -> synthetic CSV -> labels: chute 4 cam 1 has both falls labelled 0", { skip: skipReal }, () => {
  const t = loadMcfdAnnotations(realDir);
  const ann = { chute: 4, cam: 1, falls: fallIntervals(4, 1, t) };
  const ds = labelMcfdFrames(parseUrfdCsv(syntheticMcfdCsv({ annotation: ann }), "c4.csv"), ann);
  const l = labelsOf(ds.table);
  assert.equal(l.filter((x) => x === 0).length, 27 + 38);
  assert.deepEqual(runs(l).map((r) => r[0]), [-1, 0, 1, 0, 1]);
  assert.equal(ds.sequences[0].id, "mcfd-chute04-cam1");
});
