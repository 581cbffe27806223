import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { loadUrfd, resolveData } from "../../lib/data/load";
import { findProjectRoot } from "../../lib/data/project-root";
import { makeWindowsWithReport } from "../../lib/data/windows";

const shared = join(findProjectRoot(__dirname), "..", "shared", "data", "urfd");
const present = existsSync(join(shared, "urfall-cam0-falls.csv")) && existsSync(join(shared, "urfall-cam0-adls.csv"));

test("real URFD files: 70 sequences, 30 falls, 2995 + 8549 rows", (t) => {
  if (!present) {
    t.skip(`no URFD copy at ${shared}`);
    return;
  }
  const ds = loadUrfd(shared);
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

test("resolveData finds the shared copy when data/urfd is empty", (t) => {
  if (!present) {
    t.skip(`no URFD copy at ${shared}`);
    return;
  }
  const root = findProjectRoot(__dirname);
  if (existsSync(join(root, "data", "urfd", "urfall-cam0-falls.csv")) || process.env.FALL_DATA_DIR) {
    t.skip("data/urfd or FALL_DATA_DIR is set up here, so the shared copy is not the first choice");
    return;
  }
  const ds = resolveData({ projectRoot: root });
  assert.equal(ds.provenance.source, "urfd");
  assert.match(ds.provenance.note, /shared/);
});
