// One 1-worker DistributedModel fit in its own process (the machine-ceiling check of backends.ts):
// the same training loop the workers run, so N of these side by side show what N workers could
// reach with no shared weights, no barrier and no shared process. Sends the steady windows/s.
import type { RnnKind } from "../model/rnn";
import { urfdShapedWindows } from "../distributed/measure-throughput";
import { runCase } from "./training";
import { runChildCase } from "./child-case";

runChildCase(async () => {
  const [kind, windows, epochs] = process.argv.slice(2);
  const { sample } = await runCase(urfdShapedWindows(Number(windows)), kind as RnnKind, { mode: "synchronous", frequency: "epoch" }, 1, Number(epochs), 64);
  return { steadySamplesPerSec: sample.steadyWindowsPerSec };
});
