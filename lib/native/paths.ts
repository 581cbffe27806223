// Where `npm run build` puts the compiled fused RNN kernel and the note of why it was not built.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/** dist/native, beside dist/lib (this file compiles to dist/lib/native/paths.js). */
export const NATIVE_DIR = path.resolve(__dirname, "..", "..", "native");
export const NATIVE_ADDON = path.join(NATIVE_DIR, "fused_rnn.node");
export const NATIVE_BUILD_NOTE = path.join(NATIVE_DIR, "build-status.json");

/** What build-status.json records: whether the addon was built, why not, and for which CPU. */
export interface NativeBuildNote {
  built: boolean;
  reason: string;
  /** The CPU it was compiled for (-march=native): the loader refuses the addon on another one. */
  cpu?: string;
  /** The BLAS linked for the large products ("openblas", "blis"), or null: tiled loops only. */
  blas?: string | null;
  /** Why that BLAS, or why none (FALL_BLAS=none, no cblas.h, did not link). */
  blasReason?: string;
  /** OpenBLAS: the kernels it picked for this CPU on its own (openblas_get_corename, OPENBLAS_CORETYPE unset). */
  blasCore?: string;
  /** OpenBLAS fell back to its generic kernels: the core every process asks for instead (lib/native/openblas-core.ts), and why. */
  blasCoreType?: string;
  blasCoreReason?: string;
}

/** build-status.json as `npm run build` wrote it, or null when the build step never ran. */
export function readBuildNote(): NativeBuildNote | null {
  try {
    return JSON.parse(fs.readFileSync(NATIVE_BUILD_NOTE, "utf8")) as NativeBuildNote;
  } catch {
    return null;
  }
}

/** /proc/cpuinfo's flags of the first CPU ([] where there is none). */
export function cpuFlags(): string[] {
  try {
    const line = fs.readFileSync("/proc/cpuinfo", "utf8").split("\n").find((l) => l.startsWith("flags"));
    return (line ?? "").split(":")[1]?.trim().split(/\s+/) ?? [];
  } catch {
    return [];
  }
}

/** The CPU model plus its vector flags: what -march=native depends on. */
export function cpuSignature(): string {
  const model = os.cpus()[0]?.model ?? "unknown";
  // Not Linux: the model name alone.
  const flags = cpuFlags().filter((f) => /^(avx|sse|fma|f16c|bmi)/.test(f)).sort().join(" ");
  return flags ? `${model} [${flags}]` : model;
}
