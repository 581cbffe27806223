// Real-browser check of an HTML page's plotly plots: open it in headless Chromium with no network,
// let its scripts run, and count the plot containers that plotly actually drew. Used for exported
// notebooks (run-notebooks) and usable for any page (e.g. the pipeline's report.html).
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { PLOTLY_NOT_LOADED_MESSAGE, PLOT_CONTAINER_CLASS } from "./html-page";

export const CHROMIUM = process.env.CHROMIUM_BIN || "/usr/bin/chromium";

export interface HtmlPlotReport {
  /** Plot containers in the page after its scripts ran (class plotly-graph-div or js-plotly-plot). */
  containers: number;
  /** Containers that plotly drew into (js-plotly-plot class and an <svg class="main-svg">). */
  drawn: number;
  /** src of every <script> that would load over the network (http:, https:, protocol-relative). */
  externalScripts: string[];
  /** Containers showing our "plotly.js not loaded" message. */
  notLoaded?: number;
  /** Error texts our drawing scripts wrote into containers ("plot failed: ..."). */
  plotErrors?: string[];
}

export interface CheckOptions {
  /** Chromium's --virtual-time-budget in ms (default 15000). */
  virtualTimeBudgetMs?: number;
  /** Kill Chromium after this many real ms (default 120000). */
  timeoutMs?: number;
  /** Also save a screenshot of the page here (PNG). */
  screenshot?: string;
  /** Window size for the screenshot (default 1280x2400). */
  windowSize?: string;
}

/** Thrown when Chromium is absent or fails: the check cannot say anything about the page. */
export class ChromiumUnavailableError extends Error {}

const SCRIPT_SRC = /<script\b[^>]*?\bsrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/gi;

