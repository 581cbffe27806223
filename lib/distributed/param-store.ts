// Shared parameter store: all weights flat in a SharedArrayBuffer that the main thread and every
// worker map, plus an Int32Array (Atomics only work on integer views) holding a spin-free lock, a
// reusable barrier and an abort flag. Sync mode adds one weight slot a worker for its round result.
import { availableParallelism } from "node:os";
import { slotAverageKernel } from "../model/fused-rnn";
import { weightedAverage } from "./weights";

const LOCK = 0;
const BARRIER_COUNT = 1;
const BARRIER_GEN = 2;
const ABORT = 3;
const VERSION = 4; // deltas added so far: a push's staleness is how many others landed since its read
const CLAIMS = 5; // slots claimed this round (mode gradients: a thread takes the next slot while there is one)
const SAMPLES = 6; // then one sample count a slot (a party without slots), then one "waiting" flag a party
/** Waits are sliced so a blocked thread notices an abort even if nobody notifies it. */
const WAIT_SLICE_MS = 50;
/** How long a party spins at the barrier before it sleeps: a 2-thread round cost 51-68 µs sleeping, 37-51 spinning (barrier-round.js). */
const BARRIER_SPIN_MS = 1;
/** FALL_BARRIER_SPIN_MS overrides it (lib/bench/barrier-round.ts compares; 0 sleeps at once). */
const spinSetting = (): number => {
  const v = Number(process.env.FALL_BARRIER_SPIN_MS);
  return process.env.FALL_BARRIER_SPIN_MS !== undefined && v >= 0 ? v : BARRIER_SPIN_MS;
};

/** Plain data: post it to a worker and `attach` there. */
export interface ParamStoreHandles {
  size: number;
  parties: number;
  params: SharedArrayBuffer;
  control: SharedArrayBuffer;
  /** slotCount × size floats, present when created with slots (synchronous and gradients modes). */
  slots: SharedArrayBuffer | null;
  /** Slots in `slots`: one a party by default; 'gradients' keeps one a micro-batch. 0 without slots. */
  slotCount: number;
  /** Float64 [round parity][slot][loss, accuracy] (2 × slotCount × 2): what the thread that computed a slot measured. */
  slotStats: SharedArrayBuffer | null;
}

/** Thrown in a thread waiting on the lock or barrier once the store is aborted. */
export class StoreAbortedError extends Error {
  constructor() {
    super("parameter store aborted");
    this.name = "StoreAbortedError";
  }
}

export class ParamStore {
  readonly params: Float32Array;
  private readonly ctrl: Int32Array;
  private readonly stats: Float64Array | null;
  /**
   * averageSlots' arguments to the native average, made with the store: made on first use, a thread's second store
   * (its next fit) set them back to undefined, and V8 discarded the training loop compiled against their type.
   */
  private readonly slotView: Float32Array;
  private readonly slotCounts: Float64Array;

  /** Spin before sleeping only while every party can have a core: spinning would steal it otherwise. */
  private readonly spinMs: number;

  private constructor(readonly handles: ParamStoreHandles) {
    this.params = new Float32Array(handles.params, 0, handles.size);
    this.ctrl = new Int32Array(handles.control);
    this.stats = handles.slotStats ? new Float64Array(handles.slotStats) : null;
    this.spinMs = handles.parties > 1 && handles.parties <= availableParallelism() ? spinSetting() : 0;
    this.slotView = handles.slots ? new Float32Array(handles.slots) : new Float32Array(0);
    this.slotCounts = new Float64Array(handles.slotCount);
  }

