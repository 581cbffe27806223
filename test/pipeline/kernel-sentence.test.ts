import { test } from "node:test";
import assert from "node:assert/strict";
import { kernelSentence } from "../../lib/pipeline/report";

test("kernelSentence names the BLAS and the packed AVX-512 micro-kernel when the label carries them", () => {
  assert.match(kernelSentence({ kernel: "fused-native-step+openblas+avx512" }), /whole step in native code .* with OpenBLAS \(one thread\) for its matrix products and an AVX-512 micro-kernel over packed weights for the per-step ones/);
  assert.match(kernelSentence({ kernel: "fused-native+avx512" }), /fused native LSTM\/GRU kernel \(lib\/native\) with an AVX-512 micro-kernel/);
  assert.doesNotMatch(kernelSentence({ kernel: "fused-native-step+openblas" }), /AVX-512/);
  assert.match(kernelSentence({ kernel: "tfjs-layers", kernelNote: "no compiler" }), /fused kernel not used: no compiler/);
});
