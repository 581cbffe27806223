// Rich output for tslab notebook cells: plotly figures, tables, text, markdown.
//
// How plots are embedded (and why)
// --------------------------------
// plotly.js (node_modules/plotly.js-dist, ~10 MB unminified) is sent ONCE per kernel session: the
// first showPlot() emits a display_data whose text/html is a <script> holding all of plotly.js.
// Every plot then emits ONE display_data with a multi-mime bundle:
//   - "application/vnd.plotly.v1+json": the figure as data. VS Code's notebook view prefers any
//     application/vnd.* type over text/html (its ipynb deserializer orders mime types
//     application/vnd.*, ..., text/html, ..., text/plain) and its Jupyter renderers extension
//     draws plotly figures natively with its own plotly.js, so nothing depends on our <script>s
//     there. (VS Code runs scripts of text/html outputs, all outputs sharing one webview, but
//     plots whose script relies on an earlier output's script were reported blank after
//     reopening a notebook: microsoft/vscode-jupyter#6404; plotly.py's default in VS Code is the
//     same bundle, "plotly_mimetype+notebook".) JupyterLab with the plotly extension also picks
//     this type.
//   - "text/html": a div + a small script calling window.Plotly.newPlot, for JupyterLab/Notebook
//     without the plotly extension and for `jupyter nbconvert --to html` (whose templates render
//     text/html and ignore the plotly type). The small script waits briefly for window.Plotly and
//     otherwise shows "plotly.js not loaded: re-run the notebook from the top" in the plot's place
//     (e.g. the output holding plotly.js was cleared, or only a later cell was re-run).
//   - "text/plain": a one-line description, for consoles and text-only viewers.
// tslab's public display API (display.html, display.raw) sends one mime type per message, so the
// bundle goes through the kernel's own display-data writer (tslab/dist/jupyter.js,
// lastWriteDisplayData, the function tslab's display.raw calls); if that internal is missing
// (another tslab version), we fall back to display.html, which still renders in Jupyter and in
// exported HTML. Outside a kernel every helper prints its text/plain form to stdout.
// NEVER a CDN: notebooks and their HTML exports must render offline.
import * as crypto from "node:crypto";
import * as path from "node:path";
import {
  FrameLike,
  PLOTLY_SCRIPT_ATTRIBUTE,
  PlotFigure,
  PlotOptions,
  TableData,
  TableOptions,
  describeFigure,
  escapeHtml,
  figureHtml,
  plainFigure,
  plotlyScriptTag,
  plotlyVersion,
  tableHtml,
  tableText,
} from "./html-page";

/** Content of a Jupyter display_data message. */
interface DisplayContent {
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
  transient: Record<string, unknown>;
}

interface TslabPublic {
  display: { html(s: string): void; text(s: string): void; markdown(s: string): void };
}

interface KernelLink {
  /** tslab's public module, from the same copy of tslab that runs the kernel. */
  pub: TslabPublic;
  /** tslab's internal jupyter module (holds the current cell's display-data writer). */
  jupyter: { lastWriteDisplayData?: ((content: DisplayContent, update: boolean) => void) | null } | undefined;
}

let link: KernelLink | null | undefined;

/**
 * The tslab copy that runs this kernel. require("tslab") from our compiled code resolves the
 * project's node_modules/tslab, which is the kernel itself when the kernel was started from
 * node_modules/.bin/tslab (our kernel.json); a globally installed tslab would be another copy
 * whose writer is never set, so the kernel's own copy is found from require.main first.
 * Loaded lazily: nothing here touches tslab until a helper runs.
 */
function kernelLink(): KernelLink | null {
  if (link !== undefined) return link;
  const roots: string[] = [];
  const main = require.main?.filename;
  if (main && /[\\/]tslab[\\/]bin[\\/]tslab$/.test(main)) roots.push(path.resolve(path.dirname(main), ".."));
  try {
    roots.push(path.dirname(require.resolve("tslab/package.json")));
  } catch {
    /* tslab not installed: plain Node */
  }
  link = null;
  for (const root of roots) {
    try {
      const jupyter = require(path.join(root, "dist", "jupyter.js")) as KernelLink["jupyter"];
      const pub = require(path.join(root, "dist", "public.js")) as TslabPublic;
      const candidate = { pub, jupyter };
      if (typeof jupyter?.lastWriteDisplayData === "function") {
        link = candidate;
        break;
      }
      link ??= candidate;
    } catch {
      /* not loadable: try the next */
    }
  }
  return link;
}

/** True when running inside a tslab kernel that is executing a cell. */
export function inNotebook(): boolean {
  const l = kernelLink();
  return typeof l?.jupyter?.lastWriteDisplayData === "function";
}

