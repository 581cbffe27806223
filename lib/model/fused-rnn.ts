// The fused recurrent kernel: one native call per LSTM/GRU layer per batch (forward, and one for
// backward) instead of ~150 tfjs kernels per time step. The weights stay the layer's own tfjs
// variables, so a model trained this way is an ordinary tfjs model. Built by `npm run build`
// (lib/native/build-native.ts) with the machine's g++; when it is absent the trainer uses
// tfjs-layers and says so (FitResult.trainingKernel, metrics.json training.kernel).
import * as fs from "fs";
import * as tf from "@tensorflow/tfjs";
import { cpuSignature, NATIVE_ADDON, NATIVE_BUILD_NOTE, NativeBuildNote, readBuildNote } from "../native/paths";
import { applyOpenblasCore } from "../native/openblas-core";

interface NativeKernel {
  forward(...args: (number | Float32Array)[]): void;
  backward(...args: (number | Float32Array | null)[]): void;
  gemmConfig(mode: number, minMacs: number): void;
  gemmStats(): GemmStats;
  lossAndGradients(...args: (number | Int32Array | Float32Array | Float32Array[] | Float64Array)[]): void;
  adam(...args: (number | Float32Array)[]): void;
  averageSlots(slots: Float32Array, size: number, counts: Float64Array, out: Float32Array): void;
  gatherRows(src: Float32Array, rowSize: number, indices: Int32Array, out: Float32Array): void;
}

/** Which code does the kernel's matrix products (lib/native/gemm.h), and how much each path did. */
export interface GemmStats {
  /** The BLAS linked at build time ("openblas", "blis"), or null: the tiled loops only. */
  blas: string | null;
  /** The BLAS's own description of itself (openblas_get_config, BLIS's version). */
  blasConfig?: string;
  /** OpenBLAS: the CPU kernels it picked at run time (openblas_get_corename, e.g. "Cooperlake", "Zen"). */
  blasCore?: string;
  /** OpenBLAS's thread count (pinned to 1). */
  blasThreads?: number;
  /** 0 auto (the BLAS from minMacs multiply-adds up), 1 tiled loops only, 2 the BLAS for every product. */
  mode: number;
  minMacs: number;
  /** Multiply-adds done by each path since the addon loaded, summed over every thread of the process. */
  tiledMacs: number;
  blasMacs: number;
  /** The per-step products on the AVX-512 micro-kernel over packed weights (gemm_packed.h; mode auto only). */
  packedMacs?: number;
  /** Whether this build has that micro-kernel (the compiler targeted AVX-512). */
  packedBuilt?: boolean;
}

/** FALL_GEMM=auto|tiled|blas: which code does the matrix products (auto: the BLAS for the large ones). */
export const GEMM_ENV = "FALL_GEMM";
export type GemmPath = "auto" | "tiled" | "blas";
const GEMM_MODES: Record<GemmPath, number> = { auto: 0, tiled: 1, blas: 2 };

export type FusedRnnStatus = { available: true; addon: string } | { available: false; reason: string };

let loaded: { kernel: NativeKernel | null; status: FusedRnnStatus } | null = null;

/** Set to "tfjs" to train with tfjs-layers' kernels even where the fused kernel is built. */
export const RNN_KERNEL_ENV = "FALL_RNN_KERNEL";

/** Loads the addon once; FALL_RNN_KERNEL=tfjs turns it off (the bench compares both). */
export function fusedRnnStatus(): FusedRnnStatus {
  return load().status;
}

/**
 * Whether the built addon may be loaded here, or why not: pure, so each case is testable.
 * Refuses an addon built for another CPU (-march=native code can die on an illegal instruction).
 */
export function nativeLoadDecision(o: { forceTfjs: boolean; addonExists: boolean; note: NativeBuildNote | null; cpu: string }): { load: true } | { load: false; reason: string } {
  if (o.forceTfjs) return { load: false, reason: `${RNN_KERNEL_ENV}=tfjs` };
  if (!o.addonExists) return { load: false, reason: o.note?.reason ?? `${NATIVE_ADDON} was not built (run npm run build)` };
  if (!o.note?.cpu) return { load: false, reason: `${NATIVE_BUILD_NOTE} does not say which CPU the kernel was built for; run npm run build` };
  if (o.note.cpu !== o.cpu) return { load: false, reason: `${NATIVE_ADDON} was compiled for another CPU (${o.note.cpu}); run npm run build here` };
  return { load: true };
}

