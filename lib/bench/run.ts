// `npm run bench`: data-parallel scaling, throughput against a PyTorch reference, overhead,
// inference latency. Writes bench.json and returns it; cli/bench.ts prints the markdown.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { initBackend } from "../backend";
import { findProjectRoot } from "../data/project-root";
import { urfdShapedWindows } from "../distributed/measure-throughput";
import type { RnnKind } from "../model/rnn";
import type { BackendName } from "../backend";
import type { DistributedModel } from "../distributed/distributed-model";
import { BackendResult, independentProcesses, runBackendCase } from "./backends";
import { STOCK_MATMUL_ENV } from "../wasm-kernels";
import { RNN_KERNEL_ENV } from "../model/fused-rnn";
import { hostFacts } from "../pipeline/host-facts";
import { InferenceResult, measureInference } from "./inference";
import { blasAlternative, DEFAULT_PYTHON, runTorchReference, TorchOutput, TorchRun } from "./reference";
import { median, round, roundDeep, sig3 } from "./stats";
import { measureOriginalPreset, OriginalResult, FLOP_ASSUMPTION, originalFlopsPerRow, recurrentTrainFlops } from "./original-preset";
import { ClusterBenchResult, measureCluster } from "./cluster-bench";
import { BENCH_SETUPS, CaseIdentity, CaseSummary, pooledSpeedup, RunSample, runTrainingRounds, Setup, setupLabel, speedups, summarizeCases } from "./training";
import { CONCURRENT_JIT_ENV } from "../distributed/jit-threads";

export interface BenchOptions {
  out: string;
  quick: boolean;
  /** Training windows per case (all workers together). */
  windows: number;
  /** Epochs per case; the first is excluded from the steady-state rate. */
  epochs: number;
  /** Epochs of the untimed fit that warms each case's threads first (training.ts warmThreads); 0: fresh threads. */
  warmUpEpochs: number;
  /** Interleaved repetitions of every case. */
  rounds: number;
  models: RnnKind[];
  workerCounts: number[];
  setups: Setup[];
  batchSize: number;
  /** Backend comparison: windows and epochs for wasm/tensorflow, and the (slow) cpu case. */
  backendWindows: number;
  cpuWindows: number;
  backendEpochs: number;
  backends: BackendName[];
  predictWindows: number;
  latencyRuns: number;
  python: string;
  torch: boolean;
  /** Also time PyTorch with 2 threads (once, on torchTwoThreadWindows windows). */
  torchTwoThreads: boolean;
  /** Measure the machine ceiling (1 vs 2 independent processes) after every round. */
  ceiling: boolean;
  /** Seconds the whole bench may take: no new round starts when the projection exceeds it. */
  budgetSec: number;
  /** The original preset (Embedding + 3 × LSTM(256)), 1 worker, at these batch sizes, beside PyTorch. */
  original: boolean;
  originalBatchSizes: number[];
  originalRows: number;
  originalEpochs: number;
  /** The cluster part (Open MPI): exchanges on one host and simulated hosts, epochs of ranks beside threads. */
  cluster: boolean;
  /** Multiples of URFD's windows for the cluster epoch rows. */
  clusterScales: number[];
  clusterRateMbit: number;
  /** Epochs of each cluster epoch row's fit (>= 3: the mean is over epochs 2..N), apart from the training cases'. */
  clusterEpochs: number;
}

/** Worker counts 1, 2, 4, ... up to the cores there are (at least 1 and 2). */
export function defaultWorkerCounts(cpus = os.cpus().length): number[] {
  const out = [1, 2];
  for (let w = 4; w <= cpus; w *= 2) out.push(w);
  if (cpus > 2 && !out.includes(cpus)) out.push(cpus);
  return out;
}

export function defaultBenchOptions(quick = false): BenchOptions {
  const root = findProjectRoot(__dirname);
  const base: BenchOptions = {
    out: path.join(root, "runs", "bench", "bench.json"),
    quick,
    // At ~10k windows/s (fused kernel) a steady epoch must be long enough to time: 6144 windows.
    windows: 6144,
    // A steady epoch now takes 0.05-0.15 s: 7 steady epochs keep one host hiccup from deciding a ratio.
    epochs: 8,
    // V8 optimises a worker loop 3-10 epochs into a thread's life (runFit: 45 ms): 10 epochs get past it.
    warmUpEpochs: 10,
    rounds: 3,
    models: ["gru", "lstm"],
    workerCounts: defaultWorkerCounts(),
    setups: BENCH_SETUPS,
    batchSize: 64,
    backendWindows: 1536,
    cpuWindows: 256,
    backendEpochs: 3,
    backends: ["wasm", "cpu", "tensorflow"],
    predictWindows: 4096,
    latencyRuns: 500,
    python: DEFAULT_PYTHON,
    torch: true,
    torchTwoThreads: true,
    ceiling: true,
    budgetSec: 540,
    original: true,
    originalBatchSizes: [16, 64],
    // ~150–400 rows/s: 1024 rows make a steady epoch of several seconds.
    originalRows: 1024,
    originalEpochs: 3,
    cluster: true,
    clusterScales: [1, 10, 100],
    clusterRateMbit: 1000,
    // Its rows (up to 100x URFD, ranks beside threads) were measured with 3 epochs before the training cases took 8.
    clusterEpochs: 3,
  };
  if (!quick) return base;
  return {
    ...base,
    windows: 256,
    epochs: 2,
    warmUpEpochs: 0,
    rounds: 1,
    backendWindows: 256,
    cpuWindows: 64,
    backendEpochs: 2,
    predictWindows: 512,
    latencyRuns: 50,
    originalRows: 64,
    originalEpochs: 2,
    clusterScales: [1],
  };
}

