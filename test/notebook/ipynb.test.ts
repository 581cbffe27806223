// Cleaning notebooks and finding failed cells in executed notebooks (no Jupyter needed).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  Notebook,
  cleanNotebook,
  cleanNotebookText,
  findCellErrors,
  looksLikeError,
  parseNotebook,
  serializeNotebook,
  skippedCells,
  splitLines,
  trimErrorText,
} from "../../lib/notebook/ipynb";

const CLEAN_CLI = path.resolve(__dirname, "../../lib/cli/clean-notebooks.js");

/** A notebook as JupyterLab/VS Code leave it after a run: outputs, counts, volatile metadata. */
function dirtyNotebook(): Notebook {
  return {
    cells: [
      { cell_type: "markdown", id: "intro", metadata: { jupyter: { source_hidden: false } }, source: "# Title\n\nText" },
      {
        cell_type: "code",
        id: "c1",
        execution_count: 7,
        metadata: { execution: { "iopub.status.busy": "2026-01-01T00:00:00Z" }, scrolled: true, tags: ["slow"], vscode: { languageId: "typescript" } },
        outputs: [
          { output_type: "stream", name: "stdout", text: ["hello\n"] },
          { output_type: "display_data", data: { "text/html": "<b>x</b>", "text/plain": "x" }, metadata: {} },
          { output_type: "execute_result", execution_count: 7, data: { "text/plain": "42" }, metadata: {} },
        ],
        source: ["const a = 1;\n", "a + 41"],
      },
      { cell_type: "code", execution_count: 8, metadata: { collapsed: false, tags: [] }, outputs: [], source: "" },
    ],
    metadata: {
      kernelspec: { display_name: "TypeScript", language: "typescript", name: "tslab" },
      language_info: { codemirror_mode: { mode: "typescript", name: "javascript", typescript: true }, file_extension: ".ts", mimetype: "text/typescript", name: "typescript", version: "5.0.4" },
      vscode: { interpreter: { hash: "abc" } },
      widgets: { state: {} },
    },
    nbformat: 4,
    nbformat_minor: 5,
  };
}

test("cleanNotebook strips outputs, counts and volatile metadata", () => {
  const clean = cleanNotebook(dirtyNotebook());
  assert.deepEqual(clean.metadata, {
    kernelspec: { display_name: "TypeScript", language: "typescript", name: "tslab" },
    language_info: { name: "typescript" },
  });
  const [md, c1, c2] = clean.cells;
  assert.deepEqual(md, { cell_type: "markdown", id: "intro", metadata: {}, source: ["# Title\n", "\n", "Text"] });
  assert.deepEqual(c1, { cell_type: "code", id: "c1", metadata: { tags: ["slow"] }, source: ["const a = 1;\n", "a + 41"], execution_count: null, outputs: [] });
  assert.equal(c2.execution_count, null);
  assert.deepEqual(c2.metadata, {}, "empty tags dropped");
  assert.deepEqual(c2.source, []);
  assert.match(c2.id ?? "", /^[0-9a-f]{8}$/, "missing id added (nbformat 4.5)");
});

test("cleaning is idempotent and written like Jupyter (sorted keys, 1-space indent, final newline)", () => {
  const text = serializeNotebook(cleanNotebook(dirtyNotebook()));
  assert.ok(text.endsWith("}\n"));
  assert.ok(text.startsWith('{\n "cells": [\n  {\n   "cell_type": "markdown",\n   "id": "intro",\n   "metadata": {},'));
  const again = cleanNotebookText(text);
  assert.equal(again.wasClean, true);
  assert.equal(again.clean, text);
  assert.equal(again.identical, true);
  const dirty = cleanNotebookText(JSON.stringify(dirtyNotebook()));
  assert.equal(dirty.wasClean, false);
  assert.equal(dirty.clean, text, "same result from the dirty file");
  // Clean content in another layout (unsorted keys, 2-space indent, sources as one string).
  const nb = JSON.parse(text) as Notebook;
  const cells = nb.cells.map(({ source, ...rest }) => ({ source: (source as string[]).join(""), ...rest }));
  const r = cleanNotebookText(JSON.stringify({ nbformat: nb.nbformat, cells, metadata: nb.metadata, nbformat_minor: nb.nbformat_minor }, null, 2));
  assert.equal(r.identical, false);
  assert.equal(r.wasClean, true, "layout alone does not make a notebook dirty");
  assert.equal(r.clean, text);
});

test("splitLines matches Python's splitlines(keepends=True) for notebook sources", () => {
  assert.deepEqual(splitLines("a\nb\n"), ["a\n", "b\n"]);
  assert.deepEqual(splitLines("a\n\nb"), ["a\n", "\n", "b"]);
  assert.deepEqual(splitLines(["a\nb", "c"]), ["a\n", "bc"]);
  assert.deepEqual(splitLines(""), []);
});