function load(): { kernel: NativeKernel | null; status: FusedRnnStatus } {
  if (loaded) return loaded;
  const decision = nativeLoadDecision({
    forceTfjs: process.env[RNN_KERNEL_ENV] === "tfjs",
    addonExists: fs.existsSync(NATIVE_ADDON),
    note: readBuildNote(),
    cpu: cpuSignature(),
  });
  if (!decision.load) {
    loaded = { kernel: null, status: { available: false, reason: decision.reason } };
  } else {
    try {
      applyOpenblasCore();
      const kernel = require(NATIVE_ADDON) as NativeKernel;
      const problem = applyGemmEnv(kernel);
      loaded = problem ? { kernel: null, status: { available: false, reason: problem } } : { kernel, status: { available: true, addon: NATIVE_ADDON } };
    } catch (e) {
      loaded = { kernel: null, status: { available: false, reason: `${NATIVE_ADDON}: ${(e as Error).message.split("\n")[0]}` } };
    }
  }
  return loaded;
}

/** Applies FALL_GEMM; a problem (unknown value, blas without a BLAS) as a sentence, else null. */
function applyGemmEnv(kernel: NativeKernel): string | null {
  const raw = process.env[GEMM_ENV];
  if (raw === undefined || raw === "") return null;
  if (!(raw in GEMM_MODES)) return `${GEMM_ENV}=${raw} is not one of auto, tiled, blas`;
  if (raw === "blas" && kernel.gemmStats().blas === null) return `${GEMM_ENV}=blas but ${NATIVE_ADDON} was built without a BLAS (${readBuildNote()?.blasReason ?? "see build-status.json"})`;
  kernel.gemmConfig(GEMM_MODES[raw as GemmPath], kernel.gemmStats().minMacs);
  return null;
}

/** The loaded addon's whole-step calls (lib/native/train_step.cc); throws where it is not loaded. */
export function trainStepKernel(): Pick<NativeKernel, "lossAndGradients" | "adam"> {
  const { kernel, status } = load();
  if (!kernel) throw new Error(`fused RNN kernel unavailable: ${status.available ? "not loaded" : status.reason}`);
  return kernel;
}

/**
 * The addon's weighted average of gradient slots (lib/native/slot_average.cc: weightedAverage's bits,
 * several times faster), or null where the addon is not loaded and the JavaScript loop serves.
 */
export function slotAverageKernel(): NativeKernel["averageSlots"] | null {
  const kernel = load().kernel;
  return kernel ? (slotAverage ??= kernel.averageSlots.bind(kernel)) : null;
}
let slotAverage: NativeKernel["averageSlots"] | undefined;

/** The addon's row gather (lib/native/gather_rows.cc: memcpy a row, no garbage), or null where the addon is not loaded. */
export function gatherRowsKernel(): NativeKernel["gatherRows"] | null {
  const kernel = load().kernel;
  return kernel ? (gatherCall ??= kernel.gatherRows.bind(kernel)) : null;
}
let gatherCall: NativeKernel["gatherRows"] | undefined;

/** The addon's Adam step over any Float32Arrays (lib/native/train_step.cc), or null where the addon is not loaded. */
export function adamKernel(): NativeKernel["adam"] | null {
  const kernel = load().kernel;
  return kernel ? (adamCall ??= kernel.adam.bind(kernel)) : null;
}
let adamCall: NativeKernel["adam"] | undefined;

/** The matrix-product paths and their counts so far, or null where the fused kernel is not loaded. */
export function gemmStats(): GemmStats | null {
  return load().kernel?.gemmStats() ?? null;
}

/**
 * Forces a path for every later product in this process (all worker threads): the tests compare
 * both, the bench measures them. minMacs (multiply-adds) keeps its current value unless given.
 */
export function setGemmPath(path: GemmPath, minMacs?: number): void {
  const { kernel, status } = load();
  if (!kernel) throw new Error(`fused RNN kernel unavailable: ${status.available ? "not loaded" : status.reason}`);
  kernel.gemmConfig(GEMM_MODES[path], minMacs ?? kernel.gemmStats().minMacs);
}