export interface BenchCase extends CaseIdentity {
  /** Median steady-state windows/s over rounds (first epoch of each fit excluded). */
  samplesPerSec: number | null;
  samplesPerSecRange: [number | null, number | null];
  /** Median windows/s over all epochs (first included, worker startup excluded). */
  allEpochsPerSec: number | null;
  /** Median windows/s of the whole fit() call (startup and first epoch included). */
  wallPerSec: number | null;
  /** Steady seconds per epoch over `windows` windows. */
  epochSec: number | null;
  startupSec: number | null;
  /** FitResult.timing.overheadFraction × 100 (param store + averaging + barrier + lock waits). */
  overheadPct: number | null;
  /** The same after each fit's first epoch (warm-up excluded, as samplesPerSec). */
  steadyOverheadPct: number | null;
  /** Param store + averaging only, % of worker training time. */
  storePct: number | null;
  /** Barrier + lock waits, % of worker training time. */
  waitPct: number | null;
  computeMsPerBatch: number | null;
  /** Median cores this process kept busy during the steady epochs (2 for 2 fully running workers). */
  ownCores: number | null;
  /** Median cores the main thread used meanwhile: it coordinates every worker (null off Linux; absent before 2026-12-07). */
  mainCores?: number | null;
  /** Median cores each worker's threads used: ownCores less the main thread, ÷ workers (V8's helper threads included). */
  workerCores?: number | null;
  /** Median cores other processes on the machine used meanwhile (from /proc/stat). */
  otherCores: number | null;
  /** Median steady windows per CPU-second of this process. */
  windowsPerCpuSec: number | null;
  /** samplesPerSec × the model's FLOPs per window (BenchResult.flops) ÷ 1e9. */
  gflopsPerSec?: number | null;
}

export interface BenchReference {
  torch: string;
  /** Median steady windows/s, 1 thread, of the first model (models[0]). */
  torchSamplesPerSec: number | null;
  /** tfjs 1 worker (synchronous × epoch, steady) / torch 1 thread, per round, median; first model. */
  ratio: number | null;
  blas: string;
  blasLibraries: string[];
  blasAlternative: string | null;
  blasInfoBuild: string | null;
  /** The kernels PyTorch's OpenBLAS ran (the same as ours: the bench sets OPENBLAS_CORETYPE for both where this project chose them). */
  blasCore?: string | null;
  /** What the reference script pinned before importing torch (OMP/OpenBLAS/MKL pool sizes) and torch's own thread counts, first round. */
  threadEnv?: Record<string, string> | null;
  /**
   * Per model: torch1ThreadCores is the median over rounds of the Python process's CPU ÷ wall seconds in its steady
   * epochs (1.00 = one core), torch1ThreadBusyThreads the most OS threads that used ≥ 1% of a core in any round.
   */
  byModel: Record<string, { torch1ThreadPerSec: number | null; torch1ThreadCores?: number | null; torch1ThreadBusyThreads?: number | null; torch2ThreadsPerSec: number | null; torch2ThreadsPassivePerSec: number | null; tfjs1WorkerPerSec: number | null; tfjsMainThreadPerSec: number | null; fusedMainThreadPerSec: number | null; kernel1Worker: string | null; ratio: number | null; torchPredictPerSec: number | null; params: number; gflopsPerSec?: number | null; torchGflopsPerSec?: number | null; byBatch?: Record<string, { tfjs1WorkerPerSec: number | null; torch1ThreadPerSec: number | null; ratio: number | null; gflopsPerSec: number | null; torchGflopsPerSec: number | null }> }>;
  twoThreads: { windows: number; epochs: number } | null;
  runs: (TorchRun & { ompWaitPolicy: string })[];
}

