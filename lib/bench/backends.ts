// TensorFlow.js backends side by side on the same model: each in a child process with
// FALL_TF_BACKEND set, training on the main thread on URFD-shaped windows.
import { fork } from "node:child_process";
import * as path from "node:path";
import type { RnnKind } from "../model/rnn";
import type { BackendName } from "../backend";
import type { BackendCaseMessage } from "./backend-case";

export interface BackendResult {
  backend: BackendName;
  model: RnnKind;
  /** Steady-state windows/s (first epoch excluded); null when skipped. */
  samplesPerSec: number | null;
  windows: number;
  epochs: number;
  epochSec: number | null;
  skipped: string | null;
  /** Code that computed the training steps ("tfjs-layers", or "fused-native" for the fused variant). */
  kernel: string | null;
  /** A variant of the backend, e.g. "stock matMul" (tfjs's own transposed matMul on wasm). */
  variant?: string;
}

export const BACKEND_CASE_ENTRY = path.join(__dirname, "backend-case.js");

export function runBackendCase(
  backend: BackendName,
  kind: RnnKind,
  windows: number,
  epochs: number,
  opts: { timeoutMs?: number; variant?: string; env?: Record<string, string> } = {},
): Promise<BackendResult> {
  const timeoutMs = opts.timeoutMs ?? 300_000;
  return new Promise((resolve) => {
    const child = fork(BACKEND_CASE_ENTRY, [kind, String(windows), String(epochs)], {
      env: { ...process.env, ...(opts.env ?? {}), FALL_TF_BACKEND: backend },
      stdio: ["ignore", "ignore", "pipe", "ipc"],
    });
    let stderr = "";
    child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
    let msg: BackendCaseMessage | null = null;
    const timer = setTimeout(() => child.kill(), timeoutMs);
    child.on("message", (m: BackendCaseMessage) => (msg = m));
    child.on("exit", (code) => {
      clearTimeout(timer);
      const m = msg as BackendCaseMessage | null;
      const base = { backend, model: kind, windows, epochs, ...(opts.variant ? { variant: opts.variant } : {}) };
      if (m && m.ok) resolve({ ...base, samplesPerSec: m.steadySamplesPerSec, epochSec: m.epochSec, skipped: null, kernel: m.kernel });
      else {
        const reason = m && !m.ok ? m.reason : `child exited with code ${code}${stderr ? `: ${stderr.trim().split("\n").pop()}` : ""}`;
        resolve({ ...base, samplesPerSec: null, epochSec: null, skipped: reason, kernel: null });
      }
    });
  });
}

export const TRAINER_CASE_ENTRY = path.join(__dirname, "trainer-case.js");

/** Steady windows/s of a 1-worker DistributedModel fit in a child process (NaN on failure). */
export function runTrainerCase(kind: RnnKind, windows: number, epochs: number, warmUpEpochs = 0, timeoutMs = 300_000): Promise<number> {
  return new Promise((resolve) => {
    const child = fork(TRAINER_CASE_ENTRY, [kind, String(windows), String(epochs), String(warmUpEpochs)], { stdio: ["ignore", "ignore", "ignore", "ipc"] });
    let rate = NaN;
    const timer = setTimeout(() => child.kill(), timeoutMs);
    child.on("message", (m: { ok: boolean; steadySamplesPerSec?: number }) => {
      if (m.ok && typeof m.steadySamplesPerSec === "number") rate = m.steadySamplesPerSec;
    });
    child.on("exit", () => {
      clearTimeout(timer);
      resolve(rate);
    });
  });
}

/**
 * The most `procs` workers could gain on this machine right now: `procs` independent processes,
 * each training a 1-worker DistributedModel (the workers' own loop; no shared weights, no barrier,
 * no shared process), their steady rates summed. Its ratio to 1 process is the ceiling.
 */
export async function independentProcesses(procs: number, kind: RnnKind, windows: number, epochs: number, warmUpEpochs = 0): Promise<number> {
  const rates = await Promise.all(Array.from({ length: procs }, () => runTrainerCase(kind, windows, epochs, warmUpEpochs)));
  return rates.reduce((a, r) => a + r, 0);
}
