// A model's whole training step in native code (lib/native/train_step.cc): forward, loss, every
// gradient and Adam in two calls a batch over flat Float32Arrays. The step keeps the weights and
// Adam's moments; the model's tfjs variables get them on writeToModel(), and a write to the model
// from outside (setWeights) is noticed and read back before the next step.
import * as tf from "@tensorflow/tfjs";
import { trainStepKernel } from "./fused-rnn";
import { nativePlan, NativePlan } from "./native-plan";
import { dropoutMask, RowSlice } from "./dropout-rows";
import type { AdamInternals, AdamState } from "./adam-state";

export class NativeStep {
  /** The weights, flat in model.trainableWeights order: the truth between writeToModel() calls. */
  readonly weights: Float32Array;
  /** The last batch's gradient (unless the caller gave its own buffer). */
  readonly grads: Float32Array;
  /** Adam's first and second moments, and beta1^t, beta2^t, as tfjs's Adam keeps them. */
  readonly m: Float32Array;
  readonly v: Float32Array;
  readonly accBetas = new Float32Array(2);
  private readonly result = new Float64Array(2);
  /** Unseeded layers' last masks: a batch of the same size reuses them (no garbage a batch). */
  private readonly maskBuffers: (Float32Array | undefined)[];
  /** Where each seeded layer's mask of a whole global batch is drawn: reserveRows() sizes them before a fit, not mid-fit. */
  private readonly wholeBuffers: Float32Array[];
  /** Each seeded layer's views of its buffer by rows (offset · 2^20 + count), and masks()' and layerSeeds()' arrays: reused, as a batch's garbage is collected on V8's helper threads. */
  private readonly wholeViews: Map<number, Float32Array>[];
  private readonly maskList: Float32Array[];
  private readonly seedList: (number | undefined)[];
  /** The seed and the rows of the mask in each layer's buffer (seed -1: none drawn; seeds are >= 0). */
  private readonly wholeSeeds: Float64Array;
  private readonly wholeRows: Int32Array;
  /**
   * The plan's figures the per-batch calls read, as this object's own fields: read through the plan, V8 discarded
   * those calls' optimised code when a thread built its second plan (its next fit) and compiled them again.
   */
  private readonly layout: Int32Array;
  private readonly timesteps: number;
  private readonly features: number;
  private readonly positiveWeight: number;
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly epsilon: number;
  private readonly vars: tf.Variable[];
  /** The addon, looked up once (nativePlan checked it loads): its loader was inlined into every step's compile. */
  private readonly kernel = trainStepKernel();
  /** Floats in one row of each Dropout layer's mask. */
  private readonly rowElems: number[];
  /** Each variable's data at the last read or write: another object means someone assigned it. */
  private seen: unknown[] = [];
  /** Adam steps taken (the t of beta^t; fractional after writeAdam of an averaged state). */
  private steps = 0;
  /** Adam's learning rate, the compiled one unless set (a warm-up schedule sets it batch by batch). */
  learningRate: number;

  private constructor(
    readonly model: tf.LayersModel,
    readonly plan: NativePlan,
  ) {
    this.vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    this.rowElems = plan.dropouts.map((d) => d.rowShape.reduce((a, b) => a * b, 1));
    this.weights = new Float32Array(plan.size);
    this.grads = new Float32Array(plan.size);
    this.m = new Float32Array(plan.size);
    this.v = new Float32Array(plan.size);
    this.learningRate = plan.optimizer.learningRate;
    // Arrays in their final kind from the start: an empty [] changed its kind at the first mask, which made V8 throw
    // the per-batch code away in a thread's next fit and compile it again.
    this.maskBuffers = plan.dropouts.map(() => undefined);
    this.wholeBuffers = plan.dropouts.map(() => new Float32Array(0));
    this.wholeViews = plan.dropouts.map(() => new Map());
    this.maskList = plan.dropouts.map(() => new Float32Array(0));
    this.seedList = plan.dropouts.map(() => undefined);
    this.wholeSeeds = new Float64Array(plan.dropouts.length).fill(-1);
    this.wholeRows = new Int32Array(plan.dropouts.length);
    this.layout = plan.layout;
    this.timesteps = plan.timesteps;
    this.features = plan.features;
    this.positiveWeight = plan.positiveWeight;
    this.beta1 = plan.optimizer.beta1;
    this.beta2 = plan.optimizer.beta2;
    this.epsilon = plan.optimizer.epsilon;
    this.readModel();
    this.readOptimizer();
  }

  /** The step, or why this model's step cannot run natively. */
  static of(model: tf.LayersModel): NativeStep | string {
    const plan = nativePlan(model);
    return typeof plan === "string" ? plan : new NativeStep(model, plan);
  }