/** Every <script src> in `html` that points at the network. */
export function findExternalScripts(html: string): string[] {
  const found: string[] = [];
  for (const m of html.matchAll(SCRIPT_SRC)) {
    const src = (m[1] ?? m[2] ?? m[3] ?? "").trim();
    if (/^(?:https?:)?\/\//i.test(src)) found.push(src);
  }
  return [...new Set(found)];
}

/** Remove the bodies of <script> and <style> elements (plotly.js is ~10 MB of them). */
function stripRawText(html: string): string {
  return html.replace(/(<(script|style)\b[^>]*>)[\s\S]*?(<\/\2\s*>)/gi, "$1$3");
}

function classesOf(tag: string): string[] {
  const m = /\bclass\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/i.exec(tag);
  return m ? (m[1] ?? m[2] ?? m[3] ?? "").split(/\s+/).filter(Boolean) : [];
}

/**
 * Count plot containers and drawn plots in a DOM serialised after the page's scripts ran
 * (Chromium's --dump-dom). A container is drawn when it has plotly's js-plotly-plot class and a
 * main-svg before the next container starts (plots are never nested).
 */
export function analyzeDom(dom: string, source = dom): HtmlPlotReport {
  const body = stripRawText(dom);
  const starts: { at: number; end: number; classes: string[] }[] = [];
  for (const m of body.matchAll(/<[a-z][\w-]*\b[^>]*>/gi)) {
    const classes = classesOf(m[0]);
    if (classes.includes(PLOT_CONTAINER_CLASS) || classes.includes("js-plotly-plot")) {
      starts.push({ at: m.index!, end: m.index! + m[0].length, classes });
    }
  }
  let drawn = 0;
  let notLoaded = 0;
  const plotErrors: string[] = [];
  starts.forEach((s, i) => {
    const segment = body.slice(s.end, i + 1 < starts.length ? starts[i + 1].at : body.length);
    const hasSvg = /<svg\b[^>]*\bclass\s*=\s*["']?[^"'>]*\bmain-svg\b/i.test(segment);
    if (s.classes.includes("js-plotly-plot") && hasSvg) drawn++;
    // Our drawing script's failure note: <div class="plotly-not-loaded" ...>text</div>.
    for (const f of segment.matchAll(/<div\b[^>]*\bclass\s*=\s*["']?plotly-not-loaded\b[^>]*>([^<]*)</gi)) {
      const text = decodeEntities(f[1]).trim();
      if (text === PLOTLY_NOT_LOADED_MESSAGE) notLoaded++;
      else plotErrors.push(text);
    }
  });
  const externalScripts = [...new Set([...findExternalScripts(source), ...findExternalScripts(dom)])];
  return { containers: starts.length, drawn, externalScripts, notLoaded, plotErrors };
}

function decodeEntities(s: string): string {
  return s
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&");
}

/** One-line verdict, e.g. "3/3 plots drawn, no external scripts". */
export function describeReport(r: HtmlPlotReport): string {
  const parts = [`${r.drawn}/${r.containers} plots drawn`];
  if (r.notLoaded) parts.push(`${r.notLoaded} say "plotly.js not loaded"`);
  if (r.plotErrors?.length) parts.push(`plot errors: ${r.plotErrors.join("; ")}`);
  parts.push(r.externalScripts.length ? `EXTERNAL scripts: ${r.externalScripts.join(", ")}` : "no external scripts");
  return parts.join(", ");
}

/**
 * Problems that make a page fail the check (empty when it passes). `expectedPlots`: plots the page
 * must hold at least (e.g. the executed notebook's plot outputs), so a page that lost them fails.
 */
export function reportProblems(r: HtmlPlotReport, expectedPlots = 0): string[] {
  const problems: string[] = [];
  if (r.containers < expectedPlots) problems.push(`${expectedPlots} plot(s) expected but the page holds ${r.containers} plot container(s)`);
  if (r.drawn < r.containers) problems.push(`${r.containers - r.drawn} of ${r.containers} plot containers not drawn`);
  if (r.notLoaded) problems.push(`${r.notLoaded} plot(s) show "${PLOTLY_NOT_LOADED_MESSAGE}"`);
  for (const e of r.plotErrors ?? []) problems.push(`plot failed: ${e}`);
  if (r.externalScripts.length) problems.push(`page loads scripts from the network: ${r.externalScripts.join(", ")}`);
  return problems;
}

function chromiumArgs(profile: string, budget: number): string[] {
  return [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-dev-shm-usage",
    // No network at all: every host name fails to resolve, so a CDN reference cannot load.
    "--host-resolver-rules=MAP * ~NOTFOUND",
    `--user-data-dir=${profile}`,
    `--virtual-time-budget=${budget}`,
  ];
}

function runChromium(args: string[], profile: string, timeoutMs: number): Promise<{ stdout: string; stderr: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    // HOME and XDG dirs point into the throw-away profile: Chromium writes nothing to the home folder.
    const env = {
      ...process.env,
      HOME: profile,
      XDG_CONFIG_HOME: path.join(profile, "config"),
      XDG_CACHE_HOME: path.join(profile, "cache"),
    };
    const child = spawn(CHROMIUM, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(new ChromiumUnavailableError(`cannot start ${CHROMIUM}: ${e.message}`));
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const stderr = Buffer.concat(err).toString("utf8");
      if (signal) reject(new ChromiumUnavailableError(`${CHROMIUM} killed (${signal}) after ${timeoutMs} ms\n${tail(stderr)}`));
      else resolve({ stdout: Buffer.concat(out).toString("utf8"), stderr, code });
    });
  });
}

function tail(s: string, n = 15): string {
  return s.trimEnd().split("\n").slice(-n).join("\n");
}

/**
 * Open `file` in headless Chromium (no network, fresh profile), let scripts run for a virtual
 * 15 s, and count plot containers vs drawn plots. Rejects with ChromiumUnavailableError when
 * Chromium is missing or fails.
 */
export async function checkHtmlPlots(file: string, opts: CheckOptions = {}): Promise<HtmlPlotReport> {
  const abs = path.resolve(file);
  const source = fs.readFileSync(abs, "utf8");
  if (!fs.existsSync(CHROMIUM)) {
    throw new ChromiumUnavailableError(
      `${CHROMIUM} not found: install Debian's chromium (bash .ci/setup-jupyter does, as root: apt-get install -y --no-install-recommends chromium)`,
    );
  }
  const budget = opts.virtualTimeBudgetMs ?? 15_000;
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const url = pathToFileURL(abs).href;
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "html-check-"));
  try {
    const dump = await runChromium([...chromiumArgs(profile, budget), "--dump-dom", url], profile, timeoutMs);
    if (dump.code !== 0 || !/<html/i.test(dump.stdout)) {
      throw new ChromiumUnavailableError(`${CHROMIUM} --dump-dom failed (exit ${dump.code})\n${tail(dump.stderr)}`);
    }
    if (opts.screenshot) {
      const shot = path.resolve(opts.screenshot);
      const args = [...chromiumArgs(fs.mkdtempSync(path.join(profile, "shot-")), budget)];
      args.push(`--window-size=${opts.windowSize ?? "1280,2400"}`, "--hide-scrollbars", `--screenshot=${shot}`, url);
      const r = await runChromium(args, profile, timeoutMs);
      if (r.code !== 0 || !fs.existsSync(shot)) {
        throw new ChromiumUnavailableError(`${CHROMIUM} --screenshot failed (exit ${r.code})\n${tail(r.stderr)}`);
      }
    }
    return analyzeDom(dump.stdout, source);
  } finally {
    fs.rmSync(profile, { recursive: true, force: true });
  }
}
