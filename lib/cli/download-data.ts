// `fall-dp data [--force]` (`npm run data`): checks the shipped URFD feature CSVs in data/urfd/ and
// fetches whichever is missing or wrong, checksum-verified. Exits as run-main.ts says.

import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { findProjectRoot } from "../data/project-root";
import { URFD_DOWNLOADS, UrfdDownload } from "../data/urfd-source";
import { StrictCommand } from "../pipeline/command-line";
import { runCommand, withAction } from "./run-main";

export interface DownloadOptions {
  /** Target folder; default <projectRoot>/data/urfd. */
  dir?: string;
  /** Injected for tests; default the global fetch. */
  fetchImpl?: typeof fetch;
  timeoutMs?: number;
  log?: (line: string) => void;
  files?: readonly UrfdDownload[];
  /** Download and verify again even when a present file's checksum is right (the shipped copies). */
  force?: boolean;
}

/** A failure with one line for the user; `offline` when the host could not be reached at all. */
export class DownloadError extends Error {
  constructor(message: string, readonly offline: boolean) {
    super(message);
    this.name = "DownloadError";
  }
}

const sha256 = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex");

// Network-level failures (DNS, refused, reset, timeout) arrive as TypeError("fetch failed") with a cause.
function describeNetworkError(e: unknown): string {
  if (e instanceof Error) {
    if (e.name === "TimeoutError" || e.name === "AbortError") return "timed out";
    const cause = (e as Error & { cause?: unknown }).cause;
    if (cause instanceof Error) {
      const code = (cause as NodeJS.ErrnoException).code;
      return code !== undefined ? `${e.message}: ${code}` : `${e.message}: ${cause.message}`;
    }
    return e.message;
  }
  return String(e);
}

async function fetchOne(d: UrfdDownload, fetchImpl: typeof fetch, timeoutMs: number): Promise<Uint8Array> {
  const host = new URL(d.url).host;
  let res: Response;
  try {
    res = await fetchImpl(d.url, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (e) {
    throw new DownloadError(
      `cannot reach ${host} (offline?): ${describeNetworkError(e)} — copy the two files into data/urfd/ by hand (the project ships them there: git checkout data/urfd restores them)`,
      true,
    );
  }
  if (!res.ok) throw new DownloadError(`${d.url}: HTTP ${res.status} ${res.statusText}`, false);
  try {
    return new Uint8Array(await res.arrayBuffer());
  } catch (e) {
    throw new DownloadError(`${d.url}: download broke off: ${describeNetworkError(e)}`, false);
  }
}

/** Downloads whatever is missing or wrong; returns the paths of the verified files. */
export async function downloadUrfd(opts: DownloadOptions = {}): Promise<string[]> {
  const dir = opts.dir ?? join(findProjectRoot(), "data", "urfd");
  const fetchImpl = opts.fetchImpl ?? fetch;
  const timeoutMs = opts.timeoutMs ?? 20000;
  const log = opts.log ?? ((line: string) => console.log(line));
  const out: string[] = [];
  for (const d of opts.files ?? URFD_DOWNLOADS) {
    const path = join(dir, d.file);
    if (existsSync(path)) {
      if (!opts.force && sha256(readFileSync(path)) === d.sha256) {
        log(`${d.file}: already present, checksum ok`);
        out.push(path);
        continue;
      }
      log(opts.force ? `${d.file}: present, downloading again (--force)` : `${d.file}: present but checksum differs, downloading again`);
    }
    const bytes = await fetchOne(d, fetchImpl, timeoutMs);
    const got = sha256(bytes);
    if (got !== d.sha256) throw new DownloadError(`${d.url}: sha256 ${got} does not match the expected ${d.sha256}; file not kept`, false);
    mkdirSync(dir, { recursive: true });
    const tmp = `${path}.tmp`;
    try {
      writeFileSync(tmp, bytes);
      renameSync(tmp, path);
    } finally {
      rmSync(tmp, { force: true });
    }
    log(`${d.file}: downloaded, ${bytes.length} bytes, checksum ok`);
    out.push(path);
  }
  return out;
}

/** `data`: verify the shipped URFD files, download what is missing or wrong. */
export function dataCommand(): StrictCommand {
  const command = new StrictCommand("data")
    .summary("verify the shipped URFD files; download what is missing or wrong")
    .description(
      "Checks the two URFD feature files in data/urfd/ (shipped with the project) against their sha256 and downloads whichever is missing or wrong " +
        "from fenix.ur.edu.pl; a download with another checksum is not kept.",
    )
    .flags([{ flag: "--force", help: "download and verify both files again even when the present copies are intact" }]);
  return withAction(command, async (c) => {
    await downloadUrfd({ force: c.given.has("--force") });
    return 0;
  });
}

if (require.main === module) runCommand(dataCommand(), process.argv.slice(2));
