// `fall-dp scaling [--seeds 1,2,3] [--workers 1,2,4,8] [--modes ...] [--ensemble N] [--micro-batches K] [--out DIR]`: issue 17's
// scaling study. Runs the pipeline (5-fold, one model per fold unless --ensemble) for every case, one at a time, and
// writes scaling.json, scaling.md (the table) and scaling.html (the figure) into --out.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { caseKey, parseRankLayouts, pipelineArgs, rowFromMetrics, scalingCases, scalingFigure, scalingTable, SCALING_SETUPS, ScalingRow, setupFlag, setupLabel, workersLabel } from "../bench/scaling";
import { scalingGoalsTable } from "../bench/scaling-goals";
import { MAX_WORKERS, SYNC_MODES } from "../distributed/config";
import { standaloneHtml } from "../notebook/html-page";
import { readJson, writeFileAtomic, writeJsonAtomic } from "../run/atomic";
import { MAX_MEMBERS, UsageError } from "../pipeline/options";
import { stagingFor } from "../pipeline/checkpoint";
import { refuseRepeats, StrictCommand } from "../pipeline/command-line";
import { checkFlags, FlagParser, FlagRule, intFlag, textFlag } from "./flags";
import { runCommand, withAction } from "./run-main";

/** Comma-separated integers in lo..hi, none twice. */
const list = (lo: number, hi: number): FlagParser => (raw, flag) => {
  if (!/^\d+(,\d+)*$/.test(raw)) throw new UsageError(`${flag} expects a comma-separated list of integers, got "${raw}"`);
  const values = raw.split(",").map(Number);
  const bad = values.find((v) => v < lo || v > hi);
  if (bad !== undefined) throw new UsageError(`${flag} expects integers in ${lo}..${hi}, got ${bad}`);
  refuseRepeats(flag, values);
  return raw;
};

const layouts: FlagParser = (raw, flag) => {
  const parsed = parseRankLayouts(raw);
  if (typeof parsed === "string") throw new UsageError(`${flag}: ${parsed}`);
  return raw;
};

interface ScalingArgs {
  seeds?: string;
  workers?: string;
  modes?: string;
  clusters?: string;
  ensemble?: string;
  microBatches?: string;
  resume?: boolean;
  out?: string;
}

const RULES: FlagRule<keyof ScalingArgs>[] = [
  { flag: "--seeds", arg: "LIST", key: "seeds", parse: list(0, 2 ** 31 - 1), help: "seeds [default: 1,2,3]" },
  { flag: "--workers", arg: "LIST", key: "workers", parse: list(1, MAX_WORKERS), help: "worker threads [default: 1,2,4,8]" },
  { flag: "--modes", arg: "LIST", key: "modes", parse: textFlag, help: `setups among ${SCALING_SETUPS.map(setupFlag).join(", ")} [default: all]` },
  { flag: "--clusters", arg: "LIST", key: "clusters", parse: layouts, help: "also MPI rank layouts on this host, RANKSxTHREADS (e.g. 2x1,2x4) [default: none]" },
  { flag: "--ensemble", arg: "N", key: "ensemble", parse: intFlag(1, MAX_MEMBERS), help: "models a fold in every case (the pipeline's --ensemble; 3 is its default) [default: 1, as issue 17's table]" },
  { flag: "--micro-batches", arg: "K", key: "microBatches", parse: intFlag(1, 1024), help: "mode gradients' micro-batches in its cases (the pipeline's --micro-batches: 1 to K workers then train one model bit for bit) [default: the pipeline's, max(8, workers)]" },
  { flag: "--resume", key: "resume", help: "keep the rows already in --out's scaling.json and run only the missing cases" },
  { flag: "--out", arg: "DIR", key: "out", parse: textFlag, help: "output folder [default: runs/scaling]" },
];

/** `scaling`: the pipeline for every mode, worker count and seed, and the table and figure of them. */
export function scalingCommand(): StrictCommand {
  const command = new StrictCommand("scaling")
    .summary("quality against workers: the pipeline for every mode, worker count and seed")
    .description(
      "Runs fall-dp pipeline --detector plain --folds 5 --ensemble 1 (or --ensemble N) for every mode and worker count and seed, one after another, and writes scaling.json, scaling.md and scaling.html into --out.",
    )
    .flags(RULES);
  return withAction(command, (c) => runScaling(checkFlags(c.given, RULES) as ScalingArgs, [...c.given].flatMap(([f, v]) => (v === true ? [f] : [f, v]))));
}

