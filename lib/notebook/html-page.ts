// Self-contained HTML for plotly figures and tables, usable outside a notebook kernel (the
// pipeline's report.html) as well as by the tslab display helpers in ./display.ts.
//
// plotly.js always comes from the installed `plotly.js-dist` package, read from disk and inlined
// in a <script> element: never from a CDN, so pages and exported notebooks render offline.
// No tslab import here: this file must load in plain Node.
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

/** A plotly figure as Plotly.newPlot takes it. Typed arrays and NaN are converted on output. */
export interface PlotFigure {
  data: object[];
  layout?: object;
  config?: object;
}

export interface PlotOptions {
  /** CSS height of the plot's div; default: layout.height in px, else 450px (plotly's default). */
  height?: number | string;
  /** CSS width; default: layout.width in px, else 100%. */
  width?: number | string;
  /** Element id of the plot's div; default: a random "plot-<hex>". */
  id?: string;
  /** Merged over the figure's own config (default config: { responsive: true }). */
  config?: object;
  /** How long the small per-plot script waits for window.Plotly before it gives up (ms). */
  waitMs?: number;
}

/** Class of every plot container we write (also plotly.py's class): the HTML check counts it. */
export const PLOT_CONTAINER_CLASS = "plotly-graph-div";
/** Shown in a plot's div when window.Plotly never appeared (its loader output is missing). */
export const PLOTLY_NOT_LOADED_MESSAGE = "plotly.js not loaded: re-run the notebook from the top";
/** Class of the element carrying PLOTLY_NOT_LOADED_MESSAGE. */
export const PLOTLY_NOT_LOADED_CLASS = "plotly-not-loaded";
/** Marker attribute on the <script> element that carries plotly.js. */
export const PLOTLY_SCRIPT_ATTRIBUTE = "data-plotly-js";

const DEFAULT_WAIT_MS = 10_000;

// ---------------------------------------------------------------------------------------------
// plotly.js from node_modules

let plotlySourceCache: { file: string; version: string; source: string } | undefined;

/** Absolute path of the plotly.js bundle shipped by the `plotly.js-dist` package. */
export function plotlyJsPath(): string {
  return require.resolve("plotly.js-dist/plotly.js");
}

function loadPlotly(): { file: string; version: string; source: string } {
  if (plotlySourceCache) return plotlySourceCache;
  const file = plotlyJsPath();
  const pkg = JSON.parse(fs.readFileSync(path.join(path.dirname(file), "package.json"), "utf8")) as {
    version?: string;
  };
  const raw = fs.readFileSync(file, "utf8");
  plotlySourceCache = { file, version: pkg.version ?? "unknown", source: escapeInlineScript(raw) };
  return plotlySourceCache;
}

/** Version of the installed plotly.js-dist package. */
export function plotlyVersion(): string {
  return loadPlotly().version;
}

/**
 * Make JavaScript safe inside an inline <script> element: "</script" would end the element and
 * "<!--" can switch the HTML parser into its escaped-script states. plotly.js 4.1.1 contains
 * neither (checked); the replacements keep the code's meaning inside string literals, comments
 * and regular expressions, where such sequences can occur in a bundle.
 */
export function escapeInlineScript(js: string): string {
  return js.replace(/<\/(script)/gi, "<\\/$1").replace(/<!--/g, "<\\!--");
}

/** The <script> element that defines window.Plotly (the whole plotly.js, several MB). */
export function plotlyScriptTag(): string {
  const { version, source } = loadPlotly();
  return (
    `<script type="text/javascript" ${PLOTLY_SCRIPT_ATTRIBUTE}="${escapeAttr(version)}">\n` +
    `/* plotly.js ${version}, inlined from node_modules/plotly.js-dist (no CDN) */\n` +
    `${source}\n</script>`
  );
}

// ---------------------------------------------------------------------------------------------
// JSON and HTML escaping

/**
 * Deep copy as plain JSON data: typed arrays become arrays, non-finite numbers null (a gap in a
 * plotly trace), Dates ISO strings, bigints numbers; functions and undefined are dropped the way
 * JSON.stringify drops them.
 */
export function toPlainJson(value: unknown): unknown {
  if (value === null) return null;
  switch (typeof value) {
    case "number":
      return Number.isFinite(value) ? value : null;
    case "bigint":
      return Number(value);
    case "string":
    case "boolean":
      return value;
    case "undefined":
    case "function":
    case "symbol":
      return undefined;
  }
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    return Array.from(value as unknown as ArrayLike<number | bigint>, (v) => toPlainJson(v));
  }
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((v) => (v === undefined || typeof v === "function" ? null : toPlainJson(v)));
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === "function") return toPlainJson(toJSON.call(value));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const p = toPlainJson(v);
    if (p !== undefined) out[k] = p;
  }
  return out;
}

