// OpenBLAS's kernels: where a DYNAMIC_ARCH OpenBLAS falls back to its generic ones on a CPU it does not
// know, every process of ours asks for the kernels the CPU's flags run; elsewhere OpenBLAS chooses, and
// OPENBLAS_CORETYPE from the user always wins.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { openblasCoreFor, OPENBLAS_CORETYPE_ENV } from "../../lib/native/openblas-core";
import { readBuildNote } from "../../lib/native/paths";

const AVX512 = ["avx2", "fma", "avx512f", "avx512bw", "avx512dq", "avx512vl"];

test("openblasCoreFor: only on the generic fallback, the best core the flags run", () => {
  assert.equal(openblasCoreFor("Prescott", [...AVX512, "avx512_bf16"])?.core, "Cooperlake");
  assert.equal(openblasCoreFor("Prescott", AVX512)?.core, "SkylakeX");
  assert.equal(openblasCoreFor("Prescott", ["avx2", "fma"])?.core, "Haswell");
  assert.equal(openblasCoreFor("Prescott", ["sse4_2", "avx"]), null, "nothing better than SSE3 kernels to ask for");
  assert.equal(openblasCoreFor("Prescott", ["avx512f"])?.core, undefined, "AVX-512F alone is not SkylakeX's set");
  for (const known of ["Haswell", "SkylakeX", "Zen", "Cooperlake"]) assert.equal(openblasCoreFor(known, [...AVX512, "avx512_bf16"]), null, `${known}: OpenBLAS recognised the CPU`);
  assert.match(openblasCoreFor("Prescott", AVX512)!.reason, /fell back to its generic Prescott kernels; the CPU has AVX-512, so OPENBLAS_CORETYPE=SkylakeX/);
});

const note = readBuildNote();
const noOpenblas = note?.blas !== "openblas" || !note.blasCore ? "the kernel was not built with OpenBLAS" : false;
const DIST_LIB = path.resolve(__dirname, "..", "..", "lib");

/** The core OpenBLAS runs in a fresh process, after a 1-worker fit whose worker thread loads it, or after the main thread does. */
function coreInChild(env: NodeJS.ProcessEnv, viaWorker: boolean): string {
  const script = viaWorker
    ? `const { DistributedModel } = require(${JSON.stringify(path.join(DIST_LIB, "distributed"))});
       const { gemmStats } = require(${JSON.stringify(path.join(DIST_LIB, "model", "fused-rnn"))});
       (async () => {
         const dm = await DistributedModel.create({ model: { type: "rnn", options: { kind: "gru", timesteps: 4, features: 2, units: [3], seed: 1 } }, config: { mode: "gradients", numWorkers: 1, batchSize: 4 } });
         const x = new Float32Array(8 * 4 * 2).map((_, i) => Math.sin(i)); const y = new Float32Array(8).map((_, i) => i % 2);
         await dm.fit({ x, y, count: 8, T: 4, F: 2 }, { epochs: 1 });
         process.stdout.write(gemmStats().blasCore);
       })();`
    : `process.stdout.write(require(${JSON.stringify(path.join(DIST_LIB, "model", "fused-rnn"))}).gemmStats().blasCore)`;
  const r = spawnSync(process.execPath, ["-e", script], { encoding: "utf8", env });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

test("a process runs the build note's core (OpenBLAS's own, or the one asked for where it fell back); the user's OPENBLAS_CORETYPE wins", { skip: noOpenblas }, () => {
  const env = { ...process.env };
  delete env[OPENBLAS_CORETYPE_ENV];
  const expected = note!.blasCoreType ?? note!.blasCore!;
  assert.equal(coreInChild(env, false), expected);
  assert.equal(coreInChild(env, true), expected, "a worker thread loading OpenBLAS first gets the same kernels");
  assert.equal(coreInChild({ ...env, [OPENBLAS_CORETYPE_ENV]: "Haswell" }, false), "Haswell");
});
