// Which data a pipeline run uses, as the user sees it: `--synthetic` is said on stdout, in the
// final line, in metrics.json and as a banner in report.html; a URFD folder is named; a named
// folder without the files is one line and exit 1; report.html's plots are drawn.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { generateSynthetic, writeUrfdFolder } from "../../lib/data";
import { checkHtmlPlots, CHROMIUM, reportProblems } from "../../lib/notebook/html-check";
import { PLOT_CONTAINER_CLASS } from "../../lib/notebook/html-page";
import { runCli } from "../fixtures/cli";

const FAST = ["--detector", "plain", "--window", "16", "--stride", "8", "--epochs", "1", "--batch-size", "16", "--workers", "1", "--ensemble", "1"];
const BANNER = "SYNTHETIC DATA — these results say nothing about real falls.";

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "data-choice-"));
}

const containers = (html: string) => (html.match(new RegExp(`class="${PLOT_CONTAINER_CLASS}\\b`, "g")) ?? []).length;

test("--synthetic: stdout, the final line, metrics.json and report.html's banner all say SYNTHETIC; the report's plots are drawn", async (t) => {
  const dir = tmp();
  try {
    const out = path.join(dir, "out");
    const r = await runCli([...FAST, "--synthetic", "--out", out]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^data: SYNTHETIC data \(seed 1\), as asked — results say nothing about real falls$/m);
    assert.match(r.stdout, /^done on SYNTHETIC data \(says nothing about real falls\): /m);
    const metrics = JSON.parse(fs.readFileSync(path.join(out, "metrics.json"), "utf8"));
    assert.equal(metrics.data.source, "synthetic");
    assert.equal(metrics.config.synthetic, true);
    const report = path.join(out, "report.html");
    const html = fs.readFileSync(report, "utf8");
    assert.ok(html.includes(BANNER), "report.html carries the synthetic banner");
    assert.match(html, /<title>[^<]*SYNTHETIC data/);
    // Confusion matrices (2), ROC, training curves, recordings over time: at least 5 plots.
    assert.ok(containers(html) >= 5, `${containers(html)} plot containers`);
    if (!fs.existsSync(CHROMIUM)) {
      t.skip(`${CHROMIUM} absent: report.html's plots were counted, not drawn`);
      return;
    }
    const drawn = await checkHtmlPlots(report);
    assert.deepEqual(reportProblems(drawn), []);
    assert.equal(drawn.drawn, containers(html));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("a URFD-format folder: stdout names it, no banner in report.html", async () => {
  const dir = tmp();
  try {
    const data = path.join(dir, "urfd");
    writeUrfdFolder(data, generateSynthetic({ seed: 4, falls: 4, adls: 4 }));
    const out = path.join(dir, "out");
    const r = await runCli([...FAST, "--data", data, "--out", out]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.includes(`data: URFD data from ${data} (given by the caller)`), r.stdout);
    assert.match(r.stdout, /^done on URFD data: /m);
    assert.ok(!fs.readFileSync(path.join(out, "report.html"), "utf8").includes(BANNER));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("FALL_DATA_DIR naming a folder without the files: one line, exit 1, no fallback", async () => {
  const dir = tmp();
  try {
    const empty = path.join(dir, "empty");
    fs.mkdirSync(empty);
    const r = await runCli([...FAST, "--out", path.join(dir, "out")], { env: { FALL_DATA_DIR: empty } });
    assert.equal(r.code, 1);
    assert.equal(r.stderr, `pipeline: ${empty}: data folder given by FALL_DATA_DIR lacks urfall-cam0-falls.csv and urfall-cam0-adls.csv (no fallback when a folder is named)\n`);
    assert.ok(!fs.existsSync(path.join(dir, "out")));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("--synthetic with --data is a usage error (exit 2) before anything loads", async () => {
  const r = await runCli(["--synthetic", "--data", "/nonexistent"]);
  assert.equal(r.code, 2);
  assert.equal(r.stderr, "pipeline: --synthetic and --data exclude each other (generated data or a data folder)\n");
});
