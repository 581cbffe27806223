// "Make it fast": where the time of a 2-worker epoch goes, and what moves the numbers. Not part of
// `npm run bench`; run by hand (its command line: lib/cli/profile.ts):
//   fall-dp profile [breakdown] [ceiling] [batch] [balance] [warmup] [transfer] [--windows N] [--rounds N] [--kind gru|lstm] [--out FILE]
// Writes runs/bench/profile.json (or --out) and prints what it found.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { MessageChannel } from "node:worker_threads";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../backend";
import { findProjectRoot } from "../data/project-root";
import { urfdShapedWindows } from "../distributed/measure-throughput";
import { buildRnnModel, RnnKind } from "../model/rnn";
import { runBackendCase } from "./backends";
import { cpuShare, cpuSnapshot } from "./cpu";
import { median, roundDeep } from "./stats";
import { runCase, Setup } from "./training";

const SYNC: Setup = { mode: "synchronous", frequency: "epoch" };

export interface ProfileArgs {
  experiments: string[];
  windows: number;
  rounds: number;
  kind: RnnKind;
  out: string;
}
type Args = ProfileArgs;

/** What `fall-dp profile` runs without flags. */
export function profileDefaults(): ProfileArgs {
  return { experiments: ["breakdown", "ceiling", "batch", "warmup", "transfer"], windows: 2048, rounds: 2, kind: "gru", out: path.join(findProjectRoot(__dirname), "runs", "bench", "profile.json") };
}

/** Per worker: where its training time went (ms), and its epoch durations. */
async function breakdown(a: Args, log: (s: string) => void) {
  const data = urfdShapedWindows(a.windows);
  const out: unknown[] = [];
  for (let r = 0; r < a.rounds; r++) {
    for (const workers of r % 2 ? [2, 1] : [1, 2]) {
      const { sample, result } = await runCase(data, a.kind, SYNC, workers, 4, 64, r);
      const w = result.workers.map((wk) => {
        const t = wk.timing;
        const accounted = t.computeMs + t.paramStoreMs + t.averagingMs + t.barrierWaitMs + t.lockWaitMs + t.validationMs;
        const ends = wk.history.epochEnd;
        return {
          id: wk.id,
          samples: wk.samples,
          trainMs: t.trainMs,
          computeMs: t.computeMs,
          paramStoreMs: t.paramStoreMs,
          averagingMs: t.averagingMs,
          barrierWaitMs: t.barrierWaitMs,
          /** trainMs − everything timed: batch preparation, progress messages, event-loop yields — and minus the start-barrier wait, which barrierWaitMs counts although it happens before trainStart. */
          residualMs: t.trainMs - accounted,
          /** trainMs minus epochs 2.. (trainEnd is the last epoch's end). */
          firstEpochMs: t.trainMs - (ends[ends.length - 1] - ends[0]),
          epochMs: ends.slice(1).map((e, i) => e - ends[i]),
          computeMsPerBatch: t.computeMs / (Math.ceil(wk.samples / 64) * 4),
        };
      });
      const row = {
        round: r, workers, steadyWindowsPerSec: sample.steadyWindowsPerSec, windowsPerSec: sample.windowsPerSec, wallWindowsPerSec: sample.wallWindowsPerSec,
        startupSec: result.timing.startupSec, trainSec: result.timing.trainSec, wallSec: result.wallSec,
        ownCores: sample.steadyOwnCores, otherCores: sample.steadyOtherCores, workersDetail: w,
      };
      out.push(row);
      log(
        `breakdown r${r} W=${workers}: steady ${sample.steadyWindowsPerSec.toFixed(0)} win/s, startup ${result.timing.startupSec.toFixed(2)} s, train ${result.timing.trainSec.toFixed(2)} s, wall ${result.wallSec.toFixed(2)} s, cores own ${sample.steadyOwnCores.toFixed(2)} others ${sample.steadyOtherCores?.toFixed(2)}`,
      );
      for (const x of w) {
        log(
          `   worker ${x.id}: compute ${x.computeMs.toFixed(0)} ms (${x.computeMsPerBatch.toFixed(1)} ms/batch), store ${x.paramStoreMs.toFixed(1)}, avg ${x.averagingMs.toFixed(1)}, barrier ${x.barrierWaitMs.toFixed(0)}, residual ${x.residualMs.toFixed(0)} ms; epoch 1 ${x.firstEpochMs.toFixed(0)} ms, epochs 2.. ${x.epochMs.map((e) => e.toFixed(0)).join(" ")} ms`,
        );
      }
    }
  }
  return out;
}

