// The check that makes plots render in VS Code: its notebook view draws a plot from the output's
// application/vnd.plotly.v1+json bundle (Plotly.newPlot(el, data, layout)), not from our text/html.
// Every plot output of an executed notebook must carry that bundle with usable data and layout.
import { PLOT_CONTAINER_CLASS } from "./html-page";
import { Notebook, joinSource } from "./ipynb";

export const PLOTLY_MIME = "application/vnd.plotly.v1+json";

export interface PlotBundleProblem {
  /** 0-based cell index. */
  cellIndex: number;
  outputIndex: number;
  problem: string;
}

export interface PlotBundleReport {
  /** Outputs that are plots (a plotly bundle, or our plot container in text/html). */
  plots: number;
  problems: PlotBundleProblem[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Attributes that plotly reads as one value per point: arrays when present. */
const POINT_ARRAYS = ["x", "y", "z", "values", "labels", "text"];

/** Why plotly could not draw `figure` as VS Code hands it over (empty when it can). */
export function figureProblems(figure: unknown): string[] {
  if (!isObject(figure)) return ["the bundle is not an object"];
  const problems: string[] = [];
  const { data, layout } = figure;
  if (!Array.isArray(data)) problems.push("data is not an array");
  else if (!data.length) problems.push("data has no traces");
  else {
    data.forEach((trace, i) => {
      if (!isObject(trace)) return void problems.push(`trace ${i} is not an object`);
      if (trace.type !== undefined && (typeof trace.type !== "string" || !/^[a-z][a-z0-9]*$/.test(trace.type))) {
        problems.push(`trace ${i} has type ${JSON.stringify(trace.type)}`);
      }
      for (const key of POINT_ARRAYS) {
        const v = trace[key];
        if (v !== undefined && !Array.isArray(v) && !(key === "text" && typeof v === "string")) problems.push(`trace ${i}: ${key} is not an array`);
      }
      const { x, y } = trace;
      const pointwise = trace.type === undefined || ["scatter", "scattergl", "bar"].includes(trace.type as string);
      if (pointwise && Array.isArray(x) && Array.isArray(y) && x.length !== y.length) problems.push(`trace ${i}: x has ${x.length} points, y ${y.length}`);
    });
  }
  if (!isObject(layout)) problems.push("layout is not an object");
  if (figure.config !== undefined && !isObject(figure.config)) problems.push("config is not an object");
  try {
    JSON.stringify(figure);
  } catch (e) {
    problems.push(`not JSON-serialisable: ${(e as Error).message}`);
  }
  return problems;
}

/** Every plot output of `nb`, with what keeps VS Code from drawing it. */
export function checkPlotBundles(nb: Notebook): PlotBundleReport {
  const report: PlotBundleReport = { plots: 0, problems: [] };
  nb.cells.forEach((cell, cellIndex) => {
    (cell.outputs ?? []).forEach((out, outputIndex) => {
      const data = out.data;
      if (!data) return;
      const bundle = data[PLOTLY_MIME];
      const html = data["text/html"] === undefined ? "" : joinSource(data["text/html"] as string | string[]);
      const isPlotHtml = html.includes(`class="${PLOT_CONTAINER_CLASS}"`);
      if (bundle === undefined && !isPlotHtml) return;
      report.plots++;
      if (bundle === undefined) {
        report.problems.push({ cellIndex, outputIndex, problem: `plot output without ${PLOTLY_MIME} (VS Code would not draw it)` });
        return;
      }
      for (const problem of figureProblems(bundle)) report.problems.push({ cellIndex, outputIndex, problem });
    });
  });
  return report;
}

/** One line per problem, e.g. "cell 4, output 2: data has no traces". */
export function describePlotBundleProblems(report: PlotBundleReport): string[] {
  return report.problems.map((p) => `cell ${p.cellIndex + 1}, output ${p.outputIndex + 1}: ${p.problem}`);
}
