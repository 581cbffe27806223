// Output files checked before a command works (found by a review: derive-dfcsv could overwrite its own URFD input,
// goals --json a run's metrics.json; write failures came last, as raw Node errors naming a temporary file), and a
// df.csv written together with its sidecar or not at all.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { checkOutputFile, filesAt } from "../../lib/cli/output-file";
import { writeFilesTogether } from "../../lib/run/atomic";
import { UsageError } from "../../lib/pipeline/usage-error";
import { generateSynthetic, writeUrfdFolder } from "../../lib/data";

const MAIN = path.join(__dirname, "..", "..", "lib", "cli", "main.js");
const cli = (args: string[]) => spawnSync(process.execPath, [MAIN, ...args], { encoding: "utf8" });

function tmp(t: { after: (f: () => void) => void }): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "output-files-"));
  t.after(() => fs.rmSync(d, { recursive: true, force: true }));
  return d;
}

test("checkOutputFile: an input is a usage error; a folder, a file for a folder and an unwritable place are one-line errors; a new file is fine", (t) => {
  const d = tmp(t);
  const input = path.join(d, "in.csv");
  fs.writeFileSync(input, "x");
  assert.throws(() => checkOutputFile(path.join(d, ".", "in.csv"), "--out", [input]), (e: unknown) => e instanceof UsageError && /--out .*in\.csv: is one of the files this command reads; write elsewhere/.test(e.message));
  fs.symlinkSync(input, path.join(d, "link.csv"));
  assert.throws(() => checkOutputFile(path.join(d, "link.csv"), "--out", [input]), UsageError, "a link to an input is that input");
  assert.throws(() => checkOutputFile(d, "--json", []), /: is a folder \(--json names the file to write\)$/);
  assert.throws(() => checkOutputFile(path.join(input, "sub", "x.json"), "--out", []), /cannot be written: .*in\.csv is a file, not a folder$/);
  assert.throws(() => checkOutputFile("/proc/x.json", "--out", []), /\/proc\/x\.json: cannot be written: \/proc does not take new files/);
  checkOutputFile(path.join(d, "new", "deeper", "out.json"), "--out", [input]);
  assert.deepEqual(fs.readdirSync(d).sort(), ["in.csv", "link.csv"], "the probe leaves nothing");
  assert.deepEqual(filesAt(d).map((f) => path.basename(f)).sort(), ["in.csv", "link.csv"]);
});

test("writeFilesTogether: both files or neither", (t) => {
  const d = tmp(t);
  writeFilesTogether([{ file: path.join(d, "a.csv"), data: "1" }, { file: path.join(d, "a.csv.meta.json"), data: "{}" }]);
  assert.deepEqual(fs.readdirSync(d).sort(), ["a.csv", "a.csv.meta.json"]);
  fs.mkdirSync(path.join(d, "b.csv.meta.json")); // the second rename fails: a folder is in the way
  assert.throws(() => writeFilesTogether([{ file: path.join(d, "b.csv"), data: "1" }, { file: path.join(d, "b.csv.meta.json"), data: "{}" }]));
  assert.deepEqual(fs.readdirSync(d).sort(), ["a.csv", "a.csv.meta.json", "b.csv.meta.json"], "no b.csv without its sidecar, no temporary");
});

test("derive-dfcsv and goals refuse an output that is one of their inputs, before any work, exit 2", (t) => {
  const d = tmp(t);
  const data = path.join(d, "data");
  writeUrfdFolder(data, generateSynthetic({ seed: 2, falls: 2, adls: 2 }));
  const before = fs.readFileSync(path.join(data, "urfall-cam0-falls.csv"));
  let r = cli(["derive-dfcsv", "--data", data, "--out", path.join(data, "urfall-cam0-falls.csv")]);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr.trim(), /^derive-dfcsv: --out .*urfall-cam0-falls\.csv: is one of the files this command reads; write elsewhere$/);
  assert.ok(fs.readFileSync(path.join(data, "urfall-cam0-falls.csv")).equals(before));
  fs.mkdirSync(path.join(d, "df.csv"));
  r = cli(["derive-dfcsv", "--data", data, "--out", path.join(d, "df.csv")]);
  assert.equal(r.status, 1);
  assert.match(r.stderr.trim(), /^derive-dfcsv: .*df\.csv: is a folder \(--out names the file to write\)$/);
  assert.ok(!fs.existsSync(path.join(d, "df.csv.meta.json")), "no sidecar left without its df.csv");
  const run = path.join(d, "run");
  fs.mkdirSync(run);
  fs.writeFileSync(path.join(run, "metrics.json"), "{}");
  r = cli(["goals", run, "--json", path.join(run, "metrics.json")]);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr.trim(), /^goals: --json .*metrics\.json: is one of the files this command reads; write elsewhere$/);
  assert.equal(fs.readFileSync(path.join(run, "metrics.json"), "utf8"), "{}");
});
