// One notebook run in a real Jupyter Notebook page: headless Chromium (Debian's, driven by
// playwright-core) opens the notebook on a test server, runs all cells, and reports error outputs,
// plots not drawn, invalid plotly figures and every request that would leave 127.0.0.1.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { CHROMIUM } from "./html-check";
import { projectRoot } from "./jupyter";
import type { JupyterServer } from "./jupyter-server";

/** Chromium flags from the team's notes (FACTS.md, "A real Jupyter page"). */
export const CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"];

export interface PageProbeResult {
  cells: number;
  replies: { index: number; status: string; ename: string | null; evalue: string | null }[];
  kernelEvents: string[];
  errorOutputs: { index: number; text: string }[];
  stderrByCell: Record<string, string>;
  plotOutputs: number;
  plotsWithoutBundle: number;
  invalidFigures: { index: number; problems: string[] }[];
  containers: number;
  drawn: number;
  failedPlots: string[];
  plotlyOnPage: boolean;
}

export interface PageRun {
  /** What the page reported (undefined when it never got that far). */
  probe?: PageProbeResult;
  /** Requests to anything but 127.0.0.1, blocked and recorded. */
  offHost: string[];
  /** Uncaught exceptions in the page's scripts (reported, not judged: Jupyter's own are among them). */
  pageErrors: string[];
  /** Why the run could not finish (timeout, dead kernel, page not loading). */
  failure?: string;
  ms: number;
}

export interface PageRunOptions {
  /** Whole-notebook limit (default 900 s). */
  timeoutMs?: number;
}

