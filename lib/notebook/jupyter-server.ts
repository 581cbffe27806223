// Debian's Jupyter Notebook server (jupyter-notebook 6.4) started for a test: on 127.0.0.1, a free
// port, a random token, the project-local kernels (jupyterEnv), a fresh runtime folder and a
// read-only contents manager. stop() ends the server and every kernel it started, by pid.
import { ChildProcess, spawn } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { jupyterEnv, projectRoot } from "./jupyter";

export const JUPYTER_NOTEBOOK = process.env.JUPYTER_NOTEBOOK_BIN || "/usr/bin/jupyter-notebook";

export interface JupyterServer {
  /** http://127.0.0.1:PORT (no trailing slash). */
  baseUrl: string;
  token: string;
  /** Page URL of a notebook given relative to the project root, e.g. "notebooks/01-load-data.ipynb". */
  notebookUrl(relPath: string): string;
  /** Shut down every session and kernel (a closed page leaves its kernel running). */
  shutdownKernels(): Promise<void>;
  /** Shut down every kernel, then the server; kill by pid whatever is left. Safe to call twice. */
  stop(): Promise<void>;
  /** Server log so far (stdout and stderr). */
  log(): string;
}

export interface ServerOptions {
  root?: string;
  /** How long to wait for the server to answer (default 60 s). */
  startTimeoutMs?: number;
}

/** Why the page test cannot start a server here, or null. */
export function notebookServerProblem(): string | null {
  if (!fs.existsSync(JUPYTER_NOTEBOOK)) return `${JUPYTER_NOTEBOOK} not found: install Debian's jupyter-notebook (bash .ci/setup-jupyter does, as root)`;
  return null;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Pids of live processes whose command line mentions `marker` (our kernels name their connection file). */
export function pidsMentioning(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").includes(marker)) pids.push(Number(entry));
    } catch {
      /* exited meanwhile */
    }
  }
  return pids;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function api(baseUrl: string, token: string, method: string, route: string): Promise<Response> {
  return fetch(`${baseUrl}${route}`, { method, headers: { Authorization: `token ${token}` }, signal: AbortSignal.timeout(10_000) });
}

export async function startJupyterServer(opts: ServerOptions = {}): Promise<JupyterServer> {
  const root = opts.root ?? projectRoot();
  const problem = notebookServerProblem();
  if (problem) throw new Error(problem);
  const config = path.join(root, "lib", "notebook", "page-server", "read_only_config.py");
  if (!fs.existsSync(config)) throw new Error(`${config} missing`);
  const port = await freePort();
  const token = crypto.randomBytes(24).toString("hex");
  // A runtime folder of our own: kernels' connection files land here, so their command lines
  // name it and stop() can find any kernel the server failed to end.
  const runtimeDir = fs.mkdtempSync(path.join(os.tmpdir(), "jupyter-page-runtime-"));
  const env = { ...jupyterEnv(root), JUPYTER_RUNTIME_DIR: runtimeDir };
  const args = [
    "--no-browser",
    "--ip=127.0.0.1",
    `--port=${port}`,
    "--NotebookApp.port_retries=0",
    `--NotebookApp.token=${token}`,
    `--NotebookApp.notebook_dir=${root}`,
    `--config=${config}`,
    "--allow-root",
  ];
  // detached: its own process group, so stop() can signal the server and anything it forked.
  const child: ChildProcess = spawn(JUPYTER_NOTEBOOK, args, { env, cwd: root, stdio: ["ignore", "pipe", "pipe"], detached: true });
  const chunks: string[] = [];
  child.stdout!.on("data", (b: Buffer) => chunks.push(b.toString("utf8")));
  child.stderr!.on("data", (b: Buffer) => chunks.push(b.toString("utf8")));
  let exited = false;
  const exitedP = new Promise<void>((resolve) =>
    child.once("exit", () => {
      exited = true;
      resolve();
    }),
  );
  child.once("error", (e) => chunks.push(`cannot start ${JUPYTER_NOTEBOOK}: ${e.message}\n`));
  const baseUrl = `http://127.0.0.1:${port}`;
  const onExit = () => killAll("SIGKILL");

  const killAll = (signal: NodeJS.Signals) => {
    if (child.pid && !exited) {
      try {
        process.kill(-child.pid, signal);
      } catch {
        /* already gone */
      }
    }
    for (const pid of pidsMentioning(runtimeDir)) {
      try {
        process.kill(pid, signal);
      } catch {
        /* already gone */
      }
    }
  };
  // Last resort if this process ends without stop() (an uncaught error): no orphan server or kernel.
  process.once("exit", onExit);

  const shutdownKernels = async () => {
    const list = async (route: string) => (await (await api(baseUrl, token, "GET", route)).json()) as { id: string }[];
    for (const x of await list("/api/sessions")) await api(baseUrl, token, "DELETE", `/api/sessions/${x.id}`);
    for (const x of await list("/api/kernels")) await api(baseUrl, token, "DELETE", `/api/kernels/${x.id}`);
  };

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (!exited) {
      try {
        await shutdownKernels();
      } catch {
        /* server not answering: the signals below still end it */
      }
      killAll("SIGTERM");
      await Promise.race([exitedP, sleep(10_000)]);
    }
    for (let i = 0; i < 50 && pidsMentioning(runtimeDir).length; i++) await sleep(100);
    killAll("SIGKILL");
    await Promise.race([exitedP, sleep(5_000)]);
    const left = [...(exited || !child.pid ? [] : [child.pid]), ...pidsMentioning(runtimeDir).filter(alive)];
    process.removeListener("exit", onExit);
    fs.rmSync(runtimeDir, { recursive: true, force: true });
    if (left.length) throw new Error(`jupyter-notebook processes still alive after SIGKILL: ${left.join(", ")}`);
  };

  const server: JupyterServer = {
    baseUrl,
    token,
    notebookUrl: (rel) => `${baseUrl}/notebooks/${rel.split(path.sep).map(encodeURIComponent).join("/")}?token=${token}`,
    shutdownKernels,
    stop,
    log: () => chunks.join(""),
  };

  const deadline = Date.now() + (opts.startTimeoutMs ?? 60_000);
  for (;;) {
    if (exited) {
      await stop();
      throw new Error(`${JUPYTER_NOTEBOOK} exited before answering on ${baseUrl}:\n${chunks.join("").trim().split("\n").slice(-15).join("\n")}`);
    }
    try {
      const r = await api(baseUrl, token, "GET", "/api/status");
      if (r.ok) return server;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${JUPYTER_NOTEBOOK} did not answer on ${baseUrl} within ${opts.startTimeoutMs ?? 60_000} ms:\n${chunks.join("").trim().split("\n").slice(-15).join("\n")}`);
    }
    await sleep(250);
  }
}