export interface BenchResult {
  version: 1;
  createdAt: string;
  quick: boolean;
  machine: {
    cpus: number;
    cpuModel: string;
    /** OpenBLAS's kernels in our processes, and who chose them (absent in older bench.json files). */
    blasCore?: string | null;
    blasCoreBy?: string;
    node: string;
    backend: string;
    loadavg: number[];
    loadavgEnd: number[];
    platform: string;
    totalMemGB: number;
  };
  settings: {
    windows: number;
    epochs: number;
    /** Epochs of the untimed fit before each timed one, on the same threads (absent in older files: fresh threads). */
    warmUpEpochs?: number;
    rounds: number;
    /** Rounds actually run (fewer than `rounds` when the time budget ran out). */
    roundsRun: number;
    budgetSec: number;
    batchSize: number;
    windowShape: [number, number];
    models: RnnKind[];
    workerCounts: number[];
    setups: string[];
    steadyState: string;
    /** Whether V8 compiled on helper threads (FALL_CONCURRENT_JIT=1) or on each worker's own thread (the default; absent in older files). */
    concurrentJit?: boolean;
  };
  cases: BenchCase[];
  /** Median over rounds (and models) of steady windows/s with 2 workers ÷ with 1 worker, same round. */
  speedup: Record<string, number | null>;
  speedupByModel: Record<string, Record<string, number | null>>;
  /** Same ratio with other rates: shows what startup and the first epoch cost. */
  speedupAllEpochs: Record<string, number | null>;
  speedupWall: Record<string, number | null>;
  /** Same ratio of steady windows per CPU-second: 1.0 means each core the workers got did as much as the single worker's. */
  perCpuEfficiency: Record<string, number | null>;
  /** For machines with more cores: workers → median speedup (synchronous × epoch, pooled over models). */
  speedupByWorkers: Record<string, number | null>;
  /**
   * What this machine allowed during the run: N independent processes, each a 1-worker
   * DistributedModel on windows/N, summed ÷ 1 such process (N = 2), per round right after the
   * training cases, median. The trainer's speedup cannot beat it; on an idle
   * 2-core machine it is near 2, on a shared one it shows how much CPU the bench could get.
   */
  ceiling: { speedup: number | null; perRound: { round: number; one: number; two: number; ratio: number }[] } | null;
  backends: BackendResult[];
  reference: BenchReference | null;
  referenceSkipped: string | null;
  /** FLOPs per training window each model's GFLOP/s assume, and how they are counted. */
  flops?: { assumption: string; perWindow: Record<string, number> };
  /** The original preset, 1 worker, per batch size, beside PyTorch (also in reference.byModel.original). */
  original?: OriginalResult | null;
  inference: InferenceResult | null;
  /** Issue 13's cluster figures (lib/bench/cluster-bench.ts), or why they were skipped. */
  cluster?: ClusterBenchResult | null;
  clusterSkipped?: string | null;
  /** Why the cluster part stopped (a rank's crash, mpirun's exit), the other parts kept; the bench then exits 1. */
  clusterFailed?: string | null;
  samples: RunSample[];
  durationSec: number;
}

const r1 = (v: number) => round(v, 1);
const r3 = (v: number) => round(v, 3);
const r4 = (v: number) => round(v, 4);

function toCase(c: CaseSummary, flopsPerWindow: Record<string, number>): BenchCase {
  return {
    model: c.model,
    mode: c.mode,
    frequency: c.frequency,
    setup: c.setup,
    workers: c.workers,
    backend: c.backend,
    kernel: c.kernel,
    runs: c.runs,
    samplesPerSec: r1(c.samplesPerSec),
    samplesPerSecRange: [r1(c.samplesPerSecMin), r1(c.samplesPerSecMax)],
    allEpochsPerSec: r1(c.allEpochsPerSec),
    wallPerSec: r1(c.wallPerSec),
    epochSec: r3(c.epochSec),
    startupSec: r3(c.startupSec),
    overheadPct: r3(c.overheadPct),
    steadyOverheadPct: r3(c.steadyOverheadPct),
    storePct: r3(c.storePct),
    waitPct: r3(c.waitPct),
    computeMsPerBatch: r3(c.computeMsPerBatch),
    ownCores: r3(c.ownCores),
    mainCores: r4(c.mainCores),
    workerCores: r4(c.workerCores),
    otherCores: r3(c.otherCores),
    windowsPerCpuSec: r1(c.windowsPerCpuSec),
    gflopsPerSec: round((c.samplesPerSec * (flopsPerWindow[c.model] ?? NaN)) / 1e9, 2),
  };
}

