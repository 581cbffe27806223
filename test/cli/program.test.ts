// The one program, fall-dp (dist/lib/cli/main.js, package.json "bin"), run as a user would: --help
// everywhere without side effects, usage errors exit 2 and failures exit 1, each as one line.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..", "..");
const MAIN = path.join(ROOT, "dist", "lib", "cli", "main.js");
const NO_NETWORK = path.join(ROOT, "dist", "test", "fixtures", "no-network.js");
const COMMANDS = ["pipeline", "detect", "validate", "derive-dfcsv", "data", "bench", "scaling", "goals", "notebooks", "notebook-pages", "clean-notebooks"];
const HIDDEN = ["bench-cluster", "sim-hosts", "check-html", "profile", "throughput"];

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run `file args` from `cwd` with sockets refused, without the FALL_* variables of this process. */
function run(file: string, args: string[], cwd: string, env: Record<string, string> = {}): Run {
  const { FALL_DATA_DIR: _d, FALL_DEBUG: _g, FALL_TEST_FAULT: _f, ...rest } = process.env;
  const r = spawnSync(process.execPath, ["--require", NO_NETWORK, file, ...args], { cwd, env: { ...rest, ...env }, encoding: "utf8", timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Names and modification times of everything below `dir` (what a command could have written). */
function snapshot(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .map((e) => path.join(e.parentPath ?? e.path, e.name))
    .map((p) => `${path.relative(dir, p)} ${fs.statSync(p).mtimeMs}`)
    .sort();
}

function withTempCwd(fn: (cwd: string) => void): void {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), "fall-dp-"));
  try {
    fn(cwd);
  } finally {
    fs.rmSync(cwd, { recursive: true, force: true });
  }
}

function assertOneLine(r: Run, code: number, pattern: RegExp): void {
  assert.equal(r.code, code, `exit code; stderr: ${r.stderr}`);
  const lines = r.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, `one line on stderr, got:\n${r.stderr}`);
  assert.match(lines[0], pattern);
  assert.doesNotMatch(r.stdout + r.stderr, /\n\s+at /, "no stack trace");
}

test("the bin is dist/lib/cli/main.js, a node script", () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { bin: Record<string, string> };
  assert.deepEqual(pkg.bin, { "fall-dp": "dist/lib/cli/main.js" });
  assert.match(fs.readFileSync(MAIN, "utf8"), /^#!\/usr\/bin\/env node\n/);
});

test("the no-network guard refuses a connection (so the checks below can fail)", () => {
  withTempCwd((cwd) => {
    const probe = path.join(cwd, "probe.js");
    fs.writeFileSync(probe, 'require("node:net").connect(9, "127.0.0.1").on("error", () => undefined);\n');
    const r = run(probe, [], cwd);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /^NETWORK: connect /m);
  });
});

test("fall-dp --help and every command's --help: exit 0, the generated help, nothing written, no network", () => {
  const projectBefore = { runs: snapshot(path.join(ROOT, "runs")), data: snapshot(path.join(ROOT, "data")) };
  withTempCwd((cwd) => {
    const top = run(MAIN, ["--help"], cwd);
    assert.equal(top.code, 0, top.stderr);
    assert.equal(top.stderr, "");
    assert.match(top.stdout, /^Usage: fall-dp \[options\] \[command\]/);
    for (const c of COMMANDS) assert.match(top.stdout, new RegExp(`\\n {2}${c} `), `${c} listed`);
    for (const c of HIDDEN) assert.doesNotMatch(top.stdout, new RegExp(`\\n {2}${c} `), `${c} hidden`);
    for (const c of [...COMMANDS, ...HIDDEN]) {
      for (const help of ["--help", "-h"]) {
        const r = run(MAIN, [c, help], cwd);
        assert.equal(r.code, 0, `${c} ${help}: ${r.stderr}`);
        assert.equal(r.stderr, "", `${c} ${help}`);
        assert.match(r.stdout, new RegExp(`^Usage: fall-dp ${c} `), `${c} ${help}`);
        assert.match(r.stdout, /\n {2}-h, --help +display help for command\n/);
      }
    }
    assert.deepEqual(fs.readdirSync(cwd), [], "nothing written in the working folder");
  });
  assert.deepEqual({ runs: snapshot(path.join(ROOT, "runs")), data: snapshot(path.join(ROOT, "data")) }, projectBefore, "nothing written in the project");
});

test("the npm scripts' entry files print the same generated help as the program", () => {
  withTempCwd((cwd) => {
    for (const [c, file] of [["pipeline", "pipeline"], ["data", "download-data"], ["detect", "detect"], ["notebooks", "run-notebooks"]]) {
      const alone = run(path.join(ROOT, "dist", "lib", "cli", `${file}.js`), ["--help"], cwd);
      const viaProgram = run(MAIN, [c, "--help"], cwd);
      assert.equal(alone.code, 0, alone.stderr);
      assert.equal(alone.stdout.replace(/^Usage: \S+/, ""), viaProgram.stdout.replace(/^Usage: fall-dp \S+/, ""), file);
    }
  });
});

