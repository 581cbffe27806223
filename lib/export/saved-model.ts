// A pipeline model folder (model.json + weights.bin + distributed.json + preprocessing.json), or an
// --ensemble folder of such member folders, loaded for scoring on the main thread with its window
// settings checked against the model(s).
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import type { WindowSet } from "../types";
import { DistributedModel } from "../distributed/distributed-model";
import { inputFeatureNames } from "../streaming/frame-features";
import { Preprocessing, readPreprocessing, windowDiffLags } from "./preprocessing";
import { ensembleMemberDirs } from "./ensemble-folder";

export interface SavedDetector {
  dir: string;
  /** The trained window model(s): one, or an ensemble's members whose probabilities are combined (main thread; no worker threads are started). */
  models: tf.LayersModel[];
  /** The members' recurrent type, or types joined by "+" (--second-model: "lstm+gru"). */
  kind: string;
  preprocessing: Preprocessing;
  backend: string;
  /** Set when `dir` is one member of an ensemble folder: its threshold was chosen for the ensemble's combined score, not for it. */
  memberNote?: string;
}

/** Errors from `run` become one line that names `where` (a file or folder). */
export async function naming<T>(where: string, run: () => T | Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    const io = e as NodeJS.ErrnoException;
    // fs errors carry the exact path: say "file: cannot read (ENOENT)" rather than Node's wording.
    if (typeof io?.code === "string" && typeof io.path === "string") throw new Error(`${io.path}: cannot read (${io.code})`);
    const msg = (e instanceof Error ? e.message : String(e)).split("\n")[0];
    throw new Error(msg.includes(where) ? msg : `${where}: ${msg}`);
  }
}

/** Load and cross-check a model folder written by the pipeline (DistributedModel.save + writePreprocessing), ensemble or not. */
export async function loadSavedDetector(dir: string): Promise<SavedDetector> {
  const members = await naming(dir, () => ensembleMemberDirs(dir));
  if (members.length === 0) {
    const one = await loadOne(dir);
    const siblings = memberSiblings(dir);
    const parent = path.dirname(path.resolve(dir));
    if (siblings > 1) one.memberNote = `${dir} is one member of the ${siblings}-model ensemble in ${parent}: its threshold was chosen for the ensemble's mean; load ${parent} for the evaluated detector`;
    return one;
  }
  // Numbering finds a missing member-1 or gap, not a missing last member: the count the pipeline wrote does (checked before any model loads).
  const head = await naming(members[0], () => readPreprocessing(members[0]));
  const written = head.members;
  if (written !== undefined && written !== members.length) {
    throw new Error(`${dir}: holds ${members.length} member folder(s), but its preprocessing.json says the ensemble has ${written}${written > members.length ? ` (member-${members.length + 1} is missing)` : ""}`);
  }
  const listed = head.memberKinds;
  if (listed !== undefined && listed.length !== members.length) throw new Error(`${dir}: holds ${members.length} member folder(s), but its preprocessing.json lists ${listed.length} member types (memberKinds)`);
  const loaded: SavedDetector[] = [];
  try {
    for (const m of members) loaded.push(await loadOne(m));
    const first = loaded[0];
    for (const [i, d] of loaded.entries()) {
      // The ensemble's threshold only means something for members scored the same way.
      if (JSON.stringify(d.preprocessing) !== JSON.stringify(first.preprocessing)) throw new Error(`${path.join(members[i], "preprocessing.json")}: differs from ${path.join(members[0], "preprocessing.json")}; ensemble members must share it`);
      // Members of two types only where preprocessing.json lists each member's (--second-model).
      const want = first.preprocessing.memberKinds?.[i] ?? first.kind;
      if (d.kind !== want) throw new Error(`${members[i]}: a ${d.kind} model, but ${first.preprocessing.memberKinds ? `${path.join(members[0], "preprocessing.json")} says member ${i + 1} is a ${want}` : `member 1 is a ${first.kind}`}`);
    }
  } catch (e) {
    // A refused folder leaves no model (and no tensor) behind.
    for (const d of loaded) for (const model of d.models) model.dispose();
    throw e;
  }
  const first = loaded[0];
  const kinds = [...new Set(loaded.map((d) => d.kind))];
  return { dir, models: loaded.flatMap((d) => d.models), kind: kinds.join("+"), preprocessing: first.preprocessing, backend: first.backend };
}

/** A model or ensemble folder's preprocessing.json (its first member's), read without loading a model. */
export async function readSavedPreprocessing(dir: string): Promise<Preprocessing> {
  const [first = dir] = await naming(dir, () => ensembleMemberDirs(dir));
  return naming(first, () => readPreprocessing(first));
}

/** The members of the ensemble folder `dir` is a member-N folder of (0 when it is not one, or the parent is broken). */
function memberSiblings(dir: string): number {
  const abs = path.resolve(dir);
  if (!/^member-\d+$/.test(path.basename(abs))) return 0;
  try {
    return ensembleMemberDirs(path.dirname(abs)).length;
  } catch {
    return 0; // a broken parent folder is not this model's problem
  }
}

async function loadOne(dir: string): Promise<SavedDetector> {
  const dm = await naming(dir, () => DistributedModel.load(dir));
  const preprocessing = await naming(dir, () => readPreprocessing(dir));
  const file = path.join(dir, "preprocessing.json");
  if (dm.spec.type !== "rnn") throw new Error(`${dir}: a '${dm.spec.type}' model takes token ids; only LSTM/GRU models of feature windows score URFD-style features`);
  const { timesteps, features } = dm.spec.options;
  const { T, withDiffs } = preprocessing.window;
  const lags = windowDiffLags(preprocessing.window);
  const names = inputFeatureNames(withDiffs, lags);
  if (T !== timesteps) throw new Error(`${file}: window.T is ${T} but the model takes windows of ${timesteps} frames`);
  if (names.length !== features) throw new Error(`${file}: window.withDiffs ${withDiffs} with diffLags [${lags.join(", ")}] gives ${names.length} inputs, the model takes ${features}`);
  if (preprocessing.scaler.featureNames.join(",") !== names.join(",")) {
    throw new Error(`${file}: scaler.featureNames must be ${names.join(",")}`);
  }
  return { dir, models: [dm.toModel()], kind: dm.spec.options.kind, preprocessing, backend: dm.backend };
}

/** Window probabilities (the members' mean for an ensemble), predicted in batches (bounded memory on long videos). */
export function scoreWindows(models: tf.LayersModel | readonly tf.LayersModel[], ws: Pick<WindowSet, "x" | "count" | "T" | "F">, batch = 256): Float32Array {
  const list = Array.isArray(models) ? (models as readonly tf.LayersModel[]) : [models as tf.LayersModel];
  const out = new Float32Array(ws.count);
  const row = ws.T * ws.F;
  for (let at = 0; at < ws.count; at += batch) {
    const n = Math.min(batch, ws.count - at);
    const p = tf.tidy(() => {
      const x = tf.tensor3d(ws.x.subarray(at * row, (at + n) * row), [n, ws.T, ws.F]);
      return tf.mean(tf.stack(list.map((m) => (m.predict(x) as tf.Tensor).reshape([n]))), 0).dataSync();
    });
    out.set(p, at);
  }
  return out;
}
