// seed-runs: one pipeline configuration over several seeds, two at once; finished seeds skipped, a failed run named.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseSeeds, runSeeds, seedRunArgs } from "../../lib/detect/seed-runs";

const TINY = ["--synthetic", "--detector", "plain", "--window", "16", "--stride", "8", "--epochs", "1", "--batch-size", "16", "--ensemble", "1", "--folds", "2", "--quiet"];

test("seeds and ranges; the runner's own flags unless given; --seed and --out refused", () => {
  assert.deepEqual(parseSeeds("1-3,7,2"), [1, 2, 3, 7]);
  assert.throws(() => parseSeeds("5-3"), /runs backwards/);
  assert.throws(() => parseSeeds("1,x"), /"x" is not a seed/);
  assert.deepEqual(seedRunArgs(4, "d", ["--detector", "plain"]), ["--seed", "4", "--folds", "5", "--workers", "1", "--out", "d", "--detector", "plain"]);
  assert.deepEqual(seedRunArgs(4, "d", ["--folds", "2", "--workers=2"]), ["--seed", "4", "--out", "d", "--folds", "2", "--workers=2"]);
  assert.throws(() => seedRunArgs(4, "d", ["--seed", "9"]), /sets --seed and --out itself/);
});

test("two seeds run at once, each its own folder and log; run again, both are skipped; a failing seed is named with its error", { timeout: 5 * 60_000 }, async () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "seed-runs-"));
  try {
    const lines: string[] = [];
    const r = await runSeeds({ seeds: [1, 2], name: "tiny", out, parallel: 2, flags: TINY, log: (l) => lines.push(l) });
    assert.deepEqual([r.ran.sort(), r.skipped, r.failed], [[1, 2], [], []]);
    for (const s of [1, 2]) {
      const m = JSON.parse(fs.readFileSync(path.join(out, `tiny-${s}`, "metrics.json"), "utf8"));
      assert.equal(m.config.seed, s);
      assert.ok(fs.existsSync(path.join(out, `tiny-${s}.log`)));
    }
    // Both started before either ended: two at once.
    const order = lines.map((l) => l.replace(/^\S+ /, "").replace(/ \(.*$/, "").replace(/ in \d+ s$/, ""));
    assert.deepEqual(order.slice(0, 2).sort(), ["seed 1: started", "seed 2: started"], lines.join("\n"));

    const again = await runSeeds({ seeds: [1, 2], name: "tiny", out, parallel: 2, flags: TINY, log: () => {} });
    assert.deepEqual([again.ran, again.skipped], [[], [1, 2]]);

    // A half-written folder (no metrics.json) is run again from nothing; a bad flag fails its seed with the pipeline's error.
    fs.mkdirSync(path.join(out, "bad-3"));
    fs.writeFileSync(path.join(out, "bad-3", "stale.txt"), "x");
    const bad = await runSeeds({ seeds: [3], name: "bad", out, parallel: 1, flags: [...TINY, "--no-such-flag"], log: () => {} });
    assert.equal(bad.failed.length, 1);
    assert.match(bad.failed[0].reason, /^exit 2: .*unknown option "--no-such-flag"/);
    assert.ok(!fs.existsSync(path.join(out, "bad-3", "stale.txt")), "the stale folder was cleared before the run");
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});
