// A tiny 2-point grid end to end through the library: grid.json and grid.md land in --out, rows
// sorted by sequence F1, every row scored on every recording (out of fold, same folds).
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { generateSynthetic, writeUrfdFolder } from "../../lib/data";
import { parsePipelineCommand } from "../../lib/pipeline/options";
import { runGridSearch } from "../../lib/pipeline/grid-search";

test("--grid-model lstm,gru --folds 2 writes a sorted grid.json and grid.md", async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "grid-run-"));
  try {
    const dataDir = path.join(tmp, "data");
    writeUrfdFolder(dataDir, generateSynthetic({ seed: 5, falls: 4, adls: 4 }));
    const out = path.join(tmp, "out");
    const c = parsePipelineCommand([
      "--grid", "--grid-model", "lstm,gru", "--data", dataDir, "--out", out,
      "--epochs", "1", "--window", "16", "--stride", "8", "--folds", "2", "--workers", "1",
    ]);
    assert.equal(c.kind, "grid");
    if (c.kind !== "grid") return;
    const lines: string[] = [];
    const { rows, markdown } = await runGridSearch(c.options, c.grid, { log: (l) => lines.push(l) });
    assert.deepEqual(fs.readdirSync(tmp).sort(), ["data", "out"], "no staging folder is left");
    assert.deepEqual(fs.readdirSync(out).sort(), ["grid.json", "grid.md"]);
    const onDisk = JSON.parse(fs.readFileSync(path.join(out, "grid.json"), "utf8"));
    assert.deepEqual(onDisk, JSON.parse(JSON.stringify(rows)));
    assert.equal(onDisk.length, 2);
    assert.deepEqual(onDisk.map((r: { model: string }) => r.model).sort(), ["gru", "lstm"]);
    assert.ok(onDisk[0].sequence.f1 >= onDisk[1].sequence.f1, "sorted by sequence F1, best first");
    for (const r of onDisk) {
      assert.equal(r.units, 32);
      assert.equal(r.epochs, 1);
      assert.equal(r.batchSize, 64);
      const [[tn, fp], [fn, tp]] = r.sequence.confusionMatrix;
      assert.equal(tn + fp + fn + tp, 8, "every recording predicted once, out of fold");
      assert.equal(tp + fn, 4);
      for (const k of ["f1", "recall", "specificity", "auc"]) assert.ok(k in r.sequence, `sequence.${k}`);
      for (const k of ["auc", "f1"]) assert.ok(k in r.window, `window.${k}`);
      assert.ok(r.trainSec > 0);
    }
    assert.equal(fs.readFileSync(path.join(out, "grid.md"), "utf8"), markdown);
    assert.equal(markdown.trim().split("\n").length, 4, "header, rule, 2 rows");
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
