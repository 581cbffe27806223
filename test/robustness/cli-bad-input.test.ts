// Bad input to `npm run pipeline`, run as a user would (the compiled CLI as a child process): every
// case ends with a non-zero exit and ONE line on stderr naming the file (and line) and the problem,
// no stack trace, and nothing at --out nor any staging folder next to it.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { generateSynthetic, urfdCsvText } from "../../lib/data";
import { URFD_FILES } from "../../lib/data/load";
import { runCli, CliResult } from "../fixtures/cli";

const DS = generateSynthetic({ seed: 3, falls: 4, adls: 4 });
const FALLS = urfdCsvText(DS, true);
const ADLS = urfdCsvText(DS, false);
/** Small windows and one quick epoch wherever training is reached. */
const FAST = ["--detector", "plain", "--window", "16", "--stride", "8", "--epochs", "1", "--batch-size", "16"];

/** FAST, minus the flags `args` sets itself, then `args`. */
function withFast(args: readonly string[]): string[] {
  const own = new Set(args.filter((a) => a.startsWith("--")).map((a) => a.split("=")[0]));
  if (own.has("--resume")) own.add("--detector"); // a resumed run keeps its own detector
  const out: string[] = [];
  for (let i = 0; i < FAST.length; i += 2) if (!own.has(FAST[i])) out.push(FAST[i], FAST[i + 1]);
  return [...out, ...args];
}

/** Replace cells of one 1-based line. */
function editLine(text: string, line: number, edit: (cells: string[]) => string[] | string): string {
  const lines = text.split("\n");
  const out = edit(lines[line - 1].split(","));
  lines[line - 1] = typeof out === "string" ? out : out.join(",");
  return lines.join("\n");
}

interface Case {
  name: string;
  /** null: leave the file out; default: the good file. */
  falls?: string | null;
  adls?: string | null;
  args?: string[];
  /** Replaces --data <dir>. */
  dataArgs?: (dir: string, root: string) => string[];
  env?: Record<string, string>;
  code: number;
  /** The whole (single) stderr line after "pipeline: ". */
  message: (dir: string) => RegExp;
}

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const F = (dir: string) => esc(path.join(dir, URFD_FILES.falls));
const A = (dir: string) => esc(path.join(dir, URFD_FILES.adls));

