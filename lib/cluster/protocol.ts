// Everything that crosses a process boundary in a cluster run, and nothing else: typed arrays and
// plain JSON. Driver → rank 0: every rank's share, one after another, on mpirun's stdin (which Open
// MPI forwards to rank 0), each in the share-file encoding below.
// Rank 0 → rank r: point-to-point messages with the tags below. Every rank → driver: JSON lines on
// stdout with a prefix (mpirun forwards every rank's stdout), weights as base64 chunks.
import type { ModelSpec } from "../model/spec";
import type { ResolvedConfig } from "../distributed/config";
import type { MetricSums } from "../distributed/metrics";
import type { Staleness, WorkerTiming } from "../distributed/protocol";
import type { ShardLayout } from "../distributed/slot-shards";

/** MPI tags of the point-to-point messages. */
export const TAG = {
  /** rank 0 → r: RankAssignment as UTF-8 JSON, then the DATA messages it announces, in order. */
  ASSIGN: 11,
  DATA: 12,
  /** r → 0 (asynchronous / hogwild): a weight delta; 0 → r: the store's weights after applying it. */
  PUSH: 21,
  PULL: 22,
  /** r → 0: the last delta of rank r (answered with PULL like a PUSH). */
  LAST_PUSH: 23,
  /** r → r + 1 (gradients): the float64 running sum of the micro-batch gradients, in slot order. */
  CHAIN: 51,
  /** r → 0: RankReport as UTF-8 JSON once rank r's threads are done. */
  REPORT: 31,
  /** 0 → r, scheduler-started jobs: no more fits, finalize and exit. */
  STOP: 41,
} as const;

/** What the driver asks for; the same for every rank. */
export interface ClusterJob {
  spec: ModelSpec;
  /** numWorkers is the threads per rank. */
  config: ResolvedConfig;
  ranks: number;
  epochs: number;
  initialEpoch: number;
  shuffle: boolean;
  validationSplit: number;
  stallTimeoutSec: number;
  count: number;
  /** Floats per window (T × F) and weights in the model. */
  rowSize: number;
  weightCount: number;
  /** Rank 0 prints the weights at every epoch's end (epochWeights lines), for the driver's epoch-end hook. */
  epochWeights?: boolean;
}

/**
 * Rank 0 → rank r: which global workers it runs; followed by x, y (and val x, y when valCount > 0)
 * per worker, or (mode 'gradients', shardRows > 0) by its slot shards' x, y once, then the vals.
 */
export interface RankAssignment {
  job: ClusterJob;
  roundsPerEpoch: number;
  /** Mode 'gradients': the training rows this rank holds (all of them; with sampling 'shards' its slots' shards); else 0. */
  shardRows: number;
  /** Sampling 'shards': every shard's size and where this rank's start in its rows; else null. */
  shards: ShardLayout | null;
  workers: { globalId: number; count: number; valCount: number }[];
}

/** A rank's account of its run, sent to rank 0 and from there to the driver. */
export interface RankReport {
  rank: number;
  host: string;
  pid: number;
  workers: { globalId: number; samples: number; timing: WorkerTiming }[];
  backend: string;
  kernel: string;
  kernelNote?: string;
  /** Milliseconds spent in cross-rank pushes/pulls on the main thread (asynchronous / hogwild). */
  exchangeMs: number;
  exchanges: number;
  /** Asynchronous / hogwild: this rank's threads' pushes to the rank's own store (null in the averaging modes). */
  staleness: Staleness | null;
  /** Rank 0 (asynchronous / hogwild): the other ranks' pushes to it, each counting the updates that landed since that rank last pulled. */
  rankStaleness?: Staleness;
  /** Training rows this rank held: its slot shards (gradients) or its threads' partitions. */
  heldRows: number;
  /** Peak resident set size of the rank process, MB. */
  peakRssMb: number;
  /** Every worker's result of every epoch (what the driver merges when it did not see the progress lines). */
  epochs: { worker: number; epoch: number; loss: number; acc: number; samples: number; val: MetricSums | null }[];
}

export const LINE_PREFIX = "@@fall-cluster ";

/** What every rank prints for the driver (one JSON object a line). */
export type ClusterLine =
  | { type: "hello"; rank: number; size: number; host: string; pid: number; workers: number }
  | { type: "batch"; rank: number; worker: number; epoch: number; batch: number; batches: number; loss: number; acc: number; samples: number }
  | { type: "epoch"; rank: number; worker: number; epoch: number; loss: number; acc: number; samples: number; val: MetricSums | null }
  | { type: "weights"; offset: number; floats: number; base64: string }
  /** Rank 0, with ClusterJob.epochWeights: a chunk of the weights as they are at the end of `epoch`. */
  | { type: "epochWeights"; epoch: number; offset: number; floats: number; base64: string }
  | { type: "result"; weightCount: number; reports: RankReport[] }
  | { type: "failed"; rank: number; host: string; message: string }
  /** Every second while a rank trains (its main thread runs); `trained` when it stops beating on purpose. */
  | { type: "beat"; rank: number }
  | { type: "trained"; rank: number };

