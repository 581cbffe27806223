// Reader for the official URFD per-frame feature CSVs (urfall-cam0-falls.csv / -adls.csv).

import { readFileSync } from "node:fs";
import { FEATURE_NAMES, FrameTable } from "../types";
import { csvLines, parseFinite, parseInt32, showCell } from "./csv-cells";
import { DataError } from "./errors";

/** sequence, frame, label, then the 8 features. */
export const URFD_COLUMNS = 3 + FEATURE_NAMES.length;

/** Parses URFD CSV text (no header); every row is validated and errors name `file:line`. */
export function parseUrfdCsv(text: string, file: string): FrameTable {
  const lines = csvLines(text, file);
  const n = lines.length;
  const nf = FEATURE_NAMES.length;
  const sequence: string[] = new Array<string>(n);
  const frame = new Int32Array(n);
  const label = new Int8Array(n);
  const features = new Float32Array(n * nf);
  // Sequences already closed, with the line where each ended, to reject one that reappears.
  const closed = new Map<string, number>();
  let current = "";
  let prevFrame = 0;

  for (let r = 0; r < n; r++) {
    const { line, cells } = lines[r];
    if (cells.length !== URFD_COLUMNS) {
      throw new DataError(file, line, `expected ${URFD_COLUMNS} columns, got ${cells.length}`);
    }
    const seq = cells[0];
    if (seq === "") throw new DataError(file, line, "sequence name is empty");
    const fr = parseInt32(cells[1], "frame", file, line);
    const lab = parseFinite(cells[2], "label", file, line);
    if (lab !== -1 && lab !== 0 && lab !== 1) {
      throw new DataError(file, line, `label must be -1, 0 or 1, got ${showCell(cells[2])}`);
    }
    for (let j = 0; j < nf; j++) {
      features[r * nf + j] = parseFinite(cells[3 + j], FEATURE_NAMES[j], file, line);
    }

    if (r > 0 && seq === current) {
      if (fr === prevFrame) throw new DataError(file, line, `duplicate frame ${fr} in sequence ${showCell(seq)}`);
      if (fr < prevFrame) {
        throw new DataError(file, line, `frame ${fr} comes after frame ${prevFrame} in sequence ${showCell(seq)} (frames must increase)`);
      }
    } else {
      if (r > 0) closed.set(current, lines[r - 1].line);
      const endedAt = closed.get(seq);
      if (endedAt !== undefined) {
        throw new DataError(file, line, `sequence ${showCell(seq)} reappears after ${showCell(current)}; its rows ended at line ${endedAt} (sequences must be contiguous)`);
      }
      current = seq;
    }
    prevFrame = fr;
    sequence[r] = seq;
    frame[r] = fr;
    label[r] = lab;
  }
  return { rows: n, sequence, frame, label, features, featureNames: [...FEATURE_NAMES] };
}

/** Reads and parses one URFD CSV file; a missing file is a DataError naming it. */
export function readUrfdFile(path: string): FrameTable {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new DataError(path, null, `cannot read file (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  return parseUrfdCsv(text, path);
}
