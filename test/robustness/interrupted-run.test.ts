// Interrupted runs: the pipeline is killed (SIGKILL) right after the first epoch checkpoint of its
// second fold; `--resume` continues it without retraining the first fold, restores the checkpoint,
// trains the remaining epochs and finishes normally. SIGTERM leaves a resumable folder too.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { generateSynthetic, writeUrfdFolder } from "../../lib/data";
import { readRunState, RunState } from "../../lib/pipeline/checkpoint";
import { DistributedModel } from "../../lib/distributed/distributed-model";
import { runCli, startCli } from "../fixtures/cli";

const EPOCHS = 3;
// Checkpoints are written after every epoch but the last, so 3 epochs give one or two to kill after.
// Single models: only they are checkpointed per epoch (an ensemble fold restarts, tested last).
const ARGS = ["--detector", "plain", "--window", "16", "--stride", "8", "--epochs", String(EPOCHS), "--batch-size", "16", "--workers", "2", "--ensemble", "1"];

function tmpRun(): { root: string; data: string; out: string; staging: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "interrupted-"));
  const data = path.join(root, "data");
  writeUrfdFolder(data, generateSynthetic({ seed: 3, falls: 4, adls: 4 }));
  const out = path.join(root, "out");
  return { root, data, out, staging: `${out}.partial` };
}

function tryState(staging: string): RunState | null {
  try {
    return readRunState(staging);
  } catch {
    return null; // not there yet
  }
}

/** Start the CLI and kill it with `signal` as soon as run-state.json satisfies `when`. */
async function killWhen(args: string[], staging: string, signal: NodeJS.Signals, when: (s: RunState) => boolean) {
  const run = startCli(args);
  let seen: RunState | null = null;
  const poll = setInterval(() => {
    const s = tryState(staging);
    if (s && when(s) && !seen) {
      seen = s;
      run.child.kill(signal);
    }
  }, 10);
  const result = await run.done;
  clearInterval(poll);
  return { result, seen: seen as RunState | null };
}

