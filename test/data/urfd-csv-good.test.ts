import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseUrfdCsv, readUrfdFile } from "../../lib/data/urfd-csv";
import { FEATURE_NAMES } from "../../lib/types";
import { tempDir, urfdLine } from "./fixtures";

const GOOD = [
  "fall-01,1,-1,3.1667,2.9098,0.55367,126.0258,1.0324,1899.5366,1055.9988,0.04731",
  "fall-01,2,0,3.3067,2.9699,0.47876,125.5657,1.1251,2070.1193,1065.9506,0.048175",
  "fall-01,4,1,0.5,2.5,0.5,250,0.25,470,270,1",
  "fall-02,7,-1,1e0,2,0.5,140,0.9,1600,900,0",
];

test("parses good rows into a columnar FrameTable", () => {
  const t = parseUrfdCsv(GOOD.join("\n") + "\n", "falls.csv");
  assert.equal(t.rows, 4);
  assert.deepEqual(t.sequence, ["fall-01", "fall-01", "fall-01", "fall-02"]);
  assert.deepEqual(Array.from(t.frame), [1, 2, 4, 7]);
  assert.deepEqual(Array.from(t.label), [-1, 0, 1, -1]);
  assert.deepEqual(t.featureNames, [...FEATURE_NAMES]);
  assert.equal(t.features.length, 4 * 8);
  assert.equal(t.features[0], Math.fround(3.1667));
  assert.equal(t.features[5], Math.fround(1899.5366));
  assert.equal(t.features[3 * 8], 1);
});

test("tolerates CRLF, no trailing newline and several trailing newlines", () => {
  const a = parseUrfdCsv(GOOD.join("\r\n") + "\r\n", "f.csv");
  const b = parseUrfdCsv(GOOD.join("\n"), "f.csv");
  const c = parseUrfdCsv(GOOD.join("\n") + "\n\n", "f.csv");
  for (const t of [a, b, c]) {
    assert.equal(t.rows, 4);
    assert.deepEqual(Array.from(t.features), Array.from(a.features));
  }
});

test("readUrfdFile reads a file and names it in errors", () => {
  const { dir, cleanup } = tempDir("urfd-read");
  try {
    const p = join(dir, "x.csv");
    writeFileSync(p, [urfdLine("adl-01", 1, -1), urfdLine("adl-01", 2, -1)].join("\n"));
    assert.equal(readUrfdFile(p).rows, 2);
    assert.throws(() => readUrfdFile(join(dir, "missing.csv")), (e: Error) => e.message.startsWith(join(dir, "missing.csv") + ": "));
  } finally {
    cleanup();
  }
});

test("a spreadsheet's quoted cells read as the cells unquoted (a quoted id is the same recording)", () => {
  const quoted = GOOD.map((l) => l.split(",").map((c, i) => (i === 0 || i === 4 ? `"${c}"` : c)).join(","));
  const a = parseUrfdCsv(quoted.join("\n"), "f.csv");
  const b = parseUrfdCsv(GOOD.join("\n"), "f.csv");
  assert.deepEqual(a.sequence, ["fall-01", "fall-01", "fall-01", "fall-02"]);
  assert.deepEqual(Array.from(a.features), Array.from(b.features));
  assert.throws(() => parseUrfdCsv(GOOD[0].replace("3.1667", '"3."1667"'), "f.csv"), /f\.csv:1: .*not a finite number/);
});
