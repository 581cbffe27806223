// Small operations on FrameTable: finding its sequence blocks and joining tables.

import { FrameTable, SequenceInfo } from "../types";

/** The contiguous blocks of rows sharing a sequence name, in table order. */
export function sequenceBlocks(table: FrameTable, isFall: boolean): SequenceInfo[] {
  const out: SequenceInfo[] = [];
  for (let r = 0; r < table.rows; r++) {
    const last = out[out.length - 1];
    if (last !== undefined && last.id === table.sequence[r]) last.length++;
    else out.push({ id: table.sequence[r], isFall, start: r, length: 1 });
  }
  return out;
}

/** Concatenates tables with the same feature columns, renaming sequences through `rename`. */
export function concatTables(tables: { table: FrameTable; rename?: (id: string) => string }[]): FrameTable {
  if (tables.length === 0) throw new Error("concatTables: no tables given");
  const names = tables[0].table.featureNames;
  const nf = names.length;
  for (const { table } of tables) {
    if (table.featureNames.join(",") !== names.join(",")) {
      throw new Error(`concatTables: feature columns differ (${table.featureNames.join(",")} vs ${names.join(",")})`);
    }
  }
  const rows = tables.reduce((s, t) => s + t.table.rows, 0);
  const sequence: string[] = [];
  const frame = new Int32Array(rows);
  const label = new Int8Array(rows);
  const features = new Float32Array(rows * nf);
  let at = 0;
  for (const { table, rename } of tables) {
    for (const s of table.sequence) sequence.push(rename ? rename(s) : s);
    frame.set(table.frame, at);
    label.set(table.label, at);
    features.set(table.features, at * nf);
    at += table.rows;
  }
  return { rows, sequence, frame, label, features, featureNames: [...names] };
}
