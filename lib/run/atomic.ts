// Files are written to a temporary name and renamed, so an interrupted run never leaves a
// half-written artifact under the final name.
import * as fs from "node:fs";
import * as path from "node:path";

let counter = 0;

/**
 * Write `data` to `file` so that `file` is, at every moment, either absent, its old content, or the
 * whole new content: a temporary sibling is written and fsync'ed, then renamed over `file`.
 */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const tmp = writeTemporary(file, data);
  try {
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}

/** `data` written and fsync'ed to a temporary sibling of `file` (removed again if that fails); returns its name. */
function writeTemporary(file: string, data: string | Uint8Array): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}-${Date.now()}-${counter++}`;
  try {
    const fd = fs.openSync(tmp, "w");
    try {
      fs.writeFileSync(fd, data);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  return tmp;
}

export function writeJsonAtomic(file: string, value: unknown): void {
  writeFileAtomic(file, JSON.stringify(value, null, 2) + "\n");
}

/** Reads and parses a JSON file; errors name the file. */
export function readJson(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new Error(`${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`${file}: invalid JSON (${(err as Error).message})`);
  }
}

/**
 * Write files that belong together (a df.csv and its sidecar): every temporary first, then the renames, so a failure
 * before the renames leaves none of them; a rename that fails removes the ones already renamed.
 */
export function writeFilesTogether(entries: readonly { file: string; data: string | Uint8Array }[]): void {
  const tmps: string[] = [];
  try {
    for (const { file, data } of entries) tmps.push(writeTemporary(file, data));
  } catch (err) {
    for (const t of tmps) fs.rmSync(t, { force: true });
    throw err;
  }
  const renamed: string[] = [];
  try {
    entries.forEach(({ file }, i) => {
      fs.renameSync(tmps[i], file);
      renamed.push(file);
    });
  } catch (err) {
    for (const t of tmps) fs.rmSync(t, { force: true });
    for (const f of renamed) fs.rmSync(f, { force: true });
    throw err;
  }
}
