// Issue 15, an eleventh round (2026-12-05): per-step ("deep") supervision. The recurrent layer returns its
// whole sequence and one Dense(1, sigmoid) scores every step; step t's label is 1 when the window is of a fall
// recording and a falling row is among its rows 0..t. The loss averages the steps from `fromStep` on (enough
// context to judge); a window's score is still its last step, as the default model's. The control arm trains
// the same code on the last step's loss only (the default objective). Both are judged by the default alarm rule
// on the pipeline's folds (rule-study.ts), with the fused recurrent kernel and tfjs for the rest (a study, not
// the pipeline's trainer: the native step and the data-parallel trainer take one label a window).
// `node dist/lib/detect/step-loss-study.js --seeds 1,2,3 [--arms last,steps] [--from 8] [--members 3] [--epochs 30]`
import * as tf from "@tensorflow/tfjs";
import { Command } from "commander";
import type { FrameDataset, WindowSet } from "../types";
import { createRng, shuffleInPlace } from "../random";
import { resolveData } from "../data/load";
import { prepareFolds, windowDataset } from "../pipeline/prepare";
import { memberSeed } from "../pipeline/train-fold";
import { buildRnnModel, RNN_DEFAULTS, reseedDropout, seedStream, weightedBinaryCrossentropy } from "../model/rnn";
import { FusedModel } from "../model/fused-model";
import { STUDIED_RULES } from "./alarm-rules";
import { RescoredFold } from "./rescore-run";
import { outcomeRow, studyRule } from "./rule-study";

/**
 * Which steps the loss averages: the last only (the default objective), every step from `fromStep` (1-based) on, or
 * half the weight on the last step and half on every step from `fromStep` on (an auxiliary loss).
 */
export type StepArm = "last" | "steps" | "aux";

/**
 * Per-step labels, windows × T: 1 from the first falling row of a fall recording's window on (a falling row among
 * the window's rows 0..t), else 0. The window's own label is the last step's.
 */
export function stepLabels(ws: WindowSet, ds: FrameDataset): Float32Array {
  const { T } = ws;
  const out = new Float32Array(ws.count * T);
  const byId = new Map(ds.sequences.map((s) => [s.id, s]));
  // Each fall recording's row of every frame, built once.
  const rowOf = new Map<string, Map<number, number>>();
  for (let w = 0; w < ws.count; w++) {
    const s = byId.get(ws.sequenceIds[ws.seq[w]]);
    if (!s) throw new Error(`stepLabels: recording ${ws.sequenceIds[ws.seq[w]]} is not in the data set`);
    if (!s.isFall) continue;
    if (!rowOf.has(s.id)) rowOf.set(s.id, new Map(Array.from({ length: s.length }, (_, i) => [ds.table.frame[s.start + i], s.start + i])));
    const end = rowOf.get(s.id)!.get(ws.lastFrame[w]) ?? -1;
    if (end < 0 || end - T + 1 < s.start) throw new Error(`stepLabels: window ${w} (frame ${ws.lastFrame[w]} of ${s.id}) is not T real rows of the data set`);
    let seen = 0;
    for (let t = 0; t < T; t++) {
      if (ds.table.label[end - T + 1 + t] === 0) seen = 1;
      out[w * T + t] = seen;
    }
    if (seen !== ws.y[w]) throw new Error(`stepLabels: window ${w}'s last step (${seen}) disagrees with its label (${ws.y[w]})`);
  }
  return out;
}

/** The step weights of an arm, T of them summing to T (the loss is a mean over every step). */
export function stepWeights(arm: StepArm, T: number, fromStep: number): Float32Array {
  if (!Number.isInteger(fromStep) || fromStep < 1 || fromStep > T) throw new RangeError(`stepWeights: fromStep must be in 1..${T}, got ${fromStep}`);
  const w = new Float32Array(T);
  const first = arm === "last" ? T - 1 : fromStep - 1;
  const share = arm === "aux" ? 0.5 : 1;
  for (let t = first; t < T; t++) w[t] = (share * T) / (T - first);
  if (arm === "aux") w[T - 1] += 0.5 * T;
  return w;
}

/** Binary cross-entropy per window and step ([B, T, 1] → [B, T]: the loss means over the last axis), each step weighted. */
function weightedStepLoss(yTrue: tf.Tensor, yPred: tf.Tensor, weights: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(weightedBinaryCrossentropy(1)(yTrue, yPred), weights));
}

export interface StepFitOptions {
  arm: StepArm;
  fromStep: number;
  epochs: number;
  batchSize: number;
  seed: number;
}

