// Finds the package root (the folder holding package.json) so data paths work from lib/ and dist/.

import { existsSync } from "node:fs";
import { dirname, join } from "node:path";

/** Walks up from `start` (default: this file's folder) to the nearest folder with a package.json. */
export function findProjectRoot(start: string = __dirname): string {
  let dir = start;
  for (;;) {
    if (existsSync(join(dir, "package.json"))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json found above ${start}`);
    dir = up;
  }
}
