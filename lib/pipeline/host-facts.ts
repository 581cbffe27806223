// Which machine computed a run: a seed's figures repeat where OpenBLAS runs the same kernels
// (docs/results.md, "A seventh round"), so metrics.json names the CPU and the kernels.
import * as os from "node:os";
import { gemmStats } from "../model/fused-rnn";
import { openblasCoreChoice } from "../native/openblas-core";

export interface HostFacts {
  /** The CPU model of the process that wrote metrics.json (with --cluster mpi the ranks ran on their own hosts). */
  cpu: string;
  cpus: number;
  /** OpenBLAS's kernels in this process (openblas_get_corename), null without OpenBLAS. */
  blasCore: string | null;
  /** Who chose them: OpenBLAS by CPU model, this project where OpenBLAS fell back to its generic kernels, or OPENBLAS_CORETYPE. */
  blasCoreBy?: "openblas" | "project" | "user";
}

export function hostFacts(): HostFacts {
  const blasCore = gemmStats()?.blasCore ?? null;
  const by = openblasCoreChoice();
  return { cpu: os.cpus()[0]?.model ?? "unknown", cpus: os.cpus().length, blasCore, ...(blasCore && by ? { blasCoreBy: by } : {}) };
}

/** The host in words, for the report. */
export function hostSentence(h: HostFacts | undefined): string {
  if (!h) return "";
  const by = h.blasCoreBy === "project" ? ", chosen by this project: OpenBLAS fell back to its generic kernels on this CPU" : h.blasCoreBy === "user" ? ", chosen by OPENBLAS_CORETYPE" : "";
  return ` Computed on ${h.cpus} × ${h.cpu}${h.blasCore ? `, OpenBLAS's ${h.blasCore} kernels${by}` : ""}.`;
}
