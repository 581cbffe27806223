// `--format dfcsv`: a df.csv (and its sidecar, when there is one) as the pipeline's input: the
// windows the trainer sees, and a FrameDataset view of the rows for metrics, reports and timelines.
import * as fs from "node:fs";
import * as path from "node:path";
import { FrameDataset, SequenceInfo, WindowSet } from "../types";
import { parseDfCsv, readCsvText } from "../data/dfcsv";
import { DataError } from "../data/errors";
import { DfCsvMeta, dfCsvWindowSet, metaFileFor, readDfCsvMeta } from "../data/dfcsv-meta";
import { ORIGINAL_DEFAULTS } from "../model/original";

export interface DfCsvInput {
  /** One table row per df.csv row (frame = the row's last frame, label 0 = a fall row), grouped by recording. */
  ds: FrameDataset;
  windows: WindowSet;
  meta: DfCsvMeta | null;
  /** Rows carry their recording (sidecar present): splits are by recording, not by row. */
  grouped: boolean;
}

export function loadDfCsvInput(file: string): DfCsvInput {
  const abs = path.resolve(file);
  if (!fs.existsSync(abs)) throw new DataError(abs, null, "df.csv not found");
  if (fs.statSync(abs).isDirectory()) throw new DataError(abs, null, "is a folder: --format dfcsv needs --data FILE (a df.csv)");
  const text = readCsvText(abs);
  const df = parseDfCsv(text, abs, { vocabSize: ORIGINAL_DEFAULTS.vocabSize });
  const meta = readDfCsvMeta(abs, df, text);
  const windows = dfCsvWindowSet(df, meta);
  let positives = 0;
  for (let i = 0; i < windows.count; i++) positives += windows.y[i];
  if (positives === 0 || positives === windows.count) {
    throw new DataError(abs, null, `${positives === 0 ? "no row labelled 1 (fall)" : "every row is labelled 1 (fall)"} among ${windows.count} rows: a detector needs both classes`);
  }
  const what = `${df.rows} rows of ${df.width} posture tokens`;
  const note = meta
    ? `df.csv ${abs}: ${what} in ${meta.sequenceIds.length} recordings (sidecar ${path.basename(metaFileFor(abs))}: ${meta.postures} postures, stride ${meta.stride}, derived from ${meta.source})`
    : `df.csv ${abs}: ${what}, no sidecar: recordings unknown, every row is its own group (as the original's random row split)`;
  const order = rowOrder(windows);
  const ds: FrameDataset = {
    table: rowTable(windows, order),
    sequences: rowSequences(windows, order),
    provenance: { source: "dfcsv", dir: path.dirname(abs), files: meta ? [abs, metaFileFor(abs)] : [abs], note },
  };
  return { ds, windows, meta, grouped: meta !== null };
}

/** Rows sorted by recording then last frame: table rows of one recording must be contiguous. */
function rowOrder(w: WindowSet): number[] {
  return Array.from({ length: w.count }, (_, i) => i).sort((a, b) => w.seq[a] - w.seq[b] || w.lastFrame[a] - w.lastFrame[b] || a - b);
}

function rowTable(w: WindowSet, order: number[]): FrameDataset["table"] {
  return {
    rows: w.count,
    sequence: order.map((i) => w.sequenceIds[w.seq[i]]),
    frame: Int32Array.from(order, (i) => w.lastFrame[i]),
    label: Int8Array.from(order, (i) => (w.y[i] === 1 ? 0 : -1)),
    features: Float32Array.from(order, (i) => w.x[i * w.T + w.T - 1]),
    featureNames: ["posture"],
  };
}

function rowSequences(w: WindowSet, order: number[]): SequenceInfo[] {
  const out: SequenceInfo[] = [];
  order.forEach((i, r) => {
    const s = w.seq[i];
    const last = out[out.length - 1];
    if (last && last.id === w.sequenceIds[s]) last.length++;
    else out.push({ id: w.sequenceIds[s], isFall: w.sequenceIsFall[s] === 1, start: r, length: 1 });
  });
  return out;
}