test("usage errors: exit 2, one line naming the command and the problem", () => {
  withTempCwd((cwd) => {
    assertOneLine(run(MAIN, [], cwd), 2, /^fall-dp: missing command \(see fall-dp --help\)$/);
    assertOneLine(run(MAIN, ["frobnicate"], cwd), 2, /^fall-dp: unknown command "frobnicate" \(see fall-dp --help\)$/);
    assertOneLine(run(MAIN, ["--frobnicate"], cwd), 2, /^fall-dp: unknown option "--frobnicate" \(see --help\)$/);
    for (const c of [...COMMANDS, ...HIDDEN]) {
      assertOneLine(run(MAIN, [c, "--frobnicate"], cwd), 2, new RegExp(`^${c}: (unknown option "--frobnicate" \\(see --help\\)|missing command .*)$`));
    }
    assertOneLine(run(MAIN, ["pipeline", "--epochs"], cwd), 2, /^pipeline: --epochs expects a value \(N\)$/);
    assertOneLine(run(MAIN, ["pipeline", "--epochs", "2", "--epochs", "3"], cwd), 2, /^pipeline: --epochs given twice$/);
    assertOneLine(run(MAIN, ["pipeline", "--quiet=yes"], cwd), 2, /^pipeline: --quiet takes no value$/);
    // A flag's missing value is not the next flag (commander would take it: a folder named --quiet).
    assertOneLine(run(MAIN, ["pipeline", "--synthetic", "--out", "--quiet"], cwd), 2, /^pipeline: --out expects a value \(DIR\), got the flag --quiet$/);
    assertOneLine(run(MAIN, ["detect", "--model", "--data", "x.csv"], cwd), 2, /^detect: --model expects a value \(DIR\), got the flag --data$/);
    assertOneLine(run(MAIN, ["validate", "--out", "-h"], cwd), 2, /^validate: --out expects a value .*got the flag -h$/);
    assertOneLine(run(MAIN, ["pipeline", "stray"], cwd), 2, /^pipeline: too many arguments: "stray" \(see fall-dp pipeline --help\)$/);
    assertOneLine(run(MAIN, ["pipeline", "--cluster", "mpi"], cwd), 2, /^pipeline: --cluster mpi needs --ranks R$/);
    assertOneLine(run(MAIN, ["validate", "--chute", "5"], cwd), 2, /^validate: missing --model, --data, --cam \(see --help\)$/);
    assertOneLine(run(MAIN, ["sim-hosts", "up", "99"], cwd), 2, /^sim-hosts up: N expects an integer in 1\.\.16, got "99"$/);
    assertOneLine(run(MAIN, ["notebooks", "no-such-notebook"], cwd), 2, /^notebooks: no notebook "no-such-notebook" /);
    assertOneLine(run(MAIN, ["scaling", "--modes", "fastest"], cwd), 2, /^scaling: --modes must list setups among /);
    assertOneLine(run(MAIN, ["scaling", "--modes", "gradients,gradients"], cwd), 2, /^scaling: --modes lists gradients twice$/);
    assertOneLine(run(MAIN, ["scaling", "--seeds", "1,1"], cwd), 2, /^scaling: --seeds lists 1 twice$/);
    assertOneLine(run(MAIN, ["scaling", "--workers", "1,100"], cwd), 2, /^scaling: --workers expects integers in 1\.\.64, got 100$/);
    assertOneLine(run(MAIN, ["bench", "--workers", "2,4"], cwd), 2, /^bench: --workers must include 1 /);
    assert.deepEqual(fs.readdirSync(cwd), []);
    // scaling never writes into a folder holding something else, nor over a study without --resume.
    fs.mkdirSync(path.join(cwd, "other"));
    fs.writeFileSync(path.join(cwd, "other", "notes.txt"), "mine");
    assertOneLine(run(MAIN, ["scaling", "--out", "other"], cwd), 2, /^scaling: --out .*other is not empty; choose another --out$/);
    assertOneLine(run(MAIN, ["scaling", "--resume", "--out", "other"], cwd), 2, /^scaling: --resume: .*other holds no scaling\.json/);
    fs.writeFileSync(path.join(cwd, "other", "scaling.json"), "{}");
    assertOneLine(run(MAIN, ["scaling", "--out", "other"], cwd), 2, /^scaling: --out .*other is not empty \(a scaling study's folder: give --resume/);
    fs.mkdirSync(path.join(cwd, "cut", "runs", "gradients-w1-s1.partial"), { recursive: true });
    assertOneLine(run(MAIN, ["scaling", "--out", "cut"], cwd), 2, /^scaling: --out .*cut is not empty \(a scaling study's folder: give --resume/);
    fs.rmSync(path.join(cwd, "cut"), { recursive: true });
    assertOneLine(run(MAIN, ["scaling", "--out", "other/notes.txt"], cwd), 2, /^scaling: --out .*notes\.txt exists and is not a folder; choose another --out$/);
    assert.deepEqual(fs.readdirSync(path.join(cwd, "other")).sort(), ["notes.txt", "scaling.json"]);
    fs.rmSync(path.join(cwd, "other"), { recursive: true });
  });
});

test("a failure: exit 1, one line without a stack; FALL_DEBUG=1 adds the stack", () => {
  withTempCwd((cwd) => {
    const args = ["detect", "--model", path.join(cwd, "no-model"), "--data", path.join(cwd, "no-data")];
    assertOneLine(run(MAIN, args, cwd), 1, /^detect: .*no-data: not found \(ENOENT\)$/);
    const debug = run(MAIN, args, cwd, { FALL_DEBUG: "1" });
    assert.equal(debug.code, 1);
    assert.match(debug.stderr, /^detect: .*no-data: not found \(ENOENT\)\n/);
    assert.match(debug.stderr, /\n\s+at /, "FALL_DEBUG=1 shows the stack");
  });
});
