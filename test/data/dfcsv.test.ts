import { test } from "node:test";
import assert from "node:assert/strict";
import { parseDfCsv } from "../../lib/data/dfcsv";
import { DataError } from "../../lib/data/errors";

test("df.csv: good rows give tokens rows×N and labels", () => {
  const d = parseDfCsv("1,2,3,0\r\n4,5,-6,1\n7,8,9,1\n", "df.csv");
  assert.equal(d.rows, 3);
  assert.equal(d.width, 3);
  assert.deepEqual(Array.from(d.tokens), [1, 2, 3, 4, 5, -6, 7, 8, 9]);
  assert.ok(d.tokens instanceof Int32Array);
  assert.deepEqual(Array.from(d.labels), [0, 1, 1]);
  assert.ok(d.labels instanceof Float32Array);
});

function rejects(text: string, prefix: string, words: RegExp): void {
  assert.throws(
    () => parseDfCsv(text, "df.csv"),
    (e: unknown) => e instanceof DataError && e.message.startsWith(prefix) && words.test(e.problem),
  );
}

test("df.csv: a row of another length names its line", () => {
  rejects("1,2,3,0\n4,5,1\n", "df.csv:2: ", /expected 4 columns like line 1, got 3/);
  rejects("1,2,3,0\n4,5,6,1\n4,5,6,7,1\n", "df.csv:3: ", /got 5/);
});

test("df.csv: label must be 0 or 1", () => {
  rejects("1,2,3,0\n4,5,6,2\n", "df.csv:2: ", /label must be 0 or 1, got "2"/);
  rejects("1,2,3,-1\n", "df.csv:1: ", /label must be 0 or 1/);
});

test("df.csv: tokens must be integers; empty file", () => {
  rejects("1,2.5,3,0\n", "df.csv:1: ", /token 2 is not an integer/);
  rejects("1,,3,0\n", "df.csv:1: ", /token 2 is empty/);
  rejects("", "df.csv: ", /file is empty/);
  rejects("\n\n", "df.csv: ", /file is empty/);
});
