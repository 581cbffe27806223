// What each rank trains on, and how it gets there without any process holding more than it must.
// The driver deals every rank its share (as DistributedModel.fit deals R × K workers) and builds one
// share at a time; a share travels as MPI messages, as a file in a share folder, or as one frame of
// the stream the driver writes to mpirun's stdin, which rank 0 reads a share at a time, forwarding
// the others' as it goes. Mode 'gradients': a rank's share is every training row (sampling 'global')
// or its micro-batch slots' shards (sampling 'shards').
import * as fs from "node:fs";
import * as path from "node:path";
import { batchSlice, contiguousRanges, gatherRows, rowsPerEpoch, stratifiedPartition } from "../distributed/partition";
import { batchesPerEpoch, dealSlotShards, heldIndices, heldLayout, heldRows } from "../distributed/slot-shards";
import type { MpiBinding } from "./mpi";
import { bytesJson, ClusterJob, decodeShareFile, encodeShareFile, jsonBytes, RankAssignment, shareFileName, shareHeaderBytes, TAG } from "./protocol";

export interface Share {
  assignment: RankAssignment;
  data: { x: Float32Array; y: Float32Array; val: { x: Float32Array; y: Float32Array; count: number } | null }[];
  weights: Float32Array;
}

/** Every rank's assignment now; its arrays only when share(r) is called (one share in memory at a time). */
export interface SharePlan {
  assignments: RankAssignment[];
  share(rank: number): Share;
}

/**
 * Deal R × K workers as DistributedModel.fit deals W = R × K (same seed, same order). Mode
 * 'gradients': every rank gets all training rows, or with sampling 'shards' the shards of the slots
 * its threads compute.
 */
export function planShares(job: ClusterJob, x: Float32Array, y: Float32Array, weights: Float32Array): SharePlan {
  const K = job.config.numWorkers;
  const W = job.ranks * K;
  const nTrain = Math.floor(job.count * (1 - job.validationSplit));
  const nVal = job.count - nTrain;
  if (nTrain < 1) throw new RangeError(`validationSplit ${job.validationSplit} leaves no training windows`);
  const gradients = job.config.mode === "gradients";
  const { batchSize, microBatches, seed } = job.config;
  const rs = job.rowSize;
  const parts = gradients ? [] : stratifiedPartition(y, W, seed, Int32Array.from({ length: nTrain }, (_, i) => i));
  const sharded = gradients && job.config.sampling === "shards";
  const shards = sharded ? dealSlotShards(y, microBatches, seed, nTrain, job.shuffle) : [];
  const sizes = shards.map((s) => s.length);
  const valRanges = contiguousRanges(nVal, W);
  const maxBatches = sharded ? batchesPerEpoch(sizes, batchSize) : gradients ? Math.ceil(nTrain / batchSize) : Math.max(...parts.map((p) => Math.ceil(p.length / batchSize)));
  const roundsPerEpoch = job.config.frequency === "epoch" ? 1 : Math.ceil(maxBatches / job.config.syncEvery);
  // A rank's threads are global workers r·K .. r·K + K − 1: their slots are one contiguous run.
  const slotsOf = (r: number) => ({ lo: batchSlice(microBatches, W, r * K).lo, hi: batchSlice(microBatches, W, r * K + K - 1).hi });
  const assignments = Array.from({ length: job.ranks }, (_, r): RankAssignment => {
    const ids = Array.from({ length: K }, (_, k) => r * K + k);
    const slots = slotsOf(r);
    const count = (g: number) => {
      if (!gradients) return parts[g].length;
      if (!sharded) return rowsPerEpoch(nTrain, batchSize, microBatches, W, g);
      const own = batchSlice(microBatches, W, g);
      return heldRows(sizes, own.lo, own.hi);
    };
    return {
      job, roundsPerEpoch,
      shardRows: sharded ? heldRows(sizes, slots.lo, slots.hi) : gradients ? nTrain : 0,
      shards: sharded ? heldLayout(sizes, slots.lo, slots.hi) : null,
      workers: ids.map((g) => ({ globalId: g, count: count(g), valCount: valRanges[g].end - valRanges[g].start })),
    };
  });
  const share = (r: number): Share => {
    const assignment = assignments[r];
    const held = sharded ? heldIndices(shards, slotsOf(r).lo, slotsOf(r).hi) : null;
    const rows = held ? { x: gatherRows(x, rs, held), y: gatherRows(y, 1, held) } : gradients ? { x: x.subarray(0, nTrain * rs), y: y.subarray(0, nTrain) } : null;
    const data = assignment.workers.map(({ globalId: g }) => {
      const { start, end } = valRanges[g];
      const val = end > start ? { x: x.slice((nTrain + start) * rs, (nTrain + end) * rs), y: y.slice(nTrain + start, nTrain + end), count: end - start } : null;
      return rows ? { ...rows, val } : { x: gatherRows(x, rs, parts[g]), y: gatherRows(y, 1, parts[g]), val };
    });
    return { assignment, data, weights };
  };
  return { assignments, share };
}

