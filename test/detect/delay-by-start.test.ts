import { test } from "node:test";
import assert from "node:assert/strict";
import { delayByStart } from "../../lib/detect/delay-by-start";

test("delays split by where the falling segment starts; an alarm on the first possible window is counted", () => {
  // Windows of 32 frames, stride 4: the first ends on frame 32, the next on 36.
  const starts = { a: 14, b: 20, c: 40, d: 60, e: 31 };
  const delays = { a: 18, b: 19, c: 21, d: 25, e: 1 };
  const r = delayByStart(delays, starts, 32, 4);
  assert.deepEqual(r.early, { falls: 3, medianDelay: 18, atFirstWindow: 2 }); // a alarms on 32, e on 32; b on 39
  assert.deepEqual(r.late, { falls: 2, medianDelay: 23 });
  assert.throws(() => delayByStart({ x: 3 }, starts, 32, 4), /no falling segment for x/);
});
