// The fused kernel's two product paths (tiled loops, the linked BLAS) on 128-unit layers against
// tfjs-layers, each path forced and checked by the kernel's own counters; the build's BLAS choice.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/backend";
import { fusableLayer, FusedLayerShape, fusedRnn, GemmPath, gemmStats, kernelWithGemmPath, setGemmPath, GemmStats } from "../../lib/model/fused-rnn";
import { blasFlags } from "../../lib/native/blas-flags";
import { NATIVE_BUILD_NOTE, NativeBuildNote } from "../../lib/native/paths";
import { createRng } from "../../lib/random";
import { addonStatus, nativeSkip, relError as relDiff } from "../fixtures/native-addon";

const status = addonStatus;
const skip = nativeSkip();
const triplet = spawnSync(process.env.CXX || "g++", ["-dumpmachine"], { encoding: "utf8" }).stdout?.trim() || "x86_64-linux-gnu";
// Where libopenblas-dev is installed (and FALL_BLAS does not say otherwise) the build must have linked it.
const blasWanted = blasFlags(process.env, triplet);
const builtNote = fs.existsSync(NATIVE_BUILD_NOTE) ? (JSON.parse(fs.readFileSync(NATIVE_BUILD_NOTE, "utf8")) as NativeBuildNote) : null;
const blasSkip =
  skip ||
  ("skip" in blasWanted ? `no BLAS to link: ${blasWanted.skip}` : false) ||
  (builtNote?.blasReason?.startsWith("FALL_BLAS=") ? `built with ${builtNote.blasReason}` : false);

test("the build linked the BLAS whose header is installed, and says so in build-status.json", { skip: blasSkip }, () => {
  const note = builtNote!;
  assert.equal(note.blas, (blasWanted as { name: string }).name, note.blasReason);
  const stats = gemmStats()!;
  assert.equal(stats.blas, note.blas);
  assert.equal(stats.blasThreads ?? 1, 1, "the BLAS is pinned to one thread");
});

function randomTensor(shape: number[], rng: () => number, scale: number): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: n }, () => (rng() * 2 - 1) * scale), shape);
}

// Tolerance: each gate pre-activation is a float32 dot product of F + U = 152 terms; summed in another
// order (tfjs's matMul, our loops, OpenBLAS's FMA blocks) two results differ by at most ~152 · 2^-24 ≈ 9e-6
// of the terms' magnitude (a worst case; typical errors cancel). Measured here: at most 4.5e-7 relative to
// the largest value, on either path. 2e-5 sits above the worst case and far below what a wrong index or
// gate gives (> 1e-2).
const TOLERANCE = 2e-5;

// 88 units: panels of 32 columns end in a partial one (24 and 16 wide), the micro-kernel's masked tail.
for (const [kind, U] of [["lstm", 128], ["gru", 128], ["lstm", 88], ["gru", 88]] as const) {
  test(`${kind}(${U}), relu/hardSigmoid: forward output and every gradient equal tfjs-layers on the tiled path, the BLAS path and auto (packed micro-kernel)`, { skip }, async () => {
    await initBackend();
    const [B, T, F] = [4, 5, 24];
    const rng = createRng(21);
    const layer = (kind === "lstm" ? tf.layers.lstm : tf.layers.gru)({ units: U, returnSequences: true, activation: "relu", recurrentActivation: "hardSigmoid" });
    const x = randomTensor([B, T, F], rng, 1) as tf.Tensor3D;
    layer.apply(x);
    // Weights of a trained layer's size: some hard-sigmoid inputs leave [-2.5, 2.5] (the clipped branch).
    layer.setWeights(layer.getWeights().map((w) => randomTensor(w.shape, rng, 0.25)));
    const shape = fusableLayer(layer) as FusedLayerShape;
    const [k, r, b] = layer.trainableWeights.map((w) => w.read());
    const probe = randomTensor([B, T, U], rng, 1);
    const stockOut = layer.apply(x) as tf.Tensor;
    const stockX = tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(layer.apply(xx) as tf.Tensor, probe)))(x);
    const stockW = tf.variableGrads(() => tf.sum(tf.mul(layer.apply(x) as tf.Tensor, probe)) as tf.Scalar, layer.trainableWeights.map((w) => w.read() as tf.Variable));
    const stock = [stockX, ...layer.trainableWeights.map((w) => stockW.grads[(w.read() as tf.Variable).name])];
    // auto: the per-step products on the packed AVX-512 micro-kernel where the build has it
    const paths: GemmPath[] = [...(gemmStats()?.blas ? ["tiled", "blas"] as const : ["tiled"] as const), ...(gemmStats()?.packedBuilt ? ["auto"] as const : [])];
    const results: tf.Tensor[][] = [];
    const saved = gemmStats()!;
    try {
      for (const path of paths) {
        setGemmPath(path);
        const before = gemmStats()!;
        const out = fusedRnn(shape, x, k, r, b);
        const grads = tf.grads((xx: tf.Tensor, kk: tf.Tensor, rr: tf.Tensor, bb: tf.Tensor) => tf.sum(tf.mul(fusedRnn(shape, xx as tf.Tensor3D, kk, rr, bb), probe)))([x, k, r, b]);
        const after = gemmStats()!;
        // The forced path did every product: the other paths' counters did not move.
        const moved = { tiled: after.tiledMacs - before.tiledMacs, blas: after.blasMacs - before.blasMacs, packed: (after.packedMacs ?? 0) - (before.packedMacs ?? 0) };
        if (path === "auto") {
          assert.ok(moved.packed > 0, "auto: the packed micro-kernel did no per-step product");
        } else {
          const [did, idle] = path === "blas" ? [moved.blas, moved.tiled + moved.packed] : [moved.tiled, moved.blas + moved.packed];
          assert.ok(did > 0, `${path}: no products counted`);
          assert.equal(idle, 0, `${path}: the other paths did products`);
        }
        const dOut = relDiff(out, stockOut);
        assert.ok(dOut < TOLERANCE, `${path}: forward differs from tfjs-layers by ${dOut} (relative)`);
        ["x", "kernel", "recurrentKernel", "bias"].forEach((name, i) => {
          const d = relDiff(grads[i], stock[i]);
          assert.ok(d < TOLERANCE, `${path}: d loss / d ${name} differs from tfjs-layers by ${d} (relative)`);
        });
        assert.ok(tf.max(tf.abs(grads[2])).dataSync()[0] > 1e-3, "recurrent-kernel gradient is not all zeros");
        results.push([out, ...grads]);
      }
    } finally {
      setGemmPath((["auto", "tiled", "blas"] as const)[saved.mode], saved.minMacs);
    }
    results.slice(1).forEach((r, p) => results[0].forEach((t, i) => assert.ok(relDiff(r[i], t) < TOLERANCE, `tiled vs ${paths[p + 1]}, output ${i}`)));
  });
}

