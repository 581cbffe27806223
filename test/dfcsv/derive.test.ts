// Deriving the original project's df.csv from URFD-schema frames, and reading it back.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { generateSynthetic, makeWindows } from "../../lib/data";
import { deriveDfCsv, dfCsvText, writeDerivedDfCsv } from "../../lib/data/dfcsv-derive";
import { readDfCsvFile, parseDfCsv } from "../../lib/data/dfcsv";
import { dfCsvWindowSet, metaFileFor, readDfCsvMeta } from "../../lib/data/dfcsv-meta";
import { DataError } from "../../lib/data/errors";
import { FrameDataset } from "../../lib/types";

function dataset(): FrameDataset {
  return generateSynthetic({ seed: 11, falls: 4, adls: 4 });
}

test("derived rows are the feature windows' rows: same count, labels, recordings and frames; the label column is not an input", () => {
  const ds = dataset();
  const d = deriveDfCsv(ds, { postures: 8, window: 16, stride: 4, seed: 2 });
  const feat = makeWindows(ds, { T: 16, stride: 4, withDiffs: false });
  assert.equal(d.windows.count, feat.count);
  assert.deepEqual(Array.from(d.windows.y), Array.from(feat.y));
  assert.deepEqual(Array.from(d.windows.seq), Array.from(feat.seq));
  assert.deepEqual(Array.from(d.windows.lastFrame), Array.from(feat.lastFrame));
  assert.equal(d.windows.F, 1);
  for (const v of d.windows.x) assert.ok(Number.isInteger(v) && v >= 0 && v < 8, `token ${v}`);
  // scrambling the annotation column changes labels, never tokens
  const scrambled = { ...ds, table: { ...ds.table, label: ds.table.label.map((l) => (l === 0 ? -1 : 0)) } };
  assert.deepEqual(Array.from(deriveDfCsv(scrambled, { postures: 8, window: 16, stride: 4, seed: 2 }).frameTokens), Array.from(d.frameTokens));
  // a row's tokens are its frames' tokens
  const s = ds.sequences[d.windows.seq[0]];
  const firstRow = s.start + s.length - 16 - 4 * (d.windows.seq.filter((q) => q === d.windows.seq[0]).length - 1);
  assert.deepEqual(Array.from(d.windows.x.subarray(0, 16)), Array.from(d.frameTokens.subarray(firstRow, firstRow + 16)));
});

test("df.csv round trip: written text parses back to the same rows, the sidecar groups them by recording", () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "dfcsv-"));
  try {
    const d = deriveDfCsv(dataset(), { postures: 6, window: 12, stride: 6, seed: 1 });
    const file = path.join(tmp, "df.csv");
    writeDerivedDfCsv(file, d, "synthetic test data");
    const df = readDfCsvFile(file, { vocabSize: 168 });
    assert.equal(df.width, 12);
    assert.equal(df.rows, d.windows.count);
    assert.deepEqual(Array.from(df.tokens), Array.from(d.windows.x));
    assert.deepEqual(Array.from(df.labels), Array.from(d.windows.y));
    const meta = readDfCsvMeta(file, df);
    assert.ok(meta);
    const ws = dfCsvWindowSet(df, meta);
    assert.deepEqual(Array.from(ws.seq), Array.from(d.windows.seq));
    assert.deepEqual(ws.sequenceIds, d.windows.sequenceIds);
    // without a sidecar every row is its own group
    fs.renameSync(metaFileFor(file), path.join(tmp, "away.json"));
    assert.equal(readDfCsvMeta(file, df), null);
    const rows = dfCsvWindowSet(df, null);
    assert.equal(new Set(rows.seq).size, df.rows);
    assert.equal(rows.sequenceIds[0], "row-1");
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test("a stale sidecar and out-of-vocabulary tokens are refused with file and line", () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "dfcsv-"));
  try {
    const d = deriveDfCsv(dataset(), { postures: 4, window: 8, stride: 8, seed: 1 });
    const file = path.join(tmp, "df.csv");
    writeDerivedDfCsv(file, d, "synthetic");
    fs.appendFileSync(file, dfCsvText(d.windows).split("\n")[0] + "\n");
    const df = readDfCsvFile(file);
    assert.throws(() => readDfCsvMeta(file, df), (e: unknown) => e instanceof DataError && /sha256 differs/.test(e.message) && e.file.endsWith(".meta.json"));
    assert.throws(() => parseDfCsv("1,2,0\n3,168,1\n", "x.csv", { vocabSize: 168 }), /x\.csv:2: token 2 is 168, outside the vocabulary 0\.\.167/);
    assert.throws(() => parseDfCsv("1,-1,0\n", "x.csv", { vocabSize: 168 }), /x\.csv:1: token 2 is -1/);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