  /** New store of `size` floats for `parties` threads; pass `params` to reuse an existing weight buffer. */
  static create(size: number, parties: number, opts: { params?: SharedArrayBuffer; slots?: boolean | number } = {}): ParamStore {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`ParamStore size must be a positive integer; got ${size}`);
    if (!Number.isInteger(parties) || parties < 1) throw new RangeError(`ParamStore parties must be a positive integer; got ${parties}`);
    const params = opts.params ?? new SharedArrayBuffer(size * 4);
    if (params.byteLength < size * 4) throw new RangeError(`params buffer holds ${params.byteLength / 4} floats, need ${size}`);
    const slotCount = opts.slots === true ? parties : opts.slots ? opts.slots : 0;
    if (!Number.isInteger(slotCount) || slotCount < 0) throw new RangeError(`ParamStore slots must be a non-negative integer; got ${String(opts.slots)}`);
    return new ParamStore({
      size,
      parties,
      params,
      control: new SharedArrayBuffer((SAMPLES + (slotCount || parties) + parties) * 4),
      slots: slotCount ? new SharedArrayBuffer(slotCount * size * 4) : null,
      slotCount,
      slotStats: slotCount ? new SharedArrayBuffer(2 * slotCount * 2 * 8) : null,
    });
  }

  static attach(handles: ParamStoreHandles): ParamStore {
    return new ParamStore(handles);
  }

  get size(): number {
    return this.handles.size;
  }

  get parties(): number {
    return this.handles.parties;
  }

  /** Index of party 0's "waiting" flag in the control array (after the sample counts). */
  private get waitingAt(): number {
    return SAMPLES + (this.handles.slotCount || this.parties);
  }

  /** Copy the shared weights into `into` (a fresh array by default). Not atomic: lock for that. */
  read(into: Float32Array = new Float32Array(this.size)): Float32Array {
    into.set(this.params);
    return into;
  }

  write(values: Float32Array): void {
    if (values.length !== this.size) throw new RangeError(`write: ${values.length} floats into a store of ${this.size}`);
    this.params.set(values);
  }

  /** params += delta. Takes no lock itself: asynchronous mode wraps it in lock/unlock, hogwild does not. */
  addDelta(delta: Float32Array): void {
    if (delta.length !== this.size) throw new RangeError(`addDelta: ${delta.length} floats into a store of ${this.size}`);
    const p = this.params;
    for (let i = 0; i < p.length; i++) p[i] += delta[i];
    Atomics.add(this.ctrl, VERSION, 1);
  }

  /** Deltas added so far (asynchronous and hogwild): read it with the weights to measure staleness later. */
  version(): number {
    return Atomics.load(this.ctrl, VERSION);
  }

  /**
   * Take the lock; returns the milliseconds spent waiting. Throws StoreAbortedError on abort.
   * `party` marks the caller as waiting meanwhile (see isWaiting).
   */
  lock(party?: number): number {
    const t0 = performance.now();
    this.throwIfAborted();
    this.setWaiting(party, true);
    try {
      while (Atomics.compareExchange(this.ctrl, LOCK, 0, 1) !== 0) {
        this.throwIfAborted();
        Atomics.wait(this.ctrl, LOCK, 1, WAIT_SLICE_MS);
      }
    } finally {
      this.setWaiting(party, false);
    }
    return performance.now() - t0;
  }

  /**
   * Whether a party is blocked in lock() or at the barrier right now: a silent worker that is
   * waiting there is waiting for another one, not stuck itself (the stall watchdog asks).
   */
  isWaiting(party: number): boolean {
    return Atomics.load(this.ctrl, this.waitingAt + party) === 1;
  }

  private setWaiting(party: number | undefined, waiting: boolean): void {
    if (party !== undefined) Atomics.store(this.ctrl, this.waitingAt + party, waiting ? 1 : 0);
  }

  /**
   * Take the lock unless it stays held for `timeoutMs` (e.g. its holder died); true when taken.
   * For the main thread, which must not wait forever on a worker. Throws StoreAbortedError on abort.
   */
  lockWithin(timeoutMs: number): boolean {
    const deadline = performance.now() + timeoutMs;
    this.throwIfAborted();
    while (Atomics.compareExchange(this.ctrl, LOCK, 0, 1) !== 0) {
      this.throwIfAborted();
      const left = deadline - performance.now();
      if (left <= 0) return false;
      Atomics.wait(this.ctrl, LOCK, 1, Math.min(left, WAIT_SLICE_MS));
    }
    return true;
  }

  unlock(): void {
    if (Atomics.compareExchange(this.ctrl, LOCK, 1, 0) !== 1) throw new Error("unlock: the lock was not held");
    Atomics.notify(this.ctrl, LOCK, 1);
  }

  /**
   * Barrier for all parties. The last to arrive runs `onLast` (e.g. averaging) before anyone is
   * released, so every party leaves seeing its result. Returns milliseconds spent waiting.
   */
  arriveAndWait(onLast?: () => void, party?: number): { waitedMs: number; wasLast: boolean } {
    const t0 = performance.now();
    this.throwIfAborted();
    const gen = Atomics.load(this.ctrl, BARRIER_GEN);
    if (Atomics.add(this.ctrl, BARRIER_COUNT, 1) + 1 === this.parties) {
      try {
        onLast?.();
      } finally {
        // Release even if onLast threw, so the others are not left waiting on a dead round.
        Atomics.store(this.ctrl, BARRIER_COUNT, 0);
        Atomics.add(this.ctrl, BARRIER_GEN, 1);
        Atomics.notify(this.ctrl, BARRIER_GEN);
      }
      return { waitedMs: 0, wasLast: true };
    }
    this.setWaiting(party, true);
    try {
      const spinUntil = t0 + this.spinMs;
      while (Atomics.load(this.ctrl, BARRIER_GEN) === gen && performance.now() < spinUntil);
      while (Atomics.load(this.ctrl, BARRIER_GEN) === gen) {
        this.throwIfAborted();
        Atomics.wait(this.ctrl, BARRIER_GEN, gen, WAIT_SLICE_MS);
      }
    } finally {
      this.setWaiting(party, false);
    }
    this.throwIfAborted();
    return { waitedMs: performance.now() - t0, wasLast: false };
  }

  /** One slot (synchronous: a party's weights; gradients: a micro-batch's gradient). */
  slot(index: number): Float32Array {
    if (!this.handles.slots) throw new Error("this parameter store has no slots (create it with slots: true)");
    const n = this.handles.slotCount;
    if (!Number.isInteger(index) || index < 0 || index >= n) throw new RangeError(`slot ${index} of ${n}`);
    // One view a slot, made at the first call: a training loop asks for slots every micro-batch.
    this.slotViews ??= Array.from({ length: n }, (_, i) => new Float32Array(this.handles.slots!, i * this.size * 4, this.size));
    return this.slotViews[index];
  }
  private slotViews: Float32Array[] | undefined;

  get slotCount(): number {
    return this.handles.slotCount;
  }

  /**
   * This round's next unclaimed slot number (0, 1, 2, ... across all parties, each given once):
   * threads share a round's slots by taking them one at a time. Reset by resetClaims at the barrier.
   */
  claimSlot(): number {
    return Atomics.add(this.ctrl, CLAIMS, 1);
  }

  /** Start the next round's claims at 0: call it in the barrier's onLast, when no party is claiming. */
  resetClaims(): void {
    Atomics.store(this.ctrl, CLAIMS, 0);
  }

  /**
   * A slot's loss and accuracy in round `round`, kept for two rounds (by parity): written before the
   * barrier by the thread that computed the slot, read after it by the one that accounts for it.
   */
  setSlotStats(round: number, slot: number, loss: number, accuracy: number): void {
    const i = this.statsAt(round, slot);
    this.stats![i] = loss;
    this.stats![i + 1] = accuracy;
  }

  slotLoss(round: number, slot: number): number {
    return this.stats![this.statsAt(round, slot)];
  }

  slotAccuracy(round: number, slot: number): number {
    return this.stats![this.statsAt(round, slot) + 1];
  }

  private statsAt(round: number, slot: number): number {
    if (!this.stats) throw new Error("this parameter store has no slots (create it with slots: true)");
    const n = this.handles.slotCount;
    if (!Number.isInteger(slot) || slot < 0 || slot >= n) throw new RangeError(`slot ${slot} of ${n}`);
    return ((round % 2) * n + slot) * 2;
  }

  setSamples(slot: number, samples: number): void {
    Atomics.store(this.ctrl, SAMPLES + slot, samples);
  }

  samples(): number[] {
    return Array.from({ length: this.handles.slotCount || this.parties }, (_, i) => Atomics.load(this.ctrl, SAMPLES + i));
  }

  /** params = average of the slots weighted by their sample counts (zero counts ignored), summed in slot order. */
  averageSlots(): void {
    if (!this.handles.slots) throw new Error("this parameter store has no slots (create it with slots: true)");
    const native = slotAverageKernel();
    if (native) {
      for (let i = 0; i < this.slotCounts.length; i++) this.slotCounts[i] = Atomics.load(this.ctrl, SAMPLES + i);
      return native(this.slotView, this.size, this.slotCounts, this.params);
    }
    const slots = Array.from({ length: this.handles.slotCount }, (_, i) => this.slot(i));
    weightedAverage(slots, this.samples(), this.params);
  }

  /** Wake and fail every thread waiting on this store, now and from now on. */
  abort(): void {
    Atomics.store(this.ctrl, ABORT, 1);
    Atomics.notify(this.ctrl, BARRIER_GEN);
    Atomics.notify(this.ctrl, LOCK);
  }

  get aborted(): boolean {
    return Atomics.load(this.ctrl, ABORT) === 1;
  }

  private throwIfAborted(): void {
    if (this.aborted) throw new StoreAbortedError();
  }
}
