// How mpirun's own reports of a dead rank become one line naming the rank and its host.
import { test } from "node:test";
import * as assert from "node:assert/strict";
import { describeFailure } from "../../lib/cluster/cluster-fit";
import { resolveCluster } from "../../lib/cluster/launcher";

const c = resolveCluster({ kind: "mpi", ranks: 2 });
const base = { code: 137, signal: null, failed: null, stalled: null, c };

test("a rank killed by a signal is named with its host (as the rank saw it and as mpirun knows it)", () => {
  const tail = ["--------------------------------------------------------------------------", "mpirun noticed that process rank 1 with PID 0 on node 10.77.0.3 exited on signal 9 (Killed).", "--------------------------------------------------------------------------"];
  const hellos = new Map([[1, { host: "simhost2" }]]);
  assert.equal(describeFailure({ ...base, tail, hellos }), "cluster run failed: rank 1 on simhost2 (10.77.0.3) was killed by signal 9 (Killed)");
});

test("a rank that exited non-zero, and one that reported its own failure", () => {
  const tail = ["mpirun detected that one or more processes exited with non-zero status, thus causing", "the job to be terminated. The first process to do so was:", "Process name: [[4711,1],2]", "Exit code:    3"];
  assert.equal(describeFailure({ ...base, tail, hellos: new Map([[2, { host: "b" }]]) }), "cluster run failed: rank 2 on b exited with code 3");
  const failed = { rank: 1, host: "a", message: "out of memory" };
  assert.equal(describeFailure({ ...base, tail: [], hellos: new Map(), failed }), "cluster run failed: rank 1 on a failed: out of memory");
});

test("anything else still says what mpirun said last", () => {
  assert.equal(describeFailure({ ...base, tail: ["-----", "ORTE was unable to reliably start one or more daemons."], hellos: new Map() }), "cluster run failed: mpirun exited with code 137: ORTE was unable to reliably start one or more daemons.");
});
