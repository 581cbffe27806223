// `fall-dp check-html [--screenshot out.png] [--window-size W,H] page.html [...]` (an internal check,
// hidden from the program's help; also node dist/lib/cli/check-html.js).
// Opens each page in headless Chromium (no network) and fails unless every plotly plot
// container was drawn and no script is loaded from the network.
import * as path from "node:path";
import { ChromiumUnavailableError, checkHtmlPlots, describeReport, reportProblems } from "../notebook/html-check";
import { UsageError } from "../pipeline/options";
import { StrictCommand } from "../pipeline/command-line";
import { checkFlags, FlagRule, textFlag } from "./flags";
import { runCommand, withAction } from "./run-main";

interface CheckHtmlFlags {
  screenshot?: string;
  windowSize?: string;
}

const RULES: FlagRule<keyof CheckHtmlFlags>[] = [
  { flag: "--screenshot", arg: "FILE", key: "screenshot", parse: textFlag, help: "also save a screenshot of the (one) page as PNG" },
  { flag: "--window-size", arg: "W,H", key: "windowSize", parse: textFlag, help: "browser window size for the screenshot" },
];

/** `check-html`: fail unless every plot of the pages was drawn, with no script from the network. */
export function checkHtmlCommand(): StrictCommand {
  const command = new StrictCommand("check-html")
    .description("Opens each page in headless Chromium (no network) and fails (exit 1) unless every plotly plot container was drawn and no script is loaded from the network.")
    .argument("<pages...>", "HTML files")
    .flags(RULES);
  return withAction(command, (c) => {
    const f = checkFlags(c.given, RULES) as CheckHtmlFlags;
    if (f.screenshot && c.args.length > 1) throw new UsageError("--screenshot takes one page");
    return checkPages(c.args, f.screenshot, f.windowSize);
  });
}

async function checkPages(files: string[], screenshot: string | undefined, windowSize: string | undefined): Promise<number> {
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

if (require.main === module) runCommand(checkHtmlCommand(), process.argv.slice(2));