/**
 * The ceiling this machine allows: 1 vs 2 independent processes each training on the main thread
 * at the same time (no shared weights, no barrier). The trainer's 2-worker speedup cannot beat this.
 */
async function ceiling(a: Args, log: (s: string) => void) {
  const rows: { round: number; procs: number; each: number[]; total: number; otherCores: number | null; ownCoresNote: string }[] = [];
  for (let r = 0; r < a.rounds; r++) {
    for (const procs of r % 2 ? [2, 1] : [1, 2]) {
      const snap = cpuSnapshot();
      // model.fit in each process: a slower loop than the workers' own, see the bench's ceiling for that one.
      const res = await Promise.all(Array.from({ length: procs }, () => runBackendCase("wasm", a.kind, a.windows / 2, 4)));
      const share = cpuShare(snap);
      const each = res.map((x) => x.samplesPerSec ?? NaN);
      const total = each.reduce((p, q) => p + q, 0);
      rows.push({ round: r, procs, each, total, otherCores: share.machineCores, ownCoresNote: "machineCores includes the child processes" });
      log(`ceiling r${r}: ${procs} independent process(es): ${each.map((e) => e.toFixed(0)).join(" + ")} = ${total.toFixed(0)} win/s (machine busy ${share.machineCores?.toFixed(2)} cores)`);
    }
  }
  const ratio = median(Array.from({ length: a.rounds }, (_, r) => rows.find((x) => x.round === r && x.procs === 2)!.total / rows.find((x) => x.round === r && x.procs === 1)!.total));
  log(`ceiling: 2 independent processes ÷ 1 = ${ratio.toFixed(2)}× (median of ${a.rounds})`);
  return { rows, ratio };
}

/** Batch size: per-batch cost and 2/1-worker speedup. */
async function batch(a: Args, log: (s: string) => void) {
  const data = urfdShapedWindows(a.windows);
  const rows: unknown[] = [];
  for (const bs of [32, 64, 128, 256]) {
    const ratios: number[] = [];
    const one: number[] = [];
    const two: number[] = [];
    for (let r = 0; r < a.rounds; r++) {
      const res: Record<number, number> = {};
      for (const w of r % 2 ? [2, 1] : [1, 2]) res[w] = (await runCase(data, a.kind, SYNC, w, 3, bs, r)).sample.steadyWindowsPerSec;
      ratios.push(res[2] / res[1]);
      one.push(res[1]);
      two.push(res[2]);
    }
    rows.push({ batchSize: bs, oneWorker: median(one), twoWorkers: median(two), speedup: median(ratios) });
    log(`batch ${bs}: 1 worker ${median(one).toFixed(0)} win/s, 2 workers ${median(two).toFixed(0)} win/s, speedup ${median(ratios).toFixed(2)}×`);
  }
  return rows;
}

/**
 * Partition balance: with count = 2 × k × 64 both workers run k full batches; one window more
 * gives one worker an extra 1-window batch every epoch that the other waits for at the barrier.
 */
