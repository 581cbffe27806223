// Rebuilds the data set a previous step used from its saved provenance, so later notebooks and
// resumed runs see exactly the same frames without copying them.
import { DataProvenance, FrameDataset } from "../types";
import { loadUrfd } from "../data/load";
import { generateSynthetic } from "../data/synthetic";

export interface DataStep {
  provenance: DataProvenance;
  /** Seed the synthetic generator used (only meaningful for synthetic data). */
  syntheticSeed: number;
}

export function parseDataStep(value: unknown, where: string): DataStep {
  const v = value as Partial<DataStep> | null;
  const p = v?.provenance;
  if (!v || !p || (p.source !== "urfd" && p.source !== "synthetic") || typeof v.syntheticSeed !== "number") {
    throw new Error(`${where}: not a data step (expected {provenance: {source, dir, files, note}, syntheticSeed})`);
  }
  if (p.source === "urfd" && typeof p.dir !== "string") throw new Error(`${where}: URFD provenance without a folder`);
  return v as DataStep;
}

export function reloadDataset(step: DataStep): FrameDataset {
  if (step.provenance.source === "urfd") return loadUrfd(step.provenance.dir as string, step.provenance.note);
  const ds = generateSynthetic({ seed: step.syntheticSeed });
  ds.provenance.note = step.provenance.note;
  return ds;
}
