// The runner's count is the number of real tests: npm test runs exactly the *.test.ts files, each
// of which declares tests, and no helper or fixture declares any (it would then never run).
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { findProjectRoot } from "../../lib/data/project-root";
import { compiledTestFiles } from "../run-tests";

const root = findProjectRoot(__dirname);

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : e.name.endsWith(".ts") ? [p] : [];
  });
}

test("npm test runs every test/**/*.test.ts (compiled) and nothing else", () => {
  const files = compiledTestFiles(root);
  const tests = sources(path.join(root, "test")).filter((f) => f.endsWith(".test.ts"));
  assert.equal(files.length, tests.length);
  for (const f of files) assert.match(f, /\/dist\/test\/.+\.test\.js$/);
  assert.ok(files.includes(__filename), "this file is among them");
  assert.ok(!files.some((f) => /fixtures|run-tests/.test(path.basename(f))), "no helper is run as a test");
  const script = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")).scripts.test as string;
  assert.match(script, /node dist\/test\/run-tests\.js/, "package.json's test script uses the runner");
  assert.doesNotMatch(script, /node --test dist\/test\/?(\s|$)/, "not node --test on the whole folder");
});

test("every *.test.ts declares tests with node:test; no helper under test/ does", () => {
  for (const f of sources(path.join(root, "test"))) {
    const text = fs.readFileSync(f, "utf8");
    const declares = /from "node:test"/.test(text);
    if (f.endsWith(".test.ts")) assert.ok(declares && /\btest\(/.test(text), `${path.relative(root, f)} declares no test`);
    else assert.ok(!declares, `${path.relative(root, f)} is a helper but imports node:test (its tests would never run)`);
  }
});
