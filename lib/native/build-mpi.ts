// `npm run build` step (called by build-native.ts): compiles lib/native/mpi.cc into
// dist/native/mpi.node against libmpi, only where Open MPI's compiler wrapper `mpicc` is present.
// Elsewhere the build still succeeds and dist/native/mpi-build-status.json says why; everything but
// `--cluster mpi` works without it (as training works without the fused kernel).
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { findProjectRoot } from "../data/project-root";
import { MPI_ADDON, MPI_BUILD_NOTE, MpiBuildNote } from "./mpi-paths";

function writeNote(note: MpiBuildNote): void {
  fs.mkdirSync(path.dirname(MPI_BUILD_NOTE), { recursive: true });
  fs.writeFileSync(MPI_BUILD_NOTE, JSON.stringify(note, null, 2) + "\n");
}

/** `mpicc --showme:<what>` split into arguments, or null when mpicc cannot run. */
function showme(mpicc: string, what: "compile" | "link"): string[] | null {
  const run = spawnSync(mpicc, [`--showme:${what}`], { encoding: "utf8" });
  if (run.error || run.status !== 0) return null;
  return run.stdout.trim().split(/\s+/).filter(Boolean);
}

/** Build the binding; `nodeInclude` is the folder holding node_api.h (null when not found). Never throws. */
export function buildMpiAddon(nodeInclude: string | null): void {
  const skip = (reason: string): void => {
    fs.rmSync(MPI_ADDON, { force: true });
    writeNote({ built: false, reason });
    console.warn(`MPI binding not built: ${reason}. Everything but --cluster mpi works without it.`);
  };
  if (process.env.FALL_MPI_BUILD === "0") return skip("FALL_MPI_BUILD=0");
  if (!nodeInclude) return skip(`Node's headers (node_api.h) not found beside ${process.execPath}`);
  const mpicc = process.env.MPICC || "mpicc";
  const compile = showme(mpicc, "compile");
  const link = showme(mpicc, "link");
  if (!compile || !link) return skip(`${mpicc} not found (apt-get install openmpi-bin libopenmpi-dev)`);
  const cxx = process.env.CXX || "g++";
  const source = path.join(findProjectRoot(), "lib", "native", "mpi.cc");
  const tmp = `${MPI_ADDON}.tmp-${process.pid}`;
  // OMPI_SKIP_MPICXX: without it the addon fails to load (undefined symbol from the C++ bindings).
  const args = ["-O2", "-std=c++17", "-shared", "-fPIC", "-DOMPI_SKIP_MPICXX=1", "-DNODE_GYP_MODULE_NAME=mpi", `-I${nodeInclude}`, ...compile, source, ...link, "-o", tmp];
  const run = spawnSync(cxx, args, { encoding: "utf8" });
  if (run.error) return skip(`${cxx} could not run (${(run.error as NodeJS.ErrnoException).code ?? run.error.message})`);
  if (run.status !== 0) {
    fs.rmSync(tmp, { force: true });
    const first = (run.stderr || "").split("\n").find((l) => l.includes("error")) ?? `exit ${run.status}`;
    return skip(`${cxx} failed on lib/native/mpi.cc: ${first.trim()}`);
  }
  fs.renameSync(tmp, MPI_ADDON);
  const version = spawnSync("mpirun", ["--version"], { encoding: "utf8" });
  const mpi = version.error ? "mpirun not found (the binding is built but jobs cannot be started)" : version.stdout.split("\n")[0].trim();
  writeNote({ built: true, reason: `built with ${cxx} and ${mpicc} --showme flags`, mpi });
}
