// A df.csv sidecar that no longer fits its df.csv, at the pipeline CLI as a user meets it: the CSV
// changed (sha256), the sidecar's row count, token width or a recording index is off. Each is exit
// 1 with one stderr line naming the sidecar and the problem, and nothing written at --out.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { generateSynthetic } from "../../lib/data";
import { deriveDfCsv, writeDerivedDfCsv } from "../../lib/data/dfcsv-derive";
import { metaFileFor } from "../../lib/data/dfcsv-meta";
import { runCli } from "../fixtures/cli";

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

interface Case {
  name: string;
  /** Spoils the pair (csv file, parsed sidecar); return the sidecar to write back. */
  spoil: (csv: string, meta: Record<string, unknown>) => Record<string, unknown>;
  problem: (csv: string) => RegExp;
}

const cases: Case[] = [
  {
    name: "the CSV changed after deriving (sha256)",
    spoil: (csv, meta) => {
      fs.appendFileSync(csv, fs.readFileSync(csv, "utf8").split("\n")[0] + "\n");
      return meta;
    },
    problem: (csv) => new RegExp(`describes another version of ${esc(csv)} \\(sha256 differs\\): derive both again`),
  },
  { name: "row count", spoil: (_c, meta) => ({ ...meta, rows: (meta.rows as number) + 1 }), problem: (csv) => new RegExp(`describes \\d+ rows, ${esc(csv)} has \\d+$`) },
  { name: "token width", spoil: (_c, meta) => ({ ...meta, window: 9 }), problem: (csv) => new RegExp(`says rows of 9 tokens, ${esc(csv)} has 8$`) },
  {
    name: "recording index",
    spoil: (_c, meta) => ({ ...meta, rowSequence: (meta.rowSequence as number[]).map((s, i) => (i === 2 ? 99 : s)) }),
    problem: () => /rowSequence holds 99, not an index into sequenceIds$/,
  },
];

test("pipeline --format dfcsv refuses a stale sidecar: one line naming it, exit 1, nothing written", async () => {
  const ds = generateSynthetic({ seed: 3, falls: 4, adls: 4 });
  const derived = deriveDfCsv(ds, { postures: 6, window: 8, stride: 8, seed: 1 });
  for (const c of cases) {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "stale-sidecar-"));
    try {
      const csv = path.join(tmp, "df.csv");
      writeDerivedDfCsv(csv, derived, "synthetic test data");
      const metaFile = metaFileFor(csv);
      const spoiled = c.spoil(csv, JSON.parse(fs.readFileSync(metaFile, "utf8")));
      fs.writeFileSync(metaFile, JSON.stringify(spoiled));
      const out = path.join(tmp, "out");
      const r = await runCli(["--format", "dfcsv", "--data", csv, "--epochs", "1", "--workers", "1", "--folds", "2", "--out", out]);
      assert.equal(r.code, 1, `${c.name}: ${r.stderr}`);
      const lines = r.stderr.trimEnd().split("\n");
      assert.equal(lines.length, 1, `${c.name}: one line, got ${r.stderr}`);
      assert.match(lines[0], new RegExp(`^pipeline: ${esc(metaFile)}: `), c.name);
      assert.match(lines[0], c.problem(csv), c.name);
      assert.deepEqual(fs.readdirSync(tmp).sort(), ["df.csv", "df.csv.meta.json"], `${c.name}: nothing written`);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }
});
