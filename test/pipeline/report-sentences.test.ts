import { test } from "node:test";
import assert from "node:assert/strict";
import { kernelSentence, otherWindowSets } from "../../lib/pipeline/report";
import type { MetricsJson } from "../../lib/pipeline/metrics-json";

test("kernelSentence names the BLAS and the packed AVX-512 micro-kernel when the label carries them", () => {
  assert.match(kernelSentence({ kernel: "fused-native-step+openblas+avx512" }), /whole step in native code .* with OpenBLAS \(one thread\) for its matrix products and an AVX-512 micro-kernel over packed weights for the per-step ones/);
  assert.match(kernelSentence({ kernel: "fused-native+avx512" }), /fused native LSTM\/GRU kernel \(lib\/native\) with an AVX-512 micro-kernel/);
  assert.doesNotMatch(kernelSentence({ kernel: "fused-native-step+openblas" }), /AVX-512/);
  assert.match(kernelSentence({ kernel: "tfjs-layers", kernelNote: "no compiler" }), /fused kernel not used: no compiler/);
});

test("the report gives the window AUC on the --stride grid's full windows when a run scored other windows", () => {
  const config = { window: 32, stride: 4 } as MetricsJson["config"];
  assert.equal(otherWindowSets({ config }), "");
  const s = otherWindowSets({ config, windowUnpadded: { auc: 0.96351, windows: 9377 }, windowOnGrid: { auc: 0.96789, windows: 2372 } });
  assert.match(s, /0\.9635 over its 9377 windows of 32 real frames/);
  assert.match(s, /0\.9679 over the 2372 full windows every 4 frames/);
  assert.match(otherWindowSets({ config, windowOnGrid: { auc: null, windows: 0 } }), /n\/a over the 0 full windows/);
});