test("a run is labelled with the BLAS only when the BLAS did products in it", () => {
  const stats = (blasMacs: number, blas: string | null = "openblas"): GemmStats => ({ blas, mode: 0, minMacs: 0, tiledMacs: 0, blasMacs });
  assert.equal(kernelWithGemmPath("fused-native", stats(10), stats(20)), "fused-native+openblas");
  assert.equal(kernelWithGemmPath("fused-native", stats(10), stats(10)), "fused-native");
  assert.equal(kernelWithGemmPath("fused-native", stats(0, null), stats(0, null)), "fused-native");
  assert.equal(kernelWithGemmPath("tfjs-layers", stats(10), stats(20)), "tfjs-layers");
  assert.equal(kernelWithGemmPath("fused-native", null, null), "fused-native");
  assert.equal(kernelWithGemmPath("fused-native-step", { ...stats(10), packedMacs: 5 }, { ...stats(20), packedMacs: 9 }), "fused-native-step+openblas+avx512");
  assert.equal(kernelWithGemmPath("fused-native-step", { ...stats(10), packedMacs: 5 }, { ...stats(10), packedMacs: 5 }), "fused-native-step");
});

test("the build's BLAS choice: FALL_BLAS, the header, and why not", () => {
  const has = (...files: string[]) => (p: string) => files.includes(p);
  const openblasHeader = "/usr/include/x86_64-linux-gnu/openblas-pthread/cblas.h";
  const ok = blasFlags({}, "x86_64-linux-gnu", has(openblasHeader));
  assert.deepEqual(ok, { name: "openblas", cflags: ["-DFALL_BLAS_OPENBLAS", "-I/usr/include/x86_64-linux-gnu/openblas-pthread"], libs: ["-lopenblas"] });
  assert.deepEqual(blasFlags({ FALL_BLAS: "none" }, "x86_64-linux-gnu", has(openblasHeader)), { skip: "FALL_BLAS=none" });
  assert.match((blasFlags({}, "x86_64-linux-gnu", has()) as { skip: string }).skip, /no openblas cblas.h \(install libopenblas-dev\)/);
  assert.match((blasFlags({ FALL_BLAS: "mkl" }, "x86_64-linux-gnu", has()) as { skip: string }).skip, /not one of openblas, blis, none/);
  const blis = blasFlags({ FALL_BLAS: "blis" }, "x86_64-linux-gnu", has("/usr/include/x86_64-linux-gnu/blis-openmp/cblas.h"));
  assert.deepEqual(blis, { name: "blis", cflags: ["-DFALL_BLAS_BLIS", "-I/usr/include/x86_64-linux-gnu/blis-openmp"], libs: ["-lblis"] });
  // A generic /usr/include/cblas.h (reference CBLAS) is not taken for OpenBLAS's.
  assert.ok("skip" in blasFlags({}, "x86_64-linux-gnu", has("/usr/include/cblas.h")));
});
