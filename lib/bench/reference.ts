// The PyTorch reference: lib/bench/torch_reference.py run by the system Python (Debian's
// python3-torch), and which BLAS it runs on. Absent torch → null with the reason, never a failure.
import { applyOpenblasCore } from "../native/openblas-core";
import { execFile, execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { findProjectRoot } from "../data/project-root";

export const DEFAULT_PYTHON = "/usr/bin/python3";

export interface TorchRun {
  kind: string;
  threads: number;
  windows: number;
  epochs: number;
  samplesPerSec: number;
  steadySamplesPerSec: number | null;
  /** Steady samples per CPU-second of the Python process (time.process_time). */
  steadyCpuSamplesPerSec?: number | null;
  epochSec: number[];
  /** CPU seconds ÷ wall seconds of the Python process in the steady epochs (1.0 = one core busy). */
  steadyCores?: number | null;
  /** Cores of each OS thread that used ≥ 1% of one in the steady epochs, descending: one entry when single-threaded. */
  steadyBusyThreads?: number[] | null;
  /** OS threads of the process after training (/proc/self/task). */
  osThreads?: number;
  predictPerSec: number;
  params: number;
}

export interface TorchOutput {
  torch: string;
  python: string;
  blas: string;
  blasLibraries: string[];
  blasInfoBuild: string | null;
  /** The kernels its OpenBLAS runs (openblas_get_corename; null for another BLAS, absent in older bench.json files). */
  blasCore?: string | null;
  /** OMP_NUM_THREADS, OPENBLAS_NUM_THREADS, MKL_NUM_THREADS as the script set them before importing torch. */
  threadEnv?: Record<string, string>;
  numThreads?: number;
  numInteropThreads?: number;
  results: TorchRun[];
}

export function torchScriptPath(): string {
  return path.join(findProjectRoot(__dirname), "lib", "bench", "torch_reference.py");
}

/** Run the reference script; resolves with its JSON or with { error } (never rejects). */
export function runTorchReference(
  args: { kinds: string[]; threads: number[]; windows: number; epochs: number; predictWindows?: number; model?: "detector" | "original"; batchSize?: number; timesteps?: number },
  python = DEFAULT_PYTHON,
  timeoutMs = 300_000,
  env: NodeJS.ProcessEnv = {},
): Promise<TorchOutput | { error: string }> {
  const script = torchScriptPath();
  if (!fs.existsSync(python)) return Promise.resolve({ error: `${python} not found` });
  if (!fs.existsSync(script)) return Promise.resolve({ error: `${script} not found` });
  const argv = [
    script,
    "--kinds", args.kinds.join(","),
    "--threads", args.threads.join(","),
    "--windows", String(args.windows),
    "--epochs", String(args.epochs),
    "--predict-windows", String(args.predictWindows ?? 4096),
    ...(args.model ? ["--model", args.model] : []),
    ...(args.batchSize ? ["--batch-size", String(args.batchSize)] : []),
    ...(args.timesteps ? ["--timesteps", String(args.timesteps)] : []),
  ];
  // The same OpenBLAS kernels as ours (where this project chose them, OPENBLAS_CORETYPE is set here for both).
  applyOpenblasCore();
  return new Promise((resolve) => {
    execFile(python, argv, { timeout: timeoutMs, maxBuffer: 16 << 20, env: { ...process.env, ...env } }, (err, stdout, stderr) => {
      const last = stdout.trim().split("\n").pop() ?? "";
      let parsed: unknown = null;
      try {
        parsed = JSON.parse(last);
      } catch {
        /* reported below */
      }
      if (parsed && typeof parsed === "object" && "results" in parsed) return resolve(parsed as TorchOutput);
      if (parsed && typeof parsed === "object" && "error" in parsed) return resolve({ error: String((parsed as { error: unknown }).error) });
      resolve({ error: `torch reference failed: ${err ? err.message.split("\n")[0] : "no JSON on stdout"} ${stderr.trim().split("\n").pop() ?? ""}`.trim() });
    });
  });
}

/** What the libblas.so.3 alternative points at (Debian), or null where update-alternatives is absent. */
export function blasAlternative(): string | null {
  for (const name of ["libblas.so.3-x86_64-linux-gnu", "libblas.so.3"]) {
    try {
      const out = execFileSync("update-alternatives", ["--query", name], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
      const value = /^Value:\s*(.+)$/m.exec(out);
      if (value) return value[1].trim();
    } catch {
      /* try the next name */
    }
  }
  return null;
}
