// `npm run data`'s download path against a real HTTP server on 127.0.0.1 (no other network): a
// wrong checksum, an HTTP error, a body that breaks off and a refused connection each end in one
// line naming the URL and the problem, and nothing is written (a present good file stays as it was).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, IncomingMessage, Server, ServerResponse } from "node:http";
import { AddressInfo } from "node:net";
import { join } from "node:path";
import { DownloadError, downloadUrfd } from "../../lib/cli/download-data";
import { tempDir } from "./fixtures";

const GOOD = Buffer.from("fall-01,1,-1,1,2,3,4,5,6,7,8\n");
const GOOD_SHA = createHash("sha256").update(GOOD).digest("hex");

/** A server on 127.0.0.1 answering each path with its handler; `close` ends it and its sockets. */
async function serve(routes: Record<string, (req: IncomingMessage, res: ServerResponse) => void>): Promise<{ base: string; close: () => Promise<void>; server: Server }> {
  const server = createServer((req, res) => {
    const h = routes[req.url ?? ""];
    if (h) h(req, res);
    else {
      res.statusCode = 404;
      res.end("no such file");
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    server,
    close: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}

const quiet = () => {};

async function rejectsWith(p: Promise<unknown>, pattern: RegExp, offline: boolean): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof DownloadError, String(e));
    assert.ok(!e.message.includes("\n"), "one line");
    assert.match(e.message, pattern);
    assert.equal(e.offline, offline);
    return true;
  });
}

test("download over HTTP: a good file is written and verified; a wrong checksum, HTTP 404 and a broken body write nothing", async () => {
  const srv = await serve({
    "/good.csv": (_q, res) => res.end(GOOD),
    "/tampered.csv": (_q, res) => res.end(Buffer.from("fall-01,1,-1,9,9,9,9,9,9,9,9\n")),
    "/broken.csv": (_q, res) => {
      // Promise 1000 bytes, send 10, then cut the connection.
      res.writeHead(200, { "content-length": "1000" });
      res.write(GOOD.subarray(0, 10), () => res.socket?.destroy());
    },
  });
  const { dir, cleanup } = tempDir("dl-http");
  try {
    const file = (path: string) => [{ file: "x.csv", url: `${srv.base}${path}`, sha256: GOOD_SHA }];
    await rejectsWith(downloadUrfd({ dir, files: file("/tampered.csv"), log: quiet }), new RegExp(`^${srv.base}/tampered\\.csv: sha256 [0-9a-f]{64} does not match the expected ${GOOD_SHA}; file not kept$`), false);
    await rejectsWith(downloadUrfd({ dir, files: file("/missing.csv"), log: quiet }), new RegExp(`^${srv.base}/missing\\.csv: HTTP 404 Not Found$`), false);
    await rejectsWith(downloadUrfd({ dir, files: file("/broken.csv"), log: quiet }), new RegExp(`^${srv.base}/broken\\.csv: download broke off: `), false);
    assert.deepEqual(readdirSync(dir), [], "nothing written, no temporary file left");

    const lines: string[] = [];
    assert.deepEqual(await downloadUrfd({ dir, files: file("/good.csv"), log: (l) => lines.push(l) }), [join(dir, "x.csv")]);
    assert.deepEqual(readFileSync(join(dir, "x.csv")), GOOD);
    assert.deepEqual(lines, [`x.csv: downloaded, ${GOOD.length} bytes, checksum ok`]);
  } finally {
    cleanup();
    await srv.close();
  }
});

test("--force downloads a present good file again; a bad re-download leaves the present file untouched", async () => {
  const srv = await serve({ "/good.csv": (_q, res) => res.end(GOOD), "/tampered.csv": (_q, res) => res.end("tampered") });
  const { dir, cleanup } = tempDir("dl-force");
  try {
    writeFileSync(join(dir, "x.csv"), GOOD);
    const lines: string[] = [];
    await downloadUrfd({ dir, force: true, files: [{ file: "x.csv", url: `${srv.base}/good.csv`, sha256: GOOD_SHA }], log: (l) => lines.push(l) });
    assert.deepEqual(lines, ["x.csv: present, downloading again (--force)", `x.csv: downloaded, ${GOOD.length} bytes, checksum ok`]);
    await rejectsWith(downloadUrfd({ dir, force: true, files: [{ file: "x.csv", url: `${srv.base}/tampered.csv`, sha256: GOOD_SHA }], log: quiet }), /does not match/, false);
    assert.deepEqual(readFileSync(join(dir, "x.csv")), GOOD);
    assert.deepEqual(readdirSync(dir), ["x.csv"]);
  } finally {
    cleanup();
    await srv.close();
  }
});

test("a refused connection is the offline message, naming the host", async () => {
  const srv = await serve({});
  const base = srv.base;
  await srv.close(); // nothing listens on that port any more
  const { dir, cleanup } = tempDir("dl-refused");
  try {
    const host = base.replace("http://", "");
    await rejectsWith(
      downloadUrfd({ dir, files: [{ file: "x.csv", url: `${base}/x.csv`, sha256: GOOD_SHA }], log: quiet }),
      new RegExp(`^cannot reach ${host.replace(/\./g, "\\.")} \\(offline\\?\\): fetch failed: ECONNREFUSED — copy the two files into data/urfd/ by hand`),
      true,
    );
    assert.deepEqual(readdirSync(dir), []);
  } finally {
    cleanup();
  }
});

test("npm run data: --help prints usage and downloads nothing; an unknown option exits 2", () => {
  const cli = join(__dirname, "..", "..", "lib", "cli", "download-data.js");
  const help = spawnSync(process.execPath, [cli, "--help"], { encoding: "utf8" });
  assert.equal(help.status, 0);
  assert.match(help.stdout, /^Usage: data \[options\]\n[^]*\n {2}--force {2,}download and verify both files again/); // commander's generated help
  assert.doesNotMatch(help.stdout, /checksum ok|downloaded/);
  const bad = spawnSync(process.execPath, [cli, "--bogus"], { encoding: "utf8" });
  assert.equal(bad.status, 2);
  assert.equal(bad.stderr, 'data: unknown option "--bogus" (see --help)\n');
});
