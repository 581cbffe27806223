// run-notebooks end to end on throw-away notebooks outside notebooks/: a failing cell must fail
// the run and be named with its source and error text. Needs Debian's Jupyter and the project's
// kernel (bash .ci/setup-jupyter; .ci/run does it before npm test): skipped without them.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { jupyterProblem, projectRoot } from "../../lib/notebook/jupyter";
import type { Notebook } from "../../lib/notebook/ipynb";
import { codeNotebook, runRunner } from "../fixtures/notebook-runner";

const RUNNER = path.resolve(__dirname, "../../lib/cli/run-notebooks.js");
const problem = jupyterProblem();

const notebook = codeNotebook;
const run = (args: string[]) => runRunner(RUNNER, args);

test("run-notebooks: failing cells fail the run with cell, source and error text", { skip: problem ?? false, timeout: 180_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "run-notebooks-test-"));
  try {
    // The kernel runs in the notebook's folder: import the compiled library by absolute path.
    const lib = JSON.stringify(path.join(projectRoot(), "dist", "lib", "notebook"));
    fs.writeFileSync(
      path.join(dir, "a-pass.ipynb"),
      notebook(`import { showPlot, showTable } from ${lib};`, `showPlot({ data: [{ type: "bar", x: ["a", "b"], y: [1, 2] }] });\nshowTable([{ a: 1 }]);`),
    );
    fs.writeFileSync(
      path.join(dir, "b-throw.ipynb"),
      notebook(
        'console.log("fine"); console.warn("a warning is not an error");',
        "const answer: number = 42;\nfunction explode(): never {\n  throw new Error(`deliberate failure ${answer}`);\n}\nexplode();",
        'console.log("must not run");',
      ),
    );
    fs.writeFileSync(path.join(dir, "c-type.ipynb"), notebook('const n: number = "not a number";'));
    // A plot that silently became text (as showPlot does outside a kernel): no error, no plot.
    fs.writeFileSync(path.join(dir, "d-noplot.ipynb"), notebook('const showPlot = (f: unknown) => console.log("[bar chart: shown only in a notebook]");\nshowPlot({});'));
    const out = path.join(dir, "out");
    const r = await run(["--out-dir", out, ...["a-pass", "b-throw", "c-type", "d-noplot"].map((n) => path.join(dir, `${n}.ipynb`))]);

    assert.equal(r.code, 1, r.out);
    assert.match(r.out, /^notebooks: 1 passed, 3 failed$/m, r.out);
    assert.match(r.out, /FAIL d-noplot\.ipynb .*: cell 1 calls showPlot\/livePlot but shows no plot/, r.out);
    assert.match(r.out, /PASS a-pass\.ipynb .*1\/1 plots drawn, no external scripts, 1 plotly bundle valid\)/, r.out);
    assert.match(r.out, /FAIL b-throw\.ipynb .*: cell 2 \(code cell 2\) failed/, r.out);
    assert.match(r.out, /\| const answer: number = 42;/);
    assert.match(r.out, /Error: deliberate failure 42/);
    assert.match(r.out, /1 later code cell\(s\) not run/);
    assert.match(r.out, /FAIL c-type\.ipynb .*: cell 1 \(code cell 1\) failed/);
    assert.match(r.out, /1:7 - Type 'string' is not assignable to type 'number'\./);
    assert.ok(fs.existsSync(path.join(out, "a-pass.html")));
    const executed = JSON.parse(fs.readFileSync(path.join(out, "b-throw.ipynb"), "utf8")) as Notebook;
    assert.equal(executed.cells[2].outputs?.length, 0, "cells after the failure are not executed");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
