// Writes a data set back in the official URFD CSV layout (two files, no header), e.g. to run the
// pipeline on synthetic data from a folder, exactly as it would run on the real files.
import * as path from "node:path";
import { FrameDataset } from "../types";
import { writeFileAtomic } from "../run/atomic";
import { URFD_FILES } from "./load";

export function urfdCsvText(ds: FrameDataset, falls: boolean): string {
  const { table } = ds;
  const F = table.featureNames.length;
  const lines: string[] = [];
  for (const s of ds.sequences) {
    if (s.isFall !== falls) continue;
    for (let r = s.start; r < s.start + s.length; r++) {
      const feats = Array.from(table.features.subarray(r * F, (r + 1) * F), (v) => String(v));
      lines.push([s.id, table.frame[r], table.label[r], ...feats].join(","));
    }
  }
  return lines.join("\n") + "\n";
}

/** Writes urfall-cam0-falls.csv and urfall-cam0-adls.csv into `dir`; returns their paths. */
export function writeUrfdFolder(dir: string, ds: FrameDataset): { falls: string; adls: string } {
  const falls = path.join(dir, URFD_FILES.falls);
  const adls = path.join(dir, URFD_FILES.adls);
  writeFileAtomic(falls, urfdCsvText(ds, true));
  writeFileAtomic(adls, urfdCsvText(ds, false));
  return { falls, adls };
}
