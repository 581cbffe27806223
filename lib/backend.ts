// Picks the TensorFlow.js backend at run time: native TensorFlow where its binding installed,
// else WebAssembly, else the pure-JS cpu kernels. Every caller is told which one it got.
import * as tf from "@tensorflow/tfjs";
import { registerMissingWasmKernels } from "./wasm-kernels";

export type BackendName = "tensorflow" | "wasm" | "cpu";
export const BACKEND_NAMES: readonly BackendName[] = ["tensorflow", "wasm", "cpu"];

export interface BackendInfo {
  /** Backend actually active in this thread's tfjs engine. */
  name: BackendName;
  /** Backends tried before it, with why each was not used. */
  skipped: { name: BackendName; reason: string }[];
}

export interface BackendOptions {
  /** Force one backend (also read from FALL_TF_BACKEND). Fails loudly if it cannot load. */
  prefer?: BackendName;
}

/** Name of the npm alias the native binding installs under (optional dependency). */
export const NATIVE_PACKAGE = "tfjs-node-native";

let current: BackendInfo | undefined;

function isBackendName(s: string): s is BackendName {
  return (BACKEND_NAMES as readonly string[]).includes(s);
}

async function tryNative(): Promise<string | null> {
  try {
    // The alias keeps danfojs-node's own "@tensorflow/tfjs-node" dependency pointing at pure tfjs.
    require(NATIVE_PACKAGE);
  } catch (err) {
    return `${NATIVE_PACKAGE} not installed or not loadable (${firstLine(err)})`;
  }
  if (!(await tf.setBackend("tensorflow"))) return "tf.setBackend('tensorflow') returned false";
  return null;
}

async function tryWasm(): Promise<string | null> {
  try {
    require("@tensorflow/tfjs-backend-wasm");
  } catch (err) {
    return `@tensorflow/tfjs-backend-wasm not loadable (${firstLine(err)})`;
  }
  // setBackend resolves false (not throws) when the wasm binary fails to initialise.
  if (!(await tf.setBackend("wasm"))) return "tf.setBackend('wasm') returned false";
  return null;
}

async function tryCpu(): Promise<string | null> {
  return (await tf.setBackend("cpu")) ? null : "tf.setBackend('cpu') returned false";
}

const LOADERS: Record<BackendName, () => Promise<string | null>> = {
  tensorflow: tryNative,
  wasm: tryWasm,
  cpu: tryCpu,
};

/**
 * Initialise the fastest available backend once per thread and return what is in use.
 * With `prefer` (or FALL_TF_BACKEND) only that backend is tried, and failure throws.
 */
export async function initBackend(options: BackendOptions = {}): Promise<BackendInfo> {
  const envPrefer = process.env.FALL_TF_BACKEND;
  if (envPrefer !== undefined && envPrefer !== "" && !isBackendName(envPrefer)) {
    throw new TypeError(`FALL_TF_BACKEND must be one of ${BACKEND_NAMES.join(", ")}; got "${envPrefer}"`);
  }
  const prefer = options.prefer ?? (envPrefer ? (envPrefer as BackendName) : undefined);
  if (current && (prefer === undefined || current.name === prefer)) return current;

  // PROD silences tfjs's "install the node backend" banner; we report the backend ourselves.
  tf.env().set("PROD", true);
  const order: BackendName[] = prefer ? [prefer] : [...BACKEND_NAMES];
  const skipped: BackendInfo["skipped"] = [];
  for (const name of order) {
    const reason = await LOADERS[name]();
    if (reason === null) {
      await tf.ready();
      const active = tf.getBackend();
      if (active !== name) throw new Error(`asked for backend ${name} but tfjs reports ${active}`);
      if (name === "wasm") registerMissingWasmKernels();
      current = { name, skipped };
      return current;
    }
    skipped.push({ name, reason });
  }
  const why = skipped.map((s) => `${s.name}: ${s.reason}`).join("; ");
  throw new Error(`no TensorFlow.js backend could be initialised (${why})`);
}

/** The backend initialised in this thread, or undefined before initBackend. */
export function backendInfo(): BackendInfo | undefined {
  return current;
}

/** One line for logs and notebooks, e.g. "TensorFlow.js backend: wasm (tensorflow: not installed ...)". */
export function describeBackend(info: BackendInfo): string {
  const why = info.skipped.length ? ` — fell back: ${info.skipped.map((s) => `${s.name}: ${s.reason}`).join("; ")}` : "";
  return `TensorFlow.js backend: ${info.name}${why}`;
}

function firstLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.split("\n")[0];
}

export { tf };
