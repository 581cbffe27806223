// Debian's Jupyter (nbconvert) driven from Node with project-local directories: executing
// notebooks on the tslab kernel and exporting them to offline HTML.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

/** Debian's jupyter: the python3 on PATH may be a pyenv build without Jupyter. */
export const JUPYTER = process.env.JUPYTER_BIN || "/usr/bin/jupyter";
export const KERNEL_NAME = "tslab";

let rootCache: string | undefined;

/** The package root (first folder above this file with package.json and lib/). */
export function projectRoot(): string {
  if (rootCache) return rootCache;
  let dir = __dirname;
  for (;;) {
    if (fs.existsSync(path.join(dir, "package.json")) && fs.existsSync(path.join(dir, "lib"))) return (rootCache = dir);
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find the project root above ${__dirname}`);
    dir = parent;
  }
}

/**
 * Environment for Jupyter subprocesses: every Jupyter/IPython directory under <root>/.jupyter/
 * (gitignored), so nothing is written to the home folder. Same as .ci/jupyter-env.
 */
export function jupyterEnv(root = projectRoot(), base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const j = path.join(root, ".jupyter");
  return {
    ...base,
    JUPYTER_PATH: path.join(j, "share"),
    JUPYTER_DATA_DIR: path.join(j, "data"),
    JUPYTER_RUNTIME_DIR: path.join(j, "runtime"),
    JUPYTER_CONFIG_DIR: path.join(j, "config"),
    IPYTHONDIR: path.join(j, "ipython"),
    // Debian's Python 3.11 debugger shim warns about frozen modules at every start.
    PYDEVD_DISABLE_FILE_VALIDATION: "1",
  };
}

/** Why notebooks cannot run here, or null when Jupyter and the project's kernel are in place. */
export function jupyterProblem(root = projectRoot()): string | null {
  if (!fs.existsSync(JUPYTER)) return `${JUPYTER} not found: run 'bash .ci/setup-jupyter' (installs Debian's jupyter-nbconvert and jupyter-client)`;
  const spec = path.join(root, ".jupyter", "share", "kernels", KERNEL_NAME, "kernel.json");
  if (!fs.existsSync(spec)) return `${spec} missing: run 'bash .ci/setup-jupyter' (registers the tslab kernel in the project)`;
  try {
    const argv = (JSON.parse(fs.readFileSync(spec, "utf8")) as { argv?: string[] }).argv ?? [];
    if (!argv[0] || !fs.existsSync(argv[0])) return `${spec} points at ${argv[0] ?? "nothing"}, which does not exist: run 'bash .ci/setup-jupyter'`;
  } catch (e) {
    return `${spec} unreadable (${(e as Error).message}): run 'bash .ci/setup-jupyter'`;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// nbconvert configuration: files of their own in lib/notebook/nbconvert/ (Python hooks, a Jinja
// template), read by nbconvert from the source tree (tsc does not copy them into dist/).

export interface NbconvertFiles {
  /** nbclient hooks (lib/notebook/nbconvert/hooks.py), passed with --config. */
  hooks: string;
  /** Holds the "offline" HTML template (JupyterLab's without CDN scripts). */
  templateDir: string;
}

/** Paths of the nbconvert hooks and the offline template; throws naming any that is missing. */
export function nbconvertFiles(root = projectRoot()): NbconvertFiles {
  const dir = path.join(root, "lib", "notebook", "nbconvert");
  const files = { hooks: path.join(dir, "hooks.py"), templateDir: path.join(dir, "templates") };
  for (const f of [files.hooks, path.join(files.templateDir, "offline", "index.html.j2"), path.join(files.templateDir, "offline", "conf.json")]) {
    if (!fs.existsSync(f)) throw new Error(`${f} missing: the nbconvert hooks and template ship in the source tree`);
  }
  return files;
}

export function executeArgs(notebook: string, outDir: string, files: NbconvertFiles, timeoutS: number): string[] {
  return [
    "nbconvert",
    "--to",
    "notebook",
    "--execute",
    "--allow-errors",
    `--config=${files.hooks}`,
    `--ExecutePreprocessor.kernel_name=${KERNEL_NAME}`,
    `--ExecutePreprocessor.timeout=${timeoutS}`,
    "--ExecutePreprocessor.startup_timeout=120",
    `--output-dir=${outDir}`,
    notebook,
  ];
}

export function htmlArgs(executed: string, outDir: string, files: NbconvertFiles): string[] {
  return [
    "nbconvert",
    "--to",
    "html",
    "--template",
    "offline",
    `--TemplateExporter.extra_template_basedirs=${files.templateDir}`,
    `--output-dir=${outDir}`,
    executed,
  ];
}

export interface ProcessResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
  ms: number;
}

/**
 * Run Debian's jupyter with the project-local env. Output is collected (nbconvert is chatty and
 * Python warnings are noise); lines starting with `fd-progress:` are echoed live via onLine.
 */
export function runJupyter(args: string[], env: NodeJS.ProcessEnv, onLine?: (line: string) => void): Promise<ProcessResult> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn(JUPYTER, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    const chunks: string[] = [];
    let partial = "";
    const take = (b: Buffer) => {
      const s = b.toString("utf8");
      chunks.push(s);
      if (!onLine) return;
      partial += s;
      const lines = partial.split("\n");
      partial = lines.pop() ?? "";
      for (const l of lines) onLine(l);
    };
    child.stdout.on("data", take);
    child.stderr.on("data", take);
    child.on("error", (e) => resolve({ code: 127, signal: null, output: `cannot start ${JUPYTER}: ${e.message}`, ms: Date.now() - t0 }));
    child.on("close", (code, signal) => resolve({ code, signal, output: chunks.join(""), ms: Date.now() - t0 }));
  });
}

/** nbconvert's output without the warnings every run prints (missing cell ids, frozen modules). */
export function filterJupyterNoise(output: string): string {
  const lines = output.split("\n");
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (/MissingIDFieldWarning|frozen modules|PYDEVD_DISABLE_FILE_VALIDATION|Debugging will proceed/.test(l)) continue;
    if (/^\s+validate\(nb\)$/.test(l)) continue;
    if (/^0\.\d+s - /.test(l)) continue;
    out.push(l);
  }
  return out.join("\n").trim();
}

/**
 * The useful end of a failed nbconvert run: the final Python exception (e.g. CellTimeoutError,
 * DeadKernelError) without its traceback frames, else the last lines of the log.
 */
export function summarizeJupyterFailure(output: string, maxLines = 20): string {
  const lines = filterJupyterNoise(output).split("\n");
  let start = -1;
  for (let i = lines.length - 1; i >= 0; i--) {
    if (/^[A-Za-z_][\w.]*(?:Error|Exception|Interrupt|Exit)\b(?::|$)/.test(lines[i])) {
      start = i;
      break;
    }
  }
  const picked = start >= 0 ? lines.slice(start) : lines.slice(-maxLines);
  return picked.slice(0, maxLines).join("\n").trim();
}
