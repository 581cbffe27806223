// Fall intervals of the Multiple Cameras Fall Dataset (MCFD; Auvinet et al., Univ. of Montreal,
// 2010: 24 scenarios "chute01..24" x 8 cameras), reconciled from two public transcriptions of the
// dataset's technical report. Only annotations live here: no MCFD video or feature is available.
//
// Sources (read from a folder, never copied into the project):
//   - Núñez-Marcos et al., github.com/AdrianNunez/Fall-Detection-with-CNNs-and-Optical-Flow,
//     dataset_preprocessing/{annotations,delays}_multicam.json: per scenario the fall start/end
//     frames on one timeline ("reference" also given) and per camera a delay in frames. Their
//     preprocess_Multicam_videos.py does `start += delay; end += delay` and reads the video with
//     OpenCV until CAP_PROP_POS_FRAMES == start, i.e. the frames are 0-based video frame indices
//     and the fall is [start, end] inclusive.
//   - fallGCN, github.com/fokhruli/fallGCN, fall_detection_labels.csv and ..._combines.csv
//     (`chute,cam,start,end,label`, label 1 = falling): made by create_label_file.py from its own
//     hand-typed copy of the report's event table and delay table, with `frame - delay`.
//
// ---------------------------------------------------------------------------------------------
// RECONCILIATION (evidence computed by delaySignEvidence() / compareTranscriptions(); the tests
// check these numbers against the real files):
//
// 1. Delay sign. fallGCN's per-camera fall intervals equal Núñez's reference intervals MINUS the
//    Núñez delay in 179 of 192 chute/camera pairs (148 of the 159 pairs where the sign matters,
//    i.e. a fall and a non-zero delay; the other 11 are the value conflicts below); PLUS matches
//    31 pairs, none of them informative (all have delay 0 or no fall). That settles how
//    fallGCN's numbers were made (its generator subtracts), but it is not evidence about the
//    videos: fallGCN derives its per-camera numbers from the same report tables, so "agreement"
//    here is a source agreeing with a copy of itself. Nothing in these four files can tell which
//    sign matches the footage (that needs one look at a video, e.g. chute 4 cam 1 around frames
//    216-242 vs 360-386, or chute 6 cam 2 around 483 vs 683). Both readings fit the tables' shape
//    (every row has a 0, all delays >= 0). The report's "reference" camera (1, 4, 6, 7, 10, 11;
//    10 and 11 do not exist among the 8 cameras) is ignored by both projects and by us.
//    DECISION: camera frame = reference frame + delay (RECONCILED_DELAY_SIGN = +1), the
//    convention of the code that publishes the delays file we read (Núñez) and consumes these
//    very files to cut the videos; fallGCN's sign comes with no stated reason, and its hand-typed
//    delay table has at least two transcription errors (below), so it is the weaker witness.
//    loadMcfdAnnotations(dir, { delaySign: -1 }) gives fallGCN's reading.
// 2. Delay values. They differ in chute 5 cams 5-8 and chute 12 cam 2:
//    - chute 5: fallGCN's row has NINE numbers (17 24 5 11 18 7 26 28 0) where Núñez has eight
//      (17 24 5 11 187 26 28 0): "187" was split or "18 7" joined. fallGCN's reading shifts cams
//      6-8 to 7/26/28 and leaves no 0 in the row; every other row of both tables contains a 0
//      (the camera the others are measured from), and cams 6 and 7 are within 2 frames of each
//      other in 15 of the 24 rows (26/28 here, 7/26 in fallGCN's reading). We keep Núñez's
//      row. Whether cam 5 is 187 or 18 (a stray 7) stays open: 187 would be the largest delay
//      in the table (next: 109).
//    - chute 12 cam 2: Núñez 16, fallGCN 6. No internal evidence either way; Núñez kept.
// 3. Falls. fallGCN lists a second fall in chute 4 (reference frames 601-638) that Núñez omits:
//    its event table codes both 288-314 and 601-638 as position 2 (the one it maps to "fall"),
//    with 286 frames of other positions between them. A whole
//    coherent extra event is unlikely to be a typo, while Núñez's file does support two falls
//    (chute 23), so we ADD it: reconciled reference falls = Núñez's, plus any fallGCN fall that
//    overlaps none of them. Chute 24 has no fall in either source (an ADL-like scenario).
// ---------------------------------------------------------------------------------------------

