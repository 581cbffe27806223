// One backend's training throughput, in its own process (a tfjs engine holds one active backend;
// a fresh process keeps the cases apart). Started by backends.ts with FALL_TF_BACKEND set; reuses
// measureThroughput's main-thread model.fit baseline. Sends one BackendCaseMessage to the parent.
import { measureThroughput } from "../distributed/measure-throughput";
import type { RnnKind } from "../model/rnn";

export type BackendCaseMessage =
  | { ok: true; backend: string; windows: number; epochs: number; samplesPerSec: number; steadySamplesPerSec: number; epochSec: number }
  | { ok: false; reason: string };

async function main(): Promise<BackendCaseMessage> {
  const [kind, windows, epochs] = process.argv.slice(2);
  const w = Number(windows);
  const e = Number(epochs);
  try {
    const [row] = await measureThroughput({ windows: w, epochs: e, kind: kind as RnnKind, setups: [], workerCounts: [] });
    return {
      ok: true,
      backend: row.backend,
      windows: w,
      epochs: e,
      samplesPerSec: row.windowsPerSec,
      steadySamplesPerSec: row.steadyWindowsPerSec,
      epochSec: w / row.steadyWindowsPerSec,
    };
  } catch (err) {
    return { ok: false, reason: err instanceof Error ? err.message.split("\n")[0] : String(err) };
  }
}

main().then((msg) => {
  if (process.send) process.send(msg, () => process.exit(0));
  else {
    console.log(JSON.stringify(msg));
    process.exit(0);
  }
});
