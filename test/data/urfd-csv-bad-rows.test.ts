import { test } from "node:test";
import assert from "node:assert/strict";
import { DataError } from "../../lib/data/errors";
import { parseUrfdCsv } from "../../lib/data/urfd-csv";
import { urfdLine } from "./fixtures";

const ok = (f: number, seq = "fall-01", label = -1): string => urfdLine(seq, f, label);

/** Parses `lines` and expects a DataError at `line` whose message contains `words`. */
function rejects(lines: string[], line: number | null, words: RegExp): void {
  assert.throws(
    () => parseUrfdCsv(lines.join("\n"), "falls.csv"),
    (e: unknown) => {
      assert.ok(e instanceof DataError, `expected DataError, got ${String(e)}`);
      const where = line === null ? "falls.csv: " : `falls.csv:${line}: `;
      assert.ok(e.message.startsWith(where), `message ${JSON.stringify(e.message)} should start with ${where}`);
      assert.match(e.problem, words);
      assert.equal(e.line, line);
      return true;
    },
  );
}

test("wrong column count names the line and both counts", () => {
  rejects([ok(1), ok(2), "fall-01,3,-1,1,2,3,4,5,6"], 3, /^expected 11 columns, got 9$/);
  rejects([ok(1), ok(2) + ",7"], 2, /expected 11 columns, got 12/);
});

test("non-numeric, empty, NaN and Infinity feature values", () => {
  rejects([ok(1), urfdLine("fall-01", 2, -1, [2.5, "abc", 0.5, 140, 0.9, 1600, 900, 0.1])], 2, /MajorMinorRatio is not a finite number: "abc"/);
  rejects([urfdLine("fall-01", 1, -1, [2.5, 2.7, "", 140, 0.9, 1600, 900, 0.1])], 1, /BoundingBoxOccupancy is empty/);
  rejects([ok(1), ok(2), urfdLine("fall-01", 3, -1, [2.5, 2.7, 0.5, 140, 0.9, "NaN", 900, 0.1])], 3, /H is not a finite number: "NaN"/);
  rejects([urfdLine("fall-01", 1, -1, [2.5, 2.7, 0.5, 140, 0.9, 1600, "Infinity", 0.1])], 1, /D is not a finite number/);
  rejects([urfdLine("fall-01", 1, -1, [2.5, 2.7, 0.5, 140, 0.9, 1600, "-inf", 0.1])], 1, /D is not a finite number/);
  rejects([urfdLine("fall-01", 1, -1, [2.5, 2.7, 0.5, 140, 0.9, 1600, 900, "1e999"])], 1, /P40 is not a finite number/);
  rejects([urfdLine("fall-01", 1, -1, [2.5, 2.7, 0.5, 140, 0.9, 1600, 900, "0x10"])], 1, /P40 is not a finite number/);
});

test("frame must be an integer", () => {
  rejects([ok(1), urfdLine("fall-01", "2.5", -1)], 2, /frame is not an integer: "2.5"/);
  rejects([urfdLine("fall-01", "x", -1)], 1, /frame is not an integer/);
});

test("label must be -1, 0 or 1", () => {
  rejects([ok(1), ok(2), ok(3), urfdLine("fall-01", 4, 2)], 4, /label must be -1, 0 or 1, got "2"/);
  rejects([urfdLine("fall-01", 1, "0.5")], 1, /label must be -1, 0 or 1/);
  rejects([urfdLine("fall-01", 1, "lying")], 1, /label is not a finite number/);
});

test("duplicate and decreasing frames within a sequence", () => {
  rejects([ok(1), ok(2), ok(2)], 3, /duplicate frame 2 in sequence "fall-01"/);
  rejects([ok(1), ok(5), ok(4)], 3, /frame 4 comes after frame 5 in sequence "fall-01"/);
});

test("a sequence reappearing after another is rejected", () => {
  rejects([ok(1, "fall-01"), ok(2, "fall-01"), ok(1, "fall-02"), ok(3, "fall-01")], 4, /sequence "fall-01" reappears after "fall-02"; its rows ended at line 2/);
});

test("a new sequence may restart frame numbers", () => {
  const t = parseUrfdCsv([ok(5, "a"), ok(1, "b")].join("\n"), "falls.csv");
  assert.equal(t.rows, 2);
});

test("empty file, blank-only file and a blank line inside", () => {
  rejects([""], null, /file is empty/);
  rejects(["", "  ", ""], null, /file is empty/);
  rejects([ok(1), "", ok(2)], 2, /empty line/);
});

test("errors stop at the first bad row, counting lines from 1 with CRLF", () => {
  assert.throws(() => parseUrfdCsv([ok(1), ok(2), "oops"].join("\r\n"), "falls.csv"), {
    name: "DataError",
    message: "falls.csv:3: expected 11 columns, got 1",
  });
});
