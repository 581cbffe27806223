// The one command-line program, `fall-dp`: every command of the project as a subcommand with its
// generated --help. Each lib/cli/<command>.ts also runs alone (the npm scripts, MPI ranks' pipeline.js).
import { StrictCommand } from "../pipeline/command-line";
import { pipelineCommand } from "./pipeline";
import { detectCommand } from "./detect";
import { validateCommand } from "./validate";
import { benchCommand } from "./bench";
import { deriveDfCsvCommand } from "./derive-dfcsv";
import { dataCommand } from "./download-data";
import { notebooksCommand } from "./run-notebooks";
import { notebookPagesCommand } from "./run-notebook-pages";
import { cleanNotebooksCommand } from "./clean-notebooks";
import { scalingCommand } from "./scaling";
import { goalsCommand } from "./goals";
import { benchClusterCommand } from "./bench-cluster";
import { simHostsCommand } from "./sim-hosts";
import { checkHtmlCommand } from "./check-html";
import { profileCommand } from "./profile";
import { throughputCommand } from "./throughput";

/** The bin's name (package.json "bin"). */
export const PROGRAM_NAME = "fall-dp";

export function buildProgram(): StrictCommand {
  const program = new StrictCommand(PROGRAM_NAME).description(
    "Data-parallel LSTM/GRU fall detection on URFD: train and evaluate (pipeline), replay footage through a saved detector (detect), and the project's checks and measurements.",
  );
  program.namedInMessages = false;
  for (const command of [
    pipelineCommand(),
    detectCommand(),
    validateCommand(),
    deriveDfCsvCommand(),
    dataCommand(),
    benchCommand(),
    scalingCommand(),
    goalsCommand(),
    notebooksCommand(),
    notebookPagesCommand(),
    cleanNotebooksCommand(),
  ]) {
    program.addCommand(command);
  }
  // Lab tools (root, MPI, Chromium, profiling): runnable, but kept out of the newcomer's help.
  for (const command of [benchClusterCommand(), simHostsCommand(), checkHtmlCommand(), profileCommand(), throughputCommand()]) {
    program.addCommand(command, { hidden: true });
  }
  return program;
}