const cases: Case[] = [
  { name: "malformed row (semicolons)", falls: editLine(FALLS, 5, (c) => c.join(";")), code: 1, message: (d) => new RegExp(`^${F(d)}:5: expected 11 columns, got 1$`) },
  { name: "wrong column count", adls: editLine(ADLS, 7, (c) => c.slice(0, 10)), code: 1, message: (d) => new RegExp(`^${A(d)}:7: expected 11 columns, got 10$`) },
  { name: "non-numeric feature", falls: editLine(FALLS, 3, (c) => (c.splice(4, 1, "abc"), c)), code: 1, message: (d) => new RegExp(`^${F(d)}:3: MajorMinorRatio is not a finite number: "abc"$`) },
  { name: "NaN feature", falls: editLine(FALLS, 4, (c) => (c.splice(8, 1, "NaN"), c)), code: 1, message: (d) => new RegExp(`^${F(d)}:4: H is not a finite number: "NaN"$`) },
  { name: "infinite feature", adls: editLine(ADLS, 6, (c) => (c.splice(9, 1, "Infinity"), c)), code: 1, message: (d) => new RegExp(`^${A(d)}:6: D is not a finite number: "Infinity"$`) },
  { name: "feature overflowing float32", adls: editLine(ADLS, 2, (c) => (c.splice(10, 1, "1e39"), c)), code: 1, message: (d) => new RegExp(`^${A(d)}:2: P40 is not a finite number: "1e39"$`) },
  { name: "empty file", falls: "", code: 1, message: (d) => new RegExp(`^${F(d)}: file is empty$`) },
  { name: "duplicate frame number", falls: editLine(FALLS, 10, (c) => (c.splice(1, 1, FALLS.split("\n")[8].split(",")[1]), c)), code: 1, message: (d) => new RegExp(`^${F(d)}:10: duplicate frame \\d+ in sequence "fall-01"$`) },
  { name: "decreasing frame number", adls: editLine(ADLS, 10, (c) => (c.splice(1, 1, "1"), c)), code: 1, message: (d) => new RegExp(`^${A(d)}:10: frame 1 comes after frame \\d+ in sequence "adl-01" \\(frames must increase\\)$`) },
  { name: "unknown label value", adls: editLine(ADLS, 2, (c) => (c.splice(2, 1, "2"), c)), code: 1, message: (d) => new RegExp(`^${A(d)}:2: label must be -1, 0 or 1, got "2"$`) },
  { name: "no window at all (every sequence shorter than --window)", args: ["--window", "5000"], code: 1, message: (d) => new RegExp(`^${F(d)} and ${A(d)}: no window: all 8 sequences are shorter than --window 5000 \\(the longest has 404 frames\\)$`) },
  {
    name: "one class only (no fall ever reaches label 0)",
    falls: FALLS.split("\n").map((l) => (l ? editLine(l, 1, (c) => (c.splice(2, 1, "-1"), c)) : l)).join("\n"),
    code: 1,
    message: (d) => new RegExp(`^${F(d)}: no fall window .* among \\d+ windows of --window 16 --stride 8: a detector needs both classes$`),
  },
  { name: "more workers than training windows", args: ["--workers", "64", "--window", "100", "--stride", "100"], code: 1, message: (d) => new RegExp(`^${F(d)} and ${A(d)}: --workers 64 is more than the \\d+ training windows of the hold-out split; use fewer workers or a smaller --window / --stride$`) },
  {
    name: "a fold with no fall to train on (one fall recording, 2 folds)",
    falls: FALLS.split("\n").filter((l) => l.startsWith("fall-01,")).join("\n") + "\n",
    args: ["--folds", "2"],
    code: 1,
    message: (d) => new RegExp(`^${F(d)} and ${A(d)}: fold [12] of 2 would train on no fall window \\(the data has 1 fall recording\\(s\\)\\): a fold's threshold needs both; use fewer --folds or add recordings$`),
  },
  { name: "more folds than recordings", args: ["--folds", "9"], code: 1, message: (d) => new RegExp(`^${F(d)} and ${A(d)}: 8 recording\\(s\\) give windows, --folds 9 needs at least 9$`) },
  { name: "missing file", adls: null, code: 1, message: (d) => new RegExp(`^${esc(d)}: data folder given by the caller lacks ${esc(URFD_FILES.adls)} \\(no fallback when a folder is named\\)$`) },
  { name: "missing data folder", dataArgs: (d) => ["--data", path.join(d, "nowhere")], code: 1, message: (d) => new RegExp(`^${esc(path.join(d, "nowhere"))}: data folder not found$`) },
  { name: "--data names a file", dataArgs: (d) => ["--data", path.join(d, URFD_FILES.falls)], code: 1, message: (d) => new RegExp(`^${F(d)}: is not a folder`) },
  { name: "--window 0", args: ["--window", "0"], code: 2, message: () => /^--window expects a positive integer, got "0"$/ },
  { name: "--stride -2", args: ["--stride", "-2"], code: 2, message: () => /^--stride expects a positive integer, got "-2"$/ },
  { name: "--epochs 0", args: ["--epochs", "0"], code: 2, message: () => /^--epochs expects a positive integer, got "0"$/ },
  { name: "--batch-size -1", args: ["--batch-size=-1"], code: 2, message: () => /^--batch-size expects a positive integer, got "-1"$/ },
  { name: "--workers 0", args: ["--workers", "0"], code: 2, message: () => /^--workers expects a positive integer, got "0"$/ },
  { name: "--workers 65", args: ["--workers", "65"], code: 2, message: () => /^--workers expects at most 64, got 65$/ },
  { name: "--dropout 1", args: ["--dropout", "1"], code: 2, message: () => /^--dropout expects a rate in \[0, 1\), got "1"$/ },
  { name: "unknown option", args: ["--momentum", "0.9"], code: 2, message: () => /^unknown option "--momentum" \(see --help\)$/ },
  { name: "--resume of a folder that is no run", dataArgs: (d) => ["--resume", d], code: 2, message: (d) => new RegExp(`^--resume ${esc(d)}: holds no run-state\\.json: not the staging folder of an interrupted run$`) },
];

function makeRoot(c: Pick<Case, "falls" | "adls">): { root: string; data: string; out: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "cli-bad-"));
  const data = path.join(root, "data");
  fs.mkdirSync(data);
  if (c.falls !== null) fs.writeFileSync(path.join(data, URFD_FILES.falls), c.falls ?? FALLS);
  if (c.adls !== null) fs.writeFileSync(path.join(data, URFD_FILES.adls), c.adls ?? ADLS);
  return { root, data, out: path.join(root, "out") };
}

/** Non-zero exit, one stderr line "pipeline: <message>", no stack, nothing written next to --out. */
function assertCleanFailure(r: CliResult, code: number, message: RegExp, root: string, keep: string[] = ["data"]): void {
  const lines = r.stderr.trimEnd().split("\n");
  assert.equal(r.code, code, `exit code; stderr: ${r.stderr}`);
  assert.equal(lines.length, 1, `one line on stderr, got:\n${r.stderr}`);
  assert.ok(lines[0].startsWith("pipeline: "), lines[0]);
  assert.match(lines[0].slice("pipeline: ".length), message);
  assert.ok(!/^\s+at .+/m.test(r.stdout + r.stderr), "no stack trace");
  assert.deepEqual(fs.readdirSync(root).sort(), [...keep].sort(), "nothing at --out, no staging folder");
}