/** A share's arrays in the order they travel (MPI messages, a share file, the stdin stream): weights, rows, vals. */
function shareArrays(share: Share): Float32Array[] {
  const rowsOnce = share.assignment.shardRows > 0;
  const out = [share.weights];
  if (rowsOnce) out.push(share.data[0].x, share.data[0].y);
  for (const d of share.data) {
    if (!rowsOnce) out.push(d.x, d.y);
    if (d.val) out.push(d.val.x, d.val.y);
  }
  return out;
}

/** The arrays of shareArrays(), from the assignment alone; `shared`: every thread of the rank maps it (the slot shards). */
function shareSizes(a: RankAssignment): { floats: number; shared: boolean }[] {
  const { rowSize, weightCount } = a.job;
  const out = [{ floats: weightCount, shared: false }];
  if (a.shardRows > 0) out.push({ floats: a.shardRows * rowSize, shared: true }, { floats: a.shardRows, shared: true });
  for (const w of a.workers) {
    if (a.shardRows === 0) out.push({ floats: w.count * rowSize, shared: false }, { floats: w.count, shared: false });
    if (w.valCount > 0) out.push({ floats: w.valCount * rowSize, shared: false }, { floats: w.valCount, shared: false });
  }
  return out;
}

function allocate(s: { floats: number; shared: boolean }): Float32Array {
  return new Float32Array(s.shared ? new SharedArrayBuffer(s.floats * 4) : new ArrayBuffer(s.floats * 4));
}

function shareFromArrays(assignment: RankAssignment, arrays: Float32Array[]): Share {
  let i = 0;
  const next = () => arrays[i++];
  const weights = next();
  const rows = assignment.shardRows > 0 ? { x: next(), y: next() } : null;
  const data = assignment.workers.map((w) => {
    const { x, y } = rows ?? { x: next(), y: next() };
    const val = w.valCount > 0 ? { x: next(), y: next(), count: w.valCount } : null;
    return { x, y, val };
  });
  return { assignment, data, weights };
}

/** Floats in one DATA message (16 MB): a rank that forwards a share needs a buffer of this, not of a whole array. */
export const CHUNK_FLOATS = 1 << 22;

/** Each array travels as DATA messages of at most CHUNK_FLOATS floats, in order; the receiver cuts its arrays alike. */
function chunks(a: Float32Array): Float32Array[] {
  const out: Float32Array[] = [];
  for (let at = 0; at < a.length; at += CHUNK_FLOATS) out.push(a.subarray(at, Math.min(at + CHUNK_FLOATS, a.length)));
  return out;
}

export function sendShare(mpi: MpiBinding, dest: number, share: Share): void {
  mpi.send(jsonBytes(share.assignment), dest, TAG.ASSIGN);
  for (const a of shareArrays(share)) for (const c of chunks(a)) mpi.send(c, dest, TAG.DATA);
}

export function recvShare(mpi: MpiBinding): Share {
  const s = mpi.probe(0, TAG.ASSIGN);
  const bytes = new Uint8Array(s.bytes);
  mpi.recv(bytes, 0, TAG.ASSIGN);
  const assignment = bytesJson<RankAssignment>(bytes);
  const arrays = shareSizes(assignment).map((n) => {
    const a = allocate(n);
    for (const c of chunks(a)) mpi.recv(c, 0, TAG.DATA);
    return a;
  });
  return shareFromArrays(assignment, arrays);
}