/** JSON text safe to place inside an inline <script> ("<" escaped, line separators escaped). */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(toPlainJson(value) ?? null)
    .replace(/</g, "\\u003c")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

function escapeAttr(s: string): string {
  return escapeHtml(s);
}

function cssSize(v: number | string | undefined, fallback: string): string {
  if (v === undefined) return fallback;
  return typeof v === "number" ? `${v}px` : v;
}

// ---------------------------------------------------------------------------------------------
// Figures

/** Plain JSON form of a figure: { data, layout, config } with the default config applied. */
export function plainFigure(figure: PlotFigure, opts: PlotOptions = {}): { data: unknown[]; layout: object; config: object } {
  if (!figure || !Array.isArray(figure.data)) throw new TypeError("a plotly figure needs a data array");
  const plain = toPlainJson(figure) as { data: unknown[]; layout?: object; config?: object };
  return {
    data: plain.data,
    layout: plain.layout ?? {},
    config: { responsive: true, ...(plain.config ?? {}), ...((toPlainJson(opts.config ?? {}) as object) ?? {}) },
  };
}

/** Short one-line description for text/plain fallbacks, e.g. `plotly figure: 2 traces (scatter) "ROC"`. */
export function describeFigure(figure: PlotFigure): string {
  const types = [...new Set(figure.data.map((t) => String((t as { type?: unknown }).type ?? "scatter")))];
  const layout = (figure.layout ?? {}) as { title?: unknown };
  const title =
    typeof layout.title === "string"
      ? layout.title
      : typeof (layout.title as { text?: unknown } | undefined)?.text === "string"
        ? ((layout.title as { text: string }).text)
        : "";
  const n = figure.data.length;
  return `plotly figure: ${n} trace${n === 1 ? "" : "s"} (${types.join(", ")})${title ? ` "${title}"` : ""}`;
}

/**
 * A plot's div plus a small script drawing it with window.Plotly. It does NOT include plotly.js:
 * the page (standaloneHtml) or an earlier notebook output (showPlot) must define window.Plotly.
 * The script polls for window.Plotly for `waitMs` (plotly.js may still be parsing), then writes
 * PLOTLY_NOT_LOADED_MESSAGE into the div instead of leaving it silently blank.
 */
export function figureHtml(figure: PlotFigure, opts: PlotOptions = {}): string {
  const fig = plainFigure(figure, opts);
  const layout = fig.layout as { height?: unknown; width?: unknown };
  const id = opts.id ?? `plot-${crypto.randomBytes(8).toString("hex")}`;
  if (!/^[A-Za-z][\w-]*$/.test(id)) throw new TypeError(`plot id must be a simple identifier, got "${id}"`);
  const height = cssSize(opts.height ?? (typeof layout.height === "number" ? layout.height : undefined), "450px");
  const width = cssSize(opts.width ?? (typeof layout.width === "number" ? layout.width : undefined), "100%");
  const waitMs = Math.max(0, Math.round(opts.waitMs ?? DEFAULT_WAIT_MS));
  // ES5 only: this runs in whatever browser or webview shows the page.
  const script = `(function () {
  var id = "${id}", fig = ${jsonForScript(fig)}, waited = 0, step = 50, limit = ${waitMs};
  function fail(text) {
    var el = document.getElementById(id);
    if (!el) return;
    el.style.height = "auto";
    text = String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
    el.innerHTML = '<div class="${PLOTLY_NOT_LOADED_CLASS}" style="color:#b00020;border:1px solid #b00020;padding:0.5em;font-family:sans-serif">' + text + '</div>';
  }
  function draw() {
    var el = document.getElementById(id);
    if (!el) return;
    var P = window.Plotly;
    if (P && typeof P.newPlot === "function") {
      try {
        var done = P.newPlot(el, fig.data, fig.layout, fig.config);
        if (done && typeof done.then === "function") done.then(null, function (e) { fail("plot failed: " + e); });
      } catch (e) { fail("plot failed: " + e); }
      return;
    }
    if (waited >= limit) { fail(${JSON.stringify(PLOTLY_NOT_LOADED_MESSAGE)}); return; }
    waited += step;
    setTimeout(draw, step);
  }
  draw();
})();`;
  return (
    `<div id="${id}" class="${PLOT_CONTAINER_CLASS}" style="height:${escapeAttr(height)};width:${escapeAttr(width)};"></div>\n` +
    `<script type="text/javascript">\n${script}\n</script>`
  );
}

// ---------------------------------------------------------------------------------------------
// Tables