/** One member trained on `train` (per-step labels `labels`); returns its last-step probabilities on each set. */
export async function fitStepModel(train: WindowSet, labels: Float32Array, score: readonly WindowSet[], o: StepFitOptions): Promise<Float32Array[]> {
  const { T, F } = train;
  // The default model (LSTM(32), dropout 0.3, seeded initialisers) with its Dense head on every step.
  const model = buildRnnModel({ kind: "lstm", timesteps: T, features: F, seed: o.seed }, { everyStep: true });
  const fused = FusedModel.of(model);
  if (typeof fused === "string") throw new Error(`step-loss study: the fused recurrent kernel is needed (${fused})`);
  const optimizer = tf.train.adam(RNN_DEFAULTS.learningRate);
  const weights = tf.tensor1d(stepWeights(o.arm, T, o.fromStep));
  const rng = createRng(o.seed);
  const dropoutSeeds = seedStream(o.seed + 7919);
  const order = Array.from({ length: train.count }, (_, i) => i);
  const xb = new Float32Array(o.batchSize * T * F);
  const yb = new Float32Array(o.batchSize * T);
  try {
    for (let epoch = 0; epoch < o.epochs; epoch++) {
      shuffleInPlace(order, rng);
      for (let at = 0; at < order.length; at += o.batchSize) {
        const rows = order.slice(at, at + o.batchSize);
        rows.forEach((w, i) => {
          xb.set(train.x.subarray(w * T * F, (w + 1) * T * F), i * T * F);
          yb.set(labels.subarray(w * T, (w + 1) * T), i * T);
        });
        const B = rows.length;
        reseedDropout(model, dropoutSeeds);
        tf.tidy(() => {
          const xs = tf.tensor3d(xb.subarray(0, B * T * F), [B, T, F]);
          const ys = tf.tensor3d(yb.subarray(0, B * T), [B, T, 1]);
          optimizer.minimize(() => tf.mean(weightedStepLoss(ys, fused.apply(xs, true), weights)) as tf.Scalar);
        });
      }
    }
    return score.map((ws) => lastStepScores(fused, ws));
  } finally {
    weights.dispose();
    optimizer.dispose();
    model.dispose();
  }
}

function lastStepScores(fused: FusedModel, ws: WindowSet): Float32Array {
  const { T, F } = ws;
  const out = new Float32Array(ws.count);
  const chunk = 512;
  for (let at = 0; at < ws.count; at += chunk) {
    const n = Math.min(chunk, ws.count - at);
    const p = tf.tidy(() => {
      const y = fused.apply(tf.tensor3d(ws.x.subarray(at * T * F, (at + n) * T * F), [n, T, F]), false);
      return tf.slice(y, [0, T - 1, 0], [n, 1, 1]);
    });
    out.set(p.dataSync(), at);
    p.dispose();
  }
  return out;
}

/** Every fold of one seed trained with one arm, in the shape the rule study judges. */
export async function stepArmFolds(ds: FrameDataset, seed: number, arm: StepArm, o: { folds: number; members: number; fromStep: number; epochs: number; batchSize: number }): Promise<RescoredFold[]> {
  const { windows } = windowDataset(ds);
  const splits = prepareFolds(windows, { k: o.folds, seed });
  const out: RescoredFold[] = [];
  for (const [k, split] of splits.entries()) {
    const labels = stepLabels(split.train, ds);
    const trainMembers: Float32Array[] = [];
    const testMembers: Float32Array[] = [];
    for (let m = 1; m <= o.members; m++) {
      const [tr, te] = await fitStepModel(split.train, labels, [split.train, split.test], { arm, fromStep: o.fromStep, epochs: o.epochs, batchSize: o.batchSize, seed: memberSeed(seed, m) });
      trainMembers.push(tr);
      testMembers.push(te);
    }
    out.push({ fold: k + 1, threshold: Number.NaN, train: split.train, test: split.test, trainMembers, testMembers });
  }
  return out;
}

if (require.main === module) {
  const program = new Command()
    .requiredOption("--seeds <list>", "seeds, comma separated")
    .option("--arms <list>", "last,steps", "last,steps")
    .option("--from <n>", "first step (1-based) the steps arm's loss averages", "8")
    .option("--members <n>", "models a fold", "3")
    .option("--epochs <n>", "epochs", "30")
    .option("--folds <n>", "folds", "5");
  program.parse();
  const o = program.opts<{ seeds: string; arms: string; from: string; members: string; epochs: string; folds: string }>();
  (async () => {
    const { initBackend } = await import("../backend");
    await initBackend();
    const ds = resolveData();
    const rule = STUDIED_RULES[0];
    for (const seed of o.seeds.split(",").map(Number)) {
      for (const arm of o.arms.split(",") as StepArm[]) {
        const t0 = Date.now();
        const folds = await stepArmFolds(ds, seed, arm, { folds: Number(o.folds), members: Number(o.members), fromStep: Number(o.from), epochs: Number(o.epochs), batchSize: 64 });
        const outcome = studyRule(folds, rule, ds);
        const label = { last: "last step", steps: `steps ${o.from}..T`, aux: `last step + steps ${o.from}..T, half each` }[arm];
        console.log(outcomeRow(`seed ${seed}, ${label} (${((Date.now() - t0) / 1000).toFixed(0)} s)`, outcome));
      }
    }
    process.exit(0);
  })().catch((e) => {
    console.error(e instanceof Error ? e.stack : String(e));
    process.exit(1);
  });
}