/** `argv`: the flags as given, quoted in the outputs as the command that measured them. */
async function runScaling(args: ScalingArgs, argv: readonly string[]): Promise<number> {
  const seeds = String(args.seeds ?? "1,2,3").split(",").map(Number);
  const workers = String(args.workers ?? "1,2,4,8").split(",").map(Number);
  const wanted = args.modes === undefined ? null : String(args.modes).split(",");
  if (wanted) refuseRepeats("--modes", wanted);
  const chosen = wanted === null ? SCALING_SETUPS : SCALING_SETUPS.filter((s) => wanted.includes(setupFlag(s)));
  if (wanted && chosen.length !== wanted.length) {
    const unknown = wanted.filter((m) => !SCALING_SETUPS.some((s) => setupFlag(s) === m));
    throw new UsageError(`--modes must list setups among ${SCALING_SETUPS.map(setupFlag).join(", ")} (modes: ${SYNC_MODES.join(", ")}); not one: ${unknown.join(", ")}`);
  }
  const ensemble = Number(args.ensemble ?? 1);
  const microBatches = args.microBatches === undefined ? undefined : Number(args.microBatches);
  const setups = chosen.map((s) => ({ ...s, ...(ensemble > 1 ? { ensemble } : {}), ...(microBatches !== undefined && s.mode === "gradients" ? { microBatches } : {}) }));
  const out = path.resolve(String(args.out ?? path.join("runs", "scaling")));
  checkOut(out, args.resume === true);
  fs.mkdirSync(out, { recursive: true });
  const pipeline = path.join(__dirname, "pipeline.js");
  const clusters = args.clusters === undefined ? [] : (parseRankLayouts(String(args.clusters)) as { ranks: number; threads: number }[]);
  const cases = scalingCases(setups, workers, seeds, clusters);
  const jsonPath = path.join(out, "scaling.json");
  // --resume: rows of earlier runs in this folder stay (their own commands are kept beside them).
  const earlier = args.resume && fs.existsSync(jsonPath) ? (readJson(jsonPath) as { commands?: string[]; command?: string; rows: ScalingRow[] }) : null;
  const rows: ScalingRow[] = earlier ? [...earlier.rows] : [];
  const commands = [...(earlier?.commands ?? (earlier?.command ? [earlier.command] : [])), `npm run scaling -- ${argv.join(" ")}`.trim()];
  const done = new Set(rows.map(caseKey));
  for (const [i, c] of cases.entries()) {
    if (done.has(caseKey(c))) continue;
    const runDir = path.join(out, "runs", caseKey(c));
    // A case cut off earlier left its staging folder too: the case starts over, so both go.
    for (const dir of [runDir, stagingFor(runDir)]) fs.rmSync(dir, { recursive: true, force: true });
    const r = spawnSync(process.execPath, [pipeline, ...pipelineArgs(c, runDir)], { encoding: "utf8", maxBuffer: 64 << 20 });
    if (r.status !== 0) {
      const kept = rows.length ? `; the ${rows.length} case(s) done are in ${jsonPath}: rerun with --resume to go on` : "";
      console.error(`scaling: the pipeline failed for ${setupLabel(c)}, ${workersLabel(c)} workers, seed ${c.seed}: ${(r.stderr || r.stdout).trim().split("\n").at(-1)}${kept}`);
      return 1;
    }
    const row = rowFromMetrics(c, readJson(path.join(runDir, "metrics.json")));
    rows.push(row);
    console.log(`[${i + 1}/${cases.length}] ${setupLabel(c)}, ${workersLabel(c)} workers, seed ${c.seed}: window AUC ${row.windowAuc.toFixed(4)}, recording AUC ${row.recordingAuc.toFixed(4)}, falls ${row.fallsFound}/${row.falls}, ADLs ${row.adlsRight}/${row.adls}, ${row.wallSec.toFixed(0)} s`);
    writeJsonAtomic(jsonPath, { commands, rows });
  }
  const table = scalingTable(rows);
  const measuredWith = commands.map((c) => `\`${c}\``).join(", then ");
  const goals = scalingGoalsTable(rows);
  writeFileAtomic(path.join(out, "scaling.md"), `Measured with ${measuredWith}\n\n${table}\n\n## Issue 17's goals at 8 workers\n\n${goals}\n`);
  writeFileAtomic(path.join(out, "scaling.html"), standaloneHtml({ title: "Quality against workers", sections: [{ text: commands.join("; then "), figure: scalingFigure(rows) }] }));
  console.log(`${table}\n\n${goals}`);
  return 0;
}

/** --out: a new or empty folder; with --resume, a study's folder (its scaling.json) too. Another study is never overwritten. */
function checkOut(out: string, resume: boolean): void {
  if (!fs.existsSync(out)) return;
  if (!fs.statSync(out).isDirectory()) throw new UsageError(`--out ${out} exists and is not a folder; choose another --out`);
  const entries = fs.readdirSync(out);
  if (entries.length === 0) return;
  // A study cut off in its first case holds only runs/ (scaling.json is written after each case): --resume goes on too.
  const study = entries.includes("scaling.json") || entries.every((e) => e === "runs");
  if (!resume) throw new UsageError(`--out ${out} is not empty${study ? " (a scaling study's folder: give --resume to run only its missing cases)" : ""}; choose another --out`);
  if (!study) throw new UsageError(`--resume: ${out} holds no scaling.json (not a scaling study's folder)`);
}

if (require.main === module) runCommand(scalingCommand(), process.argv.slice(2));