export async function runBench(o: BenchOptions, log: (line: string) => void = () => {}): Promise<BenchResult> {
  const t0 = performance.now();
  const loadavg = os.loadavg();
  const backend = (await initBackend()).name;
  log(`# ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? "?"}), node ${process.version}, backend ${backend}, load average ${loadavg.map((l) => l.toFixed(2)).join(" ")}`);
  const data = urfdShapedWindows(o.windows);

  const backends = await measureBackends(o, backend, log);
  const rounds = await measureTrainingRounds(o, data, t0, log);
  const twoThreads = rounds.torchError === null && o.torchTwoThreads ? await measureTorchTwoThreads(o, log) : {};
  // The original preset, 1 worker, beside PyTorch on the same shapes.
  const original = o.original
    ? await measureOriginalPreset({ batchSizes: o.originalBatchSizes, rows: o.originalRows, epochs: o.originalEpochs, torch: o.torch, python: o.python, log })
    : null;
  const inference = rounds.kept ? await measureKeptInference(o, rounds.kept, log) : null;
  const cluster = o.cluster ? await clusterPart(o, log) : "--no-cluster";

  const flopsPerWindow: Record<string, number> = Object.fromEntries(o.models.map((m) => [m, recurrentTrainFlops(m, data.T, data.F, [32])]));
  if (original) flopsPerWindow.original = originalFlopsPerRow();
  const modeKeys = o.setups.map(setupLabel);
  const reference = rounds.torchRounds.length
    ? referenceResult({ o, rounds, twoThreads, mainThread: mainThreadRates(backends, backend), original, flopsPerWindow, modeKeys })
    : null;

  const result: BenchResult = {
    version: 1,
    createdAt: new Date().toISOString(),
    quick: o.quick,
    machine: machineInfo(backend, loadavg),
    settings: {
      windows: o.windows,
      epochs: o.epochs,
      warmUpEpochs: o.warmUpEpochs,
      rounds: o.rounds,
      roundsRun: rounds.roundsRun,
      budgetSec: o.budgetSec,
      batchSize: o.batchSize,
      windowShape: [data.T, data.F],
      models: o.models,
      workerCounts: o.workerCounts,
      setups: modeKeys,
      steadyState:
        `windows/s after the first epoch of each fit (epochs 2..${o.epochs}); worker startup and the first epoch excluded` +
        (o.warmUpEpochs > 0 ? `; each fit on threads an untimed ${o.warmUpEpochs}-epoch fit of the same case warmed (as the pipeline's pooled threads)` : "; fresh threads"),
      concurrentJit: process.env[CONCURRENT_JIT_ENV] === "1",
    },
    cases: summarizeCases(rounds.samples).map((c) => toCase(c, flopsPerWindow)),
    ...speedupSummaries(rounds.samples, o, modeKeys),
    ceiling: rounds.ceilingRounds.length ? { speedup: r3(median(rounds.ceilingRounds.map((c) => c.ratio))), perRound: roundDeep(rounds.ceilingRounds, 3) } : null,
    backends: backends.map((b) => ({ ...b, samplesPerSec: b.samplesPerSec === null ? null : r1(b.samplesPerSec), epochSec: b.epochSec === null ? null : r3(b.epochSec) })),
    reference,
    referenceSkipped: reference ? null : rounds.torchError ?? "no PyTorch run",
    flops: { assumption: FLOP_ASSUMPTION, perWindow: flopsPerWindow },
    original: original && roundDeep(original, 3),
    inference: inference && roundInference(inference),
    cluster: typeof cluster === "string" || "failed" in cluster ? null : roundDeep(cluster, 3),
    clusterSkipped: typeof cluster === "string" ? cluster : null,
    clusterFailed: typeof cluster !== "string" && "failed" in cluster ? cluster.failed : null,
    samples: rounds.samples.map((s) => roundDeep(s, 4)),
    durationSec: round((performance.now() - t0) / 1000, 1) ?? 0,
  };
  fs.mkdirSync(path.dirname(o.out), { recursive: true });
  fs.writeFileSync(o.out, JSON.stringify(result, null, 2) + "\n");
  return result;
}

/** The cluster part, or why it could not run, or how it failed: its failure must not lose the parts measured before it. */
async function clusterPart(o: BenchOptions, log: (line: string) => void): Promise<ClusterBenchResult | string | { failed: string }> {
  try {
    return await measureCluster({ quick: o.quick, rateMbit: o.clusterRateMbit, scales: o.clusterScales, epochs: o.clusterEpochs, log });
  } catch (e) {
    const failed = e instanceof Error ? e.message : String(e);
    log(`cluster part failed: ${failed}`);
    return { failed };
  }
}

/**
 * Step 1: backends side by side on tfjs-layers' own kernels, each in its own process (main-thread
 * training via measureThroughput). The default backend runs every model; others the first model.
 */
