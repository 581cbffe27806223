// `fall-dp notebooks [options] [names or paths...]` (`npm run notebooks -- ...`, after a build)
// Executes notebooks/[0-9][0-9]-*.ipynb in order on the project's tslab kernel with Debian's
// nbconvert (project-local Jupyter dirs), into notebooks/executed/; names the failing cell with
// its source and error text; exports each executed notebook to offline HTML and checks in
// headless Chromium that every plot was drawn; a cell that calls showPlot but shows no plot fails;
// checks every plot output's plotly bundle (what VS Code draws). Ends with "notebooks: N passed, M failed".
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ChromiumUnavailableError, checkHtmlPlots, describeReport, reportProblems } from "../notebook/html-check";
import { cellDurationMs, findCellErrors, joinSource, parseNotebook, skippedCells, sourceExcerpt } from "../notebook/ipynb";
import { cellsMissingPlots, plotOutputCount } from "../notebook/plot-outputs";
import {
  executeArgs,
  htmlArgs,
  jupyterEnv,
  jupyterProblem,
  NbconvertFiles,
  projectRoot,
  runJupyter,
  summarizeJupyterFailure,
  nbconvertFiles,
} from "../notebook/jupyter";
import { checkPlotBundles, describePlotBundleProblems } from "../notebook/plot-bundles";
import { UsageError } from "../pipeline/options";
import { StrictCommand } from "../pipeline/command-line";
import { checkFlags, FlagRule, secondsFlag, textFlag } from "./flags";
import { runCommand, withAction } from "./run-main";

const NUMBERED = /^\d\d-.*\.ipynb$/;
const KERNEL_START_FAILURE = /Kernel didn't respond|Kernel died before replying to kernel_info|kernel_info_reply/;

interface Options {
  outDir: string;
  timeoutS: number;
  html: boolean;
  failFast: boolean;
  names: string[];
}

interface NotebookFlags {
  outDir?: string;
  timeoutS?: number;
  noHtml?: boolean;
  failFast?: boolean;
}

/** Shared with notebook-pages. */
export const FAIL_FAST: FlagRule<"failFast"> = { flag: "--fail-fast", key: "failFast", help: "stop after the first failing notebook" };

const RULES: FlagRule<keyof NotebookFlags>[] = [
  { flag: "--out-dir", arg: "DIR", key: "outDir", parse: textFlag, help: "where executed notebooks and HTML go (default notebooks/executed)" },
  { flag: "--timeout", arg: "S", key: "timeoutS", parse: secondsFlag, help: "per-cell timeout in seconds (default 1800)" },
  { flag: "--no-html", key: "noHtml", help: "skip the HTML export and the Chromium check" },
  FAIL_FAST,
];

/** `notebooks`: execute the numbered notebooks with nbconvert and check their plots. */
export function notebooksCommand(): StrictCommand {
  const command = new StrictCommand("notebooks")
    .summary("execute the notebooks with nbconvert and check their plots")
    .description(
      "Executes notebooks/[0-9][0-9]-*.ipynb in order on the project's tslab kernel with nbconvert, into notebooks/executed/, exports each to offline HTML " +
        "and checks in headless Chromium that every plot was drawn. Ends with \"notebooks: N passed, M failed\".",
    )
    .argument("[notebooks...]", "names (a prefix such as 01 or 01-load-data of a notebook in notebooks/) or paths; default: every numbered notebook")
    .flags(RULES);
  return withAction(command, (c) => {
    const root = projectRoot();
    const f = checkFlags(c.given, RULES) as NotebookFlags;
    const o: Options = {
      outDir: path.resolve(f.outDir ?? path.join(root, "notebooks", "executed")),
      timeoutS: f.timeoutS ?? 1800,
      html: !f.noHtml,
      failFast: f.failFast === true,
      names: c.args,
    };
    return runNotebooks(o, root);
  });
}

