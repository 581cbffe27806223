// Open a browser demo folder in headless Chromium over http://127.0.0.1 (a throw-away static
// server on a free port) and read back the scores the page wrote: the demo's end-to-end check.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { CHROMIUM, ChromiumUnavailableError } from "../notebook/html-check";

const TYPES: Record<string, string> = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".json": "application/json", ".bin": "application/octet-stream" };

export interface DemoResult {
  /** data-done of <body>: "1" when the page scored, "error" when it failed, "0" when it never finished. */
  done: string;
  /** The page's status line. */
  status: string;
  /** Parsed <pre id="scores">, null when empty. */
  /** scores: the members' mean probability per window; smoothed and alarms are null when the page had no threshold. */
  result: {
    id: string;
    backend: string;
    members: number;
    lastFrame: number[];
    scores: number[];
    smoothed: number[] | null;
    alarms: { frame: number; timeSec: number; score: number }[] | null;
  } | null;
}

/** Serve the files directly inside `dir` (no subfolders, GET only) on 127.0.0.1 and a free port. */
export async function serveFolder(dir: string): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    const name = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname).replace(/^\/+/, "") || "index.html";
    const file = path.join(dir, path.basename(name));
    if (req.method !== "GET" || name.includes("/") || !fs.existsSync(file)) {
      res.writeHead(404).end("not found");
      return;
    }
    res.writeHead(200, { "content-type": TYPES[path.extname(file)] ?? "application/octet-stream" });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** Chromium --dump-dom of `url` with a fresh profile (HOME inside it, so nothing lands in ~). */
export function dumpDom(url: string, opts: { budgetMs?: number; timeoutMs?: number } = {}): Promise<string> {
  if (!fs.existsSync(CHROMIUM)) return Promise.reject(new ChromiumUnavailableError(`${CHROMIUM} not found`));
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "demo-chromium-"));
  const args = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
    `--user-data-dir=${profile}`, `--virtual-time-budget=${opts.budgetMs ?? 20_000}`, "--dump-dom", url,
  ];
  const env = { ...process.env, HOME: profile, XDG_CONFIG_HOME: path.join(profile, "config"), XDG_CACHE_HOME: path.join(profile, "cache") };
  return new Promise<string>((resolve, reject) => {
    const child = spawn(CHROMIUM, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 120_000);
    child.on("error", (e) => reject(new ChromiumUnavailableError(`cannot start ${CHROMIUM}: ${e.message}`)));
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      fs.rmSync(profile, { recursive: true, force: true });
      const dom = Buffer.concat(out).toString("utf8");
      if (signal || code !== 0 || !/<html/i.test(dom)) {
        const tail = Buffer.concat(err).toString("utf8").trimEnd().split("\n").slice(-5).join(" | ");
        reject(new ChromiumUnavailableError(`${CHROMIUM} --dump-dom ${url} failed (${signal ?? `exit ${code}`}): ${tail}`));
      } else resolve(dom);
    });
  });
}

const decode = (s: string): string => s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, "&");

/** Read the demo's outcome from a dumped DOM. */
export function parseDemoDom(dom: string): DemoResult {
  const done = /<body\b[^>]*\bdata-done="([^"]*)"/i.exec(dom)?.[1] ?? "";
  const status = decode(/<p id="status">([\s\S]*?)<\/p>/i.exec(dom)?.[1] ?? "").trim();
  const pre = decode(/<pre id="scores">([\s\S]*?)<\/pre>/i.exec(dom)?.[1] ?? "").trim();
  return { done, status, result: pre ? JSON.parse(pre) : null };
}

/** Serve `dir`, open it in headless Chromium, return what the page wrote. */
export async function runBrowserDemo(dir: string, opts: { budgetMs?: number } = {}): Promise<DemoResult> {
  const server = await serveFolder(dir);
  try {
    return parseDemoDom(await dumpDom(server.url, opts));
  } finally {
    await server.close();
  }
}
