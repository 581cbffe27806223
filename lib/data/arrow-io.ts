// WindowSets on disk as Arrow IPC files: what the trainer's workers read, and readable by pyarrow.
//
// Layout: x FixedSizeList<Float32>[T*F] (one window per row, time-major: t0 f0..fF-1, t1 ...),
// y Float32, seq Int32, lastFrame Int32; schema metadata "windowset.*" holds T, F, featureNames,
// sequenceIds and sequenceIsFall as JSON. In pyarrow: np.stack(t["x"].to_numpy(zero_copy_only=False))
// .reshape(-1, T, F).

import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  DataType,
  Field,
  FixedSizeList,
  Float32,
  Int32,
  Precision,
  RecordBatch,
  Schema,
  Struct,
  Table,
  makeData,
  tableFromIPC,
  tableToIPC,
} from "apache-arrow";
import { WindowSet } from "../types";
import { takeWindows } from "./split";

/** Format tag in the metadata, bumped if the layout ever changes. */
export const WINDOWSET_FORMAT = "fall-detection-windowset/1";

const META = {
  format: "windowset.format",
  T: "windowset.T",
  F: "windowset.F",
  featureNames: "windowset.featureNames",
  sequenceIds: "windowset.sequenceIds",
  sequenceIsFall: "windowset.sequenceIsFall",
} as const;

function toTable(ws: WindowSet): Table {
  const block = ws.T * ws.F;
  if (ws.x.length !== ws.count * block) throw new Error(`writeWindowSet: x has ${ws.x.length} values, expected count×T×F = ${ws.count * block}`);
  const xType = new FixedSizeList(block, new Field("item", new Float32(), false));
  const fields = [
    new Field("x", xType, false),
    new Field("y", new Float32(), false),
    new Field("seq", new Int32(), false),
    new Field("lastFrame", new Int32(), false),
  ];
  const metadata = new Map<string, string>([
    [META.format, WINDOWSET_FORMAT],
    [META.T, String(ws.T)],
    [META.F, String(ws.F)],
    [META.featureNames, JSON.stringify(ws.featureNames)],
    [META.sequenceIds, JSON.stringify(ws.sequenceIds)],
    [META.sequenceIsFall, JSON.stringify(Array.from(ws.sequenceIsFall))],
  ]);
  const schema = new Schema(fields, metadata);
  const n = ws.count;
  const children = [
    makeData({ type: xType, length: n, nullCount: 0, child: makeData({ type: new Float32(), length: n * block, nullCount: 0, data: ws.x }) }),
    makeData({ type: new Float32(), length: n, nullCount: 0, data: ws.y }),
    makeData({ type: new Int32(), length: n, nullCount: 0, data: ws.seq }),
    makeData({ type: new Int32(), length: n, nullCount: 0, data: ws.lastFrame }),
  ];
  const batch = new RecordBatch(schema, makeData({ type: new Struct(fields), length: n, nullCount: 0, children }));
  return new Table(schema, batch);
}

