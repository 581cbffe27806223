// Which code steps a StreamingDetector: the native stream step where the addon is built and the
// model fits it, else the tfjs-layers stateful copy, with the reason kept for the caller to show.
import type * as tf from "@tensorflow/tfjs";
import { NativeStream, streamAddon } from "./native-stream";
import { streamPlan } from "./stream-plan";
import { TfjsStatefulStep } from "./tfjs-stateful-step";

export type StreamKernel = "fused-native-stream" | "tfjs-layers-stateful";

/** "auto": native where it can run, else tfjs (said in the note); a named kernel is used or refused. */
export type StreamKernelChoice = "auto" | StreamKernel;

/** One frame's standardised inputs in, the model's probability out; the state carried inside. */
export interface FrameStep {
  step(row: Float32Array): number;
  reset(): void;
  /** Tensors holding the recurrent state (0 where the state is a Float32Array). */
  stateTensorCount(): number;
  dispose(): void;
}

export interface ChosenStep {
  kernel: StreamKernel;
  /** Why the native stream is not used, when it is not. */
  note?: string;
  step: FrameStep;
}

/** Why this model cannot stream natively here, or the native step. */
function nativeStep(model: tf.LayersModel): FrameStep | string {
  const addon = streamAddon();
  if (typeof addon === "string") return addon;
  const plan = streamPlan(model);
  if (typeof plan === "string") return plan;
  const stream = new NativeStream(addon, plan);
  return { step: (row) => stream.step(row), reset: () => stream.reset(), stateTensorCount: () => 0, dispose: () => undefined };
}

export async function chooseStreamStep(model: tf.LayersModel, choice: StreamKernelChoice = "auto"): Promise<ChosenStep> {
  if (choice === "tfjs-layers-stateful") return { kernel: choice, note: "tfjs-layers-stateful was asked for", step: await TfjsStatefulStep.of(model) };
  const native = nativeStep(model);
  if (typeof native !== "string") return { kernel: "fused-native-stream", step: native };
  if (choice === "fused-native-stream") throw new Error(`the native stream step cannot run this model: ${native}`);
  return { kernel: "tfjs-layers-stateful", note: native, step: await TfjsStatefulStep.of(model) };
}