/**
 * Send one display_data with several representations of the same thing. Returns false (after
 * printing `text/plain` to stdout) when not in a kernel.
 */
export function displayBundle(data: Record<string, unknown>, target: { displayId?: string; update?: boolean } = {}): boolean {
  const l = kernelLink();
  const writer = l?.jupyter?.lastWriteDisplayData;
  if (l && typeof writer === "function") {
    const transient = target.displayId ? { display_id: target.displayId } : {};
    writer({ data, metadata: {}, transient }, Boolean(target.update && target.displayId));
    return true;
  }
  const html = data["text/html"];
  if (l && typeof html === "string") {
    try {
      l.pub.display.html(html);
      return true;
    } catch {
      /* "Not ready": not executing a cell */
    }
  }
  const text = data["text/plain"];
  if (typeof text === "string") console.log(text);
  return false;
}

// ---------------------------------------------------------------------------------------------
// plotly

const LOADED = Symbol.for("fall-detection.notebook.plotly-js-emitted");
type GlobalWithFlag = typeof globalThis & { [LOADED]?: boolean };

/**
 * Emit plotly.js (once per kernel session; `force` re-emits it, e.g. after its output was
 * cleared). showPlot calls this itself.
 */
export function loadPlotlyJs(force = false): void {
  const g = globalThis as GlobalWithFlag;
  if (g[LOADED] && !force) return;
  const version = plotlyVersion();
  const shown = displayBundle({
    "text/html":
      `${plotlyScriptTag()}\n` +
      `<div class="plotly-js-loader" ${PLOTLY_SCRIPT_ATTRIBUTE}="${escapeHtml(version)}" ` +
      `style="color:#888;font-size:0.75em">plotly.js ${escapeHtml(version)} loaded (inlined, offline)</div>`,
    "text/plain": `plotly.js ${version} loaded`,
  });
  if (shown) g[LOADED] = true;
}

function plotBundle(figure: PlotFigure, opts: PlotOptions): Record<string, unknown> {
  return {
    "application/vnd.plotly.v1+json": plainFigure(figure, opts),
    "text/html": figureHtml(figure, opts),
    "text/plain": describeFigure(figure),
  };
}

/**
 * Render a plotly figure in the current cell (see the header comment for the mime bundle).
 * Returns nothing on purpose: tslab prints the value of a cell's last expression.
 */
export function showPlot(figure: PlotFigure, opts: PlotOptions = {}): void {
  const bundle = plotBundle(figure, opts);
  if (!inNotebook()) {
    console.log(`[${describeFigure(figure)}: shown only in a notebook]`);
    return;
  }
  loadPlotlyJs();
  displayBundle(bundle);
}

export interface LivePlot {
  /** Replace the figure shown by livePlot (Jupyter update_display_data). */
  update(figure: PlotFigure): void;
}

/**
 * Like showPlot, but the output can be replaced later (e.g. a loss curve during training):
 * `const live = livePlot(fig); ... live.update(newFig);`. Assign the result: as a cell's last
 * expression tslab would print it.
 */
export function livePlot(figure: PlotFigure, opts: PlotOptions = {}): LivePlot {
  const displayId = `plot-${crypto.randomBytes(8).toString("hex")}`;
  const bundle = plotBundle(figure, opts);
  if (!inNotebook()) {
    console.log(`[${describeFigure(figure)}: shown only in a notebook]`);
    return { update: (f) => console.log(`[update: ${describeFigure(f)}]`) };
  }
  loadPlotlyJs();
  displayBundle(bundle, { displayId });
  return { update: (f) => void displayBundle(plotBundle(f, opts), { displayId, update: true }) };
}

// ---------------------------------------------------------------------------------------------
// tables and text

/** Display a danfojs DataFrame/Series, an array of records or { columns, rows } as a table. */
export function showTable(df: FrameLike | TableData | Record<string, unknown>[], opts: TableOptions = {}): void {
  displayBundle({ "text/html": tableHtml(df, opts), "text/plain": tableText(df, opts) });
}

/** Plain text (preformatted in notebooks). */
export function showText(text: string): void {
  displayBundle({ "text/plain": text });
}

/** Markdown, with the source as plain-text fallback. */
export function showMarkdown(markdown: string): void {
  displayBundle({ "text/markdown": markdown, "text/plain": markdown });
}

/** Trusted HTML, with an optional plain-text fallback. */
export function showHtml(html: string, text = "[html output]"): void {
  displayBundle({ "text/html": html, "text/plain": text });
}
