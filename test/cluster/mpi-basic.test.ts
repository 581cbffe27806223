// The MPI binding on one host: `mpirun -np 2` ranks running test/fixtures/mpi-basic-rank.js check the
// weighted allreduce, broadcast and point-to-point calls. Skipped, saying why, without Open MPI.
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { mpiJobUnavailableReason } from "../../lib/cluster/mpi";
import { localMpirunArgs } from "../../lib/cluster/launcher";

function unavailable(): string | false {
  return mpiJobUnavailableReason() ?? false;
}

test("mpirun -np 2: weighted allreduce, broadcast, probe/send/recv", { skip: unavailable() }, () => {
  const rankScript = path.join(__dirname, "..", "fixtures", "mpi-basic-rank.js");
  const run = spawnSync("mpirun", [...localMpirunArgs(2), process.execPath, rankScript], { encoding: "utf8", timeout: 60_000 });
  assert.equal(run.status, 0, `mpirun failed: ${run.stderr}`);
  const lines = run.stdout.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
  assert.equal(lines.length, 2, run.stdout);
  lines.sort((a, b) => a.rank - b.rank);
  for (const l of lines) {
    assert.equal(l.size, 2);
    assert.ok(l.provided >= 2, `thread level ${l.provided} (SERIALIZED is 2)`);
    // (1·1 + 2·2)/3 = 5/3; (10 + 40)/3; -(5/3)
    assert.equal(l.total, 3);
    assert.deepEqual(l.values, Array.from(Float32Array.from([5 / 3, 50 / 3, -5 / 3])));
    assert.equal(l.zeroTotal, 2);
    assert.deepEqual(l.zero, [5]);
    assert.deepEqual(l.bcast, [1.5, 2.5, 3.5, 4.5]);
    assert.ok(l.host.length > 0);
  }
  assert.deepEqual(lines[0].received, [7, 8, 9]);
  assert.deepEqual(lines[0].status, { source: 1, tag: 42, bytes: 12 });
  assert.deepEqual(lines[1].received, [14, 18]);
  assert.deepEqual(lines[1].status, { source: 0, tag: 43, bytes: 8 });
});
