// What one barrier round of the parameter store costs: 2 threads each busy for a fixed time, then the
// barrier, many rounds; the round's time beyond the busy time is the barrier's. Diagnostic, not part of
// `npm run bench`. `node dist/lib/bench/barrier-round.js [busyUs=1000] [rounds=2000] [spinMs]` (spinMs
// overrides the store's spin before sleeping; 0 sleeps at once).
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { ParamStore, ParamStoreHandles } from "../distributed/param-store";

interface RoundTask {
  handles: ParamStoreHandles;
  id: number;
  busyUs: number;
  rounds: number;
}

function runParty(t: RoundTask): { id: number; roundUs: number; waitUs: number } {
  const store = ParamStore.attach(t.handles);
  let wait = 0;
  const t0 = performance.now();
  for (let r = 0; r < t.rounds; r++) {
    const until = performance.now() + t.busyUs / 1000;
    while (performance.now() < until);
    wait += store.arriveAndWait(undefined, t.id).waitedMs;
  }
  return { id: t.id, roundUs: (1000 * (performance.now() - t0)) / t.rounds, waitUs: (1000 * wait) / t.rounds };
}

if (!isMainThread && (workerData as { barrierRound?: RoundTask })?.barrierRound) {
  parentPort!.postMessage(runParty((workerData as { barrierRound: RoundTask }).barrierRound));
} else if (require.main === module) {
  const [busyUs = "1000", rounds = "2000", spinMs] = process.argv.slice(2);
  if (spinMs !== undefined) process.env.FALL_BARRIER_SPIN_MS = spinMs;
  const store = ParamStore.create(16, 2);
  const parties = [0, 1].map(
    (id) =>
      new Promise<{ id: number; roundUs: number; waitUs: number }>((resolve, reject) => {
        const w = new Worker(__filename, { workerData: { barrierRound: { handles: store.handles, id, busyUs: Number(busyUs), rounds: Number(rounds) } } });
        w.once("message", resolve);
        w.once("error", reject);
      }),
  );
  Promise.all(parties).then((r) => {
    for (const p of r) console.log(`party ${p.id}: ${p.roundUs.toFixed(1)} µs a round for ${busyUs} µs of work (barrier ${(p.roundUs - Number(busyUs)).toFixed(1)} µs, of which waiting ${p.waitUs.toFixed(1)})`);
    process.exit(0);
  });
}
