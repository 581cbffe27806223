// Main-thread training steps of one model with each matrix-product path of the fused kernel (tiled
// loops, the BLAS, auto at a given crossover): how docs/kernel-blas.md chose the default crossover.
// Run: node dist/lib/bench/gemm-paths.js [original|gru|lstm] [batch] [steps] [path[@minMacs]...]
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../backend";
import { buildModelFromSpec, ModelSpec } from "../model/spec";
import { makeTrainStep } from "../model/train-step";
import { GemmPath, gemmStats, setGemmPath } from "../model/fused-rnn";
import { withoutOrthogonalWarning } from "../model/quiet";
import { createRng } from "../random";

export interface GemmPathRun {
  path: string;
  rowsPerSec: number;
  /** Rows per CPU-second of this process: steadier than rowsPerSec on a shared machine. */
  rowsPerCpuSec: number;
  /** Share of the steps' multiply-adds the BLAS did, and the packed micro-kernel (gemm_packed.h). */
  blasShare: number;
  packedShare: number;
  kernel: string;
}

/** The model the bench and this tool time, by name: the original preset (T = 16 tokens) or a default detector. */
export function benchSpec(name: string): { spec: ModelSpec; input: [number, number] | [number] } {
  if (name === "original") return { spec: { type: "original", options: { kind: "lstm", timesteps: 16, seed: 1 } }, input: [16] };
  if (name === "gru" || name === "lstm") return { spec: { type: "rnn", options: { kind: name, timesteps: 32, features: 16, seed: 1 } }, input: [32, 16] };
  throw new Error(`gemm-paths: unknown model ${name} (original, gru or lstm)`);
}

/** Rows/s of `steps` training steps (after 2 warm-up steps) with each path, on random data of the model's shape. */
export async function measureGemmPaths(name: string, batchSize: number, steps: number, paths: string[]): Promise<GemmPathRun[]> {
  await initBackend();
  const { spec, input } = benchSpec(name);
  const model = withoutOrthogonalWarning(() => buildModelFromSpec(spec));
  const rng = createRng(3);
  const n = batchSize * input.reduce((a, b) => a * b, 1);
  const xs = tf.tensor(Float32Array.from({ length: n }, () => (input.length === 1 ? Math.floor(rng() * 168) : rng() * 2 - 1)), [batchSize, ...input]);
  const ys = tf.tensor2d(Float32Array.from({ length: batchSize }, () => (rng() < 0.3 ? 1 : 0)), [batchSize, 1]);
  const step = makeTrainStep(model);
  const out: GemmPathRun[] = [];
  for (const p of paths) {
    const [pathName, minMacs] = p.split("@");
    setGemmPath(pathName as GemmPath, minMacs === undefined ? undefined : Number(minMacs));
    for (let i = 0; i < 2; i++) await step.run(xs, ys);
    const before = gemmStats()!;
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < steps; i++) await step.run(xs, ys);
    const sec = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const cpuSec = (cpu.user + cpu.system) / 1e6;
    const after = gemmStats()!;
    const blas = after.blasMacs - before.blasMacs;
    const tiled = after.tiledMacs - before.tiledMacs;
    const packed = (after.packedMacs ?? 0) - (before.packedMacs ?? 0);
    const all = Math.max(1, blas + tiled + packed);
    out.push({ path: p, rowsPerSec: (steps * batchSize) / sec, rowsPerCpuSec: (steps * batchSize) / cpuSec, blasShare: blas / all, packedShare: packed / all, kernel: step.kernel });
  }
  tf.dispose([xs, ys]);
  return out;
}

if (require.main === module) {
  const [name = "original", batch = "64", steps = "10", ...paths] = process.argv.slice(2);
  measureGemmPaths(name, Number(batch), Number(steps), paths.length ? paths : ["tiled", "blas", "auto"]).then((runs) => {
    for (const r of runs) console.log(`${name} batch ${batch}: ${r.path.padEnd(14)} ${r.rowsPerSec.toFixed(1).padStart(9)} rows/s ${r.rowsPerCpuSec.toFixed(1).padStart(9)} rows/CPU-s  BLAS share ${(100 * r.blasShare).toFixed(0)}%, packed ${(100 * r.packedShare).toFixed(0)}%  (${r.kernel})`);
  });
}
