// The stall watchdog's blame, without racing threads: who was last heard when, who is waiting at
// the barrier or lock, and whom it blames. The waiting filter is what keeps it from blaming a
// worker that is only waiting for the hung one.
import { test } from "node:test";
import assert from "node:assert/strict";
import { findStalledWorker, stallMessage } from "../../lib/distributed/stall-watchdog";

const STALL = 1000;
const NOW = 100_000;
/** Worker id → ms of silence. */
const heard = (silence: Record<number, number>) => new Map(Object.entries(silence).map(([id, ms]) => [Number(id), NOW - ms]));
const waitingSet = (...ids: number[]) => (id: number) => ids.includes(id);

test("the hung worker is blamed even when a worker waiting at the barrier has been silent longer", () => {
  // Worker 0 reached the barrier first (silent 5 s, waiting); worker 1 hung after (silent 3 s, not waiting).
  const v = findStalledWorker(heard({ 0: 5000, 1: 3000, 2: 200 }), new Set(), NOW, STALL, waitingSet(0));
  assert.deepEqual(v, { workerId: 1, silentMs: 3000, alsoSilent: [0] });
  assert.equal(stallMessage(v!, STALL), "sent nothing for 3.0 s, more than the 1 s stall timeout: hung or stuck (worker 0 silent too, perhaps waiting for it)");
});

test("every silent worker waiting: nobody is blamed (the one they wait for is still talking)", () => {
  assert.equal(findStalledWorker(heard({ 0: 5000, 1: 4000, 2: 100 }), new Set(), NOW, STALL, waitingSet(0, 1)), null);
  // ... and the same silence without the waiting flags is a stall of the longest silent.
  assert.equal(findStalledWorker(heard({ 0: 5000, 1: 4000, 2: 100 }), new Set(), NOW, STALL, waitingSet())?.workerId, 0);
});

test("finished workers and silences under the timeout are never blamed; of several stuck, the longest silent", () => {
  assert.equal(findStalledWorker(heard({ 0: 9000, 1: 999 }), new Set([0]), NOW, STALL, waitingSet()), null);
  assert.equal(findStalledWorker(heard({ 0: 1000 }), new Set(), NOW, STALL, waitingSet()), null, "exactly the timeout is not over it");
  const v = findStalledWorker(heard({ 0: 2000, 1: 7000, 2: 3000, 3: 6000 }), new Set(), NOW, STALL, waitingSet(1));
  assert.deepEqual(v, { workerId: 3, silentMs: 6000, alsoSilent: [1, 2, 0] });
  assert.match(stallMessage(v!, STALL), /\(workers 1, 2, 0 silent too, perhaps waiting for it\)$/);
  assert.equal(stallMessage({ workerId: 0, silentMs: 1500, alsoSilent: [] }, 1500), "sent nothing for 1.5 s, more than the 1.5 s stall timeout: hung or stuck");
});
