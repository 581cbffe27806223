// A df.csv as training windows: tokens as a [T] input (F = 1), grouped by recording when the
// sidecar `<file>.meta.json` written by `npm run derive-dfcsv` says where each row came from.
// Without a sidecar (the original project's own file) every row is its own group, as the
// original's random row split did; callers must warn that overlapping rows then leak.
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import { WindowSet } from "../types";
import { DfCsv } from "./dfcsv";
import { DataError } from "./errors";
import { PostureCodebook } from "./postures";

export const DFCSV_META_FORMAT = "fall-detection-dfcsv-meta";

export interface DfCsvMeta {
  format: typeof DFCSV_META_FORMAT;
  version: 1;
  /** sha256 of the CSV text this sidecar describes. */
  csvSha256: string;
  rows: number;
  /** Where the frames came from (provenance note). */
  source: string;
  postures: number;
  window: number;
  stride: number;
  seed: number;
  codebook: PostureCodebook;
  sequenceIds: string[];
  sequenceIsFall: number[];
  /** Per row: index into sequenceIds, and the frame number of its last token. */
  rowSequence: number[];
  rowLastFrame: number[];
}

export function metaFileFor(csvFile: string): string {
  return `${csvFile}.meta.json`;
}

/** The sidecar of `csvFile`, checked against the parsed file (and its text, if the caller has it); null when there is none. */
export function readDfCsvMeta(csvFile: string, df: DfCsv, csvText?: string): DfCsvMeta | null {
  const file = metaFileFor(csvFile);
  if (!fs.existsSync(file)) return null;
  let meta: DfCsvMeta;
  try {
    meta = JSON.parse(fs.readFileSync(file, "utf8")) as DfCsvMeta;
  } catch (err) {
    throw new DataError(file, null, `cannot read the df.csv sidecar (${(err as Error).message})`);
  }
  const bad = (problem: string): never => {
    throw new DataError(file, null, problem);
  };
  if (meta === null || typeof meta !== "object" || meta.format !== DFCSV_META_FORMAT || meta.version !== 1) bad(`not a ${DFCSV_META_FORMAT} version 1 file`);
  const sha = createHash("sha256").update(csvText ?? fs.readFileSync(csvFile, "utf8")).digest("hex");
  if (meta.csvSha256 !== sha) bad(`describes another version of ${csvFile} (sha256 differs): derive both again, or delete the sidecar to train without recording groups`);
  const lists = [meta.rowSequence, meta.rowLastFrame, meta.sequenceIds, meta.sequenceIsFall];
  if (!lists.every(Array.isArray)) bad("rowSequence, rowLastFrame, sequenceIds and sequenceIsFall must be arrays");
  if (meta.rows !== df.rows || meta.rowSequence.length !== df.rows || meta.rowLastFrame.length !== df.rows) {
    bad(`describes ${meta.rows} rows, ${csvFile} has ${df.rows}`);
  }
  if (meta.sequenceIsFall.length !== meta.sequenceIds.length) bad("sequenceIds and sequenceIsFall differ in length");
  for (const s of meta.rowSequence) if (!Number.isInteger(s) || s < 0 || s >= meta.sequenceIds.length) bad(`rowSequence holds ${s}, not an index into sequenceIds`);
  if (meta.window !== df.width) bad(`says rows of ${meta.window} tokens, ${csvFile} has ${df.width}`);
  return meta;
}

/** The rows as windows for the trainer and the evaluation. */
export function dfCsvWindowSet(df: DfCsv, meta: DfCsvMeta | null): WindowSet {
  const base = {
    count: df.rows,
    T: df.width,
    F: 1,
    x: Float32Array.from(df.tokens),
    y: Float32Array.from(df.labels),
    featureNames: ["posture"],
  };
  if (meta) {
    return {
      ...base,
      seq: Int32Array.from(meta.rowSequence),
      lastFrame: Int32Array.from(meta.rowLastFrame),
      sequenceIds: [...meta.sequenceIds],
      sequenceIsFall: Uint8Array.from(meta.sequenceIsFall, (v) => (v ? 1 : 0)),
    };
  }
  // One group per row, named by its line (1-based), its "recording" label being its own label.
  return {
    ...base,
    seq: Int32Array.from({ length: df.rows }, (_, i) => i),
    lastFrame: new Int32Array(df.rows),
    sequenceIds: Array.from({ length: df.rows }, (_, i) => `row-${i + 1}`),
    sequenceIsFall: Uint8Array.from(df.labels, (v) => (v ? 1 : 0)),
  };
}