export function formatLine(line: ClusterLine): string {
  return LINE_PREFIX + JSON.stringify(line) + "\n";
}

/** A line of mpirun's output → ClusterLine, or null when it is anything else (mpirun's own, a library's). */
export function parseLine(text: string): ClusterLine | null {
  const at = text.indexOf(LINE_PREFIX);
  if (at < 0) return null;
  try {
    const v = JSON.parse(text.slice(at + LINE_PREFIX.length).trim()) as ClusterLine;
    return typeof v === "object" && v !== null && typeof v.type === "string" ? v : null;
  } catch {
    return null;
  }
}

/**
 * A rank's share in a file (rank-<r>.share in the job's share folder): "FALLSHR1", uint32 LE header
 * length, the RankAssignment JSON, then float32 LE arrays in `arrays`' order, sized by the assignment.
 */
const SHARE_MAGIC = "FALLSHR1";

export function shareFileName(rank: number): string {
  return `rank-${rank}.share`;
}

export function encodeShareFile(assignment: RankAssignment, arrays: readonly Float32Array[]): Buffer[] {
  const header = Buffer.from(JSON.stringify(assignment), "utf8");
  const len = Buffer.alloc(4);
  len.writeUInt32LE(header.length);
  return [Buffer.from(SHARE_MAGIC, "ascii"), len, header, ...arrays.map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength))];
}

/** The JSON header's length in bytes, from a share's first 12 bytes (magic, uint32 LE); one line naming `what` otherwise. */
export function shareHeaderBytes(head: Buffer, what: string): number {
  if (head.length < 12 || head.toString("ascii", 0, 8) !== SHARE_MAGIC) throw new Error(`${what}: not a rank share (expected ${SHARE_MAGIC})`);
  return head.readUInt32LE(8);
}

/** The assignment, and its arrays filled from the file into the ones `arraysFor(assignment)` allocates; one-line errors naming the file. */
export function decodeShareFile(file: string, buf: Buffer, arraysFor: (a: RankAssignment) => Float32Array[]): { assignment: RankAssignment; arrays: Float32Array[] } {
  const n = shareHeaderBytes(buf, file);
  const assignment = JSON.parse(buf.toString("utf8", 12, 12 + n)) as RankAssignment;
  let at = 12 + n;
  const arrays = arraysFor(assignment);
  for (const out of arrays) {
    if (at + out.byteLength > buf.length) throw new Error(`${file}: truncated (${buf.length} bytes)`);
    new Uint8Array(out.buffer, out.byteOffset, out.byteLength).set(buf.subarray(at, at + out.byteLength));
    at += out.byteLength;
  }
  if (at !== buf.length) throw new Error(`${file}: ${buf.length - at} bytes too many`);
  return { assignment, arrays };
}

export function jsonBytes(value: unknown): Uint8Array {
  return new Uint8Array(Buffer.from(JSON.stringify(value), "utf8"));
}

export function bytesJson<T>(bytes: Uint8Array): T {
  return JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8")) as T;
}

/** Weights as base64 lines of at most `chunk` floats (keeps every line small for mpirun's forwarding). */
export function weightLines(weights: Float32Array, chunk = 16384): ClusterLine[] {
  return chunks(weights, chunk).map((c) => ({ type: "weights", ...c }));
}

/** An epoch's weights as epochWeights lines (rank 0, with ClusterJob.epochWeights). */
export function epochWeightLines(epoch: number, weights: Float32Array, chunk = 16384): ClusterLine[] {
  return chunks(weights, chunk).map((c) => ({ type: "epochWeights", epoch, ...c }));
}

function chunks(weights: Float32Array, chunk: number): { offset: number; floats: number; base64: string }[] {
  const out: { offset: number; floats: number; base64: string }[] = [];
  for (let off = 0; off < weights.length; off += chunk) {
    const part = weights.subarray(off, Math.min(off + chunk, weights.length));
    out.push({ offset: off, floats: part.length, base64: Buffer.from(part.buffer, part.byteOffset, part.byteLength).toString("base64") });
  }
  return out;
}

/** Reassembles chunked weights (weights or epochWeights lines) into one vector; complete when every float arrived. */
export class WeightAssembly {
  readonly weights: Float32Array;
  private floats = 0;

  constructor(count: number) {
    this.weights = new Float32Array(count);
  }

  add(line: { offset: number; floats: number; base64: string }): void {
    const part = Buffer.from(line.base64, "base64");
    this.weights.set(new Float32Array(part.buffer.slice(part.byteOffset, part.byteOffset + part.byteLength)), line.offset);
    this.floats += line.floats;
  }

  get complete(): boolean {
    return this.floats === this.weights.length;
  }
}

/** An epochWeights line into its epoch's assembly (made on its first line); returns that assembly. */
export function addEpochWeights(byEpoch: Map<number, WeightAssembly>, line: Extract<ClusterLine, { type: "epochWeights" }>, count: number): WeightAssembly {
  const w = byEpoch.get(line.epoch) ?? new WeightAssembly(count);
  byEpoch.set(line.epoch, w);
  w.add(line);
  return w;
}
