// `fall-dp clean-notebooks [--check] [files...]` (`npm run clean-notebooks -- ...`)
// Strips outputs, execution counts and volatile metadata from notebooks/*.ipynb in place (keeps
// kernelspec and language_info.name), writing JSON the way Jupyter does (sorted keys, 1-space
// indent). With --check nothing is written: exit 1 and list the notebooks that are not clean
// (something to strip; mere layout differences such as key order do not count).
import * as fs from "node:fs";
import * as path from "node:path";
import { cleanNotebookText } from "../notebook/ipynb";
import { projectRoot } from "../notebook/jupyter";
import { StrictCommand } from "../pipeline/command-line";
import { runCommand, withAction } from "./run-main";

/** `clean-notebooks`: strip outputs and volatile metadata from the notebooks, or --check that they are. */
export function cleanNotebooksCommand(): StrictCommand {
  const command = new StrictCommand("clean-notebooks")
    .summary("strip outputs and volatile metadata from the notebooks")
    .description("Strips outputs, execution counts and volatile metadata from the notebooks in place, writing JSON the way Jupyter does.")
    .argument("[notebooks...]", "notebook files; default: every notebooks/*.ipynb of the project")
    .flags([{ flag: "--check", help: "write nothing; exit 1 listing notebooks that are not clean" }]);
  return withAction(command, (c) => cleanNotebooks(c.given.has("--check"), c.args.map((a) => path.resolve(a))));
}

/** The committed notebooks: notebooks/*.ipynb (not executed/ or checkpoints). */
export function defaultNotebooks(root = projectRoot()): string[] {
  const dir = path.join(root, "notebooks");
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".ipynb"))
    .sort()
    .map((f) => path.join(dir, f));
}

function cleanNotebooks(check: boolean, files: string[]): number {
  const targets = files.length ? files : defaultNotebooks();
  const dirty: string[] = [];
  const broken: string[] = [];
  let cleaned = 0;
  let reformatted = 0;
  const cwd = process.cwd();
  for (const file of targets) {
    const rel = path.relative(cwd, file) || file;
    let text: string;
    try {
      text = fs.readFileSync(file, "utf8");
    } catch (e) {
      broken.push(`${rel}: ${(e as Error).message}`);
      continue;
    }
    let result: { clean: string; wasClean: boolean; identical: boolean };
    try {
      result = cleanNotebookText(text, rel);
    } catch (e) {
      broken.push((e as Error).message);
      continue;
    }
    if (result.identical) continue;
    if (!result.wasClean) dirty.push(rel);
    if (!check) {
      // Also rewrites notebooks that were clean but not in Jupyter's own layout (key order etc.).
      fs.writeFileSync(file, result.clean);
      if (result.wasClean) reformatted++;
      else cleaned++;
    }
  }
  for (const b of broken) console.error(`clean-notebooks: ${b}`);
  if (check) {
    if (dirty.length) {
      console.error(`clean-notebooks: ${dirty.length} notebook(s) not clean (outputs, execution counts or metadata):`);
      for (const d of dirty) console.error(`  ${d}`);
      console.error("run: npm run clean-notebooks");
    } else {
      console.log(`clean-notebooks: ${targets.length - broken.length} notebook(s) clean`);
    }
    return dirty.length || broken.length ? 1 : 0;
  }
  const already = targets.length - cleaned - reformatted - broken.length;
  console.log(`clean-notebooks: cleaned ${cleaned}, reformatted ${reformatted}, already clean ${already}`);
  return broken.length ? 1 : 0;
}

if (require.main === module) runCommand(cleanNotebooksCommand(), process.argv.slice(2));
