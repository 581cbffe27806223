// Which Debian BLAS the fused kernel's build links, and the compiler flags for it. OpenBLAS by default
// (libopenblas-dev); BLIS only when asked (FALL_BLAS=blis): Debian's BLIS 0.9.0 does not know this CPU
// and runs its generic kernels, slower than our own tiled loops (docs/kernel-blas.md).
import * as fs from "fs";
import * as path from "path";

/** FALL_BLAS=openblas|blis|none picks the BLAS (none: tiled loops only); unset means openblas. */
export const BLAS_ENV = "FALL_BLAS";

export type BlasName = "openblas" | "blis";

export interface BlasFlags {
  name: BlasName;
  /** Compiler arguments before the source (define + include dir) and after it (the library). */
  cflags: string[];
  libs: string[];
}

/** Where Debian puts each BLAS's cblas.h (multiarch, pthread build first), then other distributions'. */
function headerDirs(name: BlasName, triplet: string): string[] {
  const multi = path.join("/usr/include", triplet);
  return name === "openblas"
    ? [path.join(multi, "openblas-pthread"), path.join(multi, "openblas-openmp"), "/usr/include/openblas", "/usr/include"]
    : [path.join(multi, "blis-pthread"), path.join(multi, "blis-openmp"), "/usr/include/blis"];
}

/** The BLAS to try, or why none: the header must be there (the -dev package); linking is tried by the build. */
export function blasFlags(env: NodeJS.ProcessEnv, triplet: string, exists: (p: string) => boolean = fs.existsSync): BlasFlags | { skip: string } {
  const want = (env[BLAS_ENV] ?? "openblas").toLowerCase();
  if (want === "none") return { skip: `${BLAS_ENV}=none` };
  if (want !== "openblas" && want !== "blis") return { skip: `${BLAS_ENV}=${want} is not one of openblas, blis, none` };
  const name = want as BlasName;
  const dir = headerDirs(name, triplet).find((d) => exists(path.join(d, "cblas.h")) && (name === "blis" || d.includes("openblas") || exists(path.join(d, "openblas_config.h"))));
  if (!dir) return { skip: `no ${name} cblas.h (install ${name === "openblas" ? "libopenblas-dev" : "libblis-dev"})` };
  return { name, cflags: [`-DFALL_BLAS_${name.toUpperCase()}`, `-I${dir}`], libs: [`-l${name}`] };
}
