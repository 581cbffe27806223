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
}

/** The CPU model plus its vector flags: what -march=native depends on. */
export function cpuSignature(): string {
  const model = os.cpus()[0]?.model ?? "unknown";
  let flags = "";
  try {
    const line = fs.readFileSync("/proc/cpuinfo", "utf8").split("\n").find((l) => l.startsWith("flags"));
    flags = (line ?? "").split(":")[1]?.trim().split(/\s+/).filter((f) => /^(avx|sse|fma|f16c|bmi)/.test(f)).sort().join(" ") ?? "";
  } catch {
    // not Linux: the model name alone
  }
  return flags ? `${model} [${flags}]` : model;
}
