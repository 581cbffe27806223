// A stream plan on the native addon: one call a frame steps every recurrent layer from the state
// this object owns (a Float32Array) and runs the head. The weights were copied into the addon once.
import { fusedRnnStatus } from "../model/fused-rnn";
import type { StreamPlan } from "./stream-plan";

/** The addon's streaming calls (lib/native/stream_step.cc). */
interface StreamAddon {
  streamCreate(codes: Int32Array, weights: Float32Array): object;
  streamStep(handle: object, x: Float32Array, state: Float32Array): number;
}

/** The loaded addon's streaming calls, or why they are not available here. */
export function streamAddon(): StreamAddon | string {
  const status = fusedRnnStatus();
  if (!status.available) return status.reason;
  // The same module object the fused kernel loaded: require caches it by path.
  const addon = require(status.addon) as Partial<StreamAddon>;
  if (typeof addon.streamCreate !== "function" || typeof addon.streamStep !== "function") {
    return `${status.addon} has no streamStep (built before the native stream existed); run npm run build`;
  }
  return addon as StreamAddon;
}

export class NativeStream {
  /** h (and c for an LSTM) of every recurrent layer, in plan order; zeros = a fresh stream. */
  readonly state: Float32Array;
  private readonly handle: object;

  constructor(
    private readonly addon: StreamAddon,
    readonly plan: StreamPlan,
  ) {
    this.handle = addon.streamCreate(plan.codes, plan.weights);
    this.state = new Float32Array(plan.stateLength);
  }

  /** The model's probability after this frame's inputs (F standardised floats); advances the state. */
  step(row: Float32Array): number {
    return this.addon.streamStep(this.handle, row, this.state);
  }

  reset(): void {
    this.state.fill(0);
  }
}