/** Notebooks to run: the numbered ones in notebooks/, or those named on the command line (a bad name is a UsageError). */
export function resolveNotebooks(names: string[], root = projectRoot()): string[] {
  const dir = path.join(root, "notebooks");
  const numbered = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => NUMBERED.test(f)).sort() : [];
  if (!names.length) return numbered.map((f) => path.join(dir, f));
  return names.map((n) => {
    if (fs.existsSync(n) && fs.statSync(n).isFile()) return path.resolve(n);
    const hits = numbered.filter((f) => f === n || f === `${n}.ipynb` || f.startsWith(n));
    if (hits.length === 1) return path.join(dir, hits[0]);
    if (hits.length > 1) throw new UsageError(`"${n}" matches several notebooks: ${hits.join(", ")}`);
    throw new UsageError(`no notebook "${n}" (not a file, and no notebooks/${n}*.ipynb)`);
  });
}

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function indent(text: string, pad = "    "): string {
  return text
    .split("\n")
    .map((l) => pad + l)
    .join("\n");
}

interface NotebookResult {
  name: string;
  ok: boolean;
  ms: number;
  detail: string;
}

async function runOne(nb: string, o: Options, root: string, files: NbconvertFiles): Promise<NotebookResult> {
  const name = path.basename(nb);
  const t0 = Date.now();
  const rel = (p: string) => {
    const r = path.relative(process.cwd(), p);
    return r && !r.startsWith("..") ? r : p;
  };
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "run-notebooks-"));
  const progressFile = path.join(tmp, "progress.json");
  const env = { ...jupyterEnv(root), FD_NB_PROGRESS: progressFile };
  const executed = path.join(o.outDir, name);
  const html = executed.replace(/\.ipynb$/, ".html");
  fs.mkdirSync(o.outDir, { recursive: true });
  for (const f of [executed, html]) fs.rmSync(f, { force: true });
  const fail = (msg: string): NotebookResult => {
    console.log(`FAIL ${name} (${secs(Date.now() - t0)}): ${msg}`);
    return { name, ok: false, ms: Date.now() - t0, detail: msg };
  };

  try {
    console.log(`---- ${name}`);
    const execute = () =>
      runJupyter(executeArgs(nb, o.outDir, files, o.timeoutS), env, (line) => {
        if (line.startsWith("fd-progress:")) console.log(`  ${name}: ${line.slice("fd-progress:".length).trim()}`);
      });
    let exec = await execute();
    let execMs = exec.ms;
    // A kernel that never answered kernel_info (seen once here under heavy load, with other
    // kernels starting at the same time) ran no cell: start it once more.
    if (exec.code !== 0 && !fs.existsSync(progressFile) && KERNEL_START_FAILURE.test(exec.output)) {
      console.log(`  ${name}: kernel did not start (${summarizeJupyterFailure(exec.output).split("\n")[0]}); retrying once`);
      exec = await execute();
      execMs += exec.ms;
    }
    if (exec.code !== 0 || !fs.existsSync(executed)) {
      let where = "";
      try {
        const p = JSON.parse(fs.readFileSync(progressFile, "utf8")) as { cell_index: number; source: string };
        where = `\n  while cell ${p.cell_index + 1} was running:\n${sourceExcerpt(p.source)}`;
      } catch {
        /* no cell started */
      }
      const log = summarizeJupyterFailure(exec.output);
      const why = exec.signal ? `killed by ${exec.signal}` : `exit ${exec.code}`;
      return fail(`nbconvert --execute failed (${why}, after ${secs(execMs)})${where}\n  nbconvert said:\n${indent(log)}`);
    }

    const notebook = parseNotebook(fs.readFileSync(executed, "utf8"), executed);
    const errors = findCellErrors(notebook);
    let htmlMs = 0;
    let htmlNote = "";
    if (o.html) {
      const conv = await runJupyter(htmlArgs(executed, o.outDir, files), env);
      htmlMs = conv.ms;
      if (conv.code !== 0 || !fs.existsSync(html)) {
        htmlNote = `HTML export failed (exit ${conv.code}):\n${indent(summarizeJupyterFailure(conv.output))}`;
      }
    }

    if (errors.length) {
      const e = errors[0];
      const skipped = skippedCells(notebook);
      const lines = [
        `cell ${e.cellIndex + 1} (code cell ${e.codeCellNumber}) failed`,
        sourceExcerpt(e.source),
        "  error:",
        indent(e.message || "(no error text)"),
      ];
      for (const more of errors.slice(1)) lines.push(`  also failed: cell ${more.cellIndex + 1}: ${more.message.split("\n")[0]}`);
      if (skipped) lines.push(`  ${skipped} later code cell(s) not run`);
      lines.push(`  executed notebook: ${rel(executed)}${fs.existsSync(html) ? `, html: ${rel(html)}` : ""}`);
      return fail(lines.join("\n"));
    }
    const noPlot = cellsMissingPlots(notebook);
    if (noPlot.length) {
      const lines = noPlot.map((m) => `cell ${m.cellIndex + 1} calls showPlot/livePlot but shows no plot\n${sourceExcerpt(m.source)}`);
      return fail(`${lines.join("\n")}\n  executed notebook: ${rel(executed)}`);
    }
    if (htmlNote) return fail(htmlNote);
    // VS Code draws plots from the plotly bundle alone: every plot output must carry a usable one.
    const bundles = checkPlotBundles(notebook);
    if (bundles.problems.length) return fail(`plotly bundles (what VS Code draws): ${describePlotBundleProblems(bundles).join("; ")}`);

    let checkNote = "";
    let checkMs = 0;
    if (o.html) {
      const c0 = Date.now();
      try {
        const report = await checkHtmlPlots(html);
        checkMs = Date.now() - c0;
        const problems = reportProblems(report, plotOutputCount(notebook));
        if (problems.length) return fail(`HTML check: ${problems.join("; ")} (${rel(html)})`);
        checkNote = `, ${describeReport(report)}`;
      } catch (err) {
        const msg = err instanceof ChromiumUnavailableError ? err.message : String((err as Error).stack ?? err);
        return fail(`HTML check could not run: ${msg}`);
      }
    }

    const codeCells = notebook.cells.filter((c) => c.cell_type === "code" && joinSource(c.source).trim());
    const slowest = codeCells
      .map((c) => ({ c, ms: cellDurationMs(c) ?? 0 }))
      .sort((a, b) => b.ms - a.ms)[0];
    const slow = slowest && slowest.ms >= 1000 ? `; slowest cell ${notebook.cells.indexOf(slowest.c) + 1}: ${secs(slowest.ms)}` : "";
    const total = Date.now() - t0;
    const parts = [`execute ${secs(execMs)}`, ...(o.html ? [`html ${secs(htmlMs)}`, `check ${secs(checkMs)}`] : [])];
    const bundleNote = `, ${bundles.plots} plotly bundle${bundles.plots === 1 ? "" : "s"} valid`;
    console.log(`PASS ${name} ${secs(total)} (${parts.join(", ")}; ${codeCells.length} code cells${slow}${checkNote}${bundleNote})`);
    return { name, ok: true, ms: total, detail: "" };
  } catch (err) {
    return fail(String((err as Error).stack ?? err));
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

async function runNotebooks(parsed: Options, root: string): Promise<number> {
  const notebooks = resolveNotebooks(parsed.names, root);
  let files: NbconvertFiles | undefined;
  let problem = jupyterProblem(root);
  try {
    files = nbconvertFiles(root);
  } catch (e) {
    problem ??= (e as Error).message;
  }
  if (problem || !files) {
    console.error(`run-notebooks: ${problem}`);
    console.log(`notebooks: 0 passed, ${notebooks.length} failed`);
    return 1;
  }
  if (!notebooks.length) console.log("run-notebooks: no notebooks/[0-9][0-9]-*.ipynb found");
  const t0 = Date.now();
  const results: NotebookResult[] = [];
  for (const nb of notebooks) {
    const r = await runOne(nb, parsed, root, files);
    results.push(r);
    if (!r.ok && parsed.failFast) break;
  }
  const passed = results.filter((r) => r.ok).length;
  const failed = notebooks.length - passed;
  console.log("");
  for (const r of results) console.log(`  ${r.ok ? "ok  " : "FAIL"} ${r.name.padEnd(36)} ${secs(r.ms).padStart(9)}`);
  for (const nb of notebooks.slice(results.length)) console.log(`  skip ${path.basename(nb)} (after --fail-fast)`);
  console.log(`run-notebooks: total ${secs(Date.now() - t0)}`);
  console.log(`notebooks: ${passed} passed, ${failed} failed`);
  return failed ? 1 : 0;
}

if (require.main === module) runCommand(notebooksCommand(), process.argv.slice(2));
