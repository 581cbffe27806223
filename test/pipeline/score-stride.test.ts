// --score-stride: the models train exactly as a run without it; only the windows scored for the threshold, the
// evaluation and the saved detector are cut more often — and the detector replays to the run's decisions.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { loadUrfd, readWindowSet } from "../../lib/data";
import { PLAIN_PIPELINE_OPTIONS } from "../../lib/pipeline/options";
import { runPipeline } from "../../lib/pipeline/run-pipeline";
import { verifyRun } from "../../lib/detect";
import { withSyntheticFolder } from "../fixtures/synthetic-folder";

test("a run with --score-stride 2 trains the weights of a run without it, scores twice the windows and replays to its decisions", () =>
  withSyntheticFolder("score-stride", { seed: 4, falls: 6, adls: 6 }, async ({ dataDir, tmp }) => {
    const base = { ...PLAIN_PIPELINE_OPTIONS, data: dataDir, workers: 1, epochs: 2, window: 16, stride: 4, smooth: 1, folds: 2, ensemble: 1, padStarts: 8 };
    const plain = path.join(tmp, "plain");
    const fine = path.join(tmp, "fine");
    const lines: string[] = [];
    await runPipeline({ ...base, out: plain }, { log: () => {} });
    const { metrics } = await runPipeline({ ...base, scoreStride: 2, out: fine }, { log: (l) => lines.push(l) });
    assert.equal(lines.filter((l) => /fitting on the \d+ every 4 frames; threshold and evaluation on windows every 2/.test(l)).length, 2, lines.join("\n"));
    for (const fold of [1, 2]) {
      const bin = (out: string) => fs.readFileSync(path.join(out, "models", `fold-${fold}`, "weights.bin"));
      assert.ok(bin(plain).equals(bin(fine)), `fold ${fold}: the same trained weights`);
      const pre = (out: string) => JSON.parse(fs.readFileSync(path.join(out, "models", `fold-${fold}`, "preprocessing.json"), "utf8"));
      assert.deepEqual(pre(fine).scaler, pre(plain).scaler, "the scaler saw the same windows");
      assert.equal(pre(fine).window.stride, 2, "the saved detector scores every 2 frames");
      const count = (out: string) => readWindowSet(path.join(out, "arrow", `fold-${fold}`, "test.arrow")).count;
      assert.ok(count(fine) > 1.8 * count(plain), `test windows ${count(fine)} against ${count(plain)}`);
    }
    assert.equal(metrics.config.scoreStride, 2);
    const plainMetrics = JSON.parse(fs.readFileSync(path.join(plain, "metrics.json"), "utf8"));
    assert.equal(metrics.windowOnGrid!.windows, plainMetrics.windowUnpadded.windows, "the grid's full windows are the plain run's");
    const check = await verifyRun(fine, loadUrfd(dataDir));
    assert.deepEqual([check.recordings, check.decisionMismatches, check.detectionEqual], [metrics.data.sequences, [], true]);
  }));
