// Kernel-only timing of one recurrent layer (forward + backward, no tfjs) with each product path,
// interleaved over rounds, in rows per CPU-second (steadier than wall time on a shared machine):
// the crossover measurements of docs/kernel-blas.md.
// Run: node dist/lib/bench/gemm-layer.js lstm|gru F U B T reps rounds path[@minMacs]...
// GEMM_LAYER_ADDON=path times another build of fused_rnn.node (one without paths: path "as-built").
import { NATIVE_ADDON } from "../native/paths";
import { median } from "./stats";

interface Kernel {
  forward(...a: (number | Float32Array)[]): void;
  backward(...a: (number | Float32Array | null)[]): void;
  // absent in builds before lib/native/gemm.h
  gemmConfig?(mode: number, minMacs: number): void;
  gemmStats?(): { minMacs: number };
}

const MODES: Record<string, number> = { auto: 0, tiled: 1, blas: 2 };

/** Median rows per CPU-second of each path for an LSTM/GRU layer (relu / hardSigmoid, as the original preset). */
export function timeLayerPaths(o: { kind: "lstm" | "gru"; F: number; U: number; B: number; T: number; reps: number; rounds: number; paths: string[] }, addon = NATIVE_ADDON): Record<string, number> {
  const k = require(addon) as Kernel;
  const defaultMin = k.gemmStats?.().minMacs ?? 0;
  const { F, U, B, T } = o;
  const kind = o.kind === "lstm" ? 0 : 1;
  const G = (kind === 0 ? 4 : 3) * U;
  let seed = 7;
  const rnd = (n: number) => Float32Array.from({ length: n }, () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 0.2 - 0.1);
  const [x, W, R, b, dh] = [rnd(B * T * F), rnd(F * G), rnd(U * G), rnd(G), rnd(B * T * U)];
  const [h, c, pre, post, dx, dW, dR, db] = [B * T * U, B * T * U, B * T * G, B * T * G, B * T * F, F * G, U * G, G].map((n) => new Float32Array(n));
  const once = () => {
    k.forward(kind, 1, 3, B, T, F, U, x, W, R, b, h, c, pre, post);
    k.backward(kind, 1, 3, B, T, F, U, x, W, R, h, c, pre, post, dh, dx, dW, dR, db);
  };
  const rates: Record<string, number[]> = Object.fromEntries(o.paths.map((p) => [p, []]));
  for (let r = 0; r < o.rounds; r++) {
    for (const p of o.paths) {
      const [mode, min] = p.split("@");
      if (mode === "as-built") {
        if (k.gemmConfig) throw new Error("gemm-layer: as-built is for addons without product paths");
      } else {
        if (!(mode in MODES)) throw new Error(`gemm-layer: unknown path ${p} (tiled, blas, auto[@minMacs], as-built)`);
        if (!k.gemmConfig) throw new Error(`gemm-layer: ${addon} has no product paths; use as-built`);
        k.gemmConfig(MODES[mode], min === undefined ? defaultMin : Number(min));
      }
      once();
      const c0 = process.cpuUsage();
      for (let i = 0; i < o.reps; i++) once();
      const cpu = process.cpuUsage(c0);
      rates[p].push((o.reps * B) / ((cpu.user + cpu.system) / 1e6));
    }
  }
  k.gemmConfig?.(MODES.auto, defaultMin);
  return Object.fromEntries(Object.entries(rates).map(([p, v]) => [p, median(v)]));
}

if (require.main === module) {
  const [kind, F, U, B, T, reps, rounds, ...paths] = process.argv.slice(2);
  if (kind !== "lstm" && kind !== "gru") throw new Error("usage: gemm-layer.js lstm|gru F U B T reps rounds path[@minMacs]...");
  const o = { kind, F: +F, U: +U, B: +B, T: +T, reps: +reps, rounds: +rounds, paths: paths.length ? paths : ["tiled", "blas", "auto"] } as const;
  const r = timeLayerPaths({ ...o, paths: [...o.paths] }, process.env.GEMM_LAYER_ADDON || NATIVE_ADDON);
  console.log(`${kind} F${F} U${U} B${B} T${T}: ${Object.entries(r).map(([p, v]) => `${p} ${v.toFixed(0)}`).join(" | ")} rows/CPU-s (forward+backward, median of ${rounds})`);
}
