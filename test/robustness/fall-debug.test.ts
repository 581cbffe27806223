// FALL_DEBUG: a failing pipeline run says one line and no stack; with FALL_DEBUG=1 the same first
// line is followed by the stack trace, for whoever debugs it.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runCli } from "../fixtures/cli";

test("FALL_DEBUG=1 adds the stack trace after the one-line error; without it there is none", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fall-debug-"));
  try {
    const missing = path.join(dir, "no-such-folder");
    const args = ["--data", missing, "--out", path.join(dir, "out")];
    const first = `pipeline: ${missing}: data folder not found`;
    const plain = await runCli(args);
    assert.equal(plain.code, 1);
    assert.equal(plain.stderr, `${first}\n`);
    const debug = await runCli(args, { env: { FALL_DEBUG: "1" } });
    assert.equal(debug.code, 1);
    const lines = debug.stderr.trimEnd().split("\n");
    assert.equal(lines[0], first);
    assert.ok(lines.length > 2, debug.stderr);
    assert.ok(lines.some((l) => /^\s+at .*run-pipeline\.js:\d+:\d+/.test(l)), `a stack frame in run-pipeline.js:\n${debug.stderr}`);
    assert.ok(!fs.existsSync(path.join(dir, "out")));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
