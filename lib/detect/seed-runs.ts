// One pipeline configuration over many seeds, a few runs at once: how the detector rounds are run (docs/results.md).
// `node dist/lib/detect/seed-runs.js --seeds 73,75-80 --name default --out DIR [--parallel 2] [-- PIPELINE FLAGS]`
// runs `pipeline --folds 5 --seed S --workers 1 --out DIR/NAME-S FLAGS` for every seed whose folder has no metrics.json
// yet. One worker a run: mode gradients trains the same models at any worker count (docs/scaling.md), and K one-worker
// runs keep K cores busy with no barrier between them. Then score the folders with `npm run goals` or a study.
import * as fs from "node:fs";
import * as path from "node:path";
import { spawn, ChildProcess } from "node:child_process";
import { Command } from "commander";

export interface SeedRunsOptions {
  seeds: readonly number[];
  /** Each run's folder is `out/name-S`, its log `out/name-S.log`. */
  name: string;
  out: string;
  /** Runs at once. */
  parallel: number;
  /** Flags for every run (--folds and --workers unless given here: 5 and 1). */
  flags: readonly string[];
  /** The pipeline's entry point (default: this build's lib/cli/pipeline.js). */
  pipeline?: string;
  log?: (line: string) => void;
}

export interface SeedRunsResult {
  ran: number[];
  skipped: number[];
  /** Seeds whose run failed, with the last line of its log. */
  failed: { seed: number; reason: string }[];
}

/** "1-3,7" → [1, 2, 3, 7]; one-line errors for anything else. */
export function parseSeeds(text: string): number[] {
  const seeds: number[] = [];
  for (const part of text.split(",")) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) throw new Error(`--seeds: "${part}" is not a seed or a range like 41-45`);
    const [a, b] = [Number(m[1]), Number(m[2] ?? m[1])];
    if (b < a) throw new Error(`--seeds: the range ${part} runs backwards`);
    for (let s = a; s <= b; s++) if (!seeds.includes(s)) seeds.push(s);
  }
  return seeds;
}

/** The pipeline's arguments for one seed's run. */
export function seedRunArgs(seed: number, dir: string, flags: readonly string[]): string[] {
  const has = (flag: string) => flags.some((f) => f === flag || f.startsWith(`${flag}=`));
  if (has("--seed") || has("--out")) throw new Error("the runner sets --seed and --out itself: drop them from the pipeline flags");
  return ["--seed", String(seed), ...(has("--folds") ? [] : ["--folds", "5"]), ...(has("--workers") ? [] : ["--workers", "1"]), "--out", dir, ...flags];
}

export async function runSeeds(o: SeedRunsOptions): Promise<SeedRunsResult> {
  if (!(Number.isInteger(o.parallel) && o.parallel >= 1)) throw new Error(`--parallel must be a whole number ≥ 1, got ${o.parallel}`);
  if (!/^[A-Za-z0-9._-]+$/.test(o.name)) throw new Error(`--name must be letters, digits, . _ - (a folder name), got "${o.name}"`);
  const log = o.log ?? ((line: string) => console.log(line));
  const pipeline = o.pipeline ?? path.join(__dirname, "..", "cli", "pipeline.js");
  fs.mkdirSync(o.out, { recursive: true });
  const result: SeedRunsResult = { ran: [], skipped: [], failed: [] };
  const todo: number[] = [];
  for (const seed of o.seeds) {
    const dir = path.join(o.out, `${o.name}-${seed}`);
    if (fs.existsSync(path.join(dir, "metrics.json"))) result.skipped.push(seed);
    else todo.push(seed);
  }
  if (result.skipped.length) log(`skipped (metrics.json there): ${result.skipped.join(", ")}`);
  const running = new Set<ChildProcess>();
  let stopped = false;
  // Ctrl-C or a kill stops every run this started and starts no other: no pipeline outlives the runner.
  const stop = (signal: NodeJS.Signals) => {
    stopped = true;
    for (const c of running) c.kill("SIGTERM");
    process.exitCode = 130;
    process.removeListener(signal, stop);
  };
  process.on("SIGINT", stop).on("SIGTERM", stop);
  const runOne = (seed: number) =>
    new Promise<void>((resolve) => {
      const dir = path.join(o.out, `${o.name}-${seed}`);
      // An interrupted run's folder is started again from nothing.
      fs.rmSync(dir, { recursive: true, force: true });
      const logFile = `${dir}.log`;
      const fd = fs.openSync(logFile, "w");
      const started = Date.now();
      log(`${new Date().toISOString().slice(11, 19)} seed ${seed}: started (log: ${logFile})`);
      const child = spawn(process.execPath, [pipeline, ...seedRunArgs(seed, dir, o.flags)], { stdio: ["ignore", fd, fd] });
      running.add(child);
      child.on("close", (code, signal) => {
        running.delete(child);
        fs.closeSync(fd);
        const secs = ((Date.now() - started) / 1000).toFixed(0);
        if (code === 0 && fs.existsSync(path.join(dir, "metrics.json"))) {
          result.ran.push(seed);
          log(`${new Date().toISOString().slice(11, 19)} seed ${seed}: done in ${secs} s`);
        } else {
          const last = fs.readFileSync(logFile, "utf8").trim().split("\n").pop() ?? "";
          const reason = `${signal ? `killed by ${signal}` : `exit ${code}`}: ${last}`;
          result.failed.push({ seed, reason });
          log(`${new Date().toISOString().slice(11, 19)} seed ${seed}: FAILED after ${secs} s (${reason})`);
        }
        resolve();
      });
    });
  try {
    const queue = [...todo];
    const lane = async () => {
      for (let seed = queue.shift(); seed !== undefined && !stopped; seed = queue.shift()) await runOne(seed);
    };
    await Promise.all(Array.from({ length: Math.min(o.parallel, todo.length) }, lane));
  } finally {
    process.removeListener("SIGINT", stop).removeListener("SIGTERM", stop);
  }
  return result;
}

if (require.main === module) {
  const program = new Command()
    .name("seed-runs")
    .usage("--seeds LIST --name NAME --out DIR [--parallel K] [-- PIPELINE FLAGS]")
    .requiredOption("--seeds <list>", "seeds and ranges, e.g. 1-25,41-45")
    .requiredOption("--name <name>", "each run's folder is OUT/NAME-SEED")
    .requiredOption("--out <dir>", "folder of the runs")
    .option("--parallel <k>", "runs at once (one worker each)", "2")
    .argument("[flags...]", "pipeline flags for every run, after --")
    .showHelpAfterError();
  program.parse();
  const opts = program.opts<{ seeds: string; name: string; out: string; parallel: string }>();
  (async () => {
    const r = await runSeeds({ seeds: parseSeeds(opts.seeds), name: opts.name, out: opts.out, parallel: Number(opts.parallel), flags: program.args });
    if (r.failed.length) {
      console.error(`failed: ${r.failed.map((f) => `seed ${f.seed} (${f.reason})`).join("; ")}`);
      process.exit(1);
    }
    process.exit(process.exitCode ?? 0);
  })().catch((e) => {
    console.error(e instanceof Error ? e.message : String(e));
    process.exit(1);
  });
}
