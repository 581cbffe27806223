// `npm run derive-dfcsv`: one-line errors with exit codes, and the files it promises.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { generateSynthetic, writeUrfdFolder } from "../../lib/data";
import { readDfCsvFile } from "../../lib/data/dfcsv";
import { readDfCsvMeta } from "../../lib/data/dfcsv-meta";

const CLI = path.join(__dirname, "..", "..", "lib", "cli", "derive-dfcsv.js");

function run(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", env: { ...process.env, FALL_DATA_DIR: "" } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr.trim() };
}

test("derive-dfcsv: bad command lines exit 2, bad data exits 1, each with one line", () => {
  for (const args of [["--postures", "1"], ["--postures", "169"], ["--window", "x"], ["--bogus"], ["--out"]]) {
    const r = run(args);
    assert.equal(r.code, 2, args.join(" "));
    assert.equal(r.stderr.split("\n").length, 1, r.stderr);
    assert.match(r.stderr, /^derive-dfcsv: /);
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "derive-cli-"));
  try {
    const r = run(["--data", path.join(tmp, "nope"), "--out", path.join(tmp, "df.csv")]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^derive-dfcsv: .*nope: data folder given by the caller lacks urfall-cam0-falls\.csv/);
    assert.deepEqual(fs.readdirSync(tmp), [], "nothing written");
    writeUrfdFolder(path.join(tmp, "urfd"), generateSynthetic({ seed: 8, falls: 2, adls: 2 }));
    const long = run(["--data", path.join(tmp, "urfd"), "--window", "5000", "--out", path.join(tmp, "df.csv")]);
    assert.equal(long.code, 1);
    assert.match(long.stderr.trim(), /^derive-dfcsv: .*urfall-cam0-falls\.csv and .*urfall-cam0-adls\.csv: no row: every recording is shorter than --window 5000 \(the longest has \d+ frames\)$/);
    assert.ok(!fs.existsSync(path.join(tmp, "df.csv")) && !fs.existsSync(path.join(tmp, "df.csv.meta.json")), "nothing written");
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test("derive-dfcsv writes df.csv and its sidecar from a URFD folder", () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "derive-cli-"));
  try {
    writeUrfdFolder(path.join(tmp, "urfd"), generateSynthetic({ seed: 8, falls: 3, adls: 3 }));
    const out = path.join(tmp, "out", "df.csv");
    const r = run(["--data", path.join(tmp, "urfd"), "--out", out, "--postures", "5", "--window", "10", "--stride=5"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /wrote .*df\.csv and .*df\.csv\.meta\.json/);
    const df = readDfCsvFile(out, { vocabSize: 5 });
    assert.equal(df.width, 10);
    const meta = readDfCsvMeta(out, df);
    assert.equal(meta?.postures, 5);
    assert.equal(meta?.sequenceIds.length, 6);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
