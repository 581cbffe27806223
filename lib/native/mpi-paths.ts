// Where `npm run build` puts the MPI binding (lib/native/mpi.cc) and the note of why it was not built.
import * as path from "path";

/** dist/native, beside dist/lib (this file compiles to dist/lib/native/mpi-paths.js). */
export const MPI_ADDON = path.resolve(__dirname, "..", "..", "native", "mpi.node");
export const MPI_BUILD_NOTE = path.resolve(__dirname, "..", "..", "native", "mpi-build-status.json");

/** What mpi-build-status.json records. */
export interface MpiBuildNote {
  built: boolean;
  reason: string;
  /** `mpirun --version`'s first line when built. */
  mpi?: string;
}

/** The one line `--cluster mpi` prints when the binding is missing. */
export const MPI_INSTALL_HINT = "install Open MPI (apt-get install openmpi-bin libopenmpi-dev), then run npm run build";
