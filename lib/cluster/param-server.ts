// Asynchronous and hogwild modes across ranks, after Elephas's parameter server but over MPI
// point-to-point messages of Float32Arrays: rank 0's shared store (which its own threads update
// directly) is the server; every other rank's main thread pushes the change its threads made since
// the last exchange and takes the server's weights back. Asynchronous holds the store's lock on both
// sides while applying; hogwild never locks. Open MPI progresses only inside MPI calls, so the server
// polls with iprobe on a timer: the event loop (and the worker threads) keep running. The server
// measures each push's staleness: the updates that landed in its store since that rank last pulled.
import type { ParamStore } from "../distributed/param-store";
import type { Staleness } from "../distributed/protocol";
import { addStaleness } from "../distributed/fit-result";
import type { MpiBinding } from "./mpi";
import { TAG } from "./protocol";

const POLL_MS = 2;

export class ParamServer {
  exchangeMs = 0;
  exchanges = 0;
  private lastPushes = 0;
  private timer: NodeJS.Timeout | null = null;
  private failure: Error | null = null;
  /** Of every other rank's push: how many updates (rank 0's threads' and other ranks' pushes) landed since its last pull. */
  readonly staleness: Staleness = { pushes: 0, mean: 0, max: 0, dropped: 0 };
  private readonly delta: Float32Array;
  /** Per rank, `landed()` when it last pulled (every rank starts from the weights the store started with). */
  private readonly pulledAt = new Map<number, number>();
  private readonly startedAt: number;

  /**
   * `landed` counts the updates applied to the store so far (default its delta count; with pushed
   * gradients rank 0's threads step a shared Adam instead, so the caller adds those steps).
   */
  constructor(
    private readonly mpi: MpiBinding,
    private readonly store: ParamStore,
    private readonly locked: boolean,
    private readonly clients: number,
    private readonly landed: () => number = () => store.version(),
  ) {
    this.delta = new Float32Array(store.size);
    this.startedAt = landed();
  }

  start(): void {
    this.timer = setInterval(() => {
      try {
        this.poll();
      } catch (e) {
        this.failure = e as Error;
        this.store.abort();
        this.stop();
      }
    }, POLL_MS);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Serve every waiting push; returns how many it served. */
  poll(): number {
    let served = 0;
    for (;;) {
      const push = this.mpi.iprobe(-1, TAG.PUSH) ?? this.mpi.iprobe(-1, TAG.LAST_PUSH);
      if (!push) return served;
      const t = performance.now();
      if (push.bytes !== this.delta.byteLength) throw new Error(`rank ${push.source} pushed ${push.bytes / 4} floats; the model has ${this.delta.length}`);
      this.mpi.recv(this.delta, push.source, push.tag);
      if (this.locked) this.store.lock();
      let reply: Float32Array;
      try {
        addStaleness(this.staleness, this.landed() - (this.pulledAt.get(push.source) ?? this.startedAt));
        this.store.addDelta(this.delta);
        this.pulledAt.set(push.source, this.landed());
        reply = this.store.read();
      } finally {
        if (this.locked) this.store.unlock();
      }
      this.mpi.send(reply, push.source, TAG.PULL);
      if (push.tag === TAG.LAST_PUSH) this.lastPushes++;
      this.exchangeMs += performance.now() - t;
      this.exchanges++;
      served++;
    }
  }

  /** Resolves once every other rank sent its last push (rank 0's own threads are done by then). */
  async untilAllDone(): Promise<void> {
    while (this.lastPushes < this.clients) {
      if (this.failure) throw this.failure;
      if (this.poll() === 0) await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }
}

export class ParamClient {
  exchangeMs = 0;
  exchanges = 0;
  /** The server's weights as last pulled: what this rank's change is measured from. */
  private readonly base: Float32Array;
  private readonly pulled: Float32Array;

  constructor(private readonly mpi: MpiBinding, private readonly store: ParamStore, private readonly locked: boolean, initial: Float32Array) {
    this.base = initial.slice();
    this.pulled = new Float32Array(store.size);
  }

  /** Push the local change since the last exchange, take the server's weights (blocks the main thread for one round trip). */
  exchange(last: boolean): void {
    const t = performance.now();
    if (this.locked) this.store.lock();
    try {
      const snap = this.store.read();
      const delta = new Float32Array(snap.length);
      for (let i = 0; i < snap.length; i++) delta[i] = snap[i] - this.base[i];
      this.mpi.send(delta, 0, last ? TAG.LAST_PUSH : TAG.PUSH);
      this.mpi.recv(this.pulled, 0, TAG.PULL);
      if (this.locked) {
        this.store.write(this.pulled);
      } else {
        // Hogwild: the threads keep adding meanwhile; move the store by the server's news only.
        const p = this.store.params;
        for (let i = 0; i < p.length; i++) p[i] += this.pulled[i] - snap[i];
      }
      this.base.set(this.pulled);
    } finally {
      if (this.locked) this.store.unlock();
    }
    this.exchangeMs += performance.now() - t;
    this.exchanges++;
  }
}
