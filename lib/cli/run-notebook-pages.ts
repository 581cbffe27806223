// `fall-dp notebook-pages [options] [names or paths...]` (`npm run notebook-pages -- ...`)
// Opens every notebooks/[0-9][0-9]-*.ipynb in a real Jupyter Notebook page (Debian's
// jupyter-notebook on 127.0.0.1, the project's tslab kernel, headless Chromium via playwright-core),
// runs all cells, and fails a notebook on any error, any plot not drawn, any invalid plotly figure
// or any request leaving 127.0.0.1. The server and the browser are ended even on failure.
// Ends with "notebook pages: N passed, M failed".
import * as fs from "node:fs";
import * as path from "node:path";
import { jupyterProblem, parseNotebook, projectRoot } from "../notebook";
import { JupyterServer, startJupyterServer } from "../notebook/jupyter-server";
import { describePageRun, launchChromium, pageProblems, runNotebookPage } from "../notebook/notebook-page";
import { checkPlotBundles } from "../notebook/plot-bundles";
import { UsageError } from "../pipeline/options";
import { StrictCommand } from "../pipeline/command-line";
import { checkFlags, FlagRule, secondsFlag, textFlag } from "./flags";
import { runCommand, withAction } from "./run-main";
import { FAIL_FAST, resolveNotebooks } from "./run-notebooks";

interface PageFlags {
  timeoutS?: number;
  executed?: string;
  failFast?: boolean;
}

const RULES: FlagRule<keyof PageFlags>[] = [
  { flag: "--timeout", arg: "S", key: "timeoutS", parse: secondsFlag, help: "per-notebook limit in seconds (default 1800)" },
  { flag: "--executed", arg: "DIR", key: "executed", parse: textFlag, help: "nbconvert's executed copies, for the expected plot count (default notebooks/executed)" },
  FAIL_FAST,
];

/** `notebook-pages`: every notebook run in a real Jupyter Notebook page in headless Chromium. */
export function notebookPagesCommand(): StrictCommand {
  const command = new StrictCommand("notebook-pages")
    .summary("run the notebooks in a real Jupyter page in headless Chromium")
    .description(
      "Opens every notebooks/[0-9][0-9]-*.ipynb in a real Jupyter Notebook page (jupyter-notebook on 127.0.0.1, the project's tslab kernel, headless Chromium), " +
        "runs all cells, and fails a notebook on any error, any plot not drawn, any invalid plotly figure or any request leaving 127.0.0.1.",
    )
    .argument("[notebooks...]", "names or paths, inside the project; default: every numbered notebook")
    .flags(RULES);
  return withAction(command, (c) => {
    const root = projectRoot();
    const f = checkFlags(c.given, RULES) as PageFlags;
    const notebooks = resolveNotebooks(c.args, root);
    for (const nb of notebooks) {
      if (path.relative(root, nb).startsWith("..")) throw new UsageError(`${nb} is outside the project (${root}): the test server serves only the project`);
    }
    const executed = path.resolve(f.executed ?? path.join(root, "notebooks", "executed"));
    return runNotebookPages({ timeoutS: f.timeoutS ?? 1800, executed, failFast: f.failFast === true, notebooks }, root);
  });
}

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Plot outputs in nbconvert's executed copy of `nb`, when that copy is newer than the notebook. */
function expectedPlots(nb: string, executedDir: string): number | undefined {
  const executed = path.join(executedDir, path.basename(nb));
  if (!fs.existsSync(executed) || fs.statSync(executed).mtimeMs < fs.statSync(nb).mtimeMs) return undefined;
  return checkPlotBundles(parseNotebook(fs.readFileSync(executed, "utf8"), executed)).plots;
}

async function runNotebookPages(opts: { timeoutS: number; executed: string; failFast: boolean; notebooks: string[] }, root: string): Promise<number> {
  const problem = jupyterProblem(root);
  if (problem) {
    console.error(`run-notebook-pages: ${problem}`);
    console.log(`notebook pages: 0 passed, ${opts.notebooks.length} failed`);
    return 1;
  }

  const t0 = Date.now();
  let server: JupyterServer | undefined;
  let chromium: Awaited<ReturnType<typeof launchChromium>> | undefined;
  let stopProblem = "";
  const cleanup = async () => {
    await chromium?.close();
    await server?.stop().catch((e: Error) => void (stopProblem = e.message));
  };
  // Ctrl-C or a CI timeout: end the browser, the server and its kernels, then exit.
  const onSignal = (signal: NodeJS.Signals) => void cleanup().finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);

  const results: { name: string; ok: boolean; ms: number }[] = [];
  try {
    server = await startJupyterServer({ root });
    chromium = await launchChromium();
    console.log(`run-notebook-pages: jupyter-notebook on ${server.baseUrl}, Chromium ${chromium.browser.version()}`);
    for (const nb of opts.notebooks) {
      const name = path.basename(nb);
      console.log(`---- ${name} (Jupyter page)`);
      const expected = expectedPlots(nb, opts.executed);
      const run = await runNotebookPage(chromium.browser, server, path.relative(root, nb), { timeoutMs: opts.timeoutS * 1000 });
      // Each notebook gets a fresh kernel: end this one (closing the page does not).
      await server.shutdownKernels().catch((e: Error) => console.log(`  ${name}: kernel shutdown failed (stopping the server ends it): ${e.message}`));
      const problems = pageProblems(run, expected);
      for (const e of [...new Set(run.pageErrors)]) console.log(`  ${name}: page script error (not judged): ${e}`);
      if (problems.length) console.log(`FAIL ${name} (${secs(run.ms)}):\n${problems.map((p) => `  ${p}`).join("\n")}`);
      else console.log(`PASS ${name} ${secs(run.ms)} (${describePageRun(run)}${expected === undefined ? "" : `, nbconvert run had ${expected}`})`);
      results.push({ name, ok: !problems.length, ms: run.ms });
      if (problems.length && opts.failFast) break;
    }
  } catch (e) {
    console.error(`run-notebook-pages: ${(e as Error).message}`);
  } finally {
    await cleanup();
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
  }
  console.log(stopProblem ? `run-notebook-pages: ${stopProblem}` : "run-notebook-pages: browser, server and kernels stopped");
  const passed = results.filter((r) => r.ok).length;
  const failed = opts.notebooks.length - passed;
  console.log("");
  for (const r of results) console.log(`  ${r.ok ? "ok  " : "FAIL"} ${r.name.padEnd(36)} ${secs(r.ms).padStart(9)}`);
  for (const nb of opts.notebooks.slice(results.length)) console.log(`  skip ${path.basename(nb)}`);
  console.log(`run-notebook-pages: total ${secs(Date.now() - t0)}`);
  console.log(`notebook pages: ${passed} passed, ${failed} failed`);
  return failed || stopProblem ? 1 : 0;
}

if (require.main === module) runCommand(notebookPagesCommand(), process.argv.slice(2));