/**
 * "fused-native" (or "fused-native-step") becomes "fused-native+openblas" when the BLAS did products between the two
 * snapshots (taken around a fit in this process), and gains "+avx512" when the packed micro-kernel did the per-step
 * ones, so a run says which code computed its steps.
 */
export function kernelWithGemmPath(kernel: string, before: GemmStats | null, after: GemmStats | null = gemmStats()): string {
  if (!kernel.startsWith("fused-native") || !before || !after) return kernel;
  const blas = after.blas && after.blasMacs > before.blasMacs ? `+${after.blas}` : "";
  const packed = (after.packedMacs ?? 0) > (before.packedMacs ?? 0) ? "+avx512" : "";
  return kernel + blas + packed;
}

const ACTIVATION_CODES: Record<string, number> = { tanh: 0, relu: 1, sigmoid: 2, hardSigmoid: 3, linear: 4 };
const KIND_CODES = { lstm: 0, gru: 1 } as const;

/** What the kernel needs to know about one recurrent layer. */
export interface FusedLayerShape {
  kind: "lstm" | "gru";
  units: number;
  activation: string;
  recurrentActivation: string;
  returnSequences: boolean;
}

/**
 * The layer's shape when the fused kernel computes exactly what tfjs-layers would, else why not.
 * Only the plain configuration is fused: bias, no input/recurrent dropout, not stateful/reversed.
 */
export function fusableLayer(layer: tf.layers.Layer): FusedLayerShape | string {
  const cls = layer.getClassName();
  if (cls !== "LSTM" && cls !== "GRU") return `${cls} is not a recurrent layer`;
  const c = layer.getConfig() as Record<string, unknown>;
  const problems: string[] = [];
  if (c.useBias === false) problems.push("no bias");
  if (Number(c.dropout ?? 0) > 0 || Number(c.recurrentDropout ?? 0) > 0) problems.push("input/recurrent dropout");
  if (c.stateful || c.goBackwards || c.returnState) problems.push("stateful/goBackwards/returnState");
  if (c.resetAfter) problems.push("resetAfter");
  for (const key of ["activation", "recurrentActivation"]) {
    if (!(String(c[key]) in ACTIVATION_CODES)) problems.push(`${key} ${String(c[key])}`);
  }
  if (problems.length > 0) return `${layer.name}: ${problems.join(", ")}`;
  return {
    kind: cls === "LSTM" ? "lstm" : "gru",
    units: Number(c.units),
    activation: String(c.activation),
    recurrentActivation: String(c.recurrentActivation),
    returnSequences: Boolean(c.returnSequences),
  };
}

/**
 * The forward pass's caches of one layer (outputs, cell states, gate pre-activations and
 * activations), kept from batch to batch: the backward pass reads them, and reusing them instead of
 * allocating ~3 MB a batch spares the garbage collector (which otherwise takes a core's share).
 * One per layer; safe while each batch's backward runs before the next batch's forward.
 */
export class FusedScratch {
  private buffers = new Map<string, Float32Array>();
  /** Forward passes so far: a backward pass checks that no later forward overwrote its caches. */
  generation = 0;

  get(name: string, length: number): Float32Array {
    let b = this.buffers.get(name);
    if (!b || b.length !== length) {
      b = new Float32Array(length);
      this.buffers.set(name, b);
    }
    return b;
  }
}

/**
 * The layer's output for x [B, T, F] with the given weights (kernel [F, G], recurrent [U, G],
 * bias [G]), differentiable in all four through the native backward pass. Tensors are made from
 * fresh arrays only (the cpu backend keeps the array it is given); `scratch` holds the caches.
 */