/** Writes bytes to `path + ".tmp"` then renames, so a reader never sees half a file. */
function writeAtomically(path: string, bytes: Uint8Array): void {
  const tmp = `${path}.tmp`;
  try {
    writeFileSync(tmp, bytes);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** Writes one WindowSet as an Arrow IPC file (`.arrow`). */
export function writeWindowSet(path: string, ws: WindowSet): void {
  writeAtomically(path, tableToIPC(toTable(ws), "file"));
}

class SchemaError extends Error {
  constructor(file: string, problem: string) {
    super(`${file}: not a WindowSet Arrow file: ${problem}`);
    this.name = "SchemaError";
  }
}

function isFloat32(t: DataType): boolean {
  return DataType.isFloat(t) && t.precision === Precision.SINGLE;
}

function isInt32(t: DataType): boolean {
  return DataType.isInt(t) && t.bitWidth === 32 && t.isSigned;
}

function metaJson(meta: Map<string, string>, key: string, file: string): unknown {
  const raw = meta.get(key);
  if (raw === undefined) throw new SchemaError(file, `metadata "${key}" is missing`);
  try {
    return JSON.parse(raw);
  } catch {
    throw new SchemaError(file, `metadata "${key}" is not JSON`);
  }
}

function metaInt(meta: Map<string, string>, key: string, file: string): number {
  const v = metaJson(meta, key, file);
  if (typeof v !== "number" || !Number.isInteger(v) || v <= 0) throw new SchemaError(file, `metadata "${key}" must be a positive integer`);
  return v;
}

function metaStrings(meta: Map<string, string>, key: string, file: string): string[] {
  const v = metaJson(meta, key, file);
  if (!Array.isArray(v) || !v.every((s): s is string => typeof s === "string")) throw new SchemaError(file, `metadata "${key}" must be a list of strings`);
  return v;
}

/** Reads a file written by writeWindowSet; anything else is an Error naming the file. */
export function readWindowSet(path: string): WindowSet {
  let table: Table;
  try {
    table = tableFromIPC(readFileSync(path));
  } catch (e) {
    throw new SchemaError(path, `cannot read it as Arrow IPC (${e instanceof Error ? e.message : String(e)})`);
  }
  const meta = table.schema.metadata;
  if (meta.get(META.format) !== WINDOWSET_FORMAT) throw new SchemaError(path, `metadata "${META.format}" is not ${WINDOWSET_FORMAT}`);
  const T = metaInt(meta, META.T, path);
  const F = metaInt(meta, META.F, path);
  const featureNames = metaStrings(meta, META.featureNames, path);
  const sequenceIds = metaStrings(meta, META.sequenceIds, path);
  const isFall = metaJson(meta, META.sequenceIsFall, path);
  if (!Array.isArray(isFall) || isFall.length !== sequenceIds.length || !isFall.every((v) => v === 0 || v === 1)) {
    throw new SchemaError(path, `metadata "${META.sequenceIsFall}" must be 0/1 per sequence id`);
  }
  if (featureNames.length !== F) throw new SchemaError(path, `${featureNames.length} feature names for F=${F}`);

  const col = (name: string, ok: (t: DataType) => boolean, want: string) => {
    const field = table.schema.fields.find((f) => f.name === name);
    if (field === undefined) throw new SchemaError(path, `column "${name}" is missing`);
    if (!ok(field.type)) throw new SchemaError(path, `column "${name}" is ${String(field.type)}, expected ${want}`);
    const v = table.getChild(name);
    if (v === null) throw new SchemaError(path, `column "${name}" is missing`);
    if (v.nullCount > 0) throw new SchemaError(path, `column "${name}" has nulls`);
    return v;
  };
  const block = T * F;
  const xVec = col(
    "x",
    (t) => DataType.isFixedSizeList(t) && t.listSize === block && isFloat32(t.valueType),
    `FixedSizeList<Float32>[${block}]`,
  );
  const count = table.numRows;
  const x = new Float32Array(count * block);
  let at = 0;
  for (const chunk of xVec.data) {
    // Slicing a FixedSizeList slices its child too, so the child's values start at this chunk.
    const values = chunk.children[0].values;
    if (!(values instanceof Float32Array)) throw new SchemaError(path, `column "x" does not hold Float32 values`);
    x.set(values.subarray(0, chunk.length * block), at);
    at += chunk.length * block;
  }
  const y = Float32Array.from(col("y", isFloat32, "Float32").toArray());
  const seq = Int32Array.from(col("seq", isInt32, "Int32").toArray());
  const lastFrame = Int32Array.from(col("lastFrame", isInt32, "Int32").toArray());
  for (let i = 0; i < count; i++) {
    if (seq[i] < 0 || seq[i] >= sequenceIds.length) throw new SchemaError(path, `row ${i}: seq ${seq[i]} is not an index into ${sequenceIds.length} sequence ids`);
  }
  return {
    count,
    T,
    F,
    x,
    y,
    seq,
    lastFrame,
    sequenceIds,
    sequenceIsFall: Uint8Array.from(isFall),
    featureNames,
  };
}

/**
 * Splits `ws` into `parts` files `<dir>/<prefix>-<i>.arrow` for data-parallel workers. Windows are
 * dealt round-robin, fall windows first and the rest continuing the deal, so partition sizes
 * differ by at most one window and each holds its share of fall windows (±1); each file keeps
 * its windows in the original order and the full metadata. Returns the paths in partition order.
 */
export function writePartitions(dir: string, ws: WindowSet, parts: number, prefix: string): string[] {
  if (!Number.isInteger(parts) || parts < 1) throw new RangeError(`writePartitions: parts must be a positive integer, got ${parts}`);
  if (parts > ws.count) throw new RangeError(`writePartitions: ${parts} partitions for ${ws.count} windows would leave some empty`);
  if (!/^[\w.-]+$/.test(prefix)) throw new RangeError(`writePartitions: prefix must be a plain file name part, got ${JSON.stringify(prefix)}`);
  const order: number[] = [];
  for (let i = 0; i < ws.count; i++) if (ws.y[i] === 1) order.push(i);
  for (let i = 0; i < ws.count; i++) if (ws.y[i] !== 1) order.push(i);
  const members: number[][] = Array.from({ length: parts }, () => []);
  order.forEach((w, k) => members[k % parts].push(w));
  mkdirSync(dir, { recursive: true });
  return members.map((m, p) => {
    const path = join(dir, `${prefix}-${p}.arrow`);
    writeWindowSet(path, takeWindows(ws, m.sort((a, b) => a - b)));
    return path;
  });
}
