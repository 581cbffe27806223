// One backend's training throughput, in its own process (a tfjs engine holds one active backend;
// a fresh process keeps the cases apart). Started by backends.ts with FALL_TF_BACKEND set; reuses
// measureThroughput's main-thread training baseline. Sends one BackendCaseMessage to the parent.
import { measureThroughput } from "../distributed/measure-throughput";
import type { RnnKind } from "../model/rnn";
import { CaseMessage, runChildCase } from "./child-case";

export type BackendCaseMessage = CaseMessage<{ backend: string; kernel: string; windows: number; epochs: number; samplesPerSec: number; steadySamplesPerSec: number; epochSec: number }>;

runChildCase(async () => {
  const [kind, windows, epochs] = process.argv.slice(2);
  const w = Number(windows);
  const e = Number(epochs);
  const [row] = await measureThroughput({ windows: w, epochs: e, kind: kind as RnnKind, setups: [], workerCounts: [] });
  return { backend: row.backend, kernel: row.kernel, windows: w, epochs: e, samplesPerSec: row.windowsPerSec, steadySamplesPerSec: row.steadyWindowsPerSec, epochSec: w / row.steadyWindowsPerSec };
});
