// End to end on a small synthetic folder: the pipeline writes every artifact it promises and
// leaves no staging folder behind.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { generateSynthetic, writeUrfdFolder, readWindowSet } from "../../lib/data";
import { PLAIN_PIPELINE_OPTIONS } from "../../lib/pipeline/options";
import { runPipeline } from "../../lib/pipeline/run-pipeline";
import { readPreprocessing as loadPreprocessing } from "../../lib/export/preprocessing";
import { ensembleMemberDirs } from "../../lib/export/ensemble-folder";
import { loadSavedDetector, scoreWindows } from "../../lib/export/saved-model";
import { evaluateAll, smoothScores } from "../../lib/evaluate";
import { fusedRnnStatus, gemmStats } from "../../lib/model/fused-rnn";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/backend";

test("pipeline with --folds 2 --ensemble 2 writes metrics.json, report.html, every member's model and Arrow files; fold scores are the members' mean", async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "pipeline-run-"));
  try {
    const dataDir = path.join(tmp, "data");
    writeUrfdFolder(dataDir, generateSynthetic({ seed: 3, falls: 6, adls: 6 }));
    const out = path.join(tmp, "out");
    const lines: string[] = [];
    await initBackend();
    const tensorsBefore = tf.memory().numTensors;
    const { metrics } = await runPipeline(
      { ...PLAIN_PIPELINE_OPTIONS, data: dataDir, workers: 2, epochs: 2, window: 16, stride: 8, folds: 2, ensemble: 2, out },
      { log: (l) => lines.push(l) },
    );
    assert.equal(tf.memory().numTensors, tensorsBefore, "the four trained models are freed once saved");
    assert.ok(lines.some((l) => l.startsWith("backend: ")), "the backend is printed");
    assert.deepEqual(fs.readdirSync(tmp).sort(), ["data", "out"], "no staging folder is left");
    const onDisk = JSON.parse(fs.readFileSync(path.join(out, "metrics.json"), "utf8"));
    assert.deepEqual(onDisk, JSON.parse(JSON.stringify(metrics)));
    assert.equal(onDisk.data.source, "urfd", "a folder of URFD-format files is read as URFD");
    assert.equal(onDisk.data.sequences, 12);
    for (const level of ["window", "sequence"]) {
      for (const k of ["accuracy", "precision", "recall", "specificity", "f1", "auc", "confusionMatrix"]) {
        assert.ok(k in onDisk[level], `${level}.${k}`);
      }
    }
    // every recording is predicted exactly once, out of fold
    const [[tn, fp], [fn, tp]] = onDisk.sequence.confusionMatrix;
    assert.equal(tn + fp + fn + tp, 12);
    assert.equal(onDisk.folds.length, 2);
    assert.equal(onDisk.training.workers.length, 8, "2 workers × 2 folds × 2 members");
    // The kernel's path is named: with a BLAS linked (it does every product by default) the run says which.
    if (fusedRnnStatus().available) assert.equal(onDisk.training.kernel, `fused-native-step${gemmStats()?.blas ? `+${gemmStats()!.blas}` : ""}${gemmStats()?.packedBuilt ? "+avx512" : ""}`);
    assert.deepEqual(onDisk.training.workers.map((w: { fold: number; member: number }) => `${w.fold}.${w.member}`), ["1.1", "1.1", "1.2", "1.2", "2.1", "2.1", "2.2", "2.2"]);
    assert.equal(onDisk.training.workers[0].history.loss.length, 2);
    assert.deepEqual(Object.keys(onDisk.config).sort(), Object.keys(PLAIN_PIPELINE_OPTIONS).sort());
    const html = fs.readFileSync(path.join(out, "report.html"), "utf8");
    assert.ok(!/<script[^>]+src=["']https?:/i.test(html), "no CDN script in report.html");
    for (const fold of [1, 2]) {
      const dir = path.join(out, "models", `fold-${fold}`);
      assert.deepEqual(ensembleMemberDirs(dir), [path.join(dir, "member-1"), path.join(dir, "member-2")]);
      for (const m of ensembleMemberDirs(dir)) {
        for (const f of ["model.json", "weights.bin", "distributed.json", "preprocessing.json"]) assert.ok(fs.existsSync(path.join(m, f)), `${m}/${f}`);
        assert.equal(loadPreprocessing(m).window.T, 16);
      }
      const test = readWindowSet(path.join(out, "arrow", `fold-${fold}`, "test.arrow"));
      assert.ok(test.count > 0);
      // Scoring the saved members' mean again reproduces the fold's reported metrics.
      const saved = await loadSavedDetector(dir);
      assert.equal(saved.models.length, 2);
      const one = scoreWindows(saved.models[0], test);
      const mean = scoreWindows(saved.models, test);
      assert.ok(one.some((p, i) => Math.abs(p - mean[i]) > 1e-6), "the members differ (different seeds)");
      const ev = evaluateAll(smoothScores(mean, test, saved.preprocessing.smooth ?? 1), test, saved.preprocessing.threshold!);
      assert.equal(ev.window.auc!.toFixed(5), onDisk.folds[fold - 1].window.auc.toFixed(5));
      assert.deepEqual(ev.sequence.confusionMatrix, onDisk.folds[fold - 1].sequence.confusionMatrix);
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
