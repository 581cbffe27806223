// Reader for the original project's df.csv: N integer token columns, then a 0/1 label, no header.

import { readFileSync } from "node:fs";
import { csvLines, parseFinite, parseInt32, showCell } from "./csv-cells";
import { DataError } from "./errors";

export interface DfCsv {
  /** rows × width, row-major. */
  tokens: Int32Array;
  labels: Float32Array;
  rows: number;
  /** Number of token columns per row (N; the label column is not counted). */
  width: number;
}

export interface DfCsvParseOptions {
  /** Tokens must lie in [0, vocabSize): an Embedding layer cannot look up anything else. */
  vocabSize?: number;
}

/** Parses df.csv text; every row must have the same length, integer tokens and a 0/1 label. */
export function parseDfCsv(text: string, file: string, opts: DfCsvParseOptions = {}): DfCsv {
  const lines = csvLines(text, file);
  const cols = lines[0].cells.length;
  if (cols < 2) {
    throw new DataError(file, lines[0].line, `expected at least 2 columns (tokens then label), got ${cols}`);
  }
  const width = cols - 1;
  const rows = lines.length;
  const tokens = new Int32Array(rows * width);
  const labels = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    const { line, cells } = lines[r];
    if (cells.length !== cols) {
      throw new DataError(file, line, `expected ${cols} columns like line ${lines[0].line}, got ${cells.length}`);
    }
    for (let j = 0; j < width; j++) {
      const t = parseInt32(cells[j], `token ${j + 1}`, file, line);
      if (opts.vocabSize !== undefined && (t < 0 || t >= opts.vocabSize)) {
        throw new DataError(file, line, `token ${j + 1} is ${t}, outside the vocabulary 0..${opts.vocabSize - 1}`);
      }
      tokens[r * width + j] = t;
    }
    const lab = parseFinite(cells[width], "label", file, line);
    if (lab !== 0 && lab !== 1) throw new DataError(file, line, `label must be 0 or 1, got ${showCell(cells[width])}`);
    labels[r] = lab;
  }
  return { tokens, labels, rows, width };
}

/** A CSV file's text; an unreadable file is a one-line DataError naming it. */
export function readCsvText(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    throw new DataError(path, null, `cannot read file (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
}

/** Reads and parses a df.csv file. */
export function readDfCsvFile(path: string, opts: DfCsvParseOptions = {}): DfCsv {
  return parseDfCsv(readCsvText(path), path, opts);
}
