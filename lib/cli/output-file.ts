// An output file a command will write, checked before the command does its work: not one of the files it reads (a
// typo there destroyed the input), not a folder, and in a folder this process can write. Each problem is one line
// naming the path as the user gave it.
import * as fs from "node:fs";
import * as path from "node:path";
import { UsageError } from "../pipeline/usage-error";

/** The real path of `p` when it exists, else its resolved path. */
function canonical(p: string): string {
  const abs = path.resolve(p);
  try {
    return fs.realpathSync(abs);
  } catch {
    return abs;
  }
}

/** Throws when `out` (given as `flag`) may not or cannot be written; `reads`: every file the command reads. */
export function checkOutputFile(out: string, flag: string, reads: readonly string[]): void {
  const target = canonical(out);
  if (reads.some((r) => canonical(r) === target)) throw new UsageError(`${flag} ${out}: is one of the files this command reads; write elsewhere`);
  let stat: fs.Stats | null = null;
  try {
    stat = fs.statSync(target);
  } catch {
    // Not there yet: its folder decides.
  }
  if (stat?.isDirectory()) throw new Error(`${out}: is a folder (${flag} names the file to write)`);
  // The nearest existing folder above it must be a writable folder (writeFileAtomic creates the ones missing).
  let dir = path.dirname(target);
  while (!fs.existsSync(dir)) dir = path.dirname(dir);
  if (!fs.statSync(dir).isDirectory()) throw new Error(`${out}: cannot be written: ${dir} is a file, not a folder`);
  // A probe file, not access(2): as root, access() calls /sys or /proc writable where creating a file fails.
  const probe = path.join(dir, `.write-probe-${process.pid}-${Date.now()}`);
  try {
    fs.writeFileSync(probe, "");
    fs.rmSync(probe, { force: true });
  } catch (err) {
    throw new Error(`${out}: cannot be written: ${dir} does not take new files (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  if (stat) {
    try {
      fs.accessSync(target, fs.constants.W_OK);
    } catch (err) {
      throw new Error(`${out}: cannot be overwritten (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
    }
  }
}

/** Every file at `p` (itself, or under it when a folder): what a command reading that folder may read. */
export function filesAt(p: string): string[] {
  const abs = path.resolve(p);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(abs);
  } catch {
    return [];
  }
  if (!stat.isDirectory()) return [abs];
  return fs.readdirSync(abs, { recursive: true, withFileTypes: true }).filter((e) => e.isFile() || e.isSymbolicLink()).map((e) => path.join(e.parentPath ?? e.path, e.name));
}
