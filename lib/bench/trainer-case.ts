// One 1-worker DistributedModel fit in its own process (the machine-ceiling check of backends.ts):
// the same training loop the workers run, so N of these side by side show what N workers could
// reach with no shared weights, no barrier and no shared process. Sends the steady windows/s.
import type { RnnKind } from "../model/rnn";
import { urfdShapedWindows } from "../distributed/measure-throughput";
import { runCase, warmThreads } from "./training";
import { runChildCase } from "./child-case";

runChildCase(async () => {
  const [kind, windows, epochs, warmUpEpochs = "0"] = process.argv.slice(2);
  const data = urfdShapedWindows(Number(windows));
  const setup = { mode: "synchronous", frequency: "epoch" } as const;
  // Warmed as the trainer's cases are (warmThreads), so the ceiling compares like with like.
  await warmThreads(data, kind as RnnKind, setup, 1, Number(warmUpEpochs), 64);
  const { sample } = await runCase(data, kind as RnnKind, setup, 1, Number(epochs), 64);
  return { steadySamplesPerSec: sample.steadyWindowsPerSec };
});
