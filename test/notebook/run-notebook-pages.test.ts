// run-notebook-pages end to end on throw-away notebooks in a real Jupyter Notebook page: a clean
// notebook passes; an error, a plot that is not drawn and a request leaving 127.0.0.1 each fail
// it; the server, kernels and browser are gone afterwards. Needs Debian's jupyter-notebook and
// chromium and the project's kernel (bash .ci/setup-jupyter): skipped without them.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { CHROMIUM } from "../../lib/notebook/html-check";
import { jupyterProblem, projectRoot } from "../../lib/notebook/jupyter";
import { notebookServerProblem } from "../../lib/notebook/jupyter-server";
import type { Notebook } from "../../lib/notebook/ipynb";
import { codeNotebook, runRunner } from "../fixtures/notebook-runner";

const RUNNER = path.resolve(__dirname, "../../lib/cli/run-notebook-pages.js");
const problem = jupyterProblem() ?? notebookServerProblem() ?? (fs.existsSync(CHROMIUM) ? null : `${CHROMIUM} not found`);

const notebook = codeNotebook;
const run = (args: string[]) => runRunner(RUNNER, args);

test("run-notebook-pages: passes a clean notebook, fails errors, undrawn plots and off-host requests", { skip: problem ?? false, timeout: 300_000 }, async () => {
  // The server serves only the project: the notebooks live in a gitignored folder inside it.
  const dir = fs.mkdtempSync(path.join(projectRoot(), "dist", "page-test-"));
  try {
    const lib = JSON.stringify(path.join(projectRoot(), "dist", "lib", "notebook"));
    const good = path.join(dir, "a-pass.ipynb");
    const bad = path.join(dir, "b-bad.ipynb");
    fs.writeFileSync(good, notebook(`import { showPlot, showTable } from ${lib};`, `showPlot({ data: [{ type: "bar", x: ["a", "b"], y: [1, 2] }] });\nshowTable([{ a: 1 }]);`));
    fs.writeFileSync(
      bad,
      notebook(
        `import { showHtml } from ${lib};`,
        // A plot container nothing draws into, and an image from another host.
        `showHtml('<div class="plotly-graph-div" style="height:100px"></div>');`,
        `showHtml('<img src="http://example.invalid/pixel.png">');`,
        "function explode(): never {\n  throw new Error(`deliberate page failure`);\n}\nexplode();",
      ),
    );
    const r = await run([good, bad]);
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, /^notebook pages: 1 passed, 1 failed$/m, r.out);
    assert.match(r.out, /PASS a-pass\.ipynb .*2 cells run, 1\/1 plots drawn, 0 off-host requests/, r.out);
    assert.match(r.out, /FAIL b-bad\.ipynb/, r.out);
    assert.match(r.out, /cell 4: execute_reply error: Error: deliberate page failure$/m, r.out);
    assert.match(r.out, /request leaving 127\.0\.0\.1: http:\/\/example\.invalid\/pixel\.png/, r.out);
    assert.match(r.out, /1 plot output\(s\) without the application\/vnd\.plotly\.v1\+json bundle/, r.out);
    assert.match(r.out, /1 of 1 plots not drawn/, r.out);
    assert.match(r.out, /^run-notebook-pages: browser, server and kernels stopped$/m, r.out);
    // The read-only server wrote nothing back into the notebooks.
    for (const f of [good, bad]) {
      const outputs = (JSON.parse(fs.readFileSync(f, "utf8")) as Notebook).cells.flatMap((c) => c.outputs ?? []);
      assert.equal(outputs.length, 0, `${f} was written to`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
