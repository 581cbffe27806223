// Files are written atomically: a process killed (SIGKILL) while saving models over and over never
// leaves a model folder that does not load, or one mixing two saves; the pipeline's own JSON and
// Arrow writes go through lib/run/atomic.ts the same way.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DistributedModel } from "../../lib/distributed/distributed-model";
import { writeFileAtomic } from "../../lib/run/atomic";

const LOOP = path.join(__dirname, "..", "fixtures", "save-loop.js");

async function killDuringSaves(dir: string, after: number): Promise<number> {
  const child = spawn(process.execPath, [LOOP], { env: { ...process.env, SAVE_LOOP_DIR: dir }, stdio: ["ignore", "pipe", "inherit"] });
  let saved = -1;
  await new Promise<void>((resolve) => {
    child.stdout.on("data", (d: Buffer) => {
      const last = d.toString().trim().split("\n").pop()!;
      saved = Number(last.split(" ")[1]);
      // kill at a moment unrelated to the save cycle
      if (saved >= after && !child.killed) setTimeout(() => child.kill("SIGKILL"), Math.random() * 15);
    });
    child.on("close", () => resolve());
  });
  return saved;
}

test("SIGKILL during repeated DistributedModel.save: every model folder present loads, and holds one save's weights", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "atomic-save-"));
  try {
    for (let round = 0; round < 3; round++) {
      const sub = path.join(dir, `round-${round}`);
      fs.mkdirSync(sub);
      const saved = await killDuringSaves(sub, 15 + 10 * round);
      assert.ok(saved >= 15, `saves before the kill: ${saved}`);
      for (const name of fs.readdirSync(sub)) {
        if (/\.saving-\d+-[0-9a-f]+$/.test(name)) continue; // the temporary folder of the save cut short
        assert.match(name, /^(m-\d+|same)$/);
        const dm = await DistributedModel.load(path.join(sub, name));
        const w0 = dm.getFlatWeights()[0];
        assert.ok(Number.isInteger(w0), `${name}: weight 0 is ${w0}`);
        if (name !== "same") assert.equal(w0, Number(name.slice(2)), `${name} holds its own save`);
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("save into an existing folder keeps the files it does not own and leaves no temporary behind", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "atomic-save-"));
  try {
    const dm = await DistributedModel.create({ model: { type: "rnn", options: { kind: "gru", timesteps: 3, features: 2, units: [2] } }, config: { mode: "hogwild", frequency: "epoch", numWorkers: 1, batchSize: 4 } });
    const target = path.join(dir, "model");
    await dm.save(target);
    fs.writeFileSync(path.join(target, "preprocessing.json"), "{}");
    await dm.save(target);
    assert.deepEqual(fs.readdirSync(target).sort(), ["distributed.json", "model.json", "preprocessing.json", "weights.bin"]);
    assert.deepEqual(fs.readdirSync(dir), ["model"]);
    // a failing save (the parent is a file) leaves nothing
    fs.writeFileSync(path.join(dir, "file"), "x");
    await assert.rejects(dm.save(path.join(dir, "file", "model")), /ENOTDIR|EEXIST/);
    assert.deepEqual(fs.readdirSync(dir).sort(), ["file", "model"]);
    writeFileAtomic(path.join(dir, "a.json"), "1");
    writeFileAtomic(path.join(dir, "a.json"), "2");
    assert.equal(fs.readFileSync(path.join(dir, "a.json"), "utf8"), "2");
    assert.deepEqual(fs.readdirSync(dir).sort(), ["a.json", "file", "model"]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
