// Reading, cleaning, writing and inspecting .ipynb files (nbformat 4), without Jupyter.
import * as crypto from "node:crypto";

export type MultilineString = string | string[];

export interface NotebookOutput {
  output_type: "stream" | "display_data" | "execute_result" | "error" | string;
  name?: string;
  text?: MultilineString;
  data?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
  execution_count?: number | null;
  ename?: string;
  evalue?: string;
  traceback?: string[];
}

export interface NotebookCell {
  cell_type: "code" | "markdown" | "raw" | string;
  id?: string;
  source: MultilineString;
  metadata: Record<string, unknown>;
  outputs?: NotebookOutput[];
  execution_count?: number | null;
  attachments?: Record<string, unknown>;
}

export interface Notebook {
  cells: NotebookCell[];
  metadata: Record<string, unknown>;
  nbformat: number;
  nbformat_minor: number;
}

/** Metadata key our nbconvert hooks (see jupyter.ts) write into executed cells. */
export const RUN_METADATA_KEY = "fall_detection";

export interface RunCellMetadata {
  /** The kernel's execute_reply status: "ok", "error" or "abort". */
  status?: string;
  error?: boolean;
  ename?: string | null;
  evalue?: string | null;
  skipped_after_error?: boolean;
}

export function parseNotebook(text: string, file = "notebook"): Notebook {
  let nb: unknown;
  try {
    nb = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${(e as Error).message})`);
  }
  const n = nb as Partial<Notebook>;
  if (!n || typeof n !== "object" || !Array.isArray(n.cells) || typeof n.nbformat !== "number") {
    throw new Error(`${file}: not an nbformat notebook (no cells / nbformat)`);
  }
  if (n.nbformat !== 4) throw new Error(`${file}: nbformat ${n.nbformat} is not supported (only 4)`);
  return { metadata: {}, nbformat_minor: 0, ...n } as Notebook;
}

export function joinSource(s: MultilineString | undefined): string {
  return Array.isArray(s) ? s.join("") : (s ?? "");
}

/** Split like nbformat's split_lines (Python's str.splitlines(keepends=True)) for \n text. */
export function splitLines(s: MultilineString): string[] {
  const text = joinSource(s);
  if (text === "") return [];
  const lines = text.split(/(?<=\n)/);
  return lines;
}

/**
 * JSON text exactly as Jupyter writes notebooks: keys sorted, 1-space indent, non-ASCII kept,
 * trailing newline (nbformat.write: json.dumps(sort_keys=True, indent=1, ensure_ascii=False)).
 */
export function serializeNotebook(nb: Notebook): string {
  return `${JSON.stringify(sortKeys(nb), null, 1)}\n`;
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v as object).sort()) out[k] = sortKeys((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}

/** Deterministic cell id (nbformat 4.5 requires ids): from position and source, 8 hex digits. */
function cellId(index: number, source: string, taken: Set<string>): string {
  for (let salt = 0; ; salt++) {
    const id = crypto.createHash("sha1").update(`${index}\0${salt}\0${source}`).digest("hex").slice(0, 8);
    if (!taken.has(id)) return id;
  }
}

/**
 * A clean copy: no outputs, execution counts null, cell metadata reduced to non-empty `tags`,
 * notebook metadata reduced to `kernelspec` and `language_info.name`; sources as line lists;
 * missing cell ids added (nbformat >= 4.5). Idempotent.
 */
export function cleanNotebook(nb: Notebook): Notebook {
  const needsIds = nb.nbformat === 4 && nb.nbformat_minor >= 5;
  const taken = new Set(nb.cells.map((c) => c.id).filter((id): id is string => typeof id === "string"));
  const cells = nb.cells.map((cell, index): NotebookCell => {
    const metadata: Record<string, unknown> = {};
    const tags = cell.metadata?.tags;
    if (Array.isArray(tags) && tags.length) metadata.tags = [...tags];
    const out: NotebookCell = { cell_type: cell.cell_type, metadata, source: splitLines(cell.source) };
    if (typeof cell.id === "string") out.id = cell.id;
    else if (needsIds) {
      out.id = cellId(index, joinSource(cell.source), taken);
      taken.add(out.id);
    }
    if (cell.cell_type === "code") {
      out.execution_count = null;
      out.outputs = [];
    }
    if (cell.attachments && cell.cell_type !== "code" && Object.keys(cell.attachments).length) {
      out.attachments = cell.attachments;
    }
    return out;
  });
  const metadata: Record<string, unknown> = {};
  if (nb.metadata?.kernelspec) metadata.kernelspec = nb.metadata.kernelspec;
  const li = nb.metadata?.language_info as { name?: unknown } | undefined;
  if (li && typeof li.name === "string") metadata.language_info = { name: li.name };
  return { cells, metadata, nbformat: nb.nbformat, nbformat_minor: nb.nbformat_minor };
}

/**
 * The cleaned file text for `text`; `wasClean`: the notebook had nothing to strip (its content
 * equals the cleaned content, whatever its key order, indentation or source line splitting);
 * `identical`: the file is byte for byte what the cleaner writes.
 */
export function cleanNotebookText(text: string, file = "notebook"): { clean: string; wasClean: boolean; identical: boolean } {
  const nb = parseNotebook(text, file);
  const clean = serializeNotebook(cleanNotebook(nb));
  if (clean === text) return { clean, wasClean: true, identical: true };
  const canonical = serializeNotebook({
    ...nb,
    cells: nb.cells.map((c) => ({ ...c, source: splitLines(c.source) })),
  });
  return { clean, wasClean: canonical === clean, identical: false };
}

// ---------------------------------------------------------------------------------------------
// Errors in executed notebooks

export interface CellError {
  /** 0-based position among all cells. */
  cellIndex: number;
  /** 1-based position among code cells (what people count in the notebook). */
  codeCellNumber: number;
  source: string;
  /** Error text: stderr / traceback of the cell, cleaned of tslab's own stack frames. */
  message: string;
  /** How it was detected. */
  reason: "kernel-status" | "error-output" | "stderr";
}

// tslab's stderr signatures: type errors "1:7 - Type 'string' is not ...", and thrown errors
// "Error: boom" (optionally after "evalmachine.<anonymous>:2" / "throw ..." / "^" lines)
// followed by "    at ..." stack frames.
const TS_DIAGNOSTIC = /^\d+:\d+ - \S/m;
const ERROR_WITH_STACK = /^(?:[\w$.]*(?:Error|Exception)|Error)\b[^\n]*\n(?:[^\n]*\n)*?\s+at \S/m;
const EVALMACHINE = /^evalmachine\.<anonymous>:\d+/m;

/** Does this stderr text look like an error report (as opposed to a warning or a log line)? */
export function looksLikeError(stderr: string): boolean {
  return TS_DIAGNOSTIC.test(stderr) || ERROR_WITH_STACK.test(stderr) || EVALMACHINE.test(stderr);
}

/** Drop stack frames inside tslab / node internals: they say nothing about the notebook. */
export function trimErrorText(text: string, maxLines = 40): string {
  const lines = text
    .replace(/\x1b\[[0-9;]*m/g, "")
    .split("\n")
    .filter((l) => !(/^\s+at /.test(l) && /node_modules[\\/]tslab[\\/]|\(node:|\bat (?:async )?node:|sigintHandlersWrap/.test(l)));
  while (lines.length && !lines[lines.length - 1].trim()) lines.pop();
  if (lines.length > maxLines) return [...lines.slice(0, maxLines), `… (${lines.length - maxLines} more lines)`].join("\n");
  return lines.join("\n");
}

function cellErrorText(cell: NotebookCell): string {
  const parts: string[] = [];
  for (const o of cell.outputs ?? []) {
    if (o.output_type === "stream" && o.name === "stderr") parts.push(joinSource(o.text));
    if (o.output_type === "error") {
      const tb = (o.traceback ?? []).join("\n");
      parts.push(tb || `${o.ename ?? "Error"}: ${o.evalue ?? ""}`);
    }
  }
  return trimErrorText(parts.join("").trim());
}

/**
 * Failed cells of an executed notebook. Authoritative when our nbconvert hooks recorded the
 * kernel's execute_reply status (metadata.fall_detection.status): "error"/"abort" fail.
 * Otherwise (a notebook executed without the hooks) a cell fails on an `error` output or on
 * stderr text that looks like tslab's error report (looksLikeError), not on any stderr text,
 * since warnings also go to stderr.
 */
export function findCellErrors(nb: Notebook): CellError[] {
  const errors: CellError[] = [];
  let code = 0;
  nb.cells.forEach((cell, cellIndex) => {
    if (cell.cell_type !== "code") return;
    code++;
    const run = cell.metadata?.[RUN_METADATA_KEY] as RunCellMetadata | undefined;
    const source = joinSource(cell.source);
    const base = { cellIndex, codeCellNumber: code, source };
    const text = cellErrorText(cell);
    if (run?.status !== undefined || run?.error) {
      if (run.error || run.status === "error" || run.status === "abort") {
        const detail = text || [run.ename, run.evalue].filter(Boolean).join(": ");
        errors.push({ ...base, message: detail || `kernel reported status "${run.status ?? "error"}" (no error text)`, reason: "kernel-status" });
      }
      return;
    }
    if ((cell.outputs ?? []).some((o) => o.output_type === "error")) {
      errors.push({ ...base, message: text, reason: "error-output" });
      return;
    }
    const stderr = (cell.outputs ?? [])
      .filter((o) => o.output_type === "stream" && o.name === "stderr")
      .map((o) => joinSource(o.text))
      .join("");
    if (stderr && looksLikeError(stderr)) errors.push({ ...base, message: text, reason: "stderr" });
  });
  return errors;
}

/** Code cells our hooks skipped after an earlier error. */
export function skippedCells(nb: Notebook): number {
  return nb.cells.filter((c) => (c.metadata?.[RUN_METADATA_KEY] as RunCellMetadata | undefined)?.skipped_after_error).length;
}

/** First `n` lines of a cell's source, indented, for failure reports. */
export function sourceExcerpt(source: string, n = 8, indent = "    | "): string {
  const lines = source.replace(/\n$/, "").split("\n");
  const shown = lines.slice(0, n).map((l) => indent + l);
  if (lines.length > n) shown.push(`${indent}… (${lines.length - n} more lines)`);
  return shown.join("\n");
}

/** Per-cell wall time from nbclient's record_timing metadata (ms), or undefined. */
export function cellDurationMs(cell: NotebookCell): number | undefined {
  const ex = cell.metadata?.execution as Record<string, string> | undefined;
  if (!ex) return undefined;
  const start = Date.parse(ex["iopub.execute_input"] ?? ex["iopub.status.busy"] ?? "");
  // tslab dates its execute_reply when the request arrives, so the idle status marks the end.
  const ends = [ex["iopub.status.idle"], ex["shell.execute_reply"]].map((d) => Date.parse(d ?? "")).filter(Number.isFinite);
  const end = ends.length ? Math.max(...ends) : NaN;
  return Number.isFinite(start) && Number.isFinite(end) ? Math.max(0, end - start) : undefined;
}
