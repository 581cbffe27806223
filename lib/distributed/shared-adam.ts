// One Adam state in shared memory for config.push 'gradients' (asynchronous and hogwild): every
// worker's pushed gradient is applied to the shared weights with it, as a parameter server holding
// the optimizer would (Downpour SGD). Layout: m, v (size floats each), beta1^t, beta2^t as float32,
// then an Int32 count of the steps applied (a push's staleness is how many landed since its read).
import { adamUpdate, AdamHyper } from "../model/adam-update";

export class SharedAdam {
  readonly m: Float32Array;
  readonly v: Float32Array;
  readonly accBetas: Float32Array;
  private readonly applied: Int32Array;

  constructor(buffer: SharedArrayBuffer, readonly size: number) {
    if (buffer.byteLength !== SharedAdam.bytes(size)) throw new RangeError(`SharedAdam: ${buffer.byteLength} bytes for ${size} weights, need ${SharedAdam.bytes(size)}`);
    this.m = new Float32Array(buffer, 0, size);
    this.v = new Float32Array(buffer, size * 4, size);
    this.accBetas = new Float32Array(buffer, size * 8, 2);
    this.applied = new Int32Array(buffer, size * 8 + 8, 1);
  }

  static bytes(size: number): number {
    return size * 8 + 8 + 4;
  }

  static create(size: number): SharedArrayBuffer {
    return new SharedArrayBuffer(SharedAdam.bytes(size));
  }

  /** A fresh optimizer's state, as tfjs's AdamOptimizer starts (moments 0, beta^t = beta): one worker, before anyone steps. */
  reset(h: AdamHyper): void {
    this.m.fill(0);
    this.v.fill(0);
    this.accBetas[0] = h.beta1;
    this.accBetas[1] = h.beta2;
    Atomics.store(this.applied, 0, 0);
  }

  /** Steps applied so far. */
  steps(): number {
    return Atomics.load(this.applied, 0);
  }

  /** One Adam step of `weights` (the store's) with this gradient. Takes no lock: asynchronous holds the store's, hogwild none. */
  apply(weights: Float32Array, grad: Float32Array, h: AdamHyper): void {
    adamUpdate(weights, grad, this.m, this.v, this.accBetas, h);
    Atomics.add(this.applied, 0, 1);
  }
}
