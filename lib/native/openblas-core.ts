// Which CPU kernels OpenBLAS runs. A DYNAMIC_ARCH OpenBLAS (Debian's) picks them by CPU model at load
// and falls back to its generic "Prescott" (SSE3) kernels on a model it does not know: Debian 12's
// 0.3.21 on an Emerald Rapids Xeon (family 6, model 207) did, and the default LSTM's step ran 1.45×
// slower than with the AVX-512 kernels (docs/kernel-blas.md). The build notes what OpenBLAS picked;
// where it fell back on a CPU with AVX-512 or AVX2, every process of ours sets OPENBLAS_CORETYPE
// (which OpenBLAS reads once, when it loads) to the kernels those flags run, unless the user set it.
import { isMainThread } from "node:worker_threads";
import { readBuildNote } from "./paths";

export const OPENBLAS_CORETYPE_ENV = "OPENBLAS_CORETYPE";
/** What a DYNAMIC_ARCH OpenBLAS runs on an x86-64 CPU it does not recognise. */
export const OPENBLAS_FALLBACK_CORE = "Prescott";

/**
 * The OpenBLAS core to ask for, or null to leave OpenBLAS's own choice: only where it fell back to its
 * generic kernels and the CPU's flags run better ones. Pure: `flags` are /proc/cpuinfo's.
 */
export function openblasCoreFor(detected: string, flags: readonly string[]): { core: string; reason: string } | null {
  if (detected !== OPENBLAS_FALLBACK_CORE) return null;
  const has = (...f: string[]) => f.every((x) => flags.includes(x));
  const why = (core: string, what: string) => ({ core, reason: `OpenBLAS did not recognise this CPU and fell back to its generic ${OPENBLAS_FALLBACK_CORE} kernels; the CPU has ${what}, so ${OPENBLAS_CORETYPE_ENV}=${core}` });
  if (has("avx512f", "avx512bw", "avx512dq", "avx512vl", "avx512_bf16")) return why("Cooperlake", "AVX-512 with BF16");
  if (has("avx512f", "avx512bw", "avx512dq", "avx512vl")) return why("SkylakeX", "AVX-512");
  if (has("avx2", "fma")) return why("Haswell", "AVX2 and FMA");
  return null;
}

/** Who chose the kernels of this process's OpenBLAS: OpenBLAS itself, this project (build note), or the user's environment. */
export type OpenblasCoreChoice = "openblas" | "project" | "user";

let choice: OpenblasCoreChoice | null = null;

/**
 * Call on the main thread before OpenBLAS can load in this process (the fused kernel's loader, before
 * starting worker threads): a worker's process.env is its own copy, which OpenBLAS's getenv never sees.
 */
export function applyOpenblasCore(): OpenblasCoreChoice {
  if (choice) return choice;
  if (process.env[OPENBLAS_CORETYPE_ENV]) return (choice = "user");
  // Read once a process: the build note says whether OpenBLAS fell back here.
  const core = readBuildNote()?.blasCoreType;
  if (!core || !isMainThread) return (choice = "openblas");
  process.env[OPENBLAS_CORETYPE_ENV] = core;
  return (choice = "project");
}

/** This process's choice so far (null before applyOpenblasCore ran: OpenBLAS not loaded through us yet). */
export function openblasCoreChoice(): OpenblasCoreChoice | null {
  return choice;
}
