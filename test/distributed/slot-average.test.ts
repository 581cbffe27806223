import { test } from "node:test";
import assert from "node:assert/strict";
import { slotAverageKernel } from "../../lib/model/fused-rnn";
import { ParamStore } from "../../lib/distributed/param-store";
import { weightedAverage } from "../../lib/distributed/weights";
import { createRng } from "../../lib/random";
import { addonStatus, nativeSkip } from "../fixtures/native-addon";

const status = addonStatus;
const skip = nativeSkip();

/** slotCount slots of size floats over one SharedArrayBuffer, values spread over many magnitudes. */
function randomSlots(slotCount: number, size: number, seed: number): { buffer: Float32Array; slots: Float32Array[] } {
  const rng = createRng(seed);
  const buffer = new Float32Array(new SharedArrayBuffer(slotCount * size * 4));
  for (let i = 0; i < buffer.length; i++) buffer[i] = (rng() - 0.5) * 10 ** Math.floor(rng() * 8 - 6);
  return { buffer, slots: Array.from({ length: slotCount }, (_, k) => buffer.subarray(k * size, (k + 1) * size)) };
}

const bits = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

test("the native slot average gives weightedAverage's bits (zero counts skipped, sizes off the block)", { skip }, () => {
  const native = slotAverageKernel();
  assert.ok(native, `the addon is built here: ${JSON.stringify(status)}`);
  for (const [slotCount, size, counts] of [
    [8, 7297, [8, 8, 8, 8, 8, 8, 8, 7]],
    [8, 513, [3, 0, 9, 1, 0, 2, 8, 8]],
    [3, 1, [1, 2, 3]],
    [12, 5000, [5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 0]],
  ] as [number, number, number[]][]) {
    const { buffer, slots } = randomSlots(slotCount, size, slotCount * 31 + size);
    const want = weightedAverage(slots, counts);
    const got = new Float32Array(size);
    native(buffer, size, Float64Array.from(counts), got);
    assert.ok(bits(got).equals(bits(want)), `${slotCount} slots of ${size}: native and JavaScript differ`);
  }
});

test("the native slot average rejects every count zero, a negative count and short arrays", { skip }, () => {
  const native = slotAverageKernel()!;
  const { buffer } = randomSlots(2, 4, 1);
  assert.throws(() => native(buffer, 4, Float64Array.from([0, 0]), new Float32Array(4)), /every sample count is zero/);
  assert.throws(() => native(buffer, 4, Float64Array.from([1, -1]), new Float32Array(4)), /bad sample count/);
  assert.throws(() => native(buffer, 5, Float64Array.from([1, 1]), new Float32Array(5)), /slotCount × size/);
  assert.throws(() => native(buffer, 4, Float64Array.from([1, 1]), new Float32Array(3)), /slotCount × size/);
});

test("ParamStore.averageSlots writes the weighted average of its slots into params", () => {
  const store = ParamStore.create(1000, 2, { slots: 4 });
  const rng = createRng(7);
  for (let m = 0; m < 4; m++) {
    const s = store.slot(m);
    for (let i = 0; i < s.length; i++) s[i] = rng() - 0.5;
    store.setSamples(m, [8, 0, 5, 3][m]);
  }
  store.averageSlots();
  const want = weightedAverage([0, 1, 2, 3].map((m) => store.slot(m)), [8, 0, 5, 3]);
  assert.ok(bits(store.params).equals(bits(want)));
});