import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { DataError } from "../data/errors";
import { findProjectRoot as projectRoot } from "../data/project-root";

export const MCFD_CHUTES = 24;
export const MCFD_CAMS = 8;

/** File names inside the annotation folder (e.g. ../shared/data/mcfd). */
export const MCFD_FILES = {
  nunezAnnotations: "nunez-annotations_multicam.json",
  nunezDelays: "nunez-delays_multicam.json",
  fallGcnLabels: "fallGCN-fall_detection_labels.csv",
  /** Optional: the same rows with consecutive equal labels merged; cross-checked when present. */
  fallGcnCombines: "fallGCN-fall_detection_labels_combines.csv",
} as const;

/** A fall, inclusive, in 0-based frame indices of one camera's video (reference timeline for chutes). */
export interface FallInterval {
  start: number;
  end: number;
}

/** Reconciled fall intervals of one chute (scenario) and camera, in that camera's own video. */
export interface McfdAnnotation {
  chute: number;
  cam: number;
  falls: FallInterval[];
}

/** +1: camera frame = reference + delay (Núñez); -1: reference - delay (fallGCN). */
export type DelaySign = 1 | -1;

/** The sign used by loadMcfdAnnotations unless told otherwise (see the block comment above). */
export const RECONCILED_DELAY_SIGN: DelaySign = 1;

/** A paragraph a README can quote. Its numbers are checked against the real files by the tests. */
export const RECONCILIATION_NOTE =
  "MCFD fall intervals are reconciled from two public transcriptions of the dataset's technical " +
  "report (Auvinet et al. 2010): Núñez-Marcos et al. (annotations_multicam.json, " +
  "delays_multicam.json) and fallGCN (fall_detection_labels*.csv). fallGCN's per-camera frames " +
  "equal Núñez's reference frames minus the camera delay in 179 of 192 chute/camera pairs (148 of " +
  "the 159 where the sign matters; plus matches none of those), but fallGCN computed them that " +
  "way from its own copy of the same tables, so this shows how its file was made, not which sign " +
  "fits the videos; the " +
  "annotation files alone cannot decide it. We follow the code that publishes the delays file " +
  "(Núñez): camera frame = reference frame + delay; the sign is an option (delaySign: -1 gives " +
  "fallGCN's reading) and should be checked once on the footage (e.g. chute 4 camera 1: fall at " +
  "frames 360-386 with +, 216-242 with -). Value conflicts: chute 5 cameras 5-8 (fallGCN's delay " +
  "row has nine numbers, 18 and 7 where Núñez has 187, shifting cameras 6-8; Núñez's row is kept, " +
  "though 187 vs 18 for camera 5 stays uncertain) and chute 12 camera 2 (16 vs 6; Núñez kept); " +
  "fallGCN's second fall in chute 4 (reference frames 601-638), missing from Núñez, is added. " +
  "Chute 24 has no fall. Frames are 0-based video frame indices, fall end inclusive.";

// ----------------------------------------------------------------------------- parsed sources

export interface NunezTranscription {
  /** Index chute-1: fall intervals on the scenario's reference timeline. */
  falls: FallInterval[][];
  /** Index chute-1: the report's "reference" camera number (not used for the shift). */
  reference: number[];
  /** delays[chute-1][cam-1], frames. */
  delays: number[][];
  files: string[];
}

export interface FallGcnRow {
  start: number;
  end: number;
  /** 1 = falling, 0 = anything else. */
  label: 0 | 1;
}

export interface FallGcnTranscription {
  /** Rows per chute/camera (key `${chute}/${cam}`), in file order. */
  rows: Map<string, FallGcnRow[]>;
  /** The combines file's rows, when the file exists. */
  combines: Map<string, FallGcnRow[]> | null;
  files: string[];
}

const key = (chute: number, cam: number): string => `${chute}/${cam}`;

