// The member-split study: an --ensemble 2K run of the default detector split into two detectors of K members a type.
// Its first half is the --ensemble K run of the same options, figure for figure (member m trains alike whatever the
// ensemble's size); the second half is another detector.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { generateSynthetic, writeUrfdFolder } from "../../lib/data";
import { DEFAULT_PIPELINE_OPTIONS } from "../../lib/pipeline/options";
import { runPipeline } from "../../lib/pipeline/run-pipeline";
import { NO_SECOND_WINDOW } from "../../lib/pipeline/detector-preset";
import { readGoalRun } from "../../lib/detect/goals-table";
import { halfMembers, splitRun } from "../../lib/detect/member-split-study";

test("halfMembers: the first or last K members of each type, in the saved order; odd counts refused", () => {
  const kinds = ["lstm", "lstm", "lstm", "lstm", "gru", "gru", "gru", "gru"];
  assert.deepEqual(halfMembers(kinds, 0), [0, 1, 4, 5]);
  assert.deepEqual(halfMembers(kinds, 1), [2, 3, 6, 7]);
  assert.deepEqual(halfMembers(["gru", "gru"], 1), [1]);
  assert.throws(() => halfMembers(["lstm", "lstm", "lstm", "gru", "gru"], 0), /3 lstm member\(s\): not two equal halves/);
  assert.throws(() => halfMembers(["lstm", "gru"], 0), /1 lstm member\(s\)/);
});

test("an --ensemble 2 default-detector run: its first half is the --ensemble 1 run, its second another detector", async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "member-split-"));
  try {
    const dataDir = path.join(tmp, "data");
    writeUrfdFolder(dataDir, generateSynthetic({ seed: 4, falls: 6, adls: 6 }));
    const base = { ...DEFAULT_PIPELINE_OPTIONS, ...NO_SECOND_WINDOW, data: dataDir, workers: 1, epochs: 2, window: 16, stride: 4, startModels: 8, folds: 2, quiet: true };
    const run = async (name: string, ensemble: number) => {
      const out = path.join(tmp, name);
      await runPipeline({ ...base, ensemble, out }, { log: () => {} });
      return out;
    };
    const one = await run("one", 1);
    const two = await run("two", 2);
    const split = await splitRun(two, one);
    assert.deepEqual(split.first.figures, readGoalRun(one).figures, "the first half is the --ensemble 1 run");
    assert.notDeepEqual(split.second.figures, split.first.figures, "the second half is another detector");
    // The check can fail: the second half is not the --ensemble 1 run.
    await assert.rejects(splitRun(two, two), /its first half gives .*: not that detector/);
    await assert.rejects(splitRun(one), /1 lstm member\(s\): not two equal halves/);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