test("SIGKILL after the first checkpoint of fold 2, then --resume: fold 1 is not retrained, fold 2 continues, the run finishes", async () => {
  const { root, data, out, staging } = tmpRun();
  try {
    const args = [...ARGS, "--folds", "2", "--data", data, "--out", out];
    const { result: killed, seen } = await killWhen(args, staging, "SIGKILL", (s) => s.current?.fold === 2);
    assert.equal(killed.signal, "SIGKILL", `the run ended before it could be killed: ${killed.stdout}${killed.stderr}`);
    assert.ok(seen);
    assert.ok(!fs.existsSync(out), "nothing at --out");
    const state = readRunState(staging);
    assert.deepEqual(state.completedFolds, [1]);
    assert.equal(state.current?.fold, 2);
    const lastEpoch = state.current!.lastEpoch;
    assert.ok(lastEpoch < EPOCHS - 1, `killed after epoch ${lastEpoch + 1} of ${EPOCHS}`);
    assert.ok(fs.existsSync(path.join(staging, state.current!.checkpoint)));
    assert.ok(fs.existsSync(path.join(staging, "resume", "fold-1.json")));
    const fold1Before = fs.readFileSync(path.join(staging, "models", "fold-1", "weights.bin"));

    const resumed = await runCli(["--resume", staging]);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stdout, /fold 1\/2: completed before the interruption, not retrained/);
    assert.ok(!/fold 1\/2: training on/.test(resumed.stdout), "fold 1 not retrained");
    assert.match(resumed.stdout, new RegExp(`fold 2/2: resuming after epoch ${lastEpoch + 1}/${EPOCHS} from .*fold-2-epoch-${lastEpoch}\\.bin \\(weights restored; each worker's Adam state starts afresh\\)`));
    // only the remaining epochs of fold 2 were trained
    const trained = [...resumed.stdout.matchAll(/fold 2\/2 epoch (\d+):/g)].map((m) => Number(m[1]));
    assert.deepEqual(trained, Array.from({ length: EPOCHS - lastEpoch - 1 }, (_, i) => lastEpoch + 2 + i));

    assert.deepEqual(fs.readdirSync(root).sort(), ["data", "out"], "staging renamed to --out");
    const metrics = JSON.parse(fs.readFileSync(path.join(out, "metrics.json"), "utf8"));
    assert.equal(metrics.folds.length, 2);
    assert.equal(metrics.config.epochs, EPOCHS);
    for (const m of metrics.training.merged) assert.equal(m.loss.length, EPOCHS, `fold ${m.fold}: a loss for every epoch, before and after the kill`);
    const [[tn, fp], [fn, tp]] = metrics.sequence.confusionMatrix;
    assert.equal(tn + fp + fn + tp, 8, "every recording predicted once");
    assert.ok(fs.readFileSync(path.join(out, "models", "fold-1", "weights.bin")).equals(fold1Before), "fold 1's model is the one trained before the kill");
    assert.ok(!fs.existsSync(path.join(out, "run-state.json")) && !fs.existsSync(path.join(out, "resume")), "no resume bookkeeping left");
    const model = await DistributedModel.load(path.join(out, "models", "fold-2"));
    assert.ok(model.getFlatWeights().every(Number.isFinite));
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test("SIGTERM mid-fold says how to resume; --resume <out> with a matching option finishes, a conflicting one is refused", async () => {
  const { root, data, out, staging } = tmpRun();
  try {
    const args = [...ARGS, "--data", data, "--out", out];
    const { result: stopped } = await killWhen(args, staging, "SIGTERM", (s) => s.current !== null);
    assert.equal(stopped.code, 143, stopped.stderr);
    assert.equal(stopped.stderr.trim(), `pipeline: interrupted (SIGTERM); ${staging} keeps the completed folds (and, with one model a fold, --detector plain --ensemble 1, the last epoch checkpoint): continue with npm run pipeline -- --resume ${staging}`);

    const conflict = await runCli(["--resume", out, "--epochs", "7"]);
    assert.equal(conflict.code, 2);
    assert.match(conflict.stderr.trim(), new RegExp(`^pipeline: --epochs 7 conflicts with the interrupted run's ${EPOCHS} \\(.*run-state\\.json\\); drop it to resume$`));
    assert.ok(fs.existsSync(path.join(staging, "run-state.json")), "a refused resume leaves the folder as it was");

    const resumed = await runCli(["--resume", out, "--epochs", String(EPOCHS)]);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stdout, new RegExp(`hold-out split: resuming after epoch \\d+/${EPOCHS}`));
    assert.deepEqual(fs.readdirSync(root).sort(), ["data", "out"]);
    assert.ok(fs.existsSync(path.join(out, "metrics.json")) && fs.existsSync(path.join(out, "model", "weights.bin")));
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test("--ensemble 2 killed in fold 2: --resume keeps fold 1's members and retrains fold 2 from its first member", async () => {
  const { root, data, out, staging } = tmpRun();
  try {
    const args = [...ARGS.slice(0, -2), "--ensemble", "2", "--folds", "2", "--data", data, "--out", out];
    const { result: killed } = await killWhen(args, staging, "SIGKILL", (s) => s.completedFolds.includes(1));
    assert.equal(killed.signal, "SIGKILL", `the run ended before it could be killed: ${killed.stdout}${killed.stderr}`);
    const state = readRunState(staging);
    assert.deepEqual(state.completedFolds, [1]);
    assert.equal(state.current, null, "ensemble folds write no epoch checkpoints");
    const member2Before = fs.readFileSync(path.join(staging, "models", "fold-1", "member-2", "weights.bin"));

    const resumed = await runCli(["--resume", staging]);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stdout, /fold 1\/2: completed before the interruption, not retrained/);
    assert.match(resumed.stdout, /fold 2\/2: training on \d+ windows, 2 models from seeds 1, 11,/);
    const metrics = JSON.parse(fs.readFileSync(path.join(out, "metrics.json"), "utf8"));
    assert.equal(metrics.config.ensemble, 2);
    assert.deepEqual(metrics.training.merged.map((m: { fold: number; member: number }) => `${m.fold}.${m.member}`), ["1.1", "1.2", "2.1", "2.2"]);
    assert.ok(fs.readFileSync(path.join(out, "models", "fold-1", "member-2", "weights.bin")).equals(member2Before), "fold 1's members are the ones trained before the kill");
    assert.ok(fs.existsSync(path.join(out, "models", "fold-2", "member-2", "model.json")));
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test("--second-model gru --combine logit-mean killed in fold 2: no epoch checkpoint (two models a fold), --resume keeps fold 1's LSTM and GRU and retrains fold 2", async () => {
  const { root, data, out, staging } = tmpRun();
  try {
    const args = [...ARGS, "--second-model", "gru", "--combine", "logit-mean", "--folds", "2", "--data", data, "--out", out];
    const { result: killed } = await killWhen(args, staging, "SIGKILL", (s) => s.completedFolds.includes(1));
    assert.equal(killed.signal, "SIGKILL", `the run ended before it could be killed: ${killed.stdout}${killed.stderr}`);
    const state = readRunState(staging);
    assert.deepEqual(state.completedFolds, [1]);
    assert.equal(state.current, null, "a fold of two models writes no epoch checkpoints");
    const gruBefore = fs.readFileSync(path.join(staging, "models", "fold-1", "member-2", "weights.bin"));

    const resumed = await runCli(["--resume", staging]);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stdout, /fold 1\/2: completed before the interruption, not retrained/);
    assert.match(resumed.stdout, /fold 2\/2: training on \d+ windows, 1 lstm and 1 gru model\(s\) from seed\(s\) 1, combined by their mean log-odds/);
    const metrics = JSON.parse(fs.readFileSync(path.join(out, "metrics.json"), "utf8"));
    assert.deepEqual([metrics.config.secondModel, metrics.config.combine], ["gru", "logit-mean"]);
    assert.deepEqual(metrics.training.merged.map((m: { fold: number; member: number }) => `${m.fold}.${m.member}`), ["1.1", "1.2", "2.1", "2.2"]);
    assert.ok(fs.readFileSync(path.join(out, "models", "fold-1", "member-2", "weights.bin")).equals(gruBefore), "fold 1's GRU is the one trained before the kill");
    const pre = JSON.parse(fs.readFileSync(path.join(out, "models", "fold-2", "member-2", "preprocessing.json"), "utf8"));
    assert.deepEqual([pre.combine, pre.memberKinds], ["logit-mean", ["lstm", "gru"]]);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test("the default detector (no --detector flag; start models, LSTM and GRU, a second window) killed in fold 2: --resume keeps fold 1 and finishes with the run's own detector; --detector on --resume is refused", async () => {
  const { root, data, out, staging } = tmpRun();
  try {
    const args = ["--window", "24", "--start-models", "8", "--stride", "8", "--epochs", "2", "--batch-size", "16", "--workers", "2", "--ensemble", "1", "--folds", "2", "--data", data, "--out", out];
    const { result: killed } = await killWhen(args, staging, "SIGKILL", (s) => s.completedFolds.includes(1));
    assert.equal(killed.signal, "SIGKILL", `the run ended before it could be killed: ${killed.stdout}${killed.stderr}`);
    assert.match(killed.stdout, /^detector: deploy \(the default\) with --start-models 8 --ensemble 1 given/m);
    const fold1 = fs.readFileSync(path.join(staging, "models", "fold-1", "start", "member-2", "weights.bin"));
    const refused = await runCli(["--resume", staging, "--detector", "plain"]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /^pipeline: --resume continues a run with its own detector \(run-state\.json\): drop --detector$/m);
    const resumed = await runCli(["--resume", staging, "--start-models", "8"]);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stdout, /fold 1\/2: completed before the interruption, not retrained/);
    const c = JSON.parse(fs.readFileSync(path.join(out, "metrics.json"), "utf8")).config;
    assert.deepEqual([c.startModels, c.smooth, c.thresholdMidpoint, c.scoreStride, c.secondModel, c.combine], [8, 1, "logit", 1, "gru", "logit-mean"]);
    assert.ok(fs.readFileSync(path.join(out, "models", "fold-1", "start", "member-2", "weights.bin")).equals(fold1), "fold 1's start GRU is the one trained before the kill");
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test("a --second-window run killed in fold 2: --resume keeps fold 1's two detectors and their thresholds and finishes", async () => {
  const { root, data, out, staging } = tmpRun();
  try {
    const args = ["--window", "24", "--start-models", "8", "--second-window", "32", "--stride", "8", "--epochs", "2", "--batch-size", "16", "--workers", "2", "--ensemble", "1", "--folds", "2", "--data", data, "--out", out];
    const { result: killed } = await killWhen(args, staging, "SIGKILL", (s) => s.completedFolds.includes(1));
    assert.equal(killed.signal, "SIGKILL", `the run ended before it could be killed: ${killed.stdout}${killed.stderr}`);
    const second = path.join("models", "fold-1", "window-32", "start", "member-2", "weights.bin");
    const fold1 = fs.readFileSync(path.join(staging, second));
    const record = JSON.parse(fs.readFileSync(path.join(staging, "resume", "fold-1.json"), "utf8"));
    const resumed = await runCli(["--resume", staging]);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stdout, /fold 1\/2: completed before the interruption, not retrained/);
    assert.match(resumed.stdout, /fold 2\/2 \(second window, 32 frames\): training on \d+ windows/);
    const metrics = JSON.parse(fs.readFileSync(path.join(out, "metrics.json"), "utf8"));
    assert.equal(metrics.config.secondWindow, 32);
    assert.deepEqual(metrics.folds[0].secondWindow, record.secondWindow, "fold 1's second thresholds, read back");
    assert.ok(metrics.folds.every((f: { secondWindow?: unknown }) => f.secondWindow), "both folds name the second detector's thresholds");
    assert.equal(metrics.training.merged.length, 2 * 8, "each fold: 2 detectors × (LSTM, GRU) × (main, start)");
    assert.ok(fs.readFileSync(path.join(out, second)).equals(fold1), "fold 1's second detector is the one trained before the kill");
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test("--resume with a damaged checkpoint or completed fold is refused before it takes the run over: the interrupted run stays, whole", async () => {
  const { root, data, out, staging } = tmpRun();
  try {
    const args = [...ARGS.filter((a, i, all) => a !== "--epochs" && all[i - 1] !== "--epochs"), "--epochs", "40", "--folds", "2", "--data", data, "--out", out];
    const { result: killed } = await killWhen(args, staging, "SIGKILL", (s) => s.completedFolds.includes(1) && s.current !== null);
    assert.equal(killed.signal, "SIGKILL", `the run ended before it could be killed: ${killed.stdout}${killed.stderr}`);
    const state = readRunState(staging);
    const listing = () => fs.readdirSync(staging, { recursive: true }).map(String).sort();
    const before = listing();
    const checkpoint = path.join(staging, state.current!.checkpoint);
    const good = fs.readFileSync(checkpoint);
    fs.writeFileSync(checkpoint, good.subarray(0, 100));
    let r = await runCli(["--resume", staging]);
    assert.equal(r.code, 1);
    assert.match(r.stderr.trim(), new RegExp(`^pipeline: ${checkpoint.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: holds 25 weights \\(run-state says \\d+\\)`));
    assert.deepEqual(listing(), before, "nothing removed: fold 1's models and records stay");
    fs.writeFileSync(checkpoint, good);
    const record = path.join(staging, "resume", "fold-1.json");
    const rec = fs.readFileSync(record, "utf8");
    fs.writeFileSync(record, "{bad");
    r = await runCli(["--resume", staging]);
    assert.equal(r.code, 1);
    assert.match(r.stderr.trim(), /fold-1\.json: cannot read a completed fold/);
    assert.deepEqual(listing(), before);
    fs.writeFileSync(record, rec);
    r = await runCli(["--resume", staging]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /fold 1\/2: completed before the interruption, not retrained/);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
