// The VS Code check: every plot output carries application/vnd.plotly.v1+json with usable data and
// layout. Built from showPlot's own bundle (plainFigure/figureHtml), then broken one way at a time.
import { test } from "node:test";
import assert from "node:assert/strict";
import { figureHtml, plainFigure } from "../../lib/notebook/html-page";
import { Notebook, NotebookOutput } from "../../lib/notebook/ipynb";
import { PLOTLY_MIME, checkPlotBundles, describePlotBundleProblems, figureProblems } from "../../lib/notebook/plot-bundles";

const figure = { data: [{ type: "scatter", x: [1, 2, 3], y: [0.5, 0.25, 0.125] }], layout: { title: { text: "loss" } } };

function nbWith(...outputs: NotebookOutput[]): Notebook {
  return {
    cells: [
      { cell_type: "markdown", source: "# t", metadata: {} },
      { cell_type: "code", source: "showPlot(fig)", metadata: {}, outputs, execution_count: 1 },
    ],
    metadata: {},
    nbformat: 4,
    nbformat_minor: 5,
  };
}

const plotOutput = (bundle: unknown, html = figureHtml(figure)): NotebookOutput => ({
  output_type: "display_data",
  data: { ...(bundle === undefined ? {} : { [PLOTLY_MIME]: bundle }), "text/html": html, "text/plain": "plot" },
  metadata: {},
});

test("plot-bundles: showPlot's bundle passes; tables and text are not plots", () => {
  const report = checkPlotBundles(
    nbWith(plotOutput(plainFigure(figure)), { output_type: "display_data", data: { "text/html": "<table></table>", "text/plain": "t" }, metadata: {} }, {
      output_type: "stream",
      name: "stdout",
      text: "x",
    }),
  );
  assert.deepEqual(report, { plots: 1, problems: [] });
});

test("plot-bundles: a plot drawn only from text/html fails (VS Code shows its own renderer's output)", () => {
  const report = checkPlotBundles(nbWith(plotOutput(undefined)));
  assert.equal(report.plots, 1);
  assert.deepEqual(describePlotBundleProblems(report), [`cell 2, output 1: plot output without ${PLOTLY_MIME} (VS Code would not draw it)`]);
});

test("plot-bundles: broken data or layout is named", () => {
  assert.deepEqual(figureProblems("nope"), ["the bundle is not an object"]);
  assert.deepEqual(figureProblems({ data: {}, layout: {} }), ["data is not an array"]);
  assert.deepEqual(figureProblems({ data: [], layout: {} }), ["data has no traces"]);
  assert.deepEqual(figureProblems({ data: [{ x: [1] }] }), ["layout is not an object"]);
  assert.deepEqual(figureProblems({ data: [{ type: "Scatter Plot", x: [1], y: [1] }], layout: {} }), ['trace 0 has type "Scatter Plot"']);
  assert.deepEqual(figureProblems({ data: [{ type: "bar", x: [1, 2], y: [1] }], layout: {} }), ["trace 0: x has 2 points, y 1"]);
  assert.deepEqual(figureProblems({ data: [{ type: "heatmap", z: 3 }], layout: {} }), ["trace 0: z is not an array"]);
  assert.deepEqual(figureProblems({ data: [7], layout: {}, config: [] }), ["trace 0 is not an object", "config is not an object"]);
  const report = checkPlotBundles(nbWith(plotOutput({ data: [], layout: {} })));
  assert.deepEqual(describePlotBundleProblems(report), ["cell 2, output 1: data has no traces"]);
});
