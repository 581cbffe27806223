// The pipeline's training progress: a few lines per member in logs, a bar on a terminal, nothing
// with --quiet; members are told apart by the epoch count starting over.
import { test } from "node:test";
import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { ProgressEvent } from "../../lib/distributed/config";
import { printedEpoch, progressMode, trainingProgress } from "../../lib/pipeline/progress";
import { parsePipelineCommand } from "../../lib/pipeline/options";

const merged = (epoch: number, loss = 0.5): ProgressEvent => ({ type: "merged", epoch, loss, acc: 0.9, samples: 100 });

function feed(cb: (e: ProgressEvent) => void, epochs: number, members: number, from = 0): void {
  for (let m = 0; m < members; m++) {
    for (let e = m === 0 ? from : 0; e < epochs; e++) {
      cb({ type: "batch", worker: 0, epoch: e, batch: 0, batches: 1, loss: 1, acc: 0, samples: 1 });
      cb(merged(e));
    }
  }
}

test("progress: mode from --quiet and the terminal", () => {
  const quiet = parsePipelineCommand(["--quiet", "--epochs", "3"]);
  assert.ok(quiet.kind === "run" && quiet.quiet && quiet.options.epochs === 3 && !quiet.given.includes("quiet" as never), "--quiet is not a run option");
  const plain = parsePipelineCommand(["--epochs", "3"]);
  assert.ok(plain.kind === "run" && !plain.quiet);
  assert.equal(progressMode({ quiet: true, isTTY: true }), "quiet");
  assert.equal(progressMode({ quiet: false, isTTY: true }), "bar");
  assert.equal(progressMode({ quiet: false, isTTY: undefined }), "lines");
});

test("progress: lines mode prints the first, the last and every few epochs of each member", () => {
  assert.deepEqual(Array.from({ length: 30 }, (_, i) => i + 1).filter((e) => printedEpoch(e, 30)), [1, 6, 12, 18, 24, 30]);
  assert.deepEqual([1, 2, 3].filter((e) => printedEpoch(e, 3)), [1, 2, 3], "short runs keep every epoch");
  const lines: string[] = [];
  const p = trainingProgress("lines", (l) => lines.push(l));
  feed(p.forFold(2, 5, { epochs: 30, members: 3 }), 30, 3);
  assert.equal(lines.length, 18, lines.join("\n"));
  assert.match(lines[0], /^ {2}fold 2\/5 epoch 1: loss 0\.5000 acc 0\.9000 \(\d+\.\d s, member 1\/3, ~\d+s left in the fold\)$/);
  assert.match(lines[17], /^ {2}fold 2\/5 epoch 30: .*member 3\/3, ~0s left in the fold\)$/);
  p.log("fold 2/5: done");
  assert.equal(lines[18], "fold 2/5: done");
});

test("progress: a resumed member starts at its first epoch; no plan prints every epoch; quiet prints nothing", () => {
  const lines: string[] = [];
  const p = trainingProgress("lines", (l) => lines.push(l));
  feed(p.forFold(1, 1, { epochs: 3, members: 1 }), 3, 1, 1);
  assert.deepEqual(lines.map((l) => /epoch (\d+):/.exec(l)![1]), ["2", "3"]);
  lines.length = 0;
  feed(p.forFold(1, 2), 12, 1);
  assert.equal(lines.length, 12);
  const quiet: string[] = [];
  feed(trainingProgress("quiet", (l) => quiet.push(l)).forFold(1, 2, { epochs: 4, members: 2 }), 4, 2);
  assert.deepEqual(quiet, []);
});

test("progress: bar mode draws a bar per member on a terminal and ends it", () => {
  const out = new PassThrough() as PassThrough & Partial<NodeJS.WriteStream>;
  let written = "";
  out.on("data", (b: Buffer) => (written += b.toString()));
  Object.assign(out, { isTTY: true, columns: 120, cursorTo: () => true, moveCursor: () => true, clearLine: () => true, clearScreenDown: () => true });
  const printed: string[] = [];
  const p = trainingProgress("bar", (l) => printed.push(l), out as unknown as NodeJS.WriteStream);
  feed(p.forFold(1, 2, { epochs: 4, members: 2 }), 4, 2);
  p.stop();
  assert.deepEqual(printed, [], "no epoch lines beside the bar");
  assert.match(written, /fold 1\/2 member 1\/2 \[.*\] epoch 4\/4 loss 0\.5000/);
  assert.match(written, /fold 1\/2 member 2\/2 \[.*\] epoch 4\/4 loss 0\.5000 \| 0s left in the fold/);
});
