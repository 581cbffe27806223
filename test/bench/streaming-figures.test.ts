import { test } from "node:test";
import assert from "node:assert/strict";
import { initBackend } from "../../lib/backend";
import { measureStreaming } from "../../lib/bench/inference";
import { fusedRnnStatus } from "../../lib/model/fused-rnn";
import { buildRnnModel } from "../../lib/model/rnn";

test("bench streaming figures: the native stream, the tfjs stateful copy and the shipped FallDetector (the default detector) alone and with the recommended second window, each with its kernel (no timing asserted)", async () => {
  await initBackend();
  const model = buildRnnModel({ kind: "gru", timesteps: 8, features: 16, units: [4] });
  const s = await measureStreaming(model, 40, 20);
  const native = fusedRnnStatus().available;
  assert.equal(s.statefulKernel, native ? "fused-native-stream" : "tfjs-layers-stateful");
  assert.equal(s.statefulKernelNote === null, native, `a fallback carries its reason: ${s.statefulKernelNote}`);
  for (const v of [s.statefulP50Ms, s.statefulP99Ms, s.tfjsStatefulP50Ms, s.tfjsStatefulP99Ms]) assert.ok(Number.isFinite(v) && v > 0, String(v));
  assert.ok(s.shipped, `shipped detector skipped: ${s.shippedSkipped}`);
  const h = s.shipped;
  // The default detector at the pipeline's window shape (not the bench model's): 6 LSTM + 6 GRU members and as many
  // start models, a window every frame, unsmoothed.
  assert.deepEqual([h.members, h.T, h.F, h.stride, h.smooth, h.kernel], [24, 32, 24, 1, 1, native ? "fused-native" : "tfjs-layers"]);
  assert.match(h.membersNote, /6 lstm \+ 6 gru members, and as many start models/);
  assert.equal(h.scoredWindows, 40, "a scored window every frame");
  assert.ok(h.perFrameP50Ms <= h.perFrameP99Ms && h.scoredWindowP50Ms <= h.scoredWindowP99Ms, JSON.stringify(h));
  // `--second-window 48 --second-window-hold 6`: a second detector as big on windows of 48 frames, joined frame by frame.
  assert.ok(s.shippedTwoWindow, `two-window detector skipped: ${s.shippedTwoWindowSkipped}`);
  const w = s.shippedTwoWindow;
  assert.deepEqual([w.members, w.T, w.F, w.stride, w.secondWindow], [24, 32, 24, 1, { T: 48, members: 24, rule: "min-agree", hold: 6 }]);
  assert.match(w.membersNote, /joined \(min-agree, held 6 frames\) with a detector of as many on windows of 48 frames/);
  assert.equal(w.scoredWindows, 40, "both detectors score every frame");
  assert.ok(w.perFrameP50Ms > 0 && w.perFrameP50Ms <= w.perFrameP99Ms, JSON.stringify(w));
  model.dispose();
});