function readText(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (e) {
    throw new DataError(file, null, `cannot read file (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch (e) {
    throw new DataError(file, null, `invalid JSON: ${(e as Error).message}`);
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function nonNegInt(v: unknown, what: string, file: string): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > 2147483647) {
    throw new DataError(file, null, `${what} must be a non-negative integer, got ${JSON.stringify(v)}`);
  }
  return v;
}

function exactKeys(obj: Record<string, unknown>, expected: string[], where: string, file: string): void {
  const missing = expected.filter((k) => !(k in obj));
  if (missing.length > 0) throw new DataError(file, null, `${where}: missing ${missing.join(", ")}`);
  const extra = Object.keys(obj).filter((k) => !expected.includes(k));
  if (extra.length > 0) throw new DataError(file, null, `${where}: unexpected key(s) ${extra.map((k) => JSON.stringify(k)).join(", ")}`);
}

/** Checks that intervals are ordered, each start <= end, and they do not overlap. */
function checkIntervals(iv: FallInterval[], where: string, file: string, line: number | null = null): void {
  for (let i = 0; i < iv.length; i++) {
    if (iv[i].end < iv[i].start) throw new DataError(file, line, `${where}: end ${iv[i].end} is before start ${iv[i].start}`);
    if (i > 0 && iv[i].start <= iv[i - 1].end) {
      throw new DataError(file, line, `${where}: interval ${iv[i].start}-${iv[i].end} overlaps or precedes ${iv[i - 1].start}-${iv[i - 1].end}`);
    }
  }
}

/** Núñez's annotations_multicam.json: {"scenario1": {"reference": n, "start": [...], "end": [...]}, ...}. */
export function parseNunezAnnotations(text: string, file: string): { falls: FallInterval[][]; reference: number[] } {
  const data = parseJson(text, file);
  if (!isRecord(data)) throw new DataError(file, null, "top level must be an object of scenario1..scenario24");
  const names = Array.from({ length: MCFD_CHUTES }, (_, i) => `scenario${i + 1}`);
  exactKeys(data, names, "top level", file);
  const falls: FallInterval[][] = [];
  const reference: number[] = [];
  for (const name of names) {
    const sc = data[name];
    if (!isRecord(sc)) throw new DataError(file, null, `${name} must be an object with reference, start, end`);
    exactKeys(sc, ["reference", "start", "end"], name, file);
    reference.push(nonNegInt(sc.reference, `${name}.reference`, file));
    const { start, end } = sc;
    if (!Array.isArray(start) || !Array.isArray(end)) throw new DataError(file, null, `${name}.start and ${name}.end must be arrays`);
    if (start.length !== end.length) {
      throw new DataError(file, null, `${name}: ${start.length} start frame(s) but ${end.length} end frame(s)`);
    }
    const iv = start.map((s, i) => ({
      start: nonNegInt(s, `${name}.start[${i}]`, file),
      end: nonNegInt(end[i], `${name}.end[${i}]`, file),
    }));
    checkIntervals(iv, name, file);
    falls.push(iv);
  }
  return { falls, reference };
}

/** Núñez's delays_multicam.json: {"camera1": {"1": d, ..., "24": d}, ..., "camera8": {...}}. */
export function parseNunezDelays(text: string, file: string): number[][] {
  const data = parseJson(text, file);
  if (!isRecord(data)) throw new DataError(file, null, "top level must be an object of camera1..camera8");
  const cams = Array.from({ length: MCFD_CAMS }, (_, i) => `camera${i + 1}`);
  const chutes = Array.from({ length: MCFD_CHUTES }, (_, i) => String(i + 1));
  exactKeys(data, cams, "top level", file);
  const delays = Array.from({ length: MCFD_CHUTES }, () => new Array<number>(MCFD_CAMS).fill(0));
  cams.forEach((camName, c) => {
    const row = data[camName];
    if (!isRecord(row)) throw new DataError(file, null, `${camName} must be an object of scenario numbers "1".."24"`);
    exactKeys(row, chutes, camName, file);
    chutes.forEach((ch, s) => {
      delays[s][c] = nonNegInt(row[ch], `${camName}["${ch}"]`, file);
    });
  });
  return delays;
}

const FALLGCN_HEADER = ["chute", "cam", "start", "end", "label"];

/** fallGCN's `chute,cam,start,end,label` CSV; errors name `file:line`. */
export function parseFallGcnCsv(text: string, file: string): Map<string, FallGcnRow[]> {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  let n = lines.length;
  while (n > 0 && lines[n - 1].trim() === "") n--;
  if (n === 0) throw new DataError(file, null, "file is empty");
  const header = lines[0].split(",").map((c) => c.trim());
  if (header.join(",") !== FALLGCN_HEADER.join(",")) {
    throw new DataError(file, 1, `header must be ${FALLGCN_HEADER.join(",")}, got ${JSON.stringify(lines[0].slice(0, 60))}`);
  }
  if (n === 1) throw new DataError(file, null, "no data rows after the header");
  const out = new Map<string, FallGcnRow[]>();
  let prevKey = "";
  for (let i = 1; i < n; i++) {
    const line = i + 1;
    const cells = lines[i].split(",").map((c) => c.trim());
    if (cells.length !== 5) throw new DataError(file, line, `expected 5 columns, got ${cells.length}`);
    const v = cells.map((c, j) => {
      if (!/^[+-]?\d+$/.test(c)) throw new DataError(file, line, `${FALLGCN_HEADER[j]} is not an integer: ${JSON.stringify(c.slice(0, 40))}`);
      return Number(c);
    });
    const [chute, cam, start, end, label] = v;
    if (chute < 1 || chute > MCFD_CHUTES) throw new DataError(file, line, `chute must be 1..${MCFD_CHUTES}, got ${chute}`);
    if (cam < 1 || cam > MCFD_CAMS) throw new DataError(file, line, `cam must be 1..${MCFD_CAMS}, got ${cam}`);
    if (start < 0 || start > 2147483647 || end > 2147483647) throw new DataError(file, line, `start must be a non-negative frame, got ${start}`);
    if (end < start) throw new DataError(file, line, `end ${end} is before start ${start}`);
    if (label !== 0 && label !== 1) throw new DataError(file, line, `label must be 0 or 1, got ${label}`);
    const k = key(chute, cam);
    let rows = out.get(k);
    if (k !== prevKey) {
      if (rows) throw new DataError(file, line, `chute ${chute} cam ${cam} reappears after other rows (each chute/cam must be one block)`);
      rows = [];
      out.set(k, rows);
    }
    const last = rows![rows!.length - 1];
    if (last && start <= last.end) {
      throw new DataError(file, line, `chute ${chute} cam ${cam}: segment ${start}-${end} overlaps or precedes ${last.start}-${last.end}`);
    }
    rows!.push({ start, end, label: label as 0 | 1 });
    prevKey = k;
  }
  return out;
}

/** `<projectRoot>/../shared/data/mcfd`, where the read-only annotation copies live. */
export function mcfdDefaultDir(): string {
  return path.resolve(projectRoot(), "..", "shared", "data", "mcfd");
}

export function readNunez(dir: string = mcfdDefaultDir()): NunezTranscription {
  const fa = path.join(dir, MCFD_FILES.nunezAnnotations);
  const fd = path.join(dir, MCFD_FILES.nunezDelays);
  const { falls, reference } = parseNunezAnnotations(readText(fa), fa);
  const delays = parseNunezDelays(readText(fd), fd);
  return { falls, reference, delays, files: [fa, fd] };
}

export function readFallGcn(dir: string = mcfdDefaultDir()): FallGcnTranscription {
  const fl = path.join(dir, MCFD_FILES.fallGcnLabels);
  const fc = path.join(dir, MCFD_FILES.fallGcnCombines);
  const rows = parseFallGcnCsv(readText(fl), fl);
  const combines = existsSync(fc) ? parseFallGcnCsv(readText(fc), fc) : null;
  return { rows, combines, files: combines ? [fl, fc] : [fl] };
}

// ----------------------------------------------------------------------------- analysis

/** Merges consecutive rows with equal labels that touch (end + 1 == next start). */
function mergeRows(rows: FallGcnRow[]): FallGcnRow[] {
  const out: FallGcnRow[] = [];
  for (const r of rows) {
    const last = out[out.length - 1];
    if (last && last.label === r.label && last.end + 1 === r.start) last.end = r.end;
    else out.push({ ...r });
  }
  return out;
}

/** The label-1 (falling) intervals of a fallGCN chute/cam, touching rows merged. */
function gcnFalls(rows: FallGcnRow[] | undefined): FallInterval[] {
  if (!rows) return [];
  return mergeRows(rows)
    .filter((r) => r.label === 1)
    .map((r) => ({ start: r.start, end: r.end }));
}

const shift = (iv: FallInterval[], by: number): FallInterval[] => iv.map((f) => ({ start: f.start + by, end: f.end + by }));
const flat = (iv: { start: number; end: number }[]): number[] => iv.flatMap((f) => [f.start, f.end]);
const sameIntervals = (a: FallInterval[], b: FallInterval[]): boolean =>
  a.length === b.length && a.every((f, i) => f.start === b[i].start && f.end === b[i].end);
const showIntervals = (iv: FallInterval[]): string => (iv.length === 0 ? "none" : iv.map((f) => `${f.start}-${f.end}`).join(", "));

export type DisagreementKind =
  /** Same reference interval and delay, but Núñez's code adds the delay and fallGCN subtracts it. */
  | "delay-sign"
  /** The two delay tables give this camera different delays (values: [delay]). */
  | "delay-value"
  /** The sources list different falls for a chute (cam null, reference frames) or a camera. */
  | "fall-intervals"
  /** fallGCN's labels and combines files disagree for this chute/cam. */
  | "fallgcn-files"
  /** fallGCN has no rows for this chute/cam. */
  | "missing";

export interface Disagreement {
  chute: number;
  /** null when the disagreement concerns the whole chute (reference timeline). */
  cam: number | null;
  kind: DisagreementKind;
  /** Núñez's value: a delay ([d]) for "delay-value", else flattened intervals [start, end, ...]. */
  nunez: number[];
  /** fallGCN's value, same shape as `nunez`. */
  fallGcn: number[];
  /** One readable sentence with both values. */
  detail: string;
}

export interface SignEvidence {
  /** Chute/camera pairs compared (24 x 8). */
  pairs: number;
  /** Pairs whose fallGCN fall intervals equal Núñez reference - Núñez delay. */
  subtractMatches: number;
  /** Pairs whose fallGCN fall intervals equal Núñez reference + Núñez delay. */
  addMatches: number;
  /** Pairs where the sign matters at all (a fall and a non-zero delay). */
  informativePairs: number;
  subtractMatchesInformative: number;
  addMatchesInformative: number;
  /** The sign fallGCN's numbers follow (the one with more matches): how its file was made. */
  fallGcnSign: DelaySign;
}

interface Analysis {
  nunez: NunezTranscription;
  gcn: FallGcnTranscription;
  evidence: SignEvidence;
  /** Index chute-1: fallGCN's fall intervals brought back to the reference timeline. */
  gcnReferenceFalls: FallInterval[][];
  /** gcnDelays[chute-1][cam-1]: the delay fallGCN's rows imply, null when they cannot tell. */
  gcnDelays: (number | null)[][];
  disagreements: Disagreement[];
}

function chuteCams(): [number, number][] {
  const out: [number, number][] = [];
  for (let s = 1; s <= MCFD_CHUTES; s++) for (let c = 1; c <= MCFD_CAMS; c++) out.push([s, c]);
  return out;
}

function signEvidence(nunez: NunezTranscription, gcn: FallGcnTranscription): SignEvidence {
  const e = { pairs: 0, subtractMatches: 0, addMatches: 0, informativePairs: 0, subtractMatchesInformative: 0, addMatchesInformative: 0 };
  for (const [s, c] of chuteCams()) {
    const ref = nunez.falls[s - 1];
    const d = nunez.delays[s - 1][c - 1];
    const g = gcnFalls(gcn.rows.get(key(s, c)));
    const sub = sameIntervals(g, shift(ref, -d));
    const add = sameIntervals(g, shift(ref, d));
    const informative = ref.length > 0 && d !== 0;
    e.pairs++;
    if (sub) e.subtractMatches++;
    if (add) e.addMatches++;
    if (informative) {
      e.informativePairs++;
      if (sub) e.subtractMatchesInformative++;
      if (add) e.addMatchesInformative++;
    }
  }
  return { ...e, fallGcnSign: e.subtractMatches >= e.addMatches ? -1 : 1 };
}

function analyse(dir: string): Analysis {
  const nunez = readNunez(dir);
  const gcn = readFallGcn(dir);
  const evidence = signEvidence(nunez, gcn);
  const disagreements: Disagreement[] = [];
  const gcnReferenceFalls: FallInterval[][] = [];
  const gcnDelays: (number | null)[][] = [];
  for (let s = 1; s <= MCFD_CHUTES; s++) {
    const chute: ChuteContext = { s, ref: nunez.falls[s - 1], dN: nunez.delays[s - 1], sg: evidence.fallGcnSign, gcn, best: null };
    chute.best = gcnReferenceRows(chute);
    const refGcn = chute.best ? fallsOf(chute.best) : [];
    gcnReferenceFalls.push(refGcn);
    if (chute.best && !sameIntervals(refGcn, chute.ref)) {
      disagreements.push({
        chute: s,
        cam: null,
        kind: "fall-intervals",
        nunez: flat(chute.ref),
        fallGcn: flat(refGcn),
        detail: `chute ${s}: falls on the reference timeline: Núñez ${showIntervals(chute.ref)}; fallGCN ${showIntervals(refGcn)}`,
      });
    }
    const implied: (number | null)[] = [];
    for (let c = 1; c <= MCFD_CAMS; c++) {
      const cam = compareCamera(chute, c);
      implied.push(cam.delay);
      disagreements.push(...cam.disagreements);
    }
    gcnDelays.push(implied);
  }
  disagreements.push(...onlyInCombines(gcn));
  return { nunez, gcn, evidence, gcnReferenceFalls, gcnDelays, disagreements };
}

/** One chute as both transcriptions see it: Núñez's reference falls and delays, fallGCN's rows and sign. */
interface ChuteContext {
  s: number;
  ref: FallInterval[];
  /** Núñez's delay per camera (index cam - 1). */
  dN: number[];
  /** The delay sign fallGCN's code uses. */
  sg: DelaySign;
  gcn: FallGcnTranscription;
  /** fallGCN's reference segmentation (gcnReferenceRows), null when it has no rows for the chute. */
  best: FallGcnRow[] | null;
}

const fallsOf = (rows: FallGcnRow[]): FallInterval[] => rows.filter((r) => r.label === 1).map((r) => ({ start: r.start, end: r.end }));

/**
 * fallGCN's whole segment list (all labels) per camera, brought back to the reference timeline with
 * Núñez's delays and fallGCN's own sign; the most common result across the 8 cameras is fallGCN's
 * reference segmentation (ties go to the one matching Núñez), and a camera that differs from it only
 * by a constant offset reveals the delay fallGCN used for it.
 */
function gcnReferenceRows({ s, ref, dN, sg, gcn }: ChuteContext): FallGcnRow[] | null {
  const back = new Map<string, { rows: FallGcnRow[]; votes: number }>();
  for (let c = 1; c <= MCFD_CAMS; c++) {
    const rows = gcn.rows.get(key(s, c));
    if (!rows) continue;
    const merged = mergeRows(rows).map((r) => ({ ...r, start: r.start - sg * dN[c - 1], end: r.end - sg * dN[c - 1] }));
    const k = JSON.stringify(merged);
    const slot = back.get(k);
    if (slot) slot.votes++;
    else back.set(k, { rows: merged, votes: 1 });
  }
  let best: FallGcnRow[] | null = null;
  let bestVotes = 0;
  for (const { rows, votes } of back.values()) {
    const tieBreak = votes === bestVotes && sameIntervals(fallsOf(rows), ref);
    if (votes > bestVotes || tieBreak) {
      best = rows;
      bestVotes = votes;
    }
  }
  return best;
}

/** Offset of a camera's rows from fallGCN's reference rows, if it is one constant (else null). */
function constantOffset(merged: FallGcnRow[], best: FallGcnRow[] | null): number | null {
  if (!best || merged.length !== best.length || !merged.every((r, i) => r.label === best[i].label)) return null;
  const o = merged[0].start - best[0].start;
  return merged.every((r, i) => r.start - best[i].start === o && r.end - best[i].end === o) ? o : null;
}

/** One camera of a chute: the delay fallGCN implies for it and every way the two transcriptions differ there. */
function compareCamera(chute: ChuteContext, c: number): { delay: number | null; disagreements: Disagreement[] } {
  const { s, ref, dN, sg, gcn, best } = chute;
  const rows = gcn.rows.get(key(s, c));
  if (!rows) {
    const missing: Disagreement = {
      chute: s,
      cam: c,
      kind: "missing",
      nunez: flat(shift(ref, RECONCILED_DELAY_SIGN * dN[c - 1])),
      fallGcn: [],
      detail: `chute ${s} cam ${c}: fallGCN has no rows`,
    };
    return { delay: null, disagreements: [missing] };
  }
  const out: Disagreement[] = [];
  const offset = constantOffset(mergeRows(rows), best);
  const dG = offset === null ? null : sg * offset;
  const g = gcnFalls(rows);
  if (dG === null) {
    out.push({
      chute: s,
      cam: c,
      kind: "fall-intervals",
      nunez: flat(shift(ref, dN[c - 1])),
      fallGcn: flat(g),
      detail: `chute ${s} cam ${c}: fallGCN's segments are not a shifted copy of its other cameras' (falls ${showIntervals(g)})`,
    });
  } else if (dG !== dN[c - 1]) {
    out.push({
      chute: s,
      cam: c,
      kind: "delay-value",
      nunez: [dN[c - 1]],
      fallGcn: [dG],
      detail: `chute ${s} cam ${c}: delay ${dN[c - 1]} (Núñez) vs ${dG} (fallGCN)`,
    });
  }
  // The sign: what each project's code puts into this camera's video.
  const nunezCam = shift(ref, dN[c - 1]);
  if (ref.length > 0 && !sameIntervals(nunezCam, g) && dN[c - 1] !== 0) {
    out.push({
      chute: s,
      cam: c,
      kind: "delay-sign",
      nunez: flat(nunezCam),
      fallGcn: flat(g),
      detail: `chute ${s} cam ${c}: fall at ${showIntervals(nunezCam)} (Núñez: reference + delay ${dN[c - 1]}) vs ${showIntervals(g)} (fallGCN: reference - delay)`,
    });
  }
  const files = combinesDisagreement(gcn, s, c, rows);
  if (files) out.push(files);
  return { delay: dG, disagreements: out };
}

/** fallGCN's labels file against its combines file for one camera (null when they agree or there is no combines file). */
function combinesDisagreement(gcn: FallGcnTranscription, s: number, c: number, rows: FallGcnRow[]): Disagreement | null {
  if (!gcn.combines) return null;
  const comb = gcn.combines.get(key(s, c)) ?? [];
  const a = mergeRows(rows);
  const b = mergeRows(comb);
  const same = a.length === b.length && a.every((r, i) => r.start === b[i].start && r.end === b[i].end && r.label === b[i].label);
  if (same) return null;
  return {
    chute: s,
    cam: c,
    kind: "fallgcn-files",
    nunez: flat(gcnFalls(rows)),
    fallGcn: flat(gcnFalls(comb)),
    detail: `chute ${s} cam ${c}: fallGCN labels file falls ${showIntervals(gcnFalls(rows))} vs combines file ${showIntervals(gcnFalls(comb))}`,
  };
}

/** Cameras that only fallGCN's combines file has. */
function onlyInCombines(gcn: FallGcnTranscription): Disagreement[] {
  if (!gcn.combines) return [];
  const out: Disagreement[] = [];
  for (const k of gcn.combines.keys()) {
    if (gcn.rows.has(k)) continue;
    const [s, c] = k.split("/").map(Number);
    out.push({
      chute: s,
      cam: c,
      kind: "fallgcn-files",
      nunez: [],
      fallGcn: flat(gcnFalls(gcn.combines.get(k))),
      detail: `chute ${s} cam ${c}: only in fallGCN's combines file`,
    });
  }
  return out;
}

