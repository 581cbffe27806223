// A notebook that should draw plots fails when it draws none: cells calling showPlot/livePlot
// must hold a plot output, and the exported page must hold at least as many plots.
import { test } from "node:test";
import assert from "node:assert/strict";
import { figureHtml, PLOT_CONTAINER_CLASS } from "../../lib/notebook/html-page";
import { Notebook, NotebookCell, NotebookOutput } from "../../lib/notebook/ipynb";
import { cellsMissingPlots, isPlotOutput, plotOutputCount, PLOTLY_MIME } from "../../lib/notebook/plot-outputs";
import { HtmlPlotReport, reportProblems } from "../../lib/notebook/html-check";

const FIG = { data: [{ type: "bar", x: ["a"], y: [1] }] };
const plot: NotebookOutput = { output_type: "display_data", metadata: {}, data: { [PLOTLY_MIME]: FIG, "text/html": figureHtml(FIG), "text/plain": "bar" } };
const htmlOnlyPlot: NotebookOutput = { output_type: "display_data", metadata: {}, data: { "text/html": [figureHtml(FIG)] } };
// The plotly.js loader: its <script> holds the library, which mentions the container class.
const loader: NotebookOutput = { output_type: "display_data", metadata: {}, data: { "text/html": `<script>var c = "${PLOT_CONTAINER_CLASS}"; /* class="${PLOT_CONTAINER_CLASS}" */</script>\n<div class="plotly-js-loader">plotly.js loaded</div>` } };
const textOnly: NotebookOutput = { output_type: "stream", name: "stdout", text: "[bar chart: shown only in a notebook]\n" };

const code = (source: string, outputs: NotebookOutput[]): NotebookCell => ({ cell_type: "code", source, metadata: {}, outputs, execution_count: null });
const nb = (...cells: NotebookCell[]): Notebook => ({ cells, metadata: {}, nbformat: 4, nbformat_minor: 5 });

test("isPlotOutput: the plotly bundle or its HTML form, not the plotly.js loader nor text", () => {
  assert.equal(isPlotOutput(plot), true);
  assert.equal(isPlotOutput(htmlOnlyPlot), true);
  assert.equal(isPlotOutput(loader), false);
  assert.equal(isPlotOutput(textOnly), false);
});

test("cellsMissingPlots: a cell calling showPlot/livePlot with no plot output is reported; comments and other cells are not", () => {
  const book = nb(
    code("showPlot(figure);", [loader, plot]),
    code("showPlot(figure);", [loader, textOnly]),
    code("for (const f of none) showPlot(f);", []),
    code("const live = livePlot(fig);", [htmlOnlyPlot]),
    code("// showPlot(figure) would go here\nconsole.log(1);", [textOnly]),
    { cell_type: "markdown", source: "Call `showPlot(fig)` to draw.", metadata: {} },
  );
  assert.deepEqual(cellsMissingPlots(book).map((m) => m.cellIndex), [1, 2]);
  assert.equal(plotOutputCount(book), 2);
});

test("reportProblems: a page holding fewer plots than the notebook's plot outputs fails", () => {
  const r: HtmlPlotReport = { containers: 1, drawn: 1, externalScripts: [] };
  assert.deepEqual(reportProblems(r, 1), []);
  assert.deepEqual(reportProblems(r), []);
  assert.deepEqual(reportProblems(r, 3), ["3 plot(s) expected but the page holds 1 plot container(s)"]);
  assert.deepEqual(reportProblems({ containers: 0, drawn: 0, externalScripts: [] }, 2), ["2 plot(s) expected but the page holds 0 plot container(s)"]);
});
