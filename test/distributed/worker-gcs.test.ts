import { test } from "node:test";
import assert from "node:assert/strict";
import { countMajorGcs, majorGcs } from "../../lib/distributed/worker-gcs";
import { DistributedModel } from "../../lib/distributed/distributed-model";
import { urfdShapedSpec, urfdShapedWindows } from "../../lib/distributed/measure-throughput";

test("countMajorGcs counts this thread's mark-compacts (the old generation filled until one comes)", async () => {
  countMajorGcs();
  const before = majorGcs();
  const kept: number[][] = [];
  const deadline = Date.now() + 20_000;
  while (majorGcs() === before && Date.now() < deadline) {
    // Objects that survive scavenges are promoted; the old generation's limit brings a mark-compact.
    for (let i = 0; i < 2000; i++) kept.push(new Array(64).fill(i));
    if (kept.length > 400_000) kept.length = 0;
    await new Promise((r) => setImmediate(r)); // gc entries arrive when the event loop turns
  }
  assert.ok(majorGcs() > before, "no mark-compact counted in 20 s of promoting garbage");
});

test("a fit's workers report their thread's mark-compacts so far, which a pooled thread's next fit does not reset", async () => {
  const data = urfdShapedWindows(256);
  const config = { mode: "synchronous" as const, frequency: "epoch" as const, numWorkers: 1, batchSize: 64 };
  const first = await (await DistributedModel.create({ model: urfdShapedSpec("gru", data), config })).fit(data, { epochs: 2 });
  const second = await (await DistributedModel.create({ model: urfdShapedSpec("gru", data), config })).fit(data, { epochs: 2 });
  const a = first.workers[0].timing.majorGcs;
  const b = second.workers[0].timing.majorGcs;
  assert.ok(Number.isInteger(a) && a! >= 0, `first fit: ${a}`);
  assert.ok(Number.isInteger(b) && b! >= a!, `second fit ${b} after ${a}`);
});