async function measureBackends(o: BenchOptions, backend: string, log: (line: string) => void): Promise<BackendResult[]> {
  const backends: BackendResult[] = [];
  const TFJS_LAYERS = { [RNN_KERNEL_ENV]: "tfjs" };
  for (const b of o.backends) {
    const windows = b === "cpu" ? o.cpuWindows : o.backendWindows;
    const epochs = b === "cpu" ? 2 : o.backendEpochs;
    for (const kind of b === backend ? o.models : o.models.slice(0, 1)) {
      const r = await runBackendCase(b, kind, windows, epochs, { env: TFJS_LAYERS });
      backends.push(r);
      log(r.skipped ? `backend ${b}: skipped — ${r.skipped}` : `backend ${b}: ${kind} main-thread training (tfjs-layers) ${r.samplesPerSec!.toFixed(0)} win/s steady (${windows} windows × ${epochs} epochs)`);
      if (r.skipped) break;
    }
  }
  // Same run: wasm with tfjs's own transposed matMul (what lib/wasm-kernels.ts buys), and with the
  // fused native RNN kernel (what lib/native buys; the workers use it when it is built).
  if (o.backends.includes("wasm")) {
    for (const kind of o.models) {
      const variants = [
        { variant: "stock matMul", env: { ...TFJS_LAYERS, [STOCK_MATMUL_ENV]: "1" }, windows: o.backendWindows },
        { variant: "fused native kernel", env: {}, windows: o.windows },
      ];
      for (const v of variants) {
        const r = await runBackendCase("wasm", kind, v.windows, o.backendEpochs, { variant: v.variant, env: v.env });
        backends.push(r);
        log(r.skipped ? `backend wasm (${v.variant}): skipped — ${r.skipped}` : `backend wasm (${v.variant}): ${kind} main-thread training (${r.kernel}) ${r.samplesPerSec!.toFixed(0)} win/s steady`);
      }
    }
  }
  return backends;
}

interface CeilingRound {
  round: number;
  one: number;
  two: number;
  ratio: number;
}

interface RoundsOutcome {
  samples: RunSample[];
  kept: DistributedModel | null;
  roundsRun: number;
  torchRounds: TorchOutput[];
  /** Why the PyTorch reference did not run (null: it ran every round). */
  torchError: string | null;
  ceilingRounds: CeilingRound[];
}

/** Step 2: training cases in interleaved rounds, the PyTorch reference and the machine ceiling after each round. */
async function measureTrainingRounds(o: BenchOptions, data: ReturnType<typeof urfdShapedWindows>, t0: number, log: (line: string) => void): Promise<RoundsOutcome> {
  const torchRounds: TorchOutput[] = [];
  let torchError: string | null = o.torch ? null : "skipped by --no-torch";
  const runTorch = async (round: number): Promise<void> => {
    if (torchError !== null) return;
    const t = await runTorchReference({ kinds: o.models, threads: [1], windows: o.windows, epochs: o.epochs, predictWindows: o.predictWindows }, o.python);
    if ("error" in t) {
      torchError = t.error;
      log(`PyTorch reference skipped: ${t.error}`);
      return;
    }
    torchRounds.push(t);
    log(`round ${round + 1}: PyTorch ${t.torch} (${t.blas}) 1 thread: ${t.results.map((x) => `${x.kind} ${x.steadySamplesPerSec?.toFixed(0)} win/s (${x.steadyCores?.toFixed(2) ?? "–"} cores, busy threads ${x.steadyBusyThreads?.join("/") ?? "–"})`).join(", ")}`);
    for (const x of t.results) if ((x.steadyCores ?? 0) > ONE_THREAD_MAX_CORES) log(`warning: PyTorch "1 thread" ${x.kind} used ${x.steadyCores!.toFixed(2)} cores (threads ${x.steadyBusyThreads?.join("/")})`);
  };
  // Machine ceiling: 1 vs 2 independent processes, each on half the windows (as a worker), order alternating.
  const ceilingRounds: CeilingRound[] = [];
  const runCeiling = async (round: number): Promise<void> => {
    const half = Math.max(64, Math.floor(o.windows / 2));
    const rate: Record<number, number> = {};
    for (const p of round % 2 ? [2, 1] : [1, 2]) rate[p] = await independentProcesses(p, o.models[0], half, o.epochs, o.warmUpEpochs);
    ceilingRounds.push({ round, one: rate[1], two: rate[2], ratio: rate[2] / rate[1] });
    log(`round ${round + 1}: ceiling, independent processes (${o.models[0]}, ${half} windows each): 1 → ${rate[1].toFixed(0)} win/s, 2 → ${rate[2].toFixed(0)} win/s (${(rate[2] / rate[1]).toFixed(2)}×)`);
  };
  // Time budget: no round starts unless it (as long as the longest so far) and the tail
  // (2-thread PyTorch, inference: well under a minute) still fit.
  const TAIL_SEC = 60 + (o.original ? 180 : 0);
  let roundStart = performance.now();
  let longestRoundSec = 0;
  const { samples, kept } = await runTrainingRounds({
    data,
    epochs: o.epochs,
    rounds: o.rounds,
    models: o.models,
    setups: o.setups,
    workerCounts: o.workerCounts,
    batchSize: o.batchSize,
    log,
    keep: { model: o.models[0], setup: setupLabel(o.setups[0]), workers: o.workerCounts.includes(2) ? 2 : o.workerCounts[0] },
    warmUpEpochs: o.warmUpEpochs,
    startRound: () => (performance.now() - t0) / 1000 + longestRoundSec + TAIL_SEC <= o.budgetSec,
    afterRound: async (round) => {
      await runTorch(round);
      if (o.ceiling) await runCeiling(round);
      longestRoundSec = Math.max(longestRoundSec, (performance.now() - roundStart) / 1000);
      roundStart = performance.now();
    },
  });
  return { samples, kept, roundsRun: new Set(samples.map((s) => s.round)).size, torchRounds, torchError, ceilingRounds };
}

