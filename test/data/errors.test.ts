import { test } from "node:test";
import assert from "node:assert/strict";
import { DataError } from "../../lib/data/errors";

test("DataError message is file:line: problem on one line", () => {
  const e = new DataError("falls.csv", 12, "expected 11 columns, got 9");
  assert.equal(e.message, "falls.csv:12: expected 11 columns, got 9");
  assert.equal(e.file, "falls.csv");
  assert.equal(e.line, 12);
  assert.equal(e.problem, "expected 11 columns, got 9");
  assert.ok(e instanceof Error);
});

test("DataError without a line, and newlines in the problem are flattened", () => {
  assert.equal(new DataError("a.csv", null, "file is empty").message, "a.csv: file is empty");
  const e = new DataError("a.csv", 3, "bad value \"x\ny\"");
  assert.ok(!e.message.includes("\n"));
});
