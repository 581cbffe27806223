// How shares travel: the driver's stdin stream holds every rank's share in the share-file encoding,
// ranks 1..R−1 first; rank 0 reads them one at a time (no MPI needed to check that).
import { test } from "node:test";
import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { validateConfig } from "../../lib/distributed/config";
import type { ClusterJob } from "../../lib/cluster/protocol";
import { ByteReader, planShares, readStreamedShare, shareStream, streamOrder } from "../../lib/cluster/shares";

function job(mode: "gradients" | "synchronous", ranks: number, threads: number, sampling: "global" | "shards" = "shards"): { job: ClusterJob; x: Float32Array; y: Float32Array; weights: Float32Array } {
  const count = 90;
  const rowSize = 6;
  const x = Float32Array.from({ length: count * rowSize }, (_, i) => i);
  const y = Float32Array.from({ length: count }, (_, i) => (i % 3 === 0 ? 1 : 0));
  const config = validateConfig({ mode, numWorkers: threads, batchSize: 16, ...(mode === "gradients" ? { microBatches: 4, sampling } : {}) });
  const j: ClusterJob = {
    spec: { type: "rnn", options: { kind: "lstm", timesteps: 2, features: 3, units: [4] } }, config, ranks, epochs: 1, initialEpoch: 0,
    shuffle: true, validationSplit: 0.2, stallTimeoutSec: 60, count, rowSize, weightCount: 5,
  };
  return { job: j, x, y, weights: Float32Array.of(1, 2, 3, 4, 5) };
}

async function readAll(stream: Buffer[][], ranks: number) {
  const reader = new ByteReader(Readable.from(stream.flat(), { objectMode: false }), "test stream");
  const out = [];
  for (const r of streamOrder(ranks)) out.push({ r, share: await readStreamedShare(reader, `rank ${r}'s share`) });
  return out;
}

for (const mode of ["gradients", "synchronous"] as const) {
  test(`${mode}: rank 0 reads every rank's share from the stream, ranks 1..R−1 first, each equal to the plan's`, async () => {
    const { job: j, x, y, weights } = job(mode, 3, 1);
    const plan = planShares(j, x, y, weights);
    assert.deepEqual(streamOrder(3), [1, 2, 0]);
    const got = await readAll([...shareStream(plan)], 3);
    for (const { r, share } of got) {
      const want = plan.share(r);
      assert.deepEqual(share.assignment, want.assignment);
      assert.deepEqual(Array.from(share.weights), Array.from(weights));
      share.data.forEach((d, k) => {
        assert.deepEqual(Array.from(d.x), Array.from(want.data[k].x), `rank ${r} worker ${k} x`);
        assert.deepEqual(Array.from(d.y), Array.from(want.data[k].y));
        assert.deepEqual(d.val && Array.from(d.val.x), want.data[k].val && Array.from(want.data[k].val!.x));
      });
    }
    const nTrain = Math.floor(j.count * 0.8);
    const held = got.map(({ share }) => (mode === "gradients" ? share.assignment.shardRows : share.assignment.workers.reduce((a, w) => a + w.count, 0)));
    assert.equal(held.reduce((a, b) => a + b, 0), nTrain, `every training row held once: ${held}`);
    assert.ok(held.every((h) => h < nTrain), `no rank holds every training row: ${held}`);
    if (mode === "gradients") {
      // The slot shards go straight into memory the rank's threads map.
      for (const { share } of got) assert.ok(share.data[0].x.buffer instanceof SharedArrayBuffer);
      for (const { share } of got) assert.equal(share.data[0].x.length, share.assignment.shardRows * j.rowSize);
    }
  });
}

test("gradients: a rank's shards are the slots its threads compute (3 ranks × 1 thread, 4 slots: 0 | 1 | 2-3)", () => {
  const { job: j, x, y, weights } = job("gradients", 3, 1);
  const plan = planShares(j, x, y, weights);
  const held = plan.assignments.map((a) => a.shards!.offsets.map((o) => o >= 0));
  assert.deepEqual(held, [[true, false, false, false], [false, true, false, false], [false, false, true, true]]);
  const sizes = plan.assignments[0].shards!.sizes;
  assert.deepEqual(plan.assignments.map((a) => a.shardRows), [sizes[0], sizes[1], sizes[2] + sizes[3]]);
});

test("gradients, sampling 'global': every rank gets every training row, in data order", () => {
  const { job: j, x, y, weights } = job("gradients", 3, 1, "global");
  const plan = planShares(j, x, y, weights);
  const nTrain = Math.floor(j.count * 0.8);
  for (let r = 0; r < 3; r++) {
    assert.equal(plan.assignments[r].shardRows, nTrain);
    assert.equal(plan.assignments[r].shards, null);
    assert.deepEqual(Array.from(plan.share(r).data[0].y), Array.from(y.subarray(0, nTrain)));
  }
});

test("a stream that ends inside a share: one line naming the share being read", async () => {
  const { job: j, x, y, weights } = job("synchronous", 2, 1);
  const chunks = [...shareStream(planShares(j, x, y, weights))].flat();
  const cut = Buffer.concat(chunks).subarray(0, 200);
  const reader = new ByteReader(Readable.from([cut]), "the driver's share stream on stdin");
  await assert.rejects(readStreamedShare(reader, "rank 1's share"), /^Error: the driver's share stream on stdin: ended after 200 bytes, inside rank 1's share/);
});
