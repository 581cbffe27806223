// `fall-dp bench [options]` (`npm run bench -- ...`): the benchmark (lib/bench). Exits as run-main.ts says.
import * as path from "node:path";
import type { BackendName } from "../backend";
import type { RnnKind } from "../model/rnn";
import type { BenchOptions } from "../bench/run";
import { UsageError } from "../pipeline/options";
import { parseRawFlags, RawFlags, StrictCommand } from "../pipeline/command-line";
import { intFlag, positiveIntFlag } from "./flags";
import { runCommand, withAction } from "./run-main";

const FLAGS = [
  { flag: "--quick", help: "tiny settings (seconds): checks that everything runs, numbers not for quoting" },
  { flag: "--out", arg: "FILE", help: "where to write bench.json (default runs/bench/bench.json)" },
  { flag: "--rounds", arg: "N", help: "interleaved repetitions of every case (default 3)" },
  { flag: "--windows", arg: "N", help: "training windows per case (default 6144)" },
  { flag: "--epochs", arg: "N", help: "epochs per fit, >= 2 (default 8)" },
  { flag: "--warm-up", arg: "N", help: "epochs of an untimed fit that warms each case's threads first, 0 for fresh threads (default 10)" },
  { flag: "--models", arg: "LIST", help: "gru,lstm (default both)" },
  { flag: "--workers", arg: "LIST", help: "worker counts, must include 1 (default 1,2 and powers of 2 up to the CPU count)" },
  { flag: "--backends", arg: "LIST", help: "tfjs backends to compare (default wasm,cpu,tensorflow)" },
  { flag: "--budget", arg: "SEC", help: "no new round starts if the bench would then exceed SEC seconds (default 540)" },
  { flag: "--python", arg: "PATH", help: "Python for the PyTorch reference (default /usr/bin/python3)" },
  { flag: "--no-torch", help: "skip the PyTorch reference" },
  { flag: "--no-ceiling", help: "skip the machine-ceiling check (1 vs 2 independent processes after each round)" },
  { flag: "--no-original", help: "skip the original preset (Embedding + 3 x LSTM(256), 1 worker, batch 16 and 64, beside PyTorch)" },
  { flag: "--cluster-epochs", arg: "N", help: "epochs of each cluster epoch row's fit, >= 3 (default 3)" },
  { flag: "--no-cluster", help: "skip the cluster part (Open MPI: exchange times on one host and simulated hosts, epochs of ranks beside threads at 1x/10x/100x URFD)" },
];

/** The `bench` command as declared to commander (benchCommand adds what it does). */
function benchCommandLine(): StrictCommand {
  return new StrictCommand("bench")
    .summary("training and inference throughput; writes bench.json")
    .description(
      "Training throughput of the default LSTM/GRU for 1 and 2 workers (more on bigger machines) in every mode, the 2/1-worker speedup (steady state, first epoch excluded), " +
        "parameter-store overhead, tfjs backends side by side, a PyTorch reference (/usr/bin/python3 + python3-torch, skipped when absent), and inference throughput/latency. " +
        "Writes bench.json and prints markdown tables.",
    )
    .flags(FLAGS);
}

/** The bench options the given flags ask for, each value checked. */
function benchOptionsFromFlags(raw: RawFlags): BenchOptions {
  // Loaded on use: `fall-dp --help` must not load TensorFlow.js (lib/bench/run imports it).
  const { defaultBenchOptions } = require("../bench/run") as typeof import("../bench/run");
  const { BACKEND_NAMES: BACKENDS } = require("../backend") as typeof import("../backend");
  const o = defaultBenchOptions(raw.has("--quick"));
  for (const [a, value] of raw) {
    const v = String(value);
    switch (a) {
      case "--out":
        o.out = path.resolve(v);
        break;
      case "--rounds":
        o.rounds = positiveIntFlag(v, a) as number;
        break;
      case "--windows":
        o.windows = positiveIntFlag(v, a) as number;
        break;
      case "--epochs":
        o.epochs = positiveIntFlag(v, a) as number;
        if (o.epochs < 2) throw new UsageError("--epochs must be at least 2 (the first epoch is excluded from the steady state)");
        break;
      case "--warm-up":
        o.warmUpEpochs = intFlag(0, 1000)(v, a) as number;
        break;
      case "--models": {
        const ms = v.split(",");
        for (const m of ms) if (m !== "gru" && m !== "lstm") throw new UsageError(`--models: unknown model "${m}" (gru, lstm)`);
        o.models = ms as RnnKind[];
        break;
      }
      case "--workers": {
        const ws = v.split(",").map((w) => positiveIntFlag(w, a) as number);
        if (!ws.includes(1)) throw new UsageError("--workers must include 1 (speedups are relative to 1 worker)");
        o.workerCounts = [...new Set(ws)].sort((p, q) => p - q);
        break;
      }
      case "--backends": {
        const bs = v.split(",");
        for (const b of bs) if (!(BACKENDS as readonly string[]).includes(b)) throw new UsageError(`--backends: unknown backend "${b}" (${BACKENDS.join(", ")})`);
        o.backends = bs as BackendName[];
        break;
      }
      case "--budget":
        o.budgetSec = positiveIntFlag(v, a) as number;
        break;
      case "--python":
        o.python = v;
        break;
      case "--no-torch":
        o.torch = false;
        break;
      case "--no-ceiling":
        o.ceiling = false;
        break;
      case "--no-original":
        o.original = false;
        break;
      case "--cluster-epochs":
        o.clusterEpochs = positiveIntFlag(v, a) as number;
        if (o.clusterEpochs < 3) throw new UsageError("--cluster-epochs must be at least 3 (an epoch row is the mean of epochs 2..N)");
        break;
      case "--no-cluster":
        o.cluster = false;
        break;
    }
  }
  return o;
}

/** Parse argv (no node, no script): the bench options, or "help" for -h/--help. */
export function parseBenchArgs(argv: readonly string[]): BenchOptions | "help" {
  const raw = parseRawFlags(benchCommandLine(), argv);
  return raw === "help" ? "help" : benchOptionsFromFlags(raw);
}

/** `bench`: measure, write bench.json, print the tables. */
export function benchCommand(): StrictCommand {
  return withAction(benchCommandLine(), async (c) => {
    const o = benchOptionsFromFlags(c.given);
    const { runBench } = await import("../bench/run");
    const { benchMarkdown } = await import("../bench/markdown");
    const result = await runBench(o, (l) => console.log(l));
    console.log("");
    console.log(benchMarkdown(result));
    console.log("");
    console.log(`wrote ${o.out} (${result.durationSec.toFixed(0)} s)`);
    if (result.clusterFailed) {
      console.error(`bench: the cluster part failed (${result.clusterFailed}); every other part is in ${o.out}`);
      return 1;
    }
    return 0;
  });
}

if (require.main === module) runCommand(benchCommand(), process.argv.slice(2));
