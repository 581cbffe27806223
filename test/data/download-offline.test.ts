import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DownloadError, downloadUrfd } from "../../lib/cli/download-data";
import { tempDir } from "./fixtures";

const unreachable: typeof fetch = async () => {
  throw new TypeError("fetch failed", { cause: Object.assign(new Error("getaddrinfo ENOTFOUND fenix.ur.edu.pl"), { code: "ENOTFOUND" }) });
};

test("offline: one clear line, nothing written", async () => {
  const { dir, cleanup } = tempDir("dl-offline");
  try {
    const lines: string[] = [];
    await assert.rejects(downloadUrfd({ dir, fetchImpl: unreachable, log: (l) => lines.push(l) }), (e: unknown) => {
      assert.ok(e instanceof DownloadError && e.offline);
      assert.ok(!e.message.includes("\n"));
      assert.match(e.message, /^cannot reach fenix\.ur\.edu\.pl \(offline\?\): fetch failed: ENOTFOUND — copy the two files into data\/urfd\/ by hand/);
      return true;
    });
    assert.deepEqual(readdirSync(dir), []);
  } finally {
    cleanup();
  }
});

test("checksum: a wrong download is not kept; a present good file is skipped", async () => {
  const { dir, cleanup } = tempDir("dl-sum");
  try {
    const body = Buffer.from("a,b\n");
    const good = createHash("sha256").update(body).digest("hex");
    const files = [{ file: "x.csv", url: "https://example.invalid/x.csv", sha256: good }];
    const serve = (bytes: Buffer): typeof fetch => async () => new Response(bytes);
    await assert.rejects(downloadUrfd({ dir, files, fetchImpl: serve(Buffer.from("tampered")), log: () => {} }), /does not match the expected .*file not kept/);
    assert.deepEqual(readdirSync(dir), []);
    const got = await downloadUrfd({ dir, files, fetchImpl: serve(body), log: () => {} });
    assert.deepEqual(got, [join(dir, "x.csv")]);
    const lines: string[] = [];
    await downloadUrfd({ dir, files, fetchImpl: unreachable, log: (l) => lines.push(l) });
    assert.match(lines[0], /already present, checksum ok/);
    writeFileSync(join(dir, "x.csv"), "changed");
    await assert.rejects(downloadUrfd({ dir, files, fetchImpl: unreachable, log: () => {} }), /cannot reach/);
    assert.ok(existsSync(join(dir, "x.csv")));
  } finally {
    cleanup();
  }
});
