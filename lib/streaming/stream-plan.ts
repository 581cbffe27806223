// What the native stream step (lib/native/stream_step.cc) computes for a window model: its layers as
// per-frame operations (LSTM/GRU step, Dense; Dropout dropped: the identity at inference) and their
// weights in one array. Pure: a model it cannot take gives the reason instead.
import * as tf from "@tensorflow/tfjs";
import { fusableLayer } from "../model/fused-rnn";
import { windowInputShape } from "./stateful-copy";

/** rnn_kernel.h's activation codes. */
const ACTIVATION_CODES: Record<string, number> = { tanh: 0, relu: 1, sigmoid: 2, hardSigmoid: 3, linear: 4 };
const KIND_CODES = { lstm: 0, gru: 1, dense: 2 } as const;

export interface StreamOp {
  kind: keyof typeof KIND_CODES;
  /** Inputs per frame. */
  inputs: number;
  units: number;
  activation: string;
  /** The gates' activation (recurrent layers only). */
  recurrentActivation?: string;
}

export interface StreamPlan {
  /** Model inputs per frame (F). */
  inputs: number;
  ops: StreamOp[];
  /** What streamCreate reads: F, then per op kind, inputs, units, activation, recurrent activation. */
  codes: Int32Array;
  /** Per op its kernel, recurrent kernel (recurrent layers) and bias, row-major as tfjs holds them. */
  weights: Float32Array;
  /** Floats of carried state: h per GRU layer, h and c per LSTM layer. */
  stateLength: number;
}

/** The layer as a per-frame operation, or why the native stream cannot compute it (null: Dropout, skipped). */
function streamOp(layer: tf.layers.Layer, inputs: number): StreamOp | null | string {
  const cls = layer.getClassName();
  if (cls === "Dropout") return null;
  if (cls === "LSTM" || cls === "GRU") {
    const shape = fusableLayer(layer);
    if (typeof shape === "string") return shape;
    return { kind: shape.kind, inputs, units: shape.units, activation: shape.activation, recurrentActivation: shape.recurrentActivation };
  }
  if (cls === "Dense") {
    const c = layer.getConfig() as Record<string, unknown>;
    const activation = String(c.activation);
    if (!(activation in ACTIVATION_CODES)) return `${layer.name}: activation ${activation}`;
    return { kind: "dense", inputs, units: Number(c.units), activation };
  }
  return `${layer.name}: ${cls} has no native stream step`;
}

/** The layer's weights in the plan's order; a Dense layer without bias gets zeros. */
function opWeights(layer: tf.layers.Layer, op: StreamOp): Float32Array[] {
  const values = layer.getWeights().map((w) => w.dataSync() as Float32Array);
  if (op.kind === "dense" && values.length === 1) values.push(new Float32Array(op.units));
  return values;
}

/** The native stream's plan for a Sequential window model, or why it cannot stream it natively. */
export function streamPlan(model: tf.LayersModel): StreamPlan | string {
  if (model.getClassName() !== "Sequential") return `only Sequential models stream natively (this is a ${model.getClassName()})`;
  const { F } = windowInputShape(model);
  const ops: StreamOp[] = [];
  const parts: Float32Array[] = [];
  let width = F;
  for (const layer of model.layers) {
    const op = streamOp(layer, width);
    if (typeof op === "string") return op;
    if (op === null) continue;
    ops.push(op);
    parts.push(...opWeights(layer, op));
    width = op.units;
  }
  if (!ops.some((o) => o.kind !== "dense")) return "the model has no LSTM/GRU layer";
  if (width !== 1) return `the model gives ${width} outputs per window; the stream returns one probability`;
  const weights = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (weights.set(p, at), at + p.length), 0);
  const codes = Int32Array.from([
    F,
    ...ops.flatMap((o) => [KIND_CODES[o.kind], o.inputs, o.units, ACTIVATION_CODES[o.activation], ACTIVATION_CODES[o.recurrentActivation ?? "linear"]]),
  ]);
  const stateLength = ops.reduce((n, o) => n + (o.kind === "lstm" ? 2 : o.kind === "gru" ? 1 : 0) * o.units, 0);
  return { inputs: F, ops, codes, weights, stateLength };
}