export function fusedRnn(
  shape: FusedLayerShape,
  x: tf.Tensor3D,
  kernel: tf.Tensor,
  recurrent: tf.Tensor,
  bias: tf.Tensor,
  opts: { scratch?: FusedScratch; inputGrad?: boolean } = {},
): tf.Tensor {
  const scratch = opts.scratch ?? new FusedScratch();
  // The first layer's input is data: no gradient, so x stays out of the differentiated inputs.
  const inputGrad = opts.inputGrad ?? true;
  const run = forwardRun(shape, x.shape, scratch);
  const { native, codes, B, T, F, U, G } = run;
  // The data is kept in this closure for the backward pass, not saved as tensors.
  const op = tf.customGrad(((...inputs: tf.Tensor[]) => {
    const [xs, W, R, b] = (inputGrad ? inputs.slice(0, 4) : [x, ...inputs.slice(0, 3)]).map((t) => t.dataSync() as Float32Array);
    const { value, h, c, pre, post } = run.forward(xs, W, R, b);
    const generation = ++scratch.generation;
    const gradFunc = (dy: tf.Tensor | tf.Tensor[]) => {
      if (scratch.generation !== generation) throw new Error("fusedRnn: another forward pass reused this layer's caches before its backward pass; give each use its own FusedScratch");
      const dyData = (Array.isArray(dy) ? dy[0] : dy).dataSync() as Float32Array;
      const dh = shape.returnSequences ? dyData : spreadLastStep(dyData, B, T, U, scratch.get("dh", B * T * U));
      const dx = inputGrad ? new Float32Array(B * T * F) : null;
      const dW = new Float32Array(F * G);
      const dR = new Float32Array(U * G);
      const db = new Float32Array(G);
      native.backward(...codes, xs, W, R, h, c, pre, post, dh, dx, dW, dR, db);
      const weightGrads = [tf.tensor2d(dW, [F, G]), tf.tensor2d(dR, [U, G]), tf.tensor1d(db)];
      return dx ? [tf.tensor3d(dx, [B, T, F]), ...weightGrads] : weightGrads;
    };
    return { value, gradFunc };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return inputGrad ? op(x, kernel, recurrent, bias) : op(kernel, recurrent, bias);
}

/**
 * The layer's output for x as fusedRnn gives it (the same native forward pass, bit for bit), recording
 * no gradient: prediction's path, without customGrad's bookkeeping (a detector scores dozens of windows a frame).
 */
export function fusedRnnInference(shape: FusedLayerShape, x: tf.Tensor3D, kernel: tf.Tensor, recurrent: tf.Tensor, bias: tf.Tensor, scratch: FusedScratch): tf.Tensor {
  const run = forwardRun(shape, x.shape, scratch);
  return run.forward(x.dataSync() as Float32Array, kernel.dataSync() as Float32Array, recurrent.dataSync() as Float32Array, bias.dataSync() as Float32Array).value;
}

/** The native forward pass of one layer on x's shape, into the scratch caches: shared by training and inference. */
function forwardRun(shape: FusedLayerShape, [B, T, F]: readonly number[], scratch: FusedScratch) {
  const { kernel: native, status } = load();
  if (!native) throw new Error(`fused RNN kernel unavailable: ${status.available ? "not loaded" : status.reason}`);
  const U = shape.units;
  const G = (shape.kind === "lstm" ? 4 : 3) * U;
  const codes = [KIND_CODES[shape.kind], ACTIVATION_CODES[shape.activation], ACTIVATION_CODES[shape.recurrentActivation], B, T, F, U] as const;
  const forward = (xs: Float32Array, W: Float32Array, R: Float32Array, b: Float32Array) => {
    const h = scratch.get("h", B * T * U);
    const c = scratch.get("c", shape.kind === "lstm" ? B * T * U : 0);
    const pre = scratch.get("pre", B * T * G);
    const post = scratch.get("post", B * T * G);
    native.forward(...codes, xs, W, R, b, h, c, pre, post);
    const value = shape.returnSequences ? tf.tensor3d(h.slice(), [B, T, U]) : tf.tensor2d(lastStep(h, B, T, U), [B, U]);
    return { value, h, c, pre, post };
  };
  return { native, codes, B, T, F, U, G, forward };
}

function lastStep(h: Float32Array, B: number, T: number, U: number): Float32Array {
  const out = new Float32Array(B * U);
  for (let b = 0; b < B; b++) out.set(h.subarray((b * T + T - 1) * U, (b * T + T) * U), b * U);
  return out;
}

function spreadLastStep(dy: Float32Array, B: number, T: number, U: number, dh: Float32Array): Float32Array {
  dh.fill(0);
  for (let b = 0; b < B; b++) dh.set(dy.subarray(b * U, (b + 1) * U), (b * T + T - 1) * U);
  return dh;
}