export function delaySignEvidence(dir: string = mcfdDefaultDir()): SignEvidence {
  return signEvidence(readNunez(dir), readFallGcn(dir));
}

/**
 * Every disagreement between the two transcriptions: per chute/camera the sign ("delay-sign",
 * what each project's code puts into that video), delay values, fall lists, and consistency of
 * fallGCN's two files. Sorted by chute, then camera (chute-level entries first).
 */
export function compareTranscriptions(dir: string = mcfdDefaultDir()): Disagreement[] {
  const order: DisagreementKind[] = ["fall-intervals", "delay-value", "delay-sign", "fallgcn-files", "missing"];
  return analyse(dir).disagreements.sort(
    (a, b) => a.chute - b.chute || (a.cam ?? 0) - (b.cam ?? 0) || order.indexOf(a.kind) - order.indexOf(b.kind),
  );
}

export interface LoadMcfdOptions {
  /** +1 (default, Núñez): reference + delay; -1 (fallGCN): reference - delay. */
  delaySign?: DelaySign;
}

/** The reconciled reference-timeline falls of one chute: Núñez's, plus fallGCN falls overlapping none. */
function reconciledReference(nunezRef: FallInterval[], gcnRef: FallInterval[]): FallInterval[] {
  const extra = gcnRef.filter((g) => !nunezRef.some((n) => g.start <= n.end && n.start <= g.end));
  return [...nunezRef, ...extra].map((f) => ({ ...f })).sort((a, b) => a.start - b.start);
}