/** A table as columns + rows of cells; `index` labels rows (a DataFrame's index). */
export interface TableData {
  columns: string[];
  rows: unknown[][];
  index?: (string | number)[];
}

/** A danfojs DataFrame or Series, seen structurally (no danfojs import here). */
export interface FrameLike {
  columns?: string[] | string;
  values: unknown[] | unknown[][];
  index?: (string | number)[];
}

export interface TableOptions {
  /** Show at most this many rows: the first and last half, with an ellipsis row between. */
  maxRows?: number;
  /** Significant digits for non-integer numbers (default 6). */
  precision?: number;
  /** Show the index column (default: true when the table has an index). */
  showIndex?: boolean;
  caption?: string;
}

/** Turn a danfo DataFrame/Series, an array of records or TableData into TableData. */
export function toTableData(input: FrameLike | TableData | Record<string, unknown>[]): TableData {
  if (Array.isArray(input)) {
    const columns: string[] = [];
    for (const rec of input) for (const k of Object.keys(rec)) if (!columns.includes(k)) columns.push(k);
    return { columns, rows: input.map((rec) => columns.map((c) => rec[c])) };
  }
  if ("rows" in input && Array.isArray((input as TableData).rows)) return input as TableData;
  const frame = input as FrameLike;
  const values = frame.values;
  if (!Array.isArray(values)) throw new TypeError("showTable: expected a DataFrame, Series, array of records or { columns, rows }");
  const index = Array.isArray(frame.index) ? [...frame.index] : undefined;
  const is2d = values.length > 0 ? Array.isArray(values[0]) : Array.isArray(frame.columns) && frame.columns.length !== 1;
  if (is2d) {
    const columns = Array.isArray(frame.columns) ? frame.columns.map(String) : [];
    return { columns, rows: (values as unknown[][]).map((r) => [...r]), index };
  }
  const name = Array.isArray(frame.columns) ? String(frame.columns[0] ?? "value") : String(frame.columns ?? "value");
  return { columns: [name], rows: (values as unknown[]).map((v) => [v]), index };
}

/** One cell as text: integers as is, other numbers to `precision` significant digits. */
export function formatCell(v: unknown, precision = 6): string {
  if (v === null) return "null";
  if (v === undefined) return "";
  if (typeof v === "number") {
    if (!Number.isFinite(v) || Number.isInteger(v)) return String(v);
    return String(Number(v.toPrecision(precision)));
  }
  if (typeof v === "bigint") return v.toString();
  if (v instanceof Date) return v.toISOString();
  if (typeof v === "object") {
    try {
      return JSON.stringify(toPlainJson(v));
    } catch {
      return String(v);
    }
  }
  return String(v);
}

interface ShownRows {
  rows: { label: string; cells: string[] }[];
  /** Position in `rows` before which the ellipsis row goes, or -1. */
  gapAt: number;
}

function shownRows(t: TableData, opts: TableOptions): ShownRows {
  const n = t.rows.length;
  const maxRows = Math.max(2, opts.maxRows ?? 30);
  const precision = opts.precision ?? 6;
  const pick = n > maxRows ? [...range(0, Math.ceil(maxRows / 2)), ...range(n - Math.floor(maxRows / 2), n)] : range(0, n);
  return {
    rows: pick.map((i) => ({
      label: t.index ? formatCell(t.index[i], precision) : String(i),
      cells: t.columns.map((_, j) => formatCell(t.rows[i][j], precision)),
    })),
    gapAt: n > maxRows ? Math.ceil(maxRows / 2) : -1,
  };
}

function range(a: number, b: number): number[] {
  const out: number[] = [];
  for (let i = a; i < b; i++) out.push(i);
  return out;
}

/** An HTML <table> (values escaped), with a "N rows × M columns" note when rows were elided. */
export function tableHtml(input: FrameLike | TableData | Record<string, unknown>[], opts: TableOptions = {}): string {
  const t = toTableData(input);
  const showIndex = opts.showIndex ?? t.index !== undefined;
  const { rows, gapAt } = shownRows(t, opts);
  const th = (s: string) => `<th>${escapeHtml(s)}</th>`;
  const head = `<tr>${showIndex ? "<th></th>" : ""}${t.columns.map(th).join("")}</tr>`;
  const body: string[] = [];
  rows.forEach((r, k) => {
    if (k === gapAt) body.push(`<tr>${showIndex ? "<th>…</th>" : ""}${t.columns.map(() => "<td>…</td>").join("")}</tr>`);
    const cells = r.cells.map((c) => `<td>${escapeHtml(c)}</td>`).join("");
    body.push(`<tr>${showIndex ? th(r.label) : ""}${cells}</tr>`);
  });
  const caption = opts.caption ? `<caption>${escapeHtml(opts.caption)}</caption>` : "";
  const note =
    gapAt >= 0 ? `\n<p class="table-shape">${t.rows.length} rows × ${t.columns.length} columns</p>` : "";
  return (
    `<table class="dataframe">${caption}<thead>${head}</thead><tbody>\n${body.join("\n")}\n</tbody></table>${note}`
  );
}

