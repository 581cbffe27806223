// danfojs-node views of the data for notebooks (head, describe, counts); the library itself
// works on typed columns, DataFrames are only for showing.
import type * as dfd from "danfojs-node";
import { FrameDataset, FrameTable, WindowSet } from "../types";
import { describeSide } from "./describe";

/** danfojs-node on first use: loading it takes ~0.6 s, which the public index must not cost every notebook. */
function danfo(): typeof dfd {
  return require("danfojs-node");
}

/** The frame table (optionally only its first `limit` rows) as a DataFrame with named columns. */
export function frameTableToDataFrame(table: FrameTable, limit = table.rows): dfd.DataFrame {
  const n = Math.min(limit, table.rows);
  const F = table.featureNames.length;
  const columns: Record<string, (string | number)[]> = {
    sequence: table.sequence.slice(0, n),
    frame: Array.from(table.frame.subarray(0, n)),
    label: Array.from(table.label.subarray(0, n)),
  };
  table.featureNames.forEach((name, f) => {
    const col = new Array<number>(n);
    for (let r = 0; r < n; r++) col[r] = table.features[r * F + f];
    columns[name] = col;
  });
  return new (danfo().DataFrame)(columns);
}

/** Sequences and frames per class (fall / ADL). */
export function classCountsFrame(ds: FrameDataset): dfd.DataFrame {
  const rows = [true, false].map((isFall) => {
    const seqs = ds.sequences.filter((s) => s.isFall === isFall);
    const frames = seqs.reduce((a, s) => a + s.length, 0);
    const lengths = seqs.map((s) => s.length);
    return {
      class: isFall ? "fall" : "daily activity",
      sequences: seqs.length,
      frames,
      shortest: lengths.length ? Math.min(...lengths) : 0,
      longest: lengths.length ? Math.max(...lengths) : 0,
    };
  });
  return new (danfo().DataFrame)(rows);
}

/** Split sizes for display: one row per named side. */
export function splitSizesFrame(sides: Record<string, WindowSet>): dfd.DataFrame {
  const rows = Object.entries(sides).map(([side, ws]) => ({ side, ...describeSide(ws) }));
  return new (danfo().DataFrame)(rows);
}
