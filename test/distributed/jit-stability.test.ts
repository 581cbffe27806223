import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { fusedRnnStatus } from "../../lib/model/fused-rnn";

// The per-batch functions of mode gradients' native path (docs/trainer.md, "What keeps that compiled code").
const HOT = ["run", "lossAndGradients", "sliceOfWhole", "masks", "compute", "apply", "readWeights", "claimSlot", "arriveAndWait", "averageSlots", "adam"];
// Deoptimisations that come from the program's shapes and call targets, the same in every run: what a thread's
// second fit used to hit. A rarely taken branch met under load ("insufficient type feedback", e.g. the barrier's
// sleeping path when a worker waited over a millisecond) depends on timing, and is left out.
const STRUCTURAL = ["wrong call target", "wrong map", "not a Smi", "not a HeapNumber", "Insufficient type feedback for construct"];
const status = fusedRnnStatus();

test("mode gradients: a thread's later fits keep the per-batch code V8 compiled in its first (--trace-deopt)", { skip: status.available ? false : `no native step here: ${status.reason}` }, () => {
  // Three fits on the same two pooled threads; V8 prints every deoptimisation. Before a2b3235 the second fit threw
  // run, lossAndGradients and sliceOfWhole away and compiled them again on the worker's own thread.
  const script = path.join(__dirname, "..", "..", "lib", "bench", "fit-sequence.js");
  const r = spawnSync(process.execPath, ["--trace-deopt", script, "gru", "3", "2", "gradients", "6144", "8"], { encoding: "utf8", timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  const out = r.stdout;
  const later = out.slice(out.indexOf("=== fit 1 starts"));
  assert.ok(out.includes("=== fit 2:") && later.length < out.length, "three fits ran");
  const names = HOT.join("|");
  const reasons = STRUCTURAL.join("|");
  const thrown = later.split("\n").filter((l) => new RegExp(`dependent code.*SharedFunctionInfo (${names})>|bailout \\(kind: [^,]*, reason: (${reasons})\\).*JSFunction (${names}) `).test(l));
  assert.deepEqual(thrown, [], "no per-batch function deoptimised for its types or call targets in a thread's second or third fit");
});
