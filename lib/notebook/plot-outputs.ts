// Which cells of an executed notebook should show a plot and which do: a cell that calls
// showPlot/livePlot but holds no plot output failed to draw (e.g. showPlot ran outside a kernel
// and printed only its text form), which the error check alone would let pass.
import { PLOT_CONTAINER_CLASS } from "./html-page";
import { joinSource, Notebook, NotebookOutput } from "./ipynb";

/** The mime type every showPlot output carries (see display.ts). */
export const PLOTLY_MIME = "application/vnd.plotly.v1+json";

// A call, not a mention in a comment line: `showPlot(` or `livePlot(` outside `//` comments.
const PLOT_CALL = /\b(?:showPlot|livePlot)\s*\(/;

function callsPlot(source: string): boolean {
  return source.split("\n").some((line) => PLOT_CALL.test(line.replace(/\/\/.*$/, "")));
}

/** True for a display output holding a plotly figure (the mime bundle or its HTML form). */
export function isPlotOutput(o: NotebookOutput): boolean {
  if (o.output_type !== "display_data" && o.output_type !== "execute_result") return false;
  if (o.data?.[PLOTLY_MIME] !== undefined) return true;
  const html = o.data?.["text/html"];
  const text = Array.isArray(html) ? html.join("") : typeof html === "string" ? html : "";
  // Outside <script> bodies: the plotly.js loader output holds the library, which names the class too.
  return text.replace(/(<script\b[^>]*>)[\s\S]*?(<\/script\s*>)/gi, "$1$2").includes(`class="${PLOT_CONTAINER_CLASS}"`);
}

/** Plot outputs in the whole notebook. */
export function plotOutputCount(nb: Notebook): number {
  return nb.cells.reduce((n, c) => n + (c.outputs ?? []).filter(isPlotOutput).length, 0);
}

export interface MissingPlot {
  /** 0-based index among all cells. */
  cellIndex: number;
  source: string;
}

/** Code cells that call showPlot/livePlot yet hold no plot output. */
export function cellsMissingPlots(nb: Notebook): MissingPlot[] {
  const missing: MissingPlot[] = [];
  nb.cells.forEach((cell, cellIndex) => {
    if (cell.cell_type !== "code") return;
    const source = joinSource(cell.source);
    if (callsPlot(source) && !(cell.outputs ?? []).some(isPlotOutput)) missing.push({ cellIndex, source });
  });
  return missing;
}