/** The driver, with a share folder: every rank's share written there, one at a time (each file whole or absent). */
export function writeShareFiles(dir: string, plan: SharePlan): void {
  plan.assignments.forEach((_, r) => {
    const file = path.join(dir, shareFileName(r));
    const fd = fs.openSync(`${file}.partial`, "w");
    try {
      for (const b of encodeShareFile(plan.assignments[r], shareArrays(plan.share(r)))) fs.writeSync(fd, b);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(`${file}.partial`, file);
  });
}

export function readShareFile(dir: string, rank: number): Share {
  const file = path.join(dir, shareFileName(rank));
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch (e) {
    throw new Error(`${file}: cannot read this rank's share (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); is the share folder on every host?`);
  }
  // Straight into their own memory (the slot shards into memory every thread maps), one copy.
  const { assignment, arrays } = decodeShareFile(file, buf, (a) => shareSizes(a).map(allocate));
  return shareFromArrays(assignment, arrays);
}

/** The order shares travel on mpirun's stdin: ranks 1..R−1 (rank 0 forwards each as it arrives), then rank 0's own. */
export function streamOrder(ranks: number): number[] {
  return [...Array.from({ length: ranks - 1 }, (_, i) => i + 1), 0];
}

/** The driver's stdin stream, a share at a time: the chunks of each, in streamOrder. */
export function* shareStream(plan: SharePlan): Generator<Buffer[]> {
  for (const r of streamOrder(plan.assignments.length)) yield encodeShareFile(plan.assignments[r], shareArrays(plan.share(r)));
}

/** Reads exact byte counts from a stream, holding at most one chunk beyond what was asked. */
export class ByteReader {
  private readonly it: AsyncIterator<Buffer>;
  private pending: Buffer = Buffer.alloc(0);
  private total = 0;

  constructor(stream: AsyncIterable<Buffer | string>, private readonly name: string) {
    const inner = stream[Symbol.asyncIterator]();
    this.it = { next: async () => {
      const r = await inner.next();
      return r.done ? r : { done: false, value: typeof r.value === "string" ? Buffer.from(r.value) : r.value };
    } };
  }

  /** Fill `into` completely; a stream that ends first is an error naming what was being read. */
  async readInto(into: Uint8Array, what: string): Promise<void> {
    let at = 0;
    while (at < into.length) {
      if (this.pending.length === 0) {
        const r = await this.it.next();
        if (r.done) throw new Error(`${this.name}: ended after ${this.total} bytes, inside ${what} (the driver stopped writing?)`);
        this.pending = r.value;
      }
      const n = Math.min(this.pending.length, into.length - at);
      into.set(this.pending.subarray(0, n), at);
      this.pending = this.pending.subarray(n);
      at += n;
      this.total += n;
    }
  }

  async read(bytes: number, what: string): Promise<Buffer> {
    const out = Buffer.alloc(bytes);
    await this.readInto(out, what);
    return out;
  }
}

/** The job was dealt for as many ranks as mpirun started, or one line saying otherwise. */
export function checkRanks(a: RankAssignment, size: number): void {
  if (a.job.ranks !== size) throw new Error(`the job asks for ${a.job.ranks} ranks but mpirun started ${size}`);
}

async function readStreamedAssignment(reader: ByteReader, what: string): Promise<RankAssignment> {
  const n = shareHeaderBytes(await reader.read(12, what), what);
  return JSON.parse((await reader.read(n, what)).toString("utf8")) as RankAssignment;
}

/**
 * Rank 0: pass another rank's share from the stdin stream on to it, a DATA message at a time through
 * one reused buffer of CHUNK_FLOATS (MPI_Send returns once the buffer may be reused), so forwarding
 * holds 16 MB whatever the share's size. Returns the assignment forwarded.
 */
export async function forwardStreamedShare(reader: ByteReader, mpi: MpiBinding, dest: number, what: string, scratch: { buffer: ArrayBuffer }): Promise<RankAssignment> {
  const assignment = await readStreamedAssignment(reader, what);
  checkRanks(assignment, mpi.size());
  mpi.send(jsonBytes(assignment), dest, TAG.ASSIGN);
  for (const { floats } of shareSizes(assignment)) {
    for (let at = 0; at < floats; at += CHUNK_FLOATS) {
      const n = Math.min(CHUNK_FLOATS, floats - at);
      if (scratch.buffer.byteLength < n * 4) scratch.buffer = new ArrayBuffer(n * 4);
      const c = new Float32Array(scratch.buffer, 0, n);
      await reader.readInto(new Uint8Array(c.buffer, 0, c.byteLength), what);
      mpi.send(c, dest, TAG.DATA);
    }
  }
  return assignment;
}

/** One share from the stdin stream (the share-file encoding), its arrays read straight into their own memory. */
export async function readStreamedShare(reader: ByteReader, what: string): Promise<Share> {
  const assignment = await readStreamedAssignment(reader, what);
  const arrays = shareSizes(assignment).map(allocate);
  for (const a of arrays) await reader.readInto(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), what);
  return shareFromArrays(assignment, arrays);
}