/** Main-thread training rates of the default backend (from step 1) for the reference table: tfjs-layers and fused. */
function mainThreadRates(backends: BackendResult[], backend: string): { tfjs: Record<string, number | null>; fused: Record<string, number | null> } {
  const tfjs: Record<string, number | null> = {};
  const fused: Record<string, number | null> = {};
  for (const b of backends) {
    if (b.backend !== backend || b.samplesPerSec === null) continue;
    if (!b.variant) tfjs[b.model] = b.samplesPerSec;
    if (b.variant === "fused native kernel" && b.kernel?.startsWith("fused-native")) fused[b.model] = b.samplesPerSec;
  }
  return { tfjs, fused };
}

const TWO_THREAD_WINDOWS_MAX = 512;
/** Above this many cores a "1 thread" reference is not single-threaded (the bench warns). */
export const ONE_THREAD_MAX_CORES = 1.05;

/**
 * Step 3: PyTorch with 2 threads, once, small: with OpenMP's default (active, spinning) wait policy on
 * a busy 2-core box it can be 10× slower than 1 thread; OMP_WAIT_POLICY=PASSIVE shows the fix.
 */
async function measureTorchTwoThreads(o: BenchOptions, log: (line: string) => void): Promise<Record<string, TorchOutput>> {
  const twoThreads: Record<string, TorchOutput> = {};
  for (const [label, env] of [["default", {}], ["passive", { OMP_WAIT_POLICY: "PASSIVE" }]] as const) {
    const t = await runTorchReference({ kinds: o.models, threads: [2], windows: Math.min(o.windows, TWO_THREAD_WINDOWS_MAX), epochs: 2, predictWindows: 1024 }, o.python, 300_000, env);
    if (!("error" in t)) {
      twoThreads[label] = t;
      log(`PyTorch 2 threads (OpenMP wait policy ${label}): ${t.results.map((x) => `${x.kind} ${x.steadySamplesPerSec?.toFixed(0)} win/s`).join(", ")}`);
    } else log(`PyTorch 2 threads (${label}) failed: ${t.error}`);
  }
  return twoThreads;
}

/** Step 4: inference of the detector the rounds kept trained. */
async function measureKeptInference(o: BenchOptions, kept: DistributedModel, log: (line: string) => void): Promise<InferenceResult> {
  const label = `${o.models[0]} (trained: ${setupLabel(o.setups[0])}, ${kept.config.numWorkers} workers, ${o.epochs} epochs)`;
  const inference = await measureInference(kept, { windows: o.predictWindows, latencyRuns: o.latencyRuns, label });
  log(
    `inference ${label}: model.predict ${inference.batchPerSec.toFixed(0)} win/s, DistributedModel.predict (${inference.workers} workers, startup incl.) ${inference.distributedPerSec.toFixed(0)} win/s, ` +
      `single window p50 ${inference.p50Ms.toFixed(2)} ms p99 ${inference.p99Ms.toFixed(2)} ms` +
      (inference.fused ? `, fused forward ${inference.fused.batchPerSec.toFixed(0)} win/s, one window p50 ${inference.fused.p50Ms.toFixed(2)} ms p99 ${inference.fused.p99Ms.toFixed(2)} ms` : `, fused forward skipped: ${inference.fusedSkipped}`) +
      (inference.streaming ? `, streaming per frame p50 ${sig3(inference.streaming.statefulP50Ms)} ms p99 ${sig3(inference.streaming.statefulP99Ms)} ms` + (inference.streaming.shipped ? `, shipped FallDetector per frame p50 ${sig3(inference.streaming.shipped.perFrameP50Ms)} ms p99 ${sig3(inference.streaming.shipped.perFrameP99Ms)} ms` : "") + (inference.streaming.shippedOneWindow ? `, without its second window p50 ${sig3(inference.streaming.shippedOneWindow.perFrameP50Ms)} ms p99 ${sig3(inference.streaming.shippedOneWindow.perFrameP99Ms)} ms` : "") : `, streaming skipped: ${inference.streamingSkipped}`),
  );
  return inference;
}

type SpeedupSummaries = Pick<BenchResult, "speedup" | "speedupByModel" | "speedupAllEpochs" | "speedupWall" | "perCpuEfficiency" | "speedupByWorkers">;