async function balance(a: Args, log: (s: string) => void) {
  const even = Math.round(a.windows / 128) * 128;
  const rows: { round: number; windows: number; steady: number; barrierWaitSec: number; waitPct: number }[] = [];
  for (let r = 0; r < a.rounds; r++) {
    for (const n of r % 2 ? [even + 1, even] : [even, even + 1]) {
      const { sample, result } = await runCase(urfdShapedWindows(n), a.kind, SYNC, 2, 4, 64, r);
      rows.push({ round: r, windows: n, steady: sample.steadyWindowsPerSec, barrierWaitSec: result.timing.barrierWaitSec, waitPct: sample.waitPct });
      log(`balance r${r}: ${n} windows (${result.workers.map((w) => w.samples).join(" / ")} a worker): steady ${sample.steadyWindowsPerSec.toFixed(0)} win/s, barrier wait ${result.timing.barrierWaitSec.toFixed(2)} s (${sample.waitPct.toFixed(1)}%)`);
    }
  }
  return rows;
}

/** How much slower the first batches are than the steady ones (kernel setup, wasm tier-up). */
async function warmup(a: Args, log: (s: string) => void) {
  await initBackend();
  const data = urfdShapedWindows(64 * 40);
  const model = buildRnnModel({ kind: a.kind, timesteps: data.T, features: data.F });
  const ms: number[] = [];
  for (let b = 0; b < 40; b++) {
    const xs = tf.tensor3d(data.x.subarray(b * 64 * 512, (b + 1) * 64 * 512), [64, data.T, data.F]);
    const ys = tf.tensor2d(data.y.subarray(b * 64, (b + 1) * 64), [64, 1]);
    const t = performance.now();
    await model.trainOnBatch(xs, ys);
    ms.push(performance.now() - t);
    tf.dispose([xs, ys]);
  }
  const steady = median(ms.slice(20));
  const extra = ms.slice(0, 10).reduce((p, q) => p + q - steady, 0);
  log(`warmup: first batches ${ms.slice(0, 5).map((m) => m.toFixed(0)).join(", ")} ms; steady ${steady.toFixed(1)} ms/batch; first 10 batches cost ${extra.toFixed(0)} ms extra`);
  model.dispose();
  return { batchMs: ms, steadyMs: steady, extraFirst10Ms: extra };
}

/** Moving a partition to a worker: transfer vs structured-clone copy. */
async function transfer(a: Args, log: (s: string) => void) {
  const floats = (a.windows / 2) * 32 * 16;
  const { port1, port2 } = new MessageChannel();
  const roundTrip = (arr: Float32Array, move: boolean) =>
    new Promise<number>((resolve) => {
      const t = performance.now();
      port2.once("message", () => resolve(performance.now() - t));
      port1.postMessage(arr, move ? [arr.buffer as ArrayBuffer] : []);
    });
  const copy: number[] = [];
  const move: number[] = [];
  for (let i = 0; i < 10; i++) {
    copy.push(await roundTrip(new Float32Array(floats), false));
    move.push(await roundTrip(new Float32Array(floats), true));
  }
  port1.close();
  log(`transfer: ${((floats * 4) / 2 ** 20).toFixed(1)} MB partition: copy ${median(copy).toFixed(2)} ms, transfer ${median(move).toFixed(2)} ms`);
  return { megabytes: (floats * 4) / 2 ** 20, copyMs: median(copy), transferMs: median(move) };
}

/** The experiments by name (each also a value of ProfileArgs.experiments). */
export const PROFILE_EXPERIMENTS: Record<string, (a: Args, log: (s: string) => void) => Promise<unknown>> = { breakdown, ceiling, batch, balance, warmup, transfer };

/** Run the experiments, write `a.out`. */
export async function runProfile(a: ProfileArgs): Promise<void> {
  const log = (s: string) => console.log(s);
  log(`# profile on ${os.cpus().length} CPUs, load ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}; ${a.kind}, ${a.windows} windows, ${a.rounds} rounds`);
  const result: Record<string, unknown> = { createdAt: new Date().toISOString(), loadavg: os.loadavg(), args: a };
  for (const e of a.experiments) result[e] = await PROFILE_EXPERIMENTS[e](a, log);
  result.loadavgEnd = os.loadavg();
  fs.mkdirSync(path.dirname(a.out), { recursive: true });
  fs.writeFileSync(a.out, JSON.stringify(roundDeep(result, 4), null, 2) + "\n");
  log(`wrote ${a.out}`);
}