const cache = new Map<string, McfdAnnotation[]>();

/**
 * The reconciled table: one entry per chute (1..24) and camera (1..8), in that order, with the
 * falls in that camera's own video (0-based frame indices, end inclusive). Throws a DataError
 * naming the file for a missing or malformed input. Cached per folder and sign for the process
 * (the source files are read-only copies); callers get fresh copies of the cached table.
 */
export function loadMcfdAnnotations(dir: string = mcfdDefaultDir(), opts: LoadMcfdOptions = {}): McfdAnnotation[] {
  const sign = opts.delaySign ?? RECONCILED_DELAY_SIGN;
  if (sign !== 1 && sign !== -1) throw new Error(`delaySign must be 1 or -1, got ${String(sign)}`);
  const ck = `${path.resolve(dir)}|${sign}`;
  const hit = cache.get(ck);
  if (hit) return hit.map((a) => ({ ...a, falls: a.falls.map((f) => ({ ...f })) }));
  const a = analyse(dir);
  const out: McfdAnnotation[] = [];
  for (const [s, c] of chuteCams()) {
    const ref = reconciledReference(a.nunez.falls[s - 1], a.gcnReferenceFalls[s - 1]);
    const d = a.nunez.delays[s - 1][c - 1];
    const falls = shift(ref, sign * d);
    for (const f of falls) {
      if (f.start < 0) {
        throw new Error(`chute ${s} cam ${c}: reference fall shifted by ${sign * d} starts at frame ${f.start} < 0 (delay sign ${sign} cannot be right for it)`);
      }
    }
    out.push({ chute: s, cam: c, falls });
  }
  cache.set(ck, out);
  return out.map((x) => ({ ...x, falls: x.falls.map((f) => ({ ...f })) }));
}

/** The reconciled falls of one chute and camera (loads the default folder unless `table` is given). */
export function fallIntervals(chute: number, cam: number, table: McfdAnnotation[] = loadMcfdAnnotations()): FallInterval[] {
  if (!Number.isInteger(chute) || chute < 1 || chute > MCFD_CHUTES) throw new Error(`chute must be an integer 1..${MCFD_CHUTES}, got ${chute}`);
  if (!Number.isInteger(cam) || cam < 1 || cam > MCFD_CAMS) throw new Error(`cam must be an integer 1..${MCFD_CAMS}, got ${cam}`);
  const a = table.find((x) => x.chute === chute && x.cam === cam);
  if (!a) throw new Error(`no annotation for chute ${chute} cam ${cam} in the table`);
  return a.falls.map((f) => ({ ...f }));
}
