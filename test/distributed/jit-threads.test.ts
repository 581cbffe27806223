// The trainer turns V8's concurrent recompilation off before it starts workers (a worker's JIT work
// stays on its own thread), unless FALL_CONCURRENT_JIT=1. Its effect on cores is measured by the bench
// (`node dist/lib/bench/worker-cores.js`), not here: CPU time is no test's business.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";

const MODULE = path.join(__dirname, "../../lib/distributed/jit-threads.js");

function call(env: Record<string, string>): string {
  const code = `const j = require(${JSON.stringify(MODULE)}); console.log(j.compileOnWorkerThreads(), j.compileOnWorkerThreads())`;
  const { FALL_CONCURRENT_JIT: _j, ...rest } = process.env;
  const r = spawnSync(process.execPath, ["-e", code], { env: { ...rest, ...env }, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

test("compileOnWorkerThreads: off by default (and again, once set), kept on with FALL_CONCURRENT_JIT=1", () => {
  assert.equal(call({}), "true true");
  assert.equal(call({ FALL_CONCURRENT_JIT: "1" }), "false false");
  assert.equal(call({ FALL_CONCURRENT_JIT: "0" }), "true true", "only 1 keeps V8's default");
});
