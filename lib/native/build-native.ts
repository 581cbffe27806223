// `npm run build` step: compiles lib/native/fused_rnn.cc, train_step.cc, stream_step.cc, slot_average.cc and gather_rows.cc into dist/native/fused_rnn.node with the
// machine's C++ compiler against Node's own headers (no download). When that cannot work the build
// still succeeds: it writes why into dist/native/build-status.json and training uses tfjs-layers,
// which `npm run pipeline`, the bench and notebook 05 then report.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { cpuFlags, cpuSignature, NATIVE_ADDON, NATIVE_BUILD_NOTE, NATIVE_DIR, NativeBuildNote } from "./paths";
import { OPENBLAS_CORETYPE_ENV, openblasCoreFor } from "./openblas-core";
import { findProjectRoot } from "../data/project-root";
import { blasFlags } from "./blas-flags";
import { buildMpiAddon } from "./build-mpi";

/** Node's C headers: beside the node binary (Debian, official tarballs), or npm's nodedir. */
function nodeIncludeDir(): string | null {
  const candidates = [
    path.resolve(path.dirname(process.execPath), "..", "include", "node"),
    process.env.npm_config_nodedir ? path.join(process.env.npm_config_nodedir, "include", "node") : "",
  ].filter(Boolean);
  return candidates.find((dir) => fs.existsSync(path.join(dir, "node_api.h"))) ?? null;
}

function writeNote(note: NativeBuildNote): void {
  fs.writeFileSync(NATIVE_BUILD_NOTE, JSON.stringify(note, null, 2) + "\n");
}

/** What OpenBLAS picks here on its own (asked in a child, OPENBLAS_CORETYPE unset), and the core to ask for instead where it fell back. */
function openblasCoreNote(): Pick<NativeBuildNote, "blasCore" | "blasCoreType" | "blasCoreReason"> {
  const env = { ...process.env };
  delete env[OPENBLAS_CORETYPE_ENV];
  const probe = spawnSync(process.execPath, ["-e", `process.stdout.write(require(${JSON.stringify(NATIVE_ADDON)}).gemmStats().blasCore || "")`], { encoding: "utf8", env });
  const detected = probe.status === 0 ? probe.stdout.trim() : "";
  if (!detected) {
    console.warn(`fused RNN kernel: could not ask OpenBLAS which kernels it picked (${(probe.stderr || `exit ${probe.status}`).split("\n")[0]})`);
    return {};
  }
  const better = openblasCoreFor(detected, cpuFlags());
  if (better) console.warn(`fused RNN kernel: ${better.reason}`);
  return { blasCore: detected, ...(better ? { blasCoreType: better.core, blasCoreReason: better.reason } : {}) };
}

function main(): number {
  fs.mkdirSync(NATIVE_DIR, { recursive: true });
  // The per-layer kernel, the whole training step and the streaming step: one addon, sharing rnn_kernel.h.
  const sources = ["fused_rnn.cc", "train_step.cc", "stream_step.cc", "slot_average.cc", "gather_rows.cc"].map((f) => path.join(findProjectRoot(), "lib", "native", f));
  const cxx = process.env.CXX || "g++";
  const include = nodeIncludeDir();
  const skip = (reason: string): number => {
    fs.rmSync(NATIVE_ADDON, { force: true });
    writeNote({ built: false, reason });
    console.warn(`fused RNN kernel not built: ${reason}. Training uses tfjs-layers' kernels (slower, same results).`);
    return 0;
  };
  if (process.env.FALL_NATIVE_BUILD === "0") return skip("FALL_NATIVE_BUILD=0");
  if (!include) return skip(`Node's headers (node_api.h) not found beside ${process.execPath}`);
  // Built where it runs, so -march=native is safe and lets the compiler use the CPU's vector units.
  const tmp = `${NATIVE_ADDON}.tmp-${process.pid}`;
  // -fno-trapping-math and -fno-thread-jumps let GCC vectorise the gate loops (floorf in fastExp, and
  // the clamps jump threading split into branches): scalar, they took half of an LSTM step. Same values.
  const optimise = ["-O3", "-march=native", "-fno-trapping-math", "-fno-thread-jumps"];
  const args = [...optimise, "-std=c++17", "-shared", "-fPIC", "-fno-exceptions", `-I${include}`, "-DNODE_GYP_MODULE_NAME=fused_rnn", ...sources, "-o", tmp];
  // With a Debian BLAS for the large products when it links; else the tiled loops alone, and the note says why.
  const triplet = spawnSync(cxx, ["-dumpmachine"], { encoding: "utf8" }).stdout?.trim() || "x86_64-linux-gnu";
  const blas = blasFlags(process.env, triplet);
  let blasNote: Pick<NativeBuildNote, "blas" | "blasReason"> = { blas: null, blasReason: "skip" in blas ? blas.skip : "" };
  if (!("skip" in blas)) {
    const withBlas = spawnSync(cxx, [...blas.cflags, ...args, ...blas.libs], { encoding: "utf8" });
    if (!withBlas.error && withBlas.status === 0) {
      fs.renameSync(tmp, NATIVE_ADDON);
      writeNote({ built: true, reason: `built with ${cxx} ${optimise.join(" ")} ${[...blas.cflags, ...blas.libs].join(" ")}`, cpu: cpuSignature(), blas: blas.name, blasReason: `linked ${blas.libs.join(" ")}`, ...(blas.name === "openblas" ? openblasCoreNote() : {}) });
      return 0;
    }
    const first = (withBlas.stderr || "").split("\n").find((l) => l.includes("error")) ?? `exit ${withBlas.status}`;
    blasNote = { blas: null, blasReason: `${blas.name} did not link (${first.trim()}): tiled loops only` };
    console.warn(`fused RNN kernel: ${blasNote.blasReason}`);
  }
  const run = spawnSync(cxx, args, { encoding: "utf8" });
  if (run.error) return skip(`${cxx} could not run (${(run.error as NodeJS.ErrnoException).code ?? run.error.message})`);
  if (run.status !== 0) {
    fs.rmSync(tmp, { force: true });
    const first = (run.stderr || "").split("\n").find((l) => l.includes("error")) ?? `exit ${run.status}`;
    return skip(`${cxx} failed on ${sources.map((s) => path.relative(findProjectRoot(), s)).join(" + ")}: ${first.trim()}`);
  }
  fs.renameSync(tmp, NATIVE_ADDON);
  writeNote({ built: true, reason: `built with ${cxx} ${optimise.join(" ")}`, cpu: cpuSignature(), ...blasNote });
  return 0;
}

process.exitCode = main();
// The MPI binding is independent of the kernel: built (or skipped, with its own note) either way.
buildMpiAddon(nodeIncludeDir());
