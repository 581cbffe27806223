// Rebuilds the data set a previous step used from its saved provenance, so later notebooks and
// resumed runs see exactly the same frames without copying them.
import { DataProvenance, FrameDataset } from "../types";
import { loadUrfd } from "../data/load";
import { generateSynthetic } from "../data/synthetic";

/** What 01-load-data saves (validated by parseDataStep in notebook-steps.ts). */
export interface DataStep {
  provenance: DataProvenance;
  /** Seed the synthetic generator used (only meaningful for synthetic data). */
  syntheticSeed: number;
}

export function reloadDataset(step: DataStep): FrameDataset {
  const { source, dir, note } = step.provenance;
  if (source === "urfd") {
    if (dir === null) throw new TypeError(`URFD provenance without a folder: ${note}`);
    return loadUrfd(dir, note);
  }
  const ds = generateSynthetic({ seed: step.syntheticSeed });
  ds.provenance.note = step.provenance.note;
  return ds;
}