/** The same table as aligned plain text (the text/plain fallback). */
export function tableText(input: FrameLike | TableData | Record<string, unknown>[], opts: TableOptions = {}): string {
  const t = toTableData(input);
  const showIndex = opts.showIndex ?? t.index !== undefined;
  const { rows, gapAt } = shownRows(t, opts);
  const lines: string[][] = [[...(showIndex ? [""] : []), ...t.columns]];
  rows.forEach((r, k) => {
    if (k === gapAt) lines.push([...(showIndex ? ["…"] : []), ...t.columns.map(() => "…")]);
    lines.push([...(showIndex ? [r.label] : []), ...r.cells.map((c) => c.replace(/\s+/g, " "))]);
  });
  const widths = lines[0].map((_, j) => Math.max(...lines.map((l) => l[j].length)));
  const text = lines.map((l) => l.map((c, j) => c.padStart(widths[j])).join("  ").trimEnd()).join("\n");
  const title = opts.caption ? `${opts.caption}\n` : "";
  return `${title}${text}${gapAt >= 0 ? `\n\n[${t.rows.length} rows × ${t.columns.length} columns]` : ""}`;
}

// ---------------------------------------------------------------------------------------------
// Standalone pages

/** One part of a standalone page, rendered in this order: heading, text, html, table, figures. */
export interface PageSection {
  heading?: string;
  /** Plain text paragraphs (escaped; blank lines separate paragraphs). */
  text?: string;
  /** Trusted HTML inserted as is. */
  html?: string;
  table?: FrameLike | TableData | Record<string, unknown>[];
  tableOptions?: TableOptions;
  figures?: PlotFigure[];
  figure?: PlotFigure;
}

export interface PageOptions {
  title: string;
  sections: PageSection[];
  /** Inline plotly.js: "auto" (default) when any section has a figure. */
  includePlotly?: boolean | "auto";
  /** Extra CSS appended to the page's own. */
  css?: string;
}

const PAGE_CSS = `
body { font-family: -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, sans-serif; margin: 2em auto; max-width: 1100px; padding: 0 1em; color: #222; }
h1 { font-size: 1.6em; } h2 { font-size: 1.25em; margin-top: 2em; border-bottom: 1px solid #ddd; }
table.dataframe { border-collapse: collapse; font-size: 0.9em; margin: 0.5em 0; }
table.dataframe th, table.dataframe td { border: 1px solid #ddd; padding: 0.2em 0.6em; text-align: right; }
table.dataframe thead th { background: #f4f4f4; }
.table-shape { color: #666; font-size: 0.85em; }
.${PLOT_CONTAINER_CLASS} { margin: 1em 0; }
`;

/**
 * A complete, self-contained HTML page: plotly.js inlined ONCE in <head> (when any figure is
 * shown), every figure as a div + small drawing script, tables escaped. Opens offline.
 */
export function standaloneHtml(opts: PageOptions): string {
  const figures = opts.sections.flatMap((s) => [...(s.figure ? [s.figure] : []), ...(s.figures ?? [])]);
  const include = opts.includePlotly === undefined || opts.includePlotly === "auto" ? figures.length > 0 : opts.includePlotly;
  const body: string[] = [`<h1>${escapeHtml(opts.title)}</h1>`];
  for (const s of opts.sections) {
    const parts: string[] = [];
    if (s.heading) parts.push(`<h2>${escapeHtml(s.heading)}</h2>`);
    if (s.text) {
      for (const para of s.text.split(/\n\s*\n/)) if (para.trim()) parts.push(`<p>${escapeHtml(para.trim())}</p>`);
    }
    if (s.html) parts.push(s.html);
    if (s.table) parts.push(tableHtml(s.table, s.tableOptions));
    for (const f of [...(s.figure ? [s.figure] : []), ...(s.figures ?? [])]) parts.push(figureHtml(f));
    body.push(`<section>\n${parts.join("\n")}\n</section>`);
  }
  return [
    "<!DOCTYPE html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(opts.title)}</title>`,
    `<style>${PAGE_CSS}${opts.css ?? ""}</style>`,
    ...(include ? [plotlyScriptTag()] : []),
    "</head>",
    "<body>",
    ...body,
    "</body>",
    "</html>",
    "",
  ].join("\n");
}