  /** The Dropout layers' current seeds (reseedDropout sets them before each batch), in an array reused from call to call. */
  layerSeeds(): (number | undefined)[] {
    const out = this.seedList;
    for (let i = 0; i < out.length; i++) out[i] = (this.plan.dropouts[i].layer as unknown as { seed?: number }).seed;
    return out;
  }

  /**
   * One mask a Dropout layer for these rows of the global batch, as tf.dropout draws it. The whole
   * global batch's mask is drawn once a seed and kept (a batch's micro-batches are its slices, and
   * the generator is sequential: drawing each slice alone would first draw every row before it);
   * the list and the arrays in it are reused from call to call (valid until the next call).
   */
  masks(rows: RowSlice, batch: number, seeds: ArrayLike<number | undefined>): Float32Array[] {
    // A loop, the rare draw out of line: this runs every micro-batch, and a closure a call made its optimised compile (another core's time) twice as big.
    const n = this.rowElems.length;
    const out = this.maskList;
    for (let i = 0; i < n; i++) {
      const seed = seeds[i];
      out[i] = seed === undefined ? this.freshMask(i, rows, batch) : this.sliceOfWhole(i, seed, rows, batch);
    }
    return out;
  }

  /** An unseeded layer draws afresh every time, as tf.dropout does. */
  private freshMask(i: number, rows: RowSlice, batch: number): Float32Array {
    const d = this.plan.dropouts[i];
    const size = batch * this.rowElems[i];
    if (this.maskBuffers[i]?.length !== size) this.maskBuffers[i] = new Float32Array(size);
    return dropoutMask(d.rate, undefined, [batch, ...d.rowShape], rows, this.maskBuffers[i]);
  }

  private sliceOfWhole(i: number, seed: number, rows: RowSlice, batch: number): Float32Array {
    const rowElems = this.rowElems[i];
    if (this.wholeSeeds[i] !== seed || this.wholeRows[i] !== rows.total) this.drawWhole(i, seed, rows.total);
    if (!(rows.offset >= 0 && rows.offset + batch <= rows.total)) {
      throw new RangeError(`dropoutMask: rows ${rows.offset}..${rows.offset + batch} outside a batch of ${rows.total}`);
    }
    // A batch's slices recur batch after batch (the same offsets and sizes): one view each, kept while the buffer is.
    const key = rows.offset * 2 ** 20 + batch;
    let view = this.wholeViews[i].get(key);
    if (view === undefined) {
      view = this.wholeBuffers[i].subarray(rows.offset * rowElems, (rows.offset + batch) * rowElems);
      this.wholeViews[i].set(key, view);
    }
    return view;
  }

  /**
   * Room for the masks of a global batch of `rows` rows, made now: a buffer made at a fit's first batch was an
   * allocation V8 had seen too rarely, so the compiled mask code was thrown away and compiled again in each new fit.
   */
  reserveRows(rows: number): void {
    for (let i = 0; i < this.wholeBuffers.length; i++) {
      const size = rows * this.rowElems[i];
      if (this.wholeBuffers[i].length < size) {
        this.wholeBuffers[i] = new Float32Array(size);
        this.wholeViews[i].clear();
      }
    }
  }

  /** Layer i's mask of a whole global batch of `total` rows for this seed, kept for the batch's other micro-batches. */
  private drawWhole(i: number, seed: number, total: number): void {
    const d = this.plan.dropouts[i];
    const size = total * this.rowElems[i];
    if (this.wholeBuffers[i].length < size) this.reserveRows(total);
    dropoutMask(d.rate, seed, [total, ...d.rowShape], { offset: 0, total }, this.wholeBuffers[i].subarray(0, size));
    this.wholeSeeds[i] = seed;
    this.wholeRows[i] = total;
  }

  /**
   * [loss, accuracy] (means over the batch) and the mean loss's gradient into `grads`. x is [batch, T, F],
   * or [batch, T] ids in front of an Embedding (an id outside the vocabulary throws a RangeError).
   */
  lossAndGradients(x: Float32Array, y: Float32Array, batch: number, masks: Float32Array[], grads: Float32Array = this.grads): [number, number] {
    this.refresh();
    this.kernel.lossAndGradients(this.layout, batch, this.timesteps, this.features, this.positiveWeight, x, y, masks, this.weights, grads, this.result);
    return [this.result[0], this.result[1]];
  }

  /** The weights the next step uses, flat in model.trainableWeights order, into `out`: no tfjs call unless the model was written since. */
  readWeights(out: Float32Array): void {
    if (out.length !== this.weights.length) throw new RangeError(`readWeights: ${out.length} floats, model has ${this.weights.length}`);
    this.refresh();
    out.set(this.weights);
  }

