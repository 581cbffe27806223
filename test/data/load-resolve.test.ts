import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { DataError } from "../../lib/data/errors";
import { assertRealDataUsed, DATA_DIR_ENV, findUrfdDir, loadUrfd, resolveData, URFD_FILES } from "../../lib/data/load";
import { tempDir, urfdLine } from "./fixtures";

// A fake project root with no data/ and no ../shared next to it.
delete process.env[DATA_DIR_ENV];

function writeUrfd(dir: string, fallSeq = "fall-01", adlSeq = "adl-01"): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, URFD_FILES.falls), [urfdLine(fallSeq, 1, -1), urfdLine(fallSeq, 2, 0), urfdLine(fallSeq, 3, 1)].join("\n") + "\n");
  writeFileSync(join(dir, URFD_FILES.adls), [urfdLine(adlSeq, 4, -1), urfdLine(adlSeq, 5, -1)].join("\n") + "\n");
}

test("loadUrfd: falls then ADLs, isFall from the file, provenance lists both files", () => {
  const { dir, cleanup } = tempDir("load");
  try {
    writeUrfd(dir);
    const ds = loadUrfd(dir);
    assert.deepEqual(ds.sequences, [
      { id: "fall-01", isFall: true, start: 0, length: 3 },
      { id: "adl-01", isFall: false, start: 3, length: 2 },
    ]);
    assert.equal(ds.table.rows, 5);
    assert.deepEqual(ds.provenance.files, [resolve(dir, URFD_FILES.falls), resolve(dir, URFD_FILES.adls)]);
  } finally {
    cleanup();
  }
});

test("loadUrfd: same sequence names in both files get prefixed", () => {
  const { dir, cleanup } = tempDir("load-clash");
  try {
    writeUrfd(dir, "seq-01", "seq-01");
    const ds = loadUrfd(dir);
    assert.deepEqual(ds.sequences.map((s) => s.id), ["falls:seq-01", "adls:seq-01"]);
    assert.deepEqual(ds.sequences.map((s) => s.isFall), [true, false]);
  } finally {
    cleanup();
  }
});

test("loadUrfd: a missing or empty file is a DataError naming it", () => {
  const { dir, cleanup } = tempDir("load-missing");
  try {
    writeUrfd(dir);
    const adls = join(dir, URFD_FILES.adls);
    writeFileSync(adls, "");
    assert.throws(() => loadUrfd(dir), (e: unknown) => e instanceof DataError && e.message === `${adls}: file is empty`);
    assert.throws(() => loadUrfd(join(dir, "nope")), (e: unknown) => e instanceof DataError && e.file.endsWith(URFD_FILES.falls));
  } finally {
    cleanup();
  }
});

test("resolveData: an explicit dir without the files throws, never falls back", () => {
  const { dir, cleanup } = tempDir("resolve-explicit");
  try {
    assert.throws(() => resolveData({ dir, projectRoot: dir }), /lacks urfall-cam0-falls\.csv and urfall-cam0-adls\.csv/);
    process.env[DATA_DIR_ENV] = dir;
    assert.throws(() => resolveData({ projectRoot: dir }), /given by FALL_DATA_DIR/);
    writeUrfd(join(dir, "env"));
    process.env[DATA_DIR_ENV] = join(dir, "env");
    const ds = resolveData({ projectRoot: dir });
    assert.equal(ds.provenance.source, "urfd");
    assert.match(ds.provenance.note, /FALL_DATA_DIR/);
  } finally {
    delete process.env[DATA_DIR_ENV];
    cleanup();
  }
});

test("resolveData: data/urfd first, then ../shared/data/urfd; nowhere is a one-line error naming the ways out", () => {
  const { dir, cleanup } = tempDir("resolve-order");
  try {
    const root = join(dir, "project");
    mkdirSync(root);
    assert.throws(() => resolveData({ projectRoot: root, seed: 5 }), (e: unknown) => {
      assert.ok(e instanceof DataError);
      assert.ok(!e.message.includes("\n"));
      assert.match(e.message, /^.*project\/data\/urfd: no URFD files in data\/urfd or \.\.\/shared\/data\/urfd: .*npm run data.*FALL_DATA_DIR.*--synthetic$/);
      return true;
    });
    assert.equal(findUrfdDir(root), null);

    writeUrfd(join(dir, "shared", "data", "urfd"), "fall-77");
    const shared = resolveData({ projectRoot: root });
    assert.equal(shared.sequences[0].id, "fall-77");
    assert.match(shared.provenance.note, /shared read-only copy/);
    assert.equal(findUrfdDir(root), resolve(dir, "shared", "data", "urfd"));

    writeUrfd(join(root, "data", "urfd"), "fall-88");
    const own = resolveData({ projectRoot: root });
    assert.equal(own.sequences[0].id, "fall-88");
    assert.match(own.provenance.note, /shipped in data\/urfd/);
    assert.equal(findUrfdDir(root), resolve(root, "data", "urfd"));
  } finally {
    cleanup();
  }
});

test("resolveData: synthetic data only when asked, and never together with a folder", () => {
  const { dir, cleanup } = tempDir("resolve-synthetic");
  try {
    writeUrfd(join(dir, "data", "urfd"));
    const syn = resolveData({ projectRoot: dir, synthetic: true, seed: 5 });
    assert.equal(syn.provenance.source, "synthetic");
    assert.match(syn.provenance.note, /^SYNTHETIC data \(seed 5\), as asked — results say nothing about real falls$/);
    assert.throws(() => resolveData({ projectRoot: dir, synthetic: true, dir }), /exclude each other/);
  } finally {
    cleanup();
  }
});

test("assertRealDataUsed: synthetic data while real files are present fails; real data or no real files pass", () => {
  const { dir, cleanup } = tempDir("resolve-fellback");
  try {
    const syn = resolveData({ projectRoot: dir, synthetic: true });
    assert.doesNotThrow(() => assertRealDataUsed(syn, dir));
    writeUrfd(join(dir, "data", "urfd"));
    assert.throws(() => assertRealDataUsed(syn, dir), /the data is synthetic, but real URFD files are present in .*data\/urfd: this run fell back/);
    assert.doesNotThrow(() => assertRealDataUsed(resolveData({ projectRoot: dir }), dir));
  } finally {
    cleanup();
  }
});

test("resolveData: a folder holding only one of the two files is an error", () => {
  const { dir, cleanup } = tempDir("resolve-partial");
  try {
    const d = join(dir, "data", "urfd");
    writeUrfd(d);
    rmSync(join(d, URFD_FILES.adls));
    assert.throws(() => resolveData({ projectRoot: dir }), /holds only one of/);
  } finally {
    cleanup();
  }
});
