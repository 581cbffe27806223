// Loads the MPI binding (dist/native/mpi.node, built by `npm run build` where Open MPI is installed)
// and says precisely why it is unavailable otherwise. Every thread that calls MPI loads it itself
// (N-API addons load per thread); MPI itself is per process, initialised once by the main thread.
import * as fs from "fs";
import { spawnSync } from "child_process";
import { MPI_ADDON, MPI_BUILD_NOTE, MPI_INSTALL_HINT, MpiBuildNote } from "../native/mpi-paths";

/** What a probe or receive found: the sender, the tag and the message's size in bytes. */
export interface MpiStatus {
  source: number;
  tag: number;
  bytes: number;
}

/** The binding's calls (lib/native/mpi.cc). Source or tag -1 means "any". */
export interface MpiBinding {
  /** MPI_Init_thread(SERIALIZED) once per process; returns the thread level provided. */
  init(): number;
  initialized(): boolean;
  rank(): number;
  size(): number;
  processorName(): string;
  version(): string;
  /** values := Σ values·weight / Σ weight over all ranks, in place, identical on every rank; returns Σ weight. */
  allreduceWeighted(values: Float32Array, weight: number): number;
  bcast(array: ArrayBufferView, root: number): void;
  send(array: ArrayBufferView, dest: number, tag: number): void;
  recv(array: ArrayBufferView, source: number, tag: number): MpiStatus;
  iprobe(source: number, tag: number): MpiStatus | null;
  probe(source: number, tag: number): MpiStatus;
  barrier(): void;
  wtime(): number;
  abort(code: number): never;
  finalize(): void;
}

/** Thrown (one line) when --cluster mpi cannot work here. */
export class MpiUnavailableError extends Error {
  constructor(reason: string) {
    super(`MPI is unavailable: ${reason}; ${MPI_INSTALL_HINT}`);
    this.name = "MpiUnavailableError";
  }
}

let cached: MpiBinding | null = null;

/** Why the binding cannot be loaded in this process, or null when it can. */
export function mpiUnavailableReason(): string | null {
  try {
    loadMpi();
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}

/** The binding, loaded on first use; throws MpiUnavailableError saying why and what to install. */
export function loadMpi(): MpiBinding {
  if (cached) return cached;
  if (!fs.existsSync(MPI_ADDON)) {
    let reason = `${MPI_ADDON} was not built`;
    try {
      const note = JSON.parse(fs.readFileSync(MPI_BUILD_NOTE, "utf8")) as MpiBuildNote;
      if (!note.built) reason = `the MPI binding was not built (${note.reason})`;
    } catch {
      // no note: the build never ran
    }
    throw new MpiUnavailableError(reason);
  }
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    cached = require(MPI_ADDON) as MpiBinding;
  } catch (e) {
    throw new MpiUnavailableError(`${MPI_ADDON} does not load (${(e as Error).message.split("\n")[0]})`);
  }
  return cached;
}

/** mpirun's path and version, or a one-line reason why jobs cannot be started from here. */
export function findMpirun(): { path: string; version: string } {
  const run = spawnSync("mpirun", ["--version"], { encoding: "utf8" });
  if (run.error || run.status !== 0) throw new MpiUnavailableError("mpirun was not found on PATH");
  const which = spawnSync("sh", ["-c", "command -v mpirun"], { encoding: "utf8" });
  return { path: which.stdout.trim() || "mpirun", version: run.stdout.split("\n")[0].trim() };
}

/** Why an MPI job cannot start here (no binding, no mpirun), or null: tests and notebooks skip with it. */
export function mpiJobUnavailableReason(): string | null {
  const reason = mpiUnavailableReason();
  if (reason) return reason;
  try {
    findMpirun();
  } catch (e) {
    return (e as Error).message;
  }
  return null;
}
