import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { fusedRnnStatus } from "../../lib/model/fused-rnn";

// The per-batch functions of mode gradients' native path (docs/trainer.md, "What keeps that compiled code").
const HOT = ["run", "lossAndGradients", "sliceOfWhole", "masks", "compute", "apply", "readWeights", "claimSlot", "arriveAndWait", "averageSlots", "adam"];
// Those V8 optimises within a thread's first fit of this size (768 rounds): compiling one of them later is compiling it again.
const FIRST_FIT = ["run", "lossAndGradients", "sliceOfWhole"];
const status = fusedRnnStatus();

test("mode gradients: a thread's later fits neither throw away nor compile again the per-batch code (--trace-opt, --trace-deopt)", { skip: status.available ? false : `no native step here: ${status.reason}` }, () => {
  // Three fits on the same two pooled threads; V8 prints every deoptimisation. Before a2b3235 the second fit threw
  // run, lossAndGradients and sliceOfWhole away and compiled them again on the worker's own thread.
  const script = path.join(__dirname, "..", "..", "lib", "bench", "fit-sequence.js");
  const r = spawnSync(process.execPath, ["--trace-opt", "--trace-deopt", script, "gru", "3", "2", "gradients", "6144", "8"], { encoding: "utf8", timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  const out = r.stdout;
  const later = out.slice(out.indexOf("=== fit 1 starts"));
  assert.ok(out.includes("=== fit 2:") && later.length < out.length, "three fits ran");
  const names = HOT.join("|");
  const thrown = later.split("\n").filter((l) => new RegExp(`dependent code.*SharedFunctionInfo (${names})>|bailout.*JSFunction (${names}) `).test(l));
  assert.deepEqual(thrown, [], "no per-batch function deoptimised in a thread's second or third fit");
  const first = out.slice(0, out.indexOf("=== fit 1 starts"));
  for (const name of FIRST_FIT) assert.match(first, new RegExp(`completed compiling .*JSFunction ${name} `), `${name} optimised in the first fit`);
  const again = later.split("\n").filter((l) => new RegExp(`compiling method .*JSFunction (${FIRST_FIT.join("|")}) `).test(l));
  assert.deepEqual(again, [], "nothing of the loop compiled again in a thread's second or third fit");
});
