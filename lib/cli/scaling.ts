// `npm run scaling -- [--seeds 1,2,3] [--workers 1,2,4,8] [--modes ...] [--out DIR]`: issue 17's
// scaling study. Runs the pipeline (5-fold, one model per fold) for every case, one at a time, and
// writes scaling.json, scaling.md (the table) and scaling.html (the figure) into --out.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { pipelineArgs, rowFromMetrics, scalingCases, scalingFigure, scalingTable, SCALING_SETUPS, ScalingRow, setupFlag, setupLabel } from "../bench/scaling";
import { SYNC_MODES } from "../distributed/config";
import { standaloneHtml } from "../notebook/html-page";
import { readJson, writeFileAtomic, writeJsonAtomic } from "../run/atomic";
import { UsageError } from "../pipeline/options";
import { parseFlags, textFlag } from "./flags";
import { parseCommandLine, runMain } from "./run-main";

const HELP = `Usage: npm run scaling -- [options]
Runs npm run pipeline -- --folds 5 --ensemble 1 for every mode and worker count and seed, one after
another, and writes scaling.json, scaling.md and scaling.html into --out.

  --seeds LIST    seeds [default: 1,2,3]
  --workers LIST  worker threads [default: 1,2,4,8]
  --modes LIST    setups among ${SCALING_SETUPS.map(setupFlag).join(", ")} [default: all]
  --out DIR       output folder [default: runs/scaling]
  --help          show this help`;

const list = (raw: string, flag: string): string => {
  if (!/^\d+(,\d+)*$/.test(raw)) throw new UsageError(`${flag} expects a comma-separated list of integers, got "${raw}"`);
  return raw;
};

async function main(argv: string[]): Promise<number> {
  const parsed = parseCommandLine("npm run scaling", argv, (a: readonly string[]) => parseFlags(a, { "--seeds": ["seeds", list], "--workers": ["workers", list], "--modes": ["modes", textFlag], "--out": ["out", textFlag] }), HELP);
  if ("exit" in parsed) return parsed.exit;
  const args = parsed.args;
  const seeds = String(args.seeds ?? "1,2,3").split(",").map(Number);
  const workers = String(args.workers ?? "1,2,4,8").split(",").map(Number);
  const wanted = args.modes === undefined ? null : String(args.modes).split(",");
  const setups = wanted === null ? SCALING_SETUPS : SCALING_SETUPS.filter((s) => wanted.includes(setupFlag(s)));
  if (wanted && setups.length !== wanted.length) {
    console.error(`npm run scaling: --modes must list setups among ${SCALING_SETUPS.map(setupFlag).join(", ")} (modes: ${SYNC_MODES.join(", ")})`);
    return 2;
  }
  const out = path.resolve(String(args.out ?? path.join("runs", "scaling")));
  fs.mkdirSync(out, { recursive: true });
  const pipeline = path.join(__dirname, "pipeline.js");
  const rows: ScalingRow[] = [];
  const cases = scalingCases(setups, workers, seeds);
  for (const [i, c] of cases.entries()) {
    const runDir = path.join(out, "runs", `${c.mode}${c.frequency ? `-${c.frequency}` : ""}-w${c.workers}-s${c.seed}`);
    fs.rmSync(runDir, { recursive: true, force: true });
    const r = spawnSync(process.execPath, [pipeline, ...pipelineArgs(c, runDir)], { encoding: "utf8", maxBuffer: 64 << 20 });
    if (r.status !== 0) {
      console.error(`npm run scaling: the pipeline failed for ${setupLabel(c)}, ${c.workers} workers, seed ${c.seed}: ${(r.stderr || r.stdout).trim().split("\n").at(-1)}`);
      return 1;
    }
    const row = rowFromMetrics(c, readJson(path.join(runDir, "metrics.json")));
    rows.push(row);
    console.log(`[${i + 1}/${cases.length}] ${setupLabel(c)}, ${c.workers} workers, seed ${c.seed}: window AUC ${row.windowAuc.toFixed(4)}, recording AUC ${row.recordingAuc.toFixed(4)}, falls ${row.fallsFound}/${row.falls}, ADLs ${row.adlsRight}/${row.adls}, ${row.wallSec.toFixed(0)} s`);
    writeJsonAtomic(path.join(out, "scaling.json"), { command: `npm run scaling -- ${argv.join(" ")}`.trim(), rows });
  }
  const table = scalingTable(rows);
  writeFileAtomic(path.join(out, "scaling.md"), `Measured with \`npm run scaling -- ${argv.join(" ")}\`\n\n${table}\n`);
  writeFileAtomic(path.join(out, "scaling.html"), standaloneHtml({ title: "Quality against workers", sections: [{ text: `npm run scaling -- ${argv.join(" ")}`, figure: scalingFigure(rows) }] }));
  console.log(table);
  return 0;
}

runMain(module, main);