  /** One Adam step over the weights in place, tfjs's formula. */
  adam(grads: Float32Array = this.grads): void {
    if (grads.length !== this.weights.length) throw new RangeError(`adam: gradient of ${grads.length} floats, model has ${this.weights.length}`);
    this.refresh();
    this.kernel.adam(this.weights, grads, this.m, this.v, this.accBetas, this.learningRate, this.beta1, this.beta2, this.epsilon);
    this.steps++;
  }

  /**
   * Takes these weights (flat, model.trainableWeights order) as the step's own, whatever the model's
   * variables hold: a later write to the model is noticed again, an earlier one is overridden.
   */
  loadWeights(weights: Float32Array): void {
    if (weights.length !== this.plan.size) throw new RangeError(`loadWeights: ${weights.length} floats, model has ${this.plan.size}`);
    this.weights.set(weights);
    this.seen = this.vars.map(dataOf);
  }

  /** Writes the weights into the model's variables (before predict, save, getWeights). */
  writeToModel(): void {
    let offset = 0;
    for (const v of this.vars) {
      const values = this.weights.slice(offset, offset + v.size);
      tf.tidy(() => v.assign(tf.tensor(values, v.shape)));
      offset += v.size;
    }
    this.seen = this.vars.map(dataOf);
  }

  /** Writes Adam's moments and step count into the model's optimizer too (so tfjs could go on). */
  writeOptimizer(): void {
    const adam = this.model.optimizer as unknown as AdamInternals;
    let offset = 0;
    this.vars.forEach((v, i) => {
      const put = (slots: AdamInternals["accumulatedFirstMoment"], from: Float32Array, suffix: string) => {
        const values = from.slice(offset, offset + v.size);
        if (slots[i]) tf.tidy(() => slots[i].variable.assign(tf.tensor(values, v.shape)));
        else slots[i] = { originalName: `${v.name}/${suffix}`, variable: tf.variable(tf.tensor(values, v.shape), false) };
      };
      put(adam.accumulatedFirstMoment, this.m, "m");
      put(adam.accumulatedSecondMoment, this.v, "v");
      offset += v.size;
    });
    tf.tidy(() => {
      adam.accBeta1.assign(tf.scalar(this.accBetas[0]));
      adam.accBeta2.assign(tf.scalar(this.accBetas[1]));
    });
    adam.iterations_ = Math.round(this.steps);
  }

  /** Copies Adam's moments and step count out (weight averaging with averaged moments). */
  readAdam(into: AdamState): void {
    if (into.m.length !== this.m.length || into.v.length !== this.v.length) throw new RangeError(`readAdam: state of ${into.m.length} floats, model has ${this.m.length}`);
    into.m.set(this.m);
    into.v.set(this.v);
    into.steps = this.steps;
  }

  /** Continues from this Adam state: its moments, and beta^t at its (possibly fractional, averaged) t. */
  writeAdam(state: AdamState): void {
    if (state.m.length !== this.m.length || state.v.length !== this.v.length) throw new RangeError(`writeAdam: state of ${state.m.length} floats, model has ${this.m.length}`);
    this.m.set(state.m);
    this.v.set(state.v);
    // Same t: the running product stays, so averaging one worker's state changes nothing (pow rounds otherwise).
    if (state.steps === this.steps) return;
    this.steps = state.steps;
    const o = this.plan.optimizer;
    this.accBetas[0] = o.beta1 ** state.steps;
    this.accBetas[1] = o.beta2 ** state.steps;
  }

  /** Reads the model's weights again if anything assigned a variable since the last read or write. */
  private refresh(): void {
    // A loop, not vars.some(closure): it runs every micro-batch.
    for (let i = 0; i < this.vars.length; i++) {
      if (dataOf(this.vars[i]) !== this.seen[i]) return this.readModel();
    }
  }

  private readModel(): void {
    let offset = 0;
    for (const v of this.vars) {
      this.weights.set(v.dataSync() as Float32Array, offset);
      offset += v.size;
    }
    this.seen = this.vars.map(dataOf);
  }

  /** Starts from the optimizer's state: zeros before its first step, its moments after. */
  private readOptimizer(): void {
    const adam = this.model.optimizer as unknown as AdamInternals;
    this.accBetas[0] = adam.accBeta1.dataSync()[0];
    this.accBetas[1] = adam.accBeta2.dataSync()[0];
    this.steps = adam.iterations_ ?? 0;
    let offset = 0;
    this.vars.forEach((v, i) => {
      const m = adam.accumulatedFirstMoment[i]?.variable;
      const s = adam.accumulatedSecondMoment[i]?.variable;
      if (m) this.m.set(m.dataSync() as Float32Array, offset);
      if (s) this.v.set(s.dataSync() as Float32Array, offset);
      offset += v.size;
    });
  }
}

function dataOf(v: tf.Variable): unknown {
  return (v as unknown as { dataId: unknown }).dataId;
}
