// A model as plain data: what crosses to worker threads and into distributed.json. Each thread
// rebuilds the same seeded model from it; no functions or tensors cross.
import * as tf from "@tensorflow/tfjs";
import { buildOriginalModel, OriginalModelOptions, resolveOriginalOptions } from "./original";
import { BuildOptions, buildRnnModel, resolveRnnOptions, RnnModelOptions, RNN_KINDS } from "./rnn";
import { expectInt, expectNumber, expectObject, expectOneOf, optional, Plain, rejectUnknownKeys } from "./check";

export type ModelSpec = { type: "rnn"; options: RnnModelOptions } | { type: "original"; options: OriginalModelOptions };
export const MODEL_SPEC_TYPES = ["rnn", "original"] as const;

export function buildModelFromSpec(spec: ModelSpec, build: BuildOptions = {}): tf.LayersModel {
  return spec.type === "rnn" ? buildRnnModel(spec.options, build) : buildOriginalModel(spec.options, build);
}

/** What one input row looks like: [T, F] frames of features, or [T] token ids (F = 1) for 'original'. */
export function specInputShape(spec: ModelSpec): { timesteps: number; features: number; tokens: boolean } {
  if (spec.type === "rnn") {
    const o = resolveRnnOptions(spec.options);
    return { timesteps: o.timesteps, features: o.features, tokens: false };
  }
  return { timesteps: resolveOriginalOptions(spec.options).timesteps, features: 1, tokens: true };
}

/** Validate a spec from JSON or a notebook; throws a one-line TypeError on anything wrong. */
export function parseModelSpec(value: unknown): ModelSpec {
  const o = expectObject(value, "model spec");
  rejectUnknownKeys(o, ["type", "options"], "model spec");
  const type = expectOneOf(o.type, MODEL_SPEC_TYPES, "model spec.type");
  const opts = expectObject(o.options, "model spec.options");
  return type === "rnn" ? { type, options: parseRnnOptions(opts) } : { type, options: parseOriginalOptions(opts) };
}

const W = "model spec.options";

function parseRnnOptions(o: Plain): RnnModelOptions {
  rejectUnknownKeys(o, ["kind", "timesteps", "features", "units", "dropout", "seed", "learningRate", "positiveWeight"], W);
  const out: RnnModelOptions = {
    kind: expectOneOf(o.kind, RNN_KINDS, `${W}.kind`),
    timesteps: expectInt(o.timesteps, `${W}.timesteps`, 1),
    features: expectInt(o.features, `${W}.features`, 1),
  };
  if (o.units !== undefined) {
    if (!Array.isArray(o.units) || o.units.length === 0) throw new TypeError(`${W}.units must be a non-empty array of integers`);
    out.units = o.units.map((u, i) => expectInt(u, `${W}.units[${i}]`, 1));
  }
  const pw = optional(o, "positiveWeight", (x, w) => expectNumber(x, w, { min: 0, minExclusive: true }), W);
  if (pw !== undefined) out.positiveWeight = pw;
  return { ...out, ...commonOptions(o) };
}

function parseOriginalOptions(o: Plain): OriginalModelOptions {
  rejectUnknownKeys(
    o,
    ["kind", "vocabSize", "embeddingDim", "units", "layers", "timesteps", "seed", "learningRate", "dropout"],
    W,
  );
  const out: OriginalModelOptions = { kind: expectOneOf(o.kind, RNN_KINDS, `${W}.kind`) };
  const ints = ["vocabSize", "embeddingDim", "units", "layers", "timesteps"] as const;
  for (const k of ints) {
    const v = optional(o, k, (x, w) => expectInt(x, w, 1), W);
    if (v !== undefined) out[k] = v;
  }
  return { ...out, ...commonOptions(o) };
}

function commonOptions(o: Plain): { dropout?: number; seed?: number; learningRate?: number } {
  const out: { dropout?: number; seed?: number; learningRate?: number } = {};
  const dropout = optional(o, "dropout", (x, w) => expectNumber(x, w, { min: 0, max: 1, maxExclusive: true }), W);
  const seed = optional(o, "seed", (x, w) => expectInt(x, w, 0, 2 ** 32 - 1), W);
  const lr = optional(o, "learningRate", (x, w) => expectNumber(x, w, { min: 0, minExclusive: true }), W);
  if (dropout !== undefined) out.dropout = dropout;
  if (seed !== undefined) out.seed = seed;
  if (lr !== undefined) out.learningRate = lr;
  return out;
}
