import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Float64, Table, makeVector, tableToIPC } from "apache-arrow";
import { readWindowSet, writeWindowSet } from "../../lib/data/arrow-io";
import { generateSynthetic } from "../../lib/data/synthetic";
import { makeWindows } from "../../lib/data/windows";
import { tempDir } from "./fixtures";

const ws = makeWindows(generateSynthetic({ seed: 3, falls: 4, adls: 5 }));

test("Arrow round trip gives identical arrays and metadata", () => {
  const { dir, cleanup } = tempDir("arrow");
  try {
    const p = join(dir, "windows.arrow");
    writeWindowSet(p, ws);
    assert.deepEqual(readdirSync(dir), ["windows.arrow"], "no .tmp file left behind");
    const back = readWindowSet(p);
    assert.equal(back.count, ws.count);
    assert.equal(back.T, ws.T);
    assert.equal(back.F, ws.F);
    assert.deepEqual(back.x, ws.x);
    assert.deepEqual(back.y, ws.y);
    assert.deepEqual(back.seq, ws.seq);
    assert.deepEqual(back.lastFrame, ws.lastFrame);
    assert.deepEqual(back.sequenceIds, ws.sequenceIds);
    assert.deepEqual(back.sequenceIsFall, ws.sequenceIsFall);
    assert.deepEqual(back.featureNames, ws.featureNames);
    // The file starts with the Arrow IPC file magic, not the stream format.
    assert.equal(readFileSync(p).subarray(0, 6).toString("latin1"), "ARROW1");
  } finally {
    cleanup();
  }
});

test("reading a file with a wrong schema is an Error naming the file", () => {
  const { dir, cleanup } = tempDir("arrow-bad");
  try {
    const other = join(dir, "other.arrow");
    writeFileSync(other, tableToIPC(new Table({ a: makeVector({ type: new Float64(), data: new Float64Array([1, 2]) }) }), "file"));
    assert.throws(() => readWindowSet(other), (e: Error) => e.message.startsWith(`${other}: not a WindowSet Arrow file`));
    const junk = join(dir, "junk.arrow");
    writeFileSync(junk, "not arrow at all");
    assert.throws(() => readWindowSet(junk), (e: Error) => e.message.startsWith(`${junk}: not a WindowSet Arrow file`));
    assert.throws(() => readWindowSet(join(dir, "absent.arrow")), /absent\.arrow: not a WindowSet Arrow file/);
    assert.ok(!existsSync(join(dir, "absent.arrow")));
  } finally {
    cleanup();
  }
});