describe("bad input to npm run pipeline", { concurrency: 3 }, () => {
  for (const c of cases) {
    test(`${c.name}: exit ${c.code}, one line naming the problem, nothing written`, async () => {
      const { root, data, out } = makeRoot(c);
      try {
        const dataArgs = c.dataArgs ? c.dataArgs(data, root) : ["--data", data];
        const r = await runCli(withFast([...dataArgs, "--out", out, ...(c.args ?? [])]), { env: c.env });
        assertCleanFailure(r, c.code, c.message(data), root);
      } finally {
        fs.rmSync(root, { recursive: true, force: true });
      }
    });
  }

  test("an unreadable data folder (chmod 000): exit 1 naming it", async (t) => {
    const { root, data, out } = makeRoot({});
    try {
      fs.chmodSync(data, 0o000);
      let as: { uid: number; gid: number } | undefined;
      if (process.getuid?.() === 0) {
        // root reads through chmod 000: run the CLI as user nobody instead, if this system lets us.
        fs.chmodSync(root, 0o755);
        const probe = spawnSync(process.execPath, ["-e", "require(process.argv[1])", path.join(__dirname, "..", "fixtures", "cli.js")], { uid: 65534, gid: 65534 });
        if (probe.status !== 0) {
          t.skip("running as root, where chmod 000 does not block reads, and the CLI cannot run as user nobody (65534) here");
          return;
        }
        as = { uid: 65534, gid: 65534 };
      }
      const r = await runCli([...FAST, "--data", data, "--out", out], as);
      assertCleanFailure(r, 1, new RegExp(`^${esc(data)}: cannot read the data folder \\(EACCES\\)$`), root);
    } finally {
      fs.chmodSync(data, 0o755);
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  test("an --out folder that exists and is not empty is refused and left untouched", async () => {
    const { root, data, out } = makeRoot({});
    try {
      fs.mkdirSync(out);
      fs.writeFileSync(path.join(out, "keep.txt"), "mine");
      const r = await runCli([...FAST, "--data", data, "--out", out]);
      assertCleanFailure(r, 1, new RegExp(`^${esc(out)}: output folder exists and is not empty; choose another --out$`), root, ["data", "out"]);
      assert.equal(fs.readFileSync(path.join(out, "keep.txt"), "utf8"), "mine");
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  test("the staging folder of an interrupted run is not overwritten by a new run", async () => {
    const { root, data, out } = makeRoot({});
    try {
      fs.mkdirSync(`${out}.partial`);
      fs.writeFileSync(path.join(`${out}.partial`, "run-state.json"), "{}");
      const r = await runCli([...FAST, "--data", data, "--out", out]);
      assertCleanFailure(r, 1, new RegExp(`^${esc(out)}\\.partial: holds an interrupted run; continue it with --resume ${esc(out)}\\.partial, or delete that folder to start over$`), root, ["data", "out.partial"]);
      assert.equal(fs.readFileSync(path.join(`${out}.partial`, "run-state.json"), "utf8"), "{}");
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

test("a sequence shorter than the window is a warning naming file and line; the run still succeeds", async () => {
  const short = Array.from({ length: 10 }, (_, i) => `adl-99,${i + 1},-1,${ADLS.split("\n")[0].split(",").slice(3).join(",")}`).join("\n");
  const adls = `${ADLS.trimEnd()}\n${short}\n`;
  const line = ADLS.trimEnd().split("\n").length + 1;
  const { root, data, out } = makeRoot({ adls });
  try {
    const r = await runCli([...FAST, "--workers", "1", "--data", data, "--out", out]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr.trim(), `warning: ${path.join(data, URFD_FILES.adls)}:${line}: sequence adl-99 has 10 frames, fewer than --window 16: left out (no window)`);
    assert.ok(fs.existsSync(path.join(out, "metrics.json")));
    assert.deepEqual(fs.readdirSync(root).sort(), ["data", "out"]);
    assert.ok(!fs.existsSync(path.join(out, "run-state.json")) && !fs.existsSync(path.join(out, "resume")), "no resume bookkeeping in a finished run");
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test("a worker failing in the middle of training (after checkpoints were written): exit 1, one line, nothing left", async () => {
  const { root, data, out } = makeRoot({});
  try {
    const fault = JSON.stringify({ fold: 2, worker: 1, atEpoch: 1, atBatch: 1, kind: "throw" });
    const r = await runCli(["--detector", "plain", "--window", "16", "--stride", "8", "--epochs", "2", "--batch-size", "16", "--folds", "2", "--data", data, "--out", out], { env: { FALL_TEST_FAULT: fault } });
    assertCleanFailure(r, 1, /^worker 1 failed: injected fault \(throw\) in worker 1 at epoch 1 batch 1$/, root);
    // Fold 1 finished (its checkpoints written) and fold 2 had started; the fault's own line says
    // it fired at epoch 1 batch 1. Fold 2's epoch-1 line is not asserted: the other worker's epoch
    // message and the failing worker's error come on different ports, in no guaranteed order.
    assert.match(r.stdout, /fold 1\/2 epoch 2:[^\n]*member 3\/3/, "fold 1 trained to its end");
    assert.match(r.stdout, /fold 2\/2: training on/, "it failed in the second fold");
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
