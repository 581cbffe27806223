// --second-model and --combine: a fold trains --ensemble models of each of two recurrent types, from the same seeds,
// and scores with their mean or their mean log-odds; the saved folder says both, and the loaders check them.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { generateSynthetic, makeWindows } from "../../lib/data";
import { PLAIN_PIPELINE_OPTIONS, membersPerGroup, parsePipelineArgs, pipelineHelp, UsageError, validateStoredOptions } from "../../lib/pipeline/options";
import { trainFold } from "../../lib/pipeline/train-fold";
import { prepareHoldout } from "../../lib/pipeline/prepare";
import { parsePreprocessing, readPreprocessing, writePreprocessing } from "../../lib/export/preprocessing";
import { loadSavedDetector } from "../../lib/export/saved-model";
import { logitMean, memberMean } from "../../lib/evaluate/member-combine";

/** Parsed as a --detector plain run: these options are measured against the plain ensemble. */
const parsePlain = (argv: readonly string[]) => parsePipelineArgs(["--detector", "plain", ...argv]);

test("--second-model and --combine: the other type and logit-mean by default (--detector deploy), off with --detector plain; the other type only, or none; urfd only; not with --grid; logit-mean needs more than one model", () => {
  const d = parsePlain([]);
  assert.ok(d !== "help" && d.secondModel === null && d.combine === "mean");
  const o = parsePlain(["--second-model", "gru", "--combine", "logit-mean", "--start-models", "16", "--smooth", "1"]);
  assert.ok(o !== "help" && o.secondModel === "gru" && o.combine === "logit-mean");
  assert.equal(membersPerGroup(o), 6, "3 LSTM and 3 GRU a group");
  for (const [argv, re] of [
    [["--second-model", "lstm"], /--second-model must differ from --model \(lstm\)/],
    [["--second-model", "cnn"], /--second-model must be one of lstm\|gru\|none, got "cnn"/],
    [["--combine", "median"], /--combine must be one of mean\|logit-mean, got "median"/],
    [["--combine", "logit-mean", "--ensemble", "1"], /--combine logit-mean combines a fold's models: it needs/],
    [["--format", "dfcsv", "--data", "df.csv", "--second-model", "gru"], /--format urfd only/],
    [["--grid", "--second-model", "gru"], /--grid scores single models: it cannot be combined with --second-model or --combine/],
  ] as [string[], RegExp][]) {
    assert.throws(() => parsePlain(argv), (e: unknown) => e instanceof UsageError && re.test(e.message), argv.join(" "));
  }
  const ok = parsePlain(["--combine", "logit-mean", "--ensemble", "1", "--second-model", "gru"]);
  assert.ok(ok !== "help" && membersPerGroup(ok) === 2, "one model of each type is two to combine");
  const none = parsePipelineArgs(["--second-model", "none", "--combine", "mean"]);
  assert.ok(none !== "help" && none.secondModel === null && none.startModels === 16, "none: only --model's type, the rest of the default detector");
  assert.match(pipelineHelp(), /--second-model lstm\|gru\|none .*\[default: the other type of --model; --detector plain: none\]/);
  assert.match(pipelineHelp(), /--combine mean\|logit-mean .*\[default: logit-mean; --detector plain: mean\]/);
  const { secondModel: _s, combine: _c, ...older } = PLAIN_PIPELINE_OPTIONS;
  const back = validateStoredOptions(older, "run-state.json");
  assert.deepEqual([back.secondModel, back.combine], [null, "mean"], "a run-state.json written before them takes the plain ensemble's values");
});

test("trainFold with a second spec trains each type's members from the same seeds, in order, and combines all of them", async () => {
  const ds = generateSynthetic({ seed: 2, falls: 4, adls: 4 });
  const split = prepareHoldout(makeWindows(ds, { T: 12, stride: 4, withDiffs: true }), { testFraction: 0.3, seed: 2 });
  const spec = { type: "rnn" as const, options: { kind: "lstm" as const, timesteps: 12, features: split.train.F, seed: 2 } };
  const config = { mode: "gradients" as const, numWorkers: 1, batchSize: 32, seed: 2 };
  const base = { spec, config, epochs: 1, smooth: 1, members: 2 };
  const lstm = await trainFold(split.train, split.test, base);
  const gru = await trainFold(split.train, split.test, { ...base, spec: { ...spec, options: { ...spec.options, kind: "gru" } } });
  const both = await trainFold(split.train, split.test, { ...base, secondSpec: { ...spec, options: { ...spec.options, kind: "gru" } }, combine: "logit-mean" });
  try {
    assert.deepEqual(both.models.map((m) => (m.spec.type === "rnn" ? m.spec.options.kind : "")), ["lstm", "lstm", "gru", "gru"]);
    assert.deepEqual(both.testMembers, [...lstm.testMembers, ...gru.testMembers], "each member is the one a run of its type alone trains");
    assert.deepEqual(both.testProbs, logitMean(both.testMembers, split.test.count));
    assert.notDeepEqual(both.testProbs, memberMean(both.testMembers, split.test.count));
  } finally {
    for (const r of [lstm, gru, both]) for (const m of r.models) m.dispose();
  }
});

test("preprocessing.json's combine and memberKinds are checked, and an ensemble folder of two types loads only where they are listed", async () => {
  const base = { scaler: { mean: [0], std: [1], featureNames: ["a"] }, window: { T: 4, stride: 1, withDiffs: false } };
  assert.equal(parsePreprocessing({ ...base, combine: "logit-mean" }).combine, "logit-mean");
  assert.throws(() => parsePreprocessing({ ...base, combine: "max" }, "p.json"), /p\.json\.combine must be one of mean, logit-mean/);
  assert.throws(() => parsePreprocessing({ ...base, members: 2, memberKinds: ["lstm"] }, "p.json"), /p\.json\.memberKinds names 1 models, members says 2/);
  assert.throws(() => parsePreprocessing({ ...base, memberKinds: [] }, "p.json"), /memberKinds must be a non-empty array/);
  assert.throws(() => parsePreprocessing({ ...base, memberKinds: ["lstm", "cnn"] }, "p.json"), /memberKinds must be a non-empty array of model types \(lstm, gru\)/);

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "second-model-"));
  try {
    const ds = generateSynthetic({ seed: 3, falls: 3, adls: 3 });
    const split = prepareHoldout(makeWindows(ds, { T: 8, stride: 4, withDiffs: false }), { testFraction: 0.3, seed: 3 });
    const spec = { type: "rnn" as const, options: { kind: "lstm" as const, timesteps: 8, features: split.train.F, seed: 3 } };
    const fold = await trainFold(split.train, split.test, { spec, config: { mode: "gradients", numWorkers: 1, batchSize: 32, seed: 3 }, epochs: 1, smooth: 1, members: 1, secondSpec: { ...spec, options: { ...spec.options, kind: "gru" } } });
    const pre = { scaler: split.scaler!, window: { T: 8, stride: 4, withDiffs: false }, threshold: 0.5, members: 2 };
    const save = async (kinds?: string[]) => {
      const dir = fs.mkdtempSync(path.join(tmp, "ens-"));
      for (const [m, model] of fold.models.entries()) {
        await model.save(path.join(dir, `member-${m + 1}`));
        writePreprocessing(path.join(dir, `member-${m + 1}`), { ...pre, ...(kinds ? { memberKinds: kinds } : {}) });
      }
      return dir;
    };
    await assert.rejects(loadSavedDetector(await save()), /member-2: a gru model, but member 1 is a lstm/);
    await assert.rejects(loadSavedDetector(await save(["lstm", "lstm"])), /preprocessing\.json says member 2 is a lstm/);
    const three = await save(["lstm", "gru"]);
    for (const m of [1, 2]) writePreprocessing(path.join(three, `member-${m}`), { ...pre, members: undefined, memberKinds: ["lstm", "gru", "gru"] } as never);
    await assert.rejects(loadSavedDetector(three), /holds 2 member folder\(s\), but its preprocessing\.json lists 3 member types/);
    const ok = await loadSavedDetector(await save(["lstm", "gru"]));
    assert.equal(ok.kind, "lstm+gru");
    assert.equal(readPreprocessing(path.join(ok.dir, "member-2")).memberKinds?.join(","), "lstm,gru");
    for (const m of ok.models) m.dispose();
    for (const m of fold.models) m.dispose();
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