/** Step 5: 2 workers ÷ 1 worker per setup (pooled over models and by model), by rate kind and by worker count. */
function speedupSummaries(samples: RunSample[], o: BenchOptions, modeKeys: string[]): SpeedupSummaries {
  const sp2 = speedups(samples, 2);
  const pooled = (list: ReturnType<typeof speedups>) => Object.fromEntries(modeKeys.map((k) => [k, r3(pooledSpeedup(list, k))]));
  const speedupByModel: BenchResult["speedupByModel"] = {};
  for (const m of o.models) speedupByModel[m] = Object.fromEntries(modeKeys.map((k) => [k, r3(sp2.find((s) => s.model === m && s.setup === k)?.median ?? NaN)]));
  const speedupByWorkers: Record<string, number | null> = {};
  for (const w of o.workerCounts.filter((w) => w > 1)) speedupByWorkers[String(w)] = r3(pooledSpeedup(speedups(samples, w), modeKeys[0]));
  return {
    speedup: pooled(sp2),
    speedupByModel,
    speedupAllEpochs: pooled(speedups(samples, 2, (s) => s.windowsPerSec)),
    speedupWall: pooled(speedups(samples, 2, (s) => s.wallWindowsPerSec)),
    perCpuEfficiency: pooled(speedups(samples, 2, (s) => s.steadyWindowsPerCpuSec)),
    speedupByWorkers,
  };
}

interface ReferenceInput {
  o: BenchOptions;
  rounds: RoundsOutcome;
  twoThreads: Record<string, TorchOutput>;
  mainThread: ReturnType<typeof mainThreadRates>;
  original: OriginalResult | null;
  flopsPerWindow: Record<string, number>;
  modeKeys: string[];
}

/** Step 5b: tfjs beside PyTorch per model, same rounds (needs at least one PyTorch round). */
function referenceResult(r: ReferenceInput): BenchReference {
  const { o, twoThreads, modeKeys } = r;
  const { torchRounds, samples } = r.rounds;
  const first = torchRounds[0];
  const byModel: BenchReference["byModel"] = {};
  for (const m of o.models) {
    const torchPer = torchRounds.map((t) => t.results.find((x) => x.kind === m && x.threads === 1)?.steadySamplesPerSec ?? NaN);
    const tfjsPer = torchRounds.map((_, round) => samples.find((s) => s.round === round && s.model === m && s.setup === modeKeys[0] && s.workers === 1)?.steadyWindowsPerSec ?? NaN);
    const ratios = torchPer.map((t, round) => tfjsPer[round] / t);
    const two = twoThreads.default?.results.find((x) => x.kind === m);
    const twoPassive = twoThreads.passive?.results.find((x) => x.kind === m);
    const runs1 = torchRounds.map((t) => t.results.find((x) => x.kind === m && x.threads === 1));
    byModel[m] = {
      torch1ThreadPerSec: r1(median(torchPer)),
      torch1ThreadCores: r3(median(runs1.map((x) => x?.steadyCores ?? NaN))),
      torch1ThreadBusyThreads: busyThreadCount(runs1),
      torch2ThreadsPerSec: two?.steadySamplesPerSec != null ? r1(two.steadySamplesPerSec) : null,
      torch2ThreadsPassivePerSec: twoPassive?.steadySamplesPerSec != null ? r1(twoPassive.steadySamplesPerSec) : null,
      tfjs1WorkerPerSec: r1(median(tfjsPer)),
      tfjsMainThreadPerSec: r.mainThread.tfjs[m] != null ? r1(r.mainThread.tfjs[m]!) : null,
      fusedMainThreadPerSec: r.mainThread.fused[m] != null ? r1(r.mainThread.fused[m]!) : null,
      kernel1Worker: samples.find((s) => s.model === m && s.setup === modeKeys[0] && s.workers === 1)?.kernel ?? null,
      ratio: r3(median(ratios)),
      torchPredictPerSec: r1(median(torchRounds.map((t) => t.results.find((x) => x.kind === m)?.predictPerSec ?? NaN))),
      params: first.results.find((x) => x.kind === m)?.params ?? 0,
      gflopsPerSec: round((median(tfjsPer) * r.flopsPerWindow[m]) / 1e9, 2),
      torchGflopsPerSec: round((median(torchPer) * r.flopsPerWindow[m]) / 1e9, 2),
    };
  }
  const originalRow = r.original ? originalReferenceRow(r.original) : null;
  if (originalRow) byModel.original = originalRow;
  return {
    torch: first.torch,
    torchSamplesPerSec: byModel[o.models[0]].torch1ThreadPerSec,
    ratio: byModel[o.models[0]].ratio,
    blas: first.blas,
    blasLibraries: first.blasLibraries,
    blasAlternative: blasAlternative(),
    blasInfoBuild: first.blasInfoBuild,
    blasCore: first.blasCore ?? null,
    threadEnv: first.threadEnv ? { ...first.threadEnv, numThreads: String(first.numThreads), numInteropThreads: String(first.numInteropThreads) } : null,
    byModel,
    twoThreads: Object.keys(twoThreads).length ? { windows: Math.min(o.windows, TWO_THREAD_WINDOWS_MAX), epochs: 2 } : null,
    runs: [
      ...torchRounds.flatMap((t) => t.results.map((x) => ({ ...x, ompWaitPolicy: "default" }))),
      ...Object.entries(twoThreads).flatMap(([policy, t]) => t.results.map((x) => ({ ...x, ompWaitPolicy: policy }))),
    ],
  };
}

