// `npm test`'s runner: node --test on exactly the compiled *.test.js files whose test/**/*.test.ts
// source exists. Node 20 given a folder runs every .js under a folder named test, so the helpers
// and fixtures would each count as a passing test; and a test deleted from test/ would live on in
// dist/. Extra arguments go to node (e.g. --test-name-pattern=floor), folders or files narrow the set.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const TEST_SUFFIX = ".test.ts";

/** Every test/**\/*.test.ts under `root`, as its compiled dist/test/**\/*.test.js path, sorted. */
export function compiledTestFiles(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(TEST_SUFFIX)) found.push(p);
    }
  };
  walk(path.join(root, "test"));
  return found
    .map((src) => path.join(root, "dist", path.relative(root, src)).slice(0, -".ts".length) + ".js")
    .sort();
}

function main(argv: string[]): number {
  const root = path.resolve(__dirname, "..", "..");
  const all = compiledTestFiles(root);
  const missing = all.filter((f) => !fs.existsSync(f));
  if (missing.length) {
    console.error(`run-tests: ${missing.length} test file(s) not compiled (run npm run build): ${missing.map((f) => path.relative(root, f)).join(", ")}`);
    return 1;
  }
  const nodeArgs = argv.filter((a) => a.startsWith("-"));
  const narrow = argv.filter((a) => !a.startsWith("-")).map((a) => path.resolve(a));
  const files = narrow.length ? all.filter((f) => narrow.some((n) => f === n || f.startsWith(n + path.sep))) : all;
  if (!files.length) {
    console.error(`run-tests: no test file matches ${narrow.join(" ")}`);
    return 1;
  }
  const r = spawnSync(process.execPath, ["--test", ...nodeArgs, ...files], { stdio: "inherit" });
  return r.status ?? 1;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
