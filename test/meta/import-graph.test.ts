// Layers point one way: no import circle anywhere in lib/ (type-only imports count: they tie the
// files together for a reader just the same), and nothing outside lib/cli imports lib/cli.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { findProjectRoot } from "../../lib/data/project-root";

const lib = path.join(findProjectRoot(__dirname), "lib");

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") ? [p] : [];
  });
}

/** Relative imports and re-exports of `file`, resolved to .ts files (folder imports to their index.ts). */
function localImports(file: string, text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s+"(\.{1,2}\/[^"]*)"/gms)) {
    const target = path.resolve(path.dirname(file), m[1]);
    const hit = [`${target}.ts`, path.join(target, "index.ts")].find((f) => fs.existsSync(f));
    if (hit) out.push(hit);
  }
  return out;
}

/** Every circle in the graph, each as the files along it. */
function circles(graph: Map<string, string[]>): string[][] {
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const found: string[][] = [];
  const visit = (f: string): void => {
    state.set(f, "open");
    stack.push(f);
    for (const g of graph.get(f) ?? []) {
      if (state.get(g) === "open") found.push(stack.slice(stack.indexOf(g)));
      else if (!state.has(g)) visit(g);
    }
    stack.pop();
    state.set(f, "done");
  };
  for (const f of graph.keys()) if (!state.has(f)) visit(f);
  return found;
}

const graph = new Map(sources(lib).map((f) => [f, localImports(f, fs.readFileSync(f, "utf8"))]));

test("the import graph is read (a known edge is found)", () => {
  const edges = graph.get(path.join(lib, "pipeline", "run-pipeline.ts")) ?? [];
  assert.ok(edges.includes(path.join(lib, "pipeline", "metrics-json.ts")), "run-pipeline.ts imports metrics-json.ts");
  assert.ok(edges.includes(path.join(lib, "detect", "index.ts")), "a folder import resolves to its index.ts");
  assert.deepEqual(circles(new Map([["a", ["b"]], ["b", ["c"]], ["c", ["a"]]])), [["a", "b", "c"]], "a circle is found");
});

// None known: cluster-fit.ts and in-job.ts share lib/cluster/job.ts instead of importing each other.
const KNOWN_CIRCLES: string[] = [];

test("no import circle in lib/", () => {
  const found = circles(graph).map((c) => c.map((f) => path.relative(lib, f)).join(" -> "));
  assert.deepEqual(found.filter((c) => !KNOWN_CIRCLES.includes(c)), []);
});

test("only lib/cli imports lib/cli", () => {
  const cli = path.join(lib, "cli") + path.sep;
  const upward = [...graph].flatMap(([f, deps]) => (f.startsWith(cli) ? [] : deps.filter((d) => d.startsWith(cli)).map((d) => `${path.relative(lib, f)} -> ${path.relative(lib, d)}`)));
  assert.deepEqual(upward, []);
});