let probeSource: string | undefined;
function probeScript(): string {
  probeSource ??= fs.readFileSync(path.join(projectRoot(), "lib", "notebook", "page-server", "page-probe.js"), "utf8");
  return probeSource;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Launch Debian's Chromium headless with a throw-away HOME (nothing written to the home folder). */
export async function launchChromium(): Promise<{ browser: Browser; close(): Promise<void> }> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: install Debian's chromium (bash .ci/setup-jupyter does, as root)`);
  const { chromium } = await import("playwright-core");
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "jupyter-page-chromium-"));
  const env = { ...process.env, HOME: home, XDG_CONFIG_HOME: path.join(home, "config"), XDG_CACHE_HOME: path.join(home, "cache") };
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS, env });
  return {
    browser,
    close: async () => {
      await browser.close().catch(() => undefined);
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
}

/** Route every request of the context: 127.0.0.1 passes, anything else is recorded and aborted. */
async function guardNetwork(context: BrowserContext, offHost: string[]): Promise<void> {
  await context.route("**/*", (route) => {
    const url = route.request().url();
    let local = false;
    try {
      const u = new URL(url);
      local = u.protocol === "data:" || u.protocol === "blob:" || u.hostname === "127.0.0.1";
    } catch {
      /* unparsable: treat as leaving */
    }
    if (local) return route.continue();
    offHost.push(url);
    return route.abort("blockedbyclient");
  });
}

async function waitFor(page: Page, expression: string, timeoutMs: number, what: string): Promise<void> {
  try {
    await page.waitForFunction(expression, undefined, { timeout: timeoutMs, polling: 250 });
  } catch (e) {
    throw new Error(`${what} (waited ${Math.round(timeoutMs / 1000)} s): ${(e as Error).message.split("\n")[0]}`);
  }
}

/** Open `relPath` (relative to the project root) on `server`, run all cells, collect the verdict. */
export async function runNotebookPage(browser: Browser, server: JupyterServer, relPath: string, opts: PageRunOptions = {}): Promise<PageRun> {
  const t0 = Date.now();
  const timeoutMs = opts.timeoutMs ?? 900_000;
  const run: PageRun = { offHost: [], pageErrors: [], ms: 0 };
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
  try {
    await guardNetwork(context, run.offHost);
    const page = await context.newPage();
    page.on("pageerror", (e) => run.pageErrors.push(e.message.split("\n")[0]));
    // WebSockets are not routed: record any that is not the kernel's own on 127.0.0.1.
    page.on("websocket", (ws) => {
      if (new URL(ws.url()).hostname !== "127.0.0.1") run.offHost.push(ws.url());
    });
    await page.goto(server.notebookUrl(relPath), { waitUntil: "load", timeout: 60_000 });
    await page.evaluate(probeScript());
    await waitFor(page, "window.__fdProbe.ready()", 120_000, "notebook page or kernel not ready");
    await page.evaluate("window.__fdProbe.install()");
    await page.evaluate("window.__fdProbe.runAll()");

    const deadline = t0 + timeoutMs;
    let allRepliedAt = 0;
    for (;;) {
      const p = (await page.evaluate("window.__fdProbe.progress()")) as { replies: number; finished: number; expected: number; running: number; kernelEvents: string[] };
      if (p.kernelEvents.some((e) => e !== "kernel_disconnected.Kernel")) {
        run.failure = `kernel event ${p.kernelEvents.join(", ")} after ${p.replies}/${p.expected} cells`;
        break;
      }
      if (p.replies >= p.expected && p.running === 0) {
        if (p.finished >= p.expected) break;
        // Every reply is in but some cell's iopub "idle" is not (an aborted cell may never send one).
        allRepliedAt ||= Date.now();
        if (Date.now() - allRepliedAt > 10_000) {
          run.failure = `${p.expected - p.finished} cell(s) replied but their outputs never finished (no iopub idle in 10 s)`;
          break;
        }
      }
      if (Date.now() > deadline) {
        run.failure = `timed out after ${Math.round(timeoutMs / 1000)} s with ${p.replies}/${p.expected} cells answered`;
        break;
      }
      await sleep(500);
    }
    if (!run.failure) {
      // Each plot's script draws once window.Plotly is there, or after 10 s shows why not; a
      // container still empty after 15 s is counted below as not drawn.
      await waitFor(page, "window.__fdProbe.plotsSettled()", 15_000, "plots still drawing").catch(() => undefined);
    }
    run.probe = (await page.evaluate("window.__fdProbe.collect()")) as PageProbeResult;
  } catch (e) {
    run.failure ??= (e as Error).message.split("\n")[0];
  } finally {
    await context.close().catch(() => undefined);
    run.ms = Date.now() - t0;
  }
  return run;
}

/** The telling line of a cell's stderr (tslab reports errors there): the "...Error: ..." line, else the first. */
function errorLine(stderr: string): string {
  const lines = stderr.split("\n").map((l) => l.trim()).filter(Boolean);
  return lines.find((l) => /^(?:[A-Za-z_$][\w$.]*)?(?:Error|Exception)\b.*:/.test(l)) ?? lines[0] ?? "(no error text)";
}

/** Problems that fail a notebook's page run (empty when it passes). */
export function pageProblems(run: PageRun, expectedPlots?: number): string[] {
  const problems: string[] = [];
  if (run.failure) problems.push(run.failure);
  for (const url of [...new Set(run.offHost)]) problems.push(`request leaving 127.0.0.1: ${url}`);
  const p = run.probe;
  if (!p) return problems;
  for (const r of p.replies) {
    if (r.status !== "ok") {
      const what = r.ename ? `${r.ename}: ${r.evalue ?? ""}` : errorLine(p.stderrByCell[String(r.index)] ?? "");
      problems.push(`cell ${r.index + 1}: execute_reply ${r.status}: ${what}`);
    }
  }
  for (const e of p.errorOutputs) problems.push(`cell ${e.index + 1}: error output: ${e.text.split("\n")[0]}`);
  if (p.plotsWithoutBundle) problems.push(`${p.plotsWithoutBundle} plot output(s) without the application/vnd.plotly.v1+json bundle`);
  for (const f of p.invalidFigures) problems.push(`cell ${f.index + 1}: invalid plotly figure: ${f.problems.join("; ")}`);
  if (p.plotOutputs && !p.plotlyOnPage) problems.push("plot outputs but no window.Plotly on the page");
  if (p.containers !== p.plotOutputs + p.plotsWithoutBundle) problems.push(`${p.plotOutputs} plot outputs but ${p.containers} plot containers on the page`);
  if (p.drawn < p.containers) problems.push(`${p.containers - p.drawn} of ${p.containers} plots not drawn`);
  for (const f of p.failedPlots) problems.push(`plot shows: ${f}`);
  if (expectedPlots !== undefined && p.plotOutputs < expectedPlots) {
    problems.push(`${p.plotOutputs} plot outputs on the page, ${expectedPlots} in the nbconvert run`);
  }
  return problems;
}

/** One-line summary of a passing run, e.g. "12 cells, 5/5 plots drawn". */
export function describePageRun(run: PageRun): string {
  const p = run.probe;
  if (!p) return "no result";
  return `${p.replies.length} cells run, ${p.drawn}/${p.containers} plots drawn, ${run.offHost.length} off-host requests`;
}
