// The package root, found from this file's location so notebooks (cwd notebooks/) and commands
// (cwd anywhere) agree on where runs/ and data/ are.
import * as fs from "node:fs";
import * as path from "node:path";

let cached: string | undefined;

export function projectRoot(): string {
  if (cached) return cached;
  let dir = __dirname;
  for (;;) {
    if (fs.existsSync(path.join(dir, "package.json")) && fs.existsSync(path.join(dir, "lib"))) {
      cached = dir;
      return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find the project root above ${__dirname}`);
    dir = parent;
  }
}
