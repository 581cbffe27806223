// Synchronous mode with config.averageMoments, inside a worker: Adam's state travels with the
// weights. Before an exchange the worker packs its moments and step count into its slot; the
// barrier's last worker averages the slots with the weights' row weights; after it every worker
// continues from the average, and records what it now holds in its second slot (what tests read).
import type { TrainStep } from "../model/train-step";
import { ParamStore, ParamStoreHandles } from "./param-store";
import { AdamState, packAdamState, unpackAdamState } from "./weights";

export class MomentExchange {
  /** Read by the cross-rank exchange, which averages it together with the weights. */
  readonly store: ParamStore;
  private readonly state: AdamState;

  constructor(
    handles: ParamStoreHandles,
    private readonly step: TrainStep,
    private readonly workerId: number,
    private readonly workers: number,
    trainableCount: number,
  ) {
    this.store = ParamStore.attach(handles);
    const n = (this.store.size - 1) / 2;
    if (n !== trainableCount) throw new Error(`config.averageMoments needs every weight trainable: ${trainableCount} trainable of ${n}`);
    this.state = { m: new Float32Array(n), v: new Float32Array(n), steps: 0 };
  }

  /** This worker's Adam state into its slot, counted with the rows it trained since the last exchange. */
  send(samples: number): void {
    this.step.readAdam(this.state);
    packAdamState(this.state, this.store.slot(this.workerId));
    this.store.setSamples(this.workerId, samples);
  }

  /** Run by the barrier's last worker, after every send: the row-weighted average into the store. */
  average(): void {
    this.store.averageSlots();
  }

  /** Continue from the averaged state; then record the state this worker holds. */
  receive(): void {
    this.step.writeAdam(unpackAdamState(this.store.params, this.state));
    this.step.readAdam(this.state);
    packAdamState(this.state, this.store.slot(this.workers + this.workerId));
  }
}
