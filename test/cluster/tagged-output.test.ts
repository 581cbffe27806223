// Rank output as mpirun --tag-output forwards it: a long line cut into chunks, each chunk tagged,
// the continuation's tag in the middle of a line, another rank's chunk in between (seen with Open
// MPI 4.1.4: '...xx E[1,0]<stdout>:ND').
import { test } from "node:test";
import * as assert from "node:assert/strict";
import { TaggedLineJoiner } from "../../lib/cluster/tagged-output";

function join(lines: string[]): [string, number | null][] {
  const out: [string, number | null][] = [];
  const j = new TaggedLineJoiner((text, rank) => out.push([text, rank]));
  for (const l of lines) j.push(l);
  return out;
}

test("whole tagged lines come out without their tags, with their rank", () => {
  assert.deepEqual(join(["[1,0]<stdout>:hello", "[1,2]<stdout>:world"]), [["hello", 0], ["world", 2]]);
});

test("a continuation tagged in the middle of the line is joined", () => {
  assert.deepEqual(join(["[1,0]<stdout>:@@L 0 xxx E[1,0]<stdout>:ND"]), [["@@L 0 xxx END", 0]]);
});

test("another rank's chunk between two pieces of a line: both lines come out whole", () => {
  const lines = ["[1,0]<stdout>:{\"a\":[1,2,[1,1]<stdout>:beat 1", "[1,0]<stdout>:3]}"];
  assert.deepEqual(join(lines), [["beat 1", 1], ["{\"a\":[1,2,3]}", 0]]);
});

test("mpirun's own lines pass as they are", () => {
  assert.deepEqual(join(["mpirun noticed that process rank 1 with PID 5 on node h2 exited on signal 9 (Killed)."]), [
    ["mpirun noticed that process rank 1 with PID 5 on node h2 exited on signal 9 (Killed).", null],
  ]);
});