/** The most OS threads any of these runs kept ≥ 1% busy (null when none says). */
function busyThreadCount(runs: (TorchRun | undefined)[]): number | null {
  const counts = runs.flatMap((x) => (x?.steadyBusyThreads ? [x.steadyBusyThreads.length] : []));
  return counts.length ? Math.max(...counts) : null;
}

/** The original preset's reference row: batch 64 (or the largest measured), null when PyTorch did not run it. */
function originalReferenceRow(original: OriginalResult): BenchReference["byModel"][string] | null {
  const at64 = original.cases.find((c) => c.batchSize === 64) ?? original.cases[original.cases.length - 1];
  if (!at64 || at64.torch1ThreadPerSec === null) return null;
  return {
    torch1ThreadPerSec: r1(at64.torch1ThreadPerSec),
    torch1ThreadCores: at64.torchCores === null ? null : r3(at64.torchCores),
    torch1ThreadBusyThreads: at64.torchBusyThreads,
    torch2ThreadsPerSec: null,
    torch2ThreadsPassivePerSec: null,
    tfjs1WorkerPerSec: at64.rowsPerSec === null ? null : r1(at64.rowsPerSec),
    tfjsMainThreadPerSec: null,
    fusedMainThreadPerSec: null,
    kernel1Worker: at64.kernel,
    ratio: at64.ratio === null ? null : r3(at64.ratio),
    torchPredictPerSec: at64.torchPredictPerSec === null ? null : r1(at64.torchPredictPerSec),
    params: original.params ?? 0,
    gflopsPerSec: at64.gflopsPerSec === null ? null : round(at64.gflopsPerSec, 2),
    torchGflopsPerSec: at64.torchGflopsPerSec === null ? null : round(at64.torchGflopsPerSec, 2),
    byBatch: Object.fromEntries(original.cases.map((c) => [String(c.batchSize), roundDeep({ tfjs1WorkerPerSec: c.rowsPerSec, torch1ThreadPerSec: c.torch1ThreadPerSec, ratio: c.ratio, gflopsPerSec: c.gflopsPerSec, torchGflopsPerSec: c.torchGflopsPerSec }, 3)])),
  };
}

/** OpenBLAS's kernels in this process and who chose them (metrics.json's host facts). */
function blasCoreOf(): { blasCore: string | null; blasCoreBy?: string } {
  const { blasCore, blasCoreBy } = hostFacts();
  return { blasCore, ...(blasCoreBy ? { blasCoreBy } : {}) };
}

function machineInfo(backend: string, loadavg: number[]): BenchResult["machine"] {
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? "unknown",
    ...blasCoreOf(),
    node: process.version,
    backend,
    loadavg: loadavg.map((l) => round(l, 2) ?? 0),
    loadavgEnd: os.loadavg().map((l) => round(l, 2) ?? 0),
    platform: `${os.platform()} ${os.release()}`,
    totalMemGB: round(os.totalmem() / 2 ** 30, 1) ?? 0,
  };
}

function roundInference(i: InferenceResult): InferenceResult {
  const r = (v: number) => round(v, 4) ?? NaN;
  return {
    ...i,
    batchPerSec: round(i.batchPerSec, 1) ?? NaN,
    distributedPerSec: round(i.distributedPerSec, 1) ?? NaN,
    p50Ms: r(i.p50Ms),
    p99Ms: r(i.p99Ms),
    meanMs: r(i.meanMs),
    fused: i.fused && { batchPerSec: round(i.fused.batchPerSec, 1) ?? NaN, p50Ms: r(i.fused.p50Ms), p99Ms: r(i.fused.p99Ms) },
    streaming: i.streaming && {
      ...i.streaming,
      // to the ns: the native step takes µs, and the markdown prints 3 significant digits
      statefulP50Ms: round(i.streaming.statefulP50Ms, 6) ?? NaN,
      statefulP99Ms: round(i.streaming.statefulP99Ms, 6) ?? NaN,
      windowedP50Ms: i.streaming.windowedP50Ms === null ? null : r(i.streaming.windowedP50Ms),
      windowedP99Ms: i.streaming.windowedP99Ms === null ? null : r(i.streaming.windowedP99Ms),
    },
  };
}
