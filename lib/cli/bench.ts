// `npm run bench -- [options]`: the benchmark (lib/bench). Exit 0 on success, 2 on a bad command
// line, 1 on any other failure.
import * as path from "node:path";
import type { BackendName } from "../backend";
import { BACKEND_NAMES } from "../backend";
import type { RnnKind } from "../model/rnn";
import { benchMarkdown } from "../bench/markdown";
import { BenchOptions, defaultBenchOptions, runBench } from "../bench/run";

import { UsageError } from "../pipeline/options";

const HELP = `npm run bench -- [options]

Training throughput of the default LSTM/GRU for 1 and 2 workers (more on bigger machines) in every
mode, the 2/1-worker speedup (steady state, first epoch excluded), parameter-store overhead, tfjs
backends side by side, a PyTorch reference (/usr/bin/python3 + python3-torch, skipped when absent),
and inference throughput/latency. Writes bench.json and prints markdown tables.

  --quick             tiny settings (seconds): checks that everything runs, numbers not for quoting
  --out FILE          where to write bench.json (default runs/bench/bench.json)
  --rounds N          interleaved repetitions of every case (default 3)
  --windows N         training windows per case (default 1536: 12 batches a worker per epoch with 2 workers)
  --epochs N          epochs per fit, >= 2 (default 3)
  --models LIST       gru,lstm (default both)
  --workers LIST      worker counts, must include 1 (default 1,2 and powers of 2 up to the CPU count)
  --backends LIST     tfjs backends to compare (default wasm,cpu,tensorflow)
  --budget SEC        no new round starts if the bench would then exceed SEC seconds (default 540)
  --python PATH       Python for the PyTorch reference (default /usr/bin/python3)
  --no-torch          skip the PyTorch reference
  --no-ceiling        skip the machine-ceiling check (1 vs 2 independent processes after each round)
  --no-original       skip the original preset (Embedding + 3 x LSTM(256), 1 worker, batch 16 and 64, beside PyTorch)
  --help`;

function positiveInt(raw: string | undefined, flag: string): number {
  if (raw === undefined || !/^\d+$/.test(raw) || Number(raw) < 1) throw new UsageError(`${flag} expects a positive integer, got "${raw ?? ""}"`);
  return Number(raw);
}

export function parseBenchArgs(argv: string[]): BenchOptions | "help" {
  if (argv.includes("--help") || argv.includes("-h")) return "help";
  const o = defaultBenchOptions(argv.includes("--quick"));
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${a} needs a value`);
      return v;
    };
    switch (a) {
      case "--quick":
        break;
      case "--out":
        o.out = path.resolve(next());
        break;
      case "--rounds":
        o.rounds = positiveInt(next(), a);
        break;
      case "--windows":
        o.windows = positiveInt(next(), a);
        break;
      case "--epochs":
        o.epochs = positiveInt(next(), a);
        if (o.epochs < 2) throw new UsageError("--epochs must be at least 2 (the first epoch is excluded from the steady state)");
        break;
      case "--models": {
        const ms = next().split(",");
        for (const m of ms) if (m !== "gru" && m !== "lstm") throw new UsageError(`--models: unknown model "${m}" (gru, lstm)`);
        o.models = ms as RnnKind[];
        break;
      }
      case "--workers": {
        const ws = next().split(",").map((w) => positiveInt(w, a));
        if (!ws.includes(1)) throw new UsageError("--workers must include 1 (speedups are relative to 1 worker)");
        o.workerCounts = [...new Set(ws)].sort((p, q) => p - q);
        break;
      }
      case "--backends": {
        const bs = next().split(",");
        for (const b of bs) if (!(BACKEND_NAMES as readonly string[]).includes(b)) throw new UsageError(`--backends: unknown backend "${b}" (${BACKEND_NAMES.join(", ")})`);
        o.backends = bs as BackendName[];
        break;
      }
      case "--budget":
        o.budgetSec = positiveInt(next(), a);
        break;
      case "--python":
        o.python = next();
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
      default:
        throw new UsageError(`unknown option ${a} (see --help)`);
    }
  }
  return o;
}

async function main(argv: string[]): Promise<number> {
  let o: BenchOptions | "help";
  try {
    o = parseBenchArgs(argv);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`bench: ${err.message}`);
      return 2;
    }
    throw err;
  }
  if (o === "help") {
    console.log(HELP);
    return 0;
  }
  const result = await runBench(o, (l) => console.log(l));
  console.log("");
  console.log(benchMarkdown(result));
  console.log("");
  console.log(`wrote ${o.out} (${result.durationSec.toFixed(0)} s)`);
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(`bench: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}`);
      if (process.env.FALL_DEBUG) console.error(err);
      process.exit(1);
    },
  );
}
