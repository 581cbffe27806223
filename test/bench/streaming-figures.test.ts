import { test } from "node:test";
import assert from "node:assert/strict";
import { initBackend } from "../../lib/backend";
import { measureStreaming } from "../../lib/bench/inference";
import { fusedRnnStatus } from "../../lib/model/fused-rnn";
import { buildRnnModel } from "../../lib/model/rnn";

test("bench streaming figures: the native stream, the tfjs stateful copy and the shipped FallDetector (the default detector, its second window included) and the same without its second window, each with its kernel (no timing asserted)", async () => {
  await initBackend();
  const model = buildRnnModel({ kind: "gru", timesteps: 8, features: 16, units: [4] });
  const s = await measureStreaming(model, 40, 20);
  const native = fusedRnnStatus().available;
  assert.equal(s.statefulKernel, native ? "fused-native-stream" : "tfjs-layers-stateful");
  assert.equal(s.statefulKernelNote === null, native, `a fallback carries its reason: ${s.statefulKernelNote}`);
  for (const v of [s.statefulP50Ms, s.statefulP99Ms, s.tfjsStatefulP50Ms, s.tfjsStatefulP99Ms]) assert.ok(Number.isFinite(v) && v > 0, String(v));
  // The default detector at the pipeline's window shape (not the bench model's): 6 LSTM + 6 GRU members and as many
  // start models, a window every frame, unsmoothed; joined frame by frame with a detector as big on windows of 48 frames.
  assert.ok(s.shipped, `shipped detector skipped: ${s.shippedSkipped}`);
  const h = s.shipped;
  assert.deepEqual([h.members, h.T, h.F, h.stride, h.smooth, h.kernel, h.secondWindow], [24, 32, 24, 1, 1, native ? "fused-native" : "tfjs-layers", { T: 48, members: 24, rule: "min-agree", hold: 6, level: 0.45 }]);
  assert.match(h.membersNote, /6 lstm \+ 6 gru members, and as many start models.*joined \(min-agree, held 6 frames, the second passing at 0.45\) with a detector of as many on windows of 48 frames/);
  assert.equal(h.scoredWindows, 40, "both detectors score every frame");
  assert.ok(h.perFrameP50Ms <= h.perFrameP99Ms && h.scoredWindowP50Ms <= h.scoredWindowP99Ms, JSON.stringify(h));
  // `--second-window none`: the first detector alone.
  assert.ok(s.shippedOneWindow, `one-window detector skipped: ${s.shippedOneWindowSkipped}`);
  const one = s.shippedOneWindow;
  assert.deepEqual([one.members, one.T, one.F, one.stride, one.secondWindow], [24, 32, 24, 1, undefined]);
  assert.doesNotMatch(one.membersNote, /joined/);
  assert.equal(one.scoredWindows, 40, "a scored window every frame");
  assert.ok(one.perFrameP50Ms > 0 && one.perFrameP50Ms <= one.perFrameP99Ms, JSON.stringify(one));
  model.dispose();
});
