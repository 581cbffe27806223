// The committed notebooks use one public surface (../dist/lib) and read step files through the typed
// readers: no submodule imports and no `as` casts in code cells.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { findProjectRoot } from "../../lib/data/project-root";
import { joinSource, parseNotebook } from "../../lib/notebook/ipynb";
import * as surface from "../../lib";

const root = findProjectRoot(__dirname);
const dir = path.join(root, "notebooks");
const notebooks = fs.readdirSync(dir).filter((f) => /^\d\d-.*\.ipynb$/.test(f)).sort();

function codeOf(file: string): string {
  const nb = parseNotebook(fs.readFileSync(path.join(dir, file), "utf8"), file);
  return nb.cells.filter((c) => c.cell_type === "code").map((c) => joinSource(c.source)).join("\n");
}

test("every notebook imports the library only from ../dist/lib, in at most 4 import statements", () => {
  assert.ok(notebooks.length >= 8, `found ${notebooks.length} notebooks`);
  for (const nb of notebooks) {
    const from = [...codeOf(nb).matchAll(/^import [^;]*? from "([^"]+)";/gms)].map((m) => m[1]);
    const lib = from.filter((m) => !m.startsWith("node:"));
    assert.deepEqual(lib, ["../dist/lib"], `${nb}: library imports ${lib.join(", ")}`);
    assert.ok(from.length <= 4, `${nb}: ${from.length} import statements`);
  }
});

test("every name a notebook imports from ../dist/lib is exported there (types aside)", () => {
  for (const nb of notebooks) {
    const block = /^import \{([^}]*)\} from "\.\.\/dist\/lib";/ms.exec(codeOf(nb));
    assert.ok(block, `${nb}: one named import from ../dist/lib`);
    const names = block[1].split(",").map((n) => n.trim()).filter(Boolean);
    const missing = names.filter((n) => !(n in surface) && !/^[A-Z][a-z]/.test(n));
    assert.deepEqual(missing, [], `${nb}: not exported by lib/index.ts`);
  }
});

test("no notebook casts with `as` (step files go through the typed readers)", () => {
  for (const nb of notebooks) {
    const casts = codeOf(nb).split("\n").filter((l) => /\bas\s+(\{|[A-Z]\w*\b|unknown\b|any\b)/.test(l) && !/^\s*import /.test(l));
    assert.deepEqual(casts, [], nb);
  }
});
