// expectedWeightCount: the layer formulas agree with what tfjs builds for each kind and depth,
// and give the original Keras model's 1,373,649 weights.
import { test } from "node:test";
import assert from "node:assert/strict";
import { buildModelFromSpec, expectedWeightCount, ModelSpec } from "../../lib/model";

test("expectedWeightCount matches the built model for LSTM/GRU, one and two layers, and the original preset", () => {
  const specs: ModelSpec[] = [
    { type: "rnn", options: { kind: "lstm", timesteps: 8, features: 5 } },
    { type: "rnn", options: { kind: "gru", timesteps: 8, features: 5 } },
    { type: "rnn", options: { kind: "lstm", timesteps: 4, features: 3, units: [6, 4] } },
    { type: "rnn", options: { kind: "gru", timesteps: 4, features: 3, units: [6, 4], dropout: 0 } },
    { type: "original", options: { kind: "lstm", units: 8, layers: 2 } },
    { type: "original", options: { kind: "gru", units: 8, layers: 3 } },
  ];
  for (const spec of specs) {
    const m = buildModelFromSpec(spec);
    try {
      assert.equal(expectedWeightCount(spec), m.countParams(), JSON.stringify(spec));
    } finally {
      m.dispose();
    }
  }
  // Independent of tfjs: 168·50 + 4(256·306+256) + 2·4(256·512+256) + 257 (the Python project's summary).
  assert.equal(expectedWeightCount({ type: "original", options: { kind: "lstm" } }), 1_373_649);
  // The README's default feature model: LSTM(32) over F = 24: 4(32·56+32) + 33.
  assert.equal(expectedWeightCount({ type: "rnn", options: { kind: "lstm", timesteps: 32, features: 24 } }), 7_329);
});
