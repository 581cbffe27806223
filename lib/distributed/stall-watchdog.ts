// The stall watchdog's verdict, as a pure function of who was last heard when, so its blame can be
// tested without racing real threads: a silent worker that is not waiting for the others (at the
// barrier or the lock) is the culprit, the longest silent first; silent workers that are waiting
// are waiting for it. If every silent worker is waiting, the one they wait for is still talking:
// slow, not stuck, and nobody is blamed.

export interface StallVerdict {
  /** The worker to blame. */
  workerId: number;
  /** How long it has been silent. */
  silentMs: number;
  /** Other silent workers (any state), longest silent first: perhaps waiting for it. */
  alsoSilent: number[];
}

export function findStalledWorker(
  lastHeard: ReadonlyMap<number, number>,
  finished: ReadonlySet<number>,
  now: number,
  stallMs: number,
  isWaiting: (workerId: number) => boolean,
): StallVerdict | null {
  const silent = [...lastHeard].filter(([id, t]) => !finished.has(id) && now - t > stallMs).sort((a, b) => a[1] - b[1]);
  const stuck = silent.filter(([id]) => !isWaiting(id));
  if (stuck.length === 0) return null;
  const [workerId, t] = stuck[0];
  return { workerId, silentMs: now - t, alsoSilent: silent.filter(([w]) => w !== workerId).map(([w]) => w) };
}

/** The one-line reason a stalled worker fails the group. */
export function stallMessage(v: StallVerdict, stallMs: number): string {
  const others = v.alsoSilent;
  const also = others.length ? ` (worker${others.length > 1 ? "s" : ""} ${others.join(", ")} silent too, perhaps waiting for it)` : "";
  return `sent nothing for ${(v.silentMs / 1000).toFixed(1)} s, more than the ${stallMs / 1000} s stall timeout: hung or stuck${also}`;
}
