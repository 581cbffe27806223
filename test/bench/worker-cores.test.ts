import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { threadCpuNs } from "../../lib/bench/cpu";
import { allThreadsCpuNs, coreWindow } from "../../lib/bench/worker-cores";

test("coreWindow splits a window's CPU into the busiest non-main thread, the main thread and the rest", () => {
  const a = new Map([[100, 0], [101, 5e6], [102, 0]]);
  // 1 s: worker (101) 900 ms, main (100) 20 ms, a compiler thread (102) 80 ms, a thread born meanwhile (103) 10 ms.
  const b = new Map([[100, 20e6], [101, 905e6], [102, 80e6], [103, 10e6]]);
  const w = coreWindow(a, b, 1000, 100);
  assert.equal(w.workerCores, 0.9);
  assert.ok(Math.abs(w.processCores - 1.01) < 1e-12);
  assert.ok(Math.abs(w.perWorkerCore - 1.01 / 0.9) < 1e-12);
  assert.equal(w.mainMs, 20);
  assert.equal(w.otherMs, 90);
  // The main thread is never taken for the worker, however busy.
  assert.equal(coreWindow(new Map([[1, 0], [2, 0]]), new Map([[1, 500e6], [2, 100e6]]), 1000, 1).workerCores, 0.1);
});

test("allThreadsCpuNs reads every thread of this process, the main one included (Linux)", { skip: !fs.existsSync("/proc/self/task") }, () => {
  const t = allThreadsCpuNs();
  assert.ok(t.get(process.pid)! > 0, `main thread ${t.get(process.pid)}`);
  // One thread's reader agrees with the map, and grows with the main thread's work.
  const before = threadCpuNs(process.pid)!;
  assert.ok(before >= t.get(process.pid)!);
  let x = 0;
  for (let i = 0; i < 5e6; i++) x += Math.sqrt(i);
  assert.ok(x > 0 && threadCpuNs(process.pid)! > before);
  assert.equal(threadCpuNs(-1), null);
});
