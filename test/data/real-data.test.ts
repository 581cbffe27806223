import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { DATA_DIR_ENV, loadUrfd, resolveData } from "../../lib/data/load";
import { findProjectRoot } from "../../lib/data/project-root";
import { URFD_DOWNLOADS } from "../../lib/data/urfd-source";
import { makeWindowsWithReport } from "../../lib/data/windows";

// The copy shipped in the repository (data/urfd); the tests below need it, and say so when it is gone.
const root = findProjectRoot(__dirname);
const shipped = join(root, "data", "urfd");
const present = URFD_DOWNLOADS.every((d) => existsSync(join(shipped, d.file)));

test("the shipped data/urfd files are byte-identical to the official ones (the sha256 npm run data checks)", (t) => {
  if (!present) {
    t.skip(`no URFD copy at ${shipped} (restore it with git checkout data/urfd or npm run data)`);
    return;
  }
  for (const d of URFD_DOWNLOADS) {
    assert.equal(createHash("sha256").update(readFileSync(join(shipped, d.file))).digest("hex"), d.sha256, d.file);
  }
  assert.ok(existsSync(join(shipped, "README.md")), "data/urfd/README.md gives the source, citation and licence");
  const readme = readFileSync(join(shipped, "README.md"), "utf8");
  for (const must of [/fenix\.ur\.edu\.pl\/~mkepski\/ds\/uf\.html/, /Kwolek/, /CC BY-NC-SA/, /MIT/]) assert.match(readme, must);
});

test("real URFD files: 70 sequences, 30 falls, 2995 + 8549 rows", (t) => {
  if (!present) {
    t.skip(`no URFD copy at ${shipped}`);
    return;
  }
  const ds = loadUrfd(shipped);
  assert.equal(ds.sequences.length, 70);
  assert.equal(ds.sequences.filter((s) => s.isFall).length, 30);
  const fallRows = ds.sequences.filter((s) => s.isFall).reduce((a, s) => a + s.length, 0);
  assert.equal(fallRows, 2995);
  assert.equal(ds.table.rows - fallRows, 8549);
  assert.equal(ds.sequences[0].id, "fall-01");
  assert.equal(ds.sequences[30].id, "adl-01");
  assert.equal(ds.provenance.source, "urfd");
  // Every fall goes -1 → 0 → 1 with exactly 30 frames of 0.
  for (const s of ds.sequences.filter((x) => x.isFall)) {
    const labels = Array.from(ds.table.label.subarray(s.start, s.start + s.length));
    assert.equal(labels.filter((l) => l === 0).length, 30, s.id);
  }
  const { windows, skipped } = makeWindowsWithReport(ds);
  assert.deepEqual(skipped, []);
  assert.ok(windows.count > 2000);
});

test("resolveData() with no folder named uses the shipped data/urfd and says so", (t) => {
  if (!present) {
    t.skip(`no URFD copy at ${shipped}`);
    return;
  }
  if (process.env[DATA_DIR_ENV]) {
    t.skip(`${DATA_DIR_ENV} is set here, so data/urfd is not the first choice`);
    return;
  }
  const ds = resolveData({ projectRoot: root });
  assert.equal(ds.provenance.source, "urfd");
  assert.equal(ds.provenance.dir, shipped);
  assert.match(ds.provenance.note, /shipped in data\/urfd/);
});
