// Strict cell parsing shared by the CSV readers: Number() alone accepts "", "0x1f" and "Infinity".

import { DataError } from "./errors";

/** One non-empty line of a CSV text with its 1-based line number. */
export interface CsvLine {
  line: number;
  cells: string[];
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const INTEGER = /^[+-]?\d+$/;

/** Splits text into comma-separated lines; tolerates a BOM, CRLF and trailing blank lines. */
export function csvLines(text: string, file: string): CsvLine[] {
  const raw = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  let end = raw.length;
  while (end > 0 && raw[end - 1].trim() === "") end--;
  if (end === 0) throw new DataError(file, null, "file is empty");
  const out: CsvLine[] = [];
  for (let i = 0; i < end; i++) {
    const lineNo = i + 1;
    if (raw[i].trim() === "") throw new DataError(file, lineNo, "empty line");
    out.push({ line: lineNo, cells: raw[i].split(",").map((c) => unquote(c.trim())) });
  }
  return out;
}

/** A cell a spreadsheet quoted ("fall-01") as the same cell unquoted; commas and quotes inside quotes are not read. */
function unquote(cell: string): string {
  return cell.length >= 2 && cell.startsWith('"') && cell.endsWith('"') && !cell.slice(1, -1).includes('"') ? cell.slice(1, -1) : cell;
}

/** Quotes a cell for an error message, shortened so the message stays readable. */
export function showCell(cell: string): string {
  return JSON.stringify(cell.length > 40 ? `${cell.slice(0, 37)}...` : cell);
}

/** A finite decimal that also fits a Float32 (1e39 would become Infinity there). */
export function parseFinite(cell: string, what: string, file: string, line: number): number {
  if (cell === "") throw new DataError(file, line, `${what} is empty`);
  if (!DECIMAL.test(cell)) throw new DataError(file, line, `${what} is not a finite number: ${showCell(cell)}`);
  const v = Number(cell);
  if (!Number.isFinite(Math.fround(v))) {
    throw new DataError(file, line, `${what} is not a finite number: ${showCell(cell)}`);
  }
  return v;
}

/** A base-10 integer in the Int32 range. */
export function parseInt32(cell: string, what: string, file: string, line: number): number {
  if (cell === "") throw new DataError(file, line, `${what} is empty`);
  if (!INTEGER.test(cell)) throw new DataError(file, line, `${what} is not an integer: ${showCell(cell)}`);
  const v = Number(cell);
  if (v < -2147483648 || v > 2147483647) {
    throw new DataError(file, line, `${what} is out of the 32-bit integer range: ${showCell(cell)}`);
  }
  return v;
}
