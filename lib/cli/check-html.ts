// node dist/lib/cli/check-html.js [--screenshot out.png] page.html [...]
// Opens each page in headless Chromium (no network) and fails unless every plotly plot
// container was drawn and no script is loaded from the network.
import * as path from "node:path";
import { ChromiumUnavailableError, checkHtmlPlots, describeReport, reportProblems } from "../notebook/html-check";
import { runMain } from "./run-main";

const USAGE = `usage: check-html [--screenshot out.png] [--window-size W,H] page.html [...]
  fails (exit 1) when a plot container was not drawn or a script comes from http(s)`;

export async function main(argv: string[]): Promise<number> {
  const files: string[] = [];
  let screenshot: string | undefined;
  let windowSize: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--screenshot") screenshot = argv[++i];
    else if (a === "--window-size") windowSize = argv[++i];
    else if (a === "-h" || a === "--help") {
      console.log(USAGE);
      return 0;
    } else if (a.startsWith("-")) {
      console.error(`check-html: unknown option ${a}\n${USAGE}`);
      return 2;
    } else files.push(a);
  }
  if (!files.length) {
    console.error(USAGE);
    return 2;
  }
  if (screenshot && files.length > 1) {
    console.error("check-html: --screenshot takes one page");
    return 2;
  }
  let failed = 0;
  for (const f of files) {
    const t0 = Date.now();
    try {
      const r = await checkHtmlPlots(f, { screenshot, windowSize });
      const problems = reportProblems(r);
      const secs = ((Date.now() - t0) / 1000).toFixed(1);
      console.log(`${problems.length ? "FAIL" : "ok  "} ${path.relative(process.cwd(), path.resolve(f))}: ${describeReport(r)} (${secs} s)`);
      for (const p of problems) console.log(`     ${p}`);
      if (problems.length) failed++;
    } catch (e) {
      failed++;
      const why = e instanceof ChromiumUnavailableError ? e.message : (e as Error).stack ?? String(e);
      console.log(`FAIL ${f}: ${why}`);
    }
  }
  if (screenshot) console.log(`screenshot: ${screenshot}`);
  return failed ? 1 : 0;
}

runMain(module, main);