test("parseNotebook rejects what is not an nbformat 4 notebook", () => {
  assert.throws(() => parseNotebook("{", "x.ipynb"), /x\.ipynb: not valid JSON/);
  assert.throws(() => parseNotebook('{"a":1}', "x.ipynb"), /not an nbformat notebook/);
  assert.throws(() => parseNotebook('{"cells":[],"nbformat":3}', "x.ipynb"), /nbformat 3/);
});

test("clean-notebooks CLI: --check lists dirty notebooks and exits 1; cleaning fixes them in place", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "clean-nb-"));
  try {
    const dirty = path.join(dir, "01-dirty.ipynb");
    const clean = path.join(dir, "02-clean.ipynb");
    fs.writeFileSync(dirty, JSON.stringify(dirtyNotebook(), null, 2));
    fs.writeFileSync(clean, serializeNotebook(cleanNotebook(dirtyNotebook())));
    const check = spawnSync(process.execPath, [CLEAN_CLI, "--check", dirty, clean], { encoding: "utf8" });
    assert.equal(check.status, 1, check.stdout + check.stderr);
    assert.match(check.stderr, /01-dirty\.ipynb/);
    assert.doesNotMatch(check.stderr, /02-clean\.ipynb/);
    assert.ok(fs.readFileSync(dirty, "utf8").includes('"execution_count": 7'), "--check writes nothing");

    const fix = spawnSync(process.execPath, [CLEAN_CLI, dirty, clean], { encoding: "utf8" });
    assert.equal(fix.status, 0, fix.stdout + fix.stderr);
    assert.match(fix.stdout, /cleaned 1, reformatted 0, already clean 1/);
    const recheck = spawnSync(process.execPath, [CLEAN_CLI, "--check", dirty, clean], { encoding: "utf8" });
    assert.equal(recheck.status, 0, recheck.stdout + recheck.stderr);
    const nb = JSON.parse(fs.readFileSync(dirty, "utf8")) as Notebook;
    assert.ok(nb.cells.every((c) => c.cell_type !== "code" || (c.outputs?.length === 0 && c.execution_count === null)));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

// ---------------------------------------------------------------------------------------------
// Executed notebooks saved from real nbconvert runs on the tslab kernel (trimmed to the cells
// that matter). tslab reports errors only as stderr stream text.

/** Executed WITHOUT our hooks: a warning on stderr (fine), then a thrown Error (a failure). */
const EXECUTED_WITHOUT_HOOKS = `{
 "cells": [
  {"cell_type": "code", "execution_count": null, "id": "1983ec23",
   "metadata": {"execution": {"iopub.status.busy": "2026-11-24T06:43:47.650000Z", "iopub.status.idle": "2026-11-24T06:43:47.700000Z", "shell.execute_reply": "2026-11-24T06:43:47.651000Z"}},
   "outputs": [
    {"name": "stdout", "output_type": "stream", "text": ["hi\\n"]},
    {"name": "stderr", "output_type": "stream", "text": ["just a warning\\n", "an error-ish log\\n"]}
   ],
   "source": ["console.log(\\"hi\\"); console.warn(\\"just a warning\\"); console.error(\\"an error-ish log\\")"]},
  {"cell_type": "code", "execution_count": null, "id": "e44f6cec",
   "metadata": {"execution": {"iopub.status.busy": "2026-11-24T06:43:47.704000Z", "iopub.status.idle": "2026-11-24T06:43:47.718000Z", "shell.execute_reply": "2026-11-24T06:43:47.704000Z"}},
   "outputs": [
    {"name": "stderr", "output_type": "stream", "text": [
      "evalmachine.<anonymous>:2\\n", "throw new Error(\\"boom thrown\\");\\n", "^\\n", "\\n", "Error: boom thrown\\n",
      "    at evalmachine.<anonymous>:2:7\\n", "    at evalmachine.<anonymous>:4:3\\n",
      "    at sigintHandlersWrap (node:vm:280:12)\\n", "    at Script.runInThisContext (node:vm:135:14)\\n",
      "    at Object.runInThisContext (node:vm:317:38)\\n",
      "    at Object.execute (/work/main/node_modules/tslab/dist/executor.js:160:38)\\n",
      "    at JupyterHandlerImpl.handleExecuteImpl (/work/main/node_modules/tslab/dist/jupyter.js:250:38)\\n",
      "    at /work/main/node_modules/tslab/dist/jupyter.js:208:57\\n",
      "    at async JupyterHandlerImpl.handleExecute (/work/main/node_modules/tslab/dist/jupyter.js:208:21)\\n",
      "    at async ZmqServer.handleExecute (/work/main/node_modules/tslab/dist/jupyter.js:406:25)\\n"]}
   ],
   "source": ["throw new Error(\\"boom thrown\\")"]},
  {"cell_type": "code", "execution_count": null, "id": "ab12cd34", "metadata": {},
   "outputs": [{"name": "stderr", "output_type": "stream", "text": ["1:7 - Type 'string' is not assignable to type 'number'.\\n"]}],
   "source": ["const x: number = \\"str\\";"]}
 ],
 "metadata": {"kernelspec": {"display_name": "TypeScript", "language": "typescript", "name": "tslab"}, "language_info": {"name": "typescript"}},
 "nbformat": 4, "nbformat_minor": 5
}`;

/** Executed WITH our hooks: status recorded per cell; \`throw "a string"\` leaves only "a string". */
const EXECUTED_WITH_HOOKS = `{
 "cells": [
  {"cell_type": "markdown", "id": "m1", "metadata": {}, "source": ["# t"]},
  {"cell_type": "code", "execution_count": null, "id": "3051916a",
   "metadata": {"execution": {"iopub.status.busy": "2026-11-24T06:44:16.246000Z", "iopub.status.idle": "2026-11-24T06:44:16.283000Z", "shell.execute_reply": "2026-11-24T06:44:16.246000Z"}, "fall_detection": {"status": "ok"}},
   "outputs": [{"name": "stdout", "output_type": "stream", "text": ["ok\\n"]},
               {"name": "stderr", "output_type": "stream", "text": ["Error: logged, not thrown\\n", "    at somewhere (x.js:1:1)\\n"]}],
   "source": ["console.log(\\"ok\\")"]},
  {"cell_type": "code", "execution_count": null, "id": "f0203e35",
   "metadata": {"execution": {"iopub.status.busy": "2026-11-24T06:44:16.285000Z", "iopub.status.idle": "2026-11-24T06:44:16.301000Z", "shell.execute_reply": "2026-11-24T06:44:16.285000Z"}, "fall_detection": {"ename": null, "error": true, "evalue": null, "status": "error"}},
   "outputs": [{"name": "stderr", "output_type": "stream", "text": ["a string\\n"]}],
   "source": ["throw \\"a string\\""]},
  {"cell_type": "code", "execution_count": null, "id": "c31f605d",
   "metadata": {"fall_detection": {"skipped_after_error": true}, "tags": ["skip-execution"]},
   "outputs": [],
   "source": ["await new Promise(r => setTimeout(r, 300)); console.log(\\"after\\")"]}
 ],
 "metadata": {"kernelspec": {"display_name": "TypeScript", "language": "typescript", "name": "tslab"}, "language_info": {"name": "typescript"}},
 "nbformat": 4, "nbformat_minor": 5
}`;

test("findCellErrors: without hook metadata, tslab's stderr error reports fail; warnings do not", () => {
  const errors = findCellErrors(parseNotebook(EXECUTED_WITHOUT_HOOKS));
  assert.deepEqual(
    errors.map((e) => [e.cellIndex, e.codeCellNumber, e.reason]),
    [
      [1, 2, "stderr"],
      [2, 3, "stderr"],
    ],
  );
  assert.equal(errors[0].source, 'throw new Error("boom thrown")');
  assert.match(errors[0].message, /^evalmachine\.<anonymous>:2\n/);
  assert.match(errors[0].message, /Error: boom thrown/);
  assert.match(errors[0].message, /at evalmachine\.<anonymous>:2:7/);
  assert.doesNotMatch(errors[0].message, /tslab[\\/]dist|node:vm|sigintHandlersWrap/, "tslab's own frames trimmed");
  assert.equal(errors[1].message, "1:7 - Type 'string' is not assignable to type 'number'.");
});

test("findCellErrors: the kernel status recorded by the hooks is authoritative", () => {
  const nb = parseNotebook(EXECUTED_WITH_HOOKS);
  const errors = findCellErrors(nb);
  assert.equal(errors.length, 1, "a logged stack trace in an ok cell is not a failure");
  assert.deepEqual([errors[0].cellIndex, errors[0].codeCellNumber, errors[0].reason], [2, 2, "kernel-status"]);
  assert.equal(errors[0].message, "a string");
  assert.equal(skippedCells(nb), 1);
});

test("findCellErrors: error outputs (other kernels) fail too", () => {
  const nb = parseNotebook(EXECUTED_WITHOUT_HOOKS);
  nb.cells = [
    {
      cell_type: "code",
      metadata: {},
      source: "1/0",
      outputs: [{ output_type: "error", ename: "ZeroDivisionError", evalue: "division by zero", traceback: ["ZeroDivisionError: division by zero"] }],
    },
  ];
  const [e] = findCellErrors(nb);
  assert.equal(e.reason, "error-output");
  assert.match(e.message, /ZeroDivisionError: division by zero/);
});

test("looksLikeError / trimErrorText", () => {
  assert.equal(looksLikeError("just a warning\n"), false);
  assert.equal(looksLikeError("Error: something went wrong (logged)\n"), false, "no stack: a log line");
  assert.equal(looksLikeError("TypeError: x is not a function\n    at foo (a.js:1:2)\n"), true);
  assert.equal(looksLikeError("12:3 - Cannot find name 'y'.\n"), true);
  const long = Array.from({ length: 100 }, (_, i) => `line ${i}`).join("\n");
  assert.match(trimErrorText(long, 10), /line 9\n… \(90 more lines\)$/);
  assert.equal(trimErrorText("\x1b[31mError: red\x1b[0m\n\n"), "Error: red");
});
