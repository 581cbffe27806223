// Where an --ensemble run keeps its members: <model folder>/member-1 ... member-N, each a complete
// model folder (model.json, weights.bin, distributed.json, preprocessing.json).
import * as fs from "node:fs";
import * as path from "node:path";
import { MODEL_JSON } from "../model/io";

export function memberDir(dir: string, member: number): string {
  return path.join(dir, `member-${member}`);
}

/**
 * The member folders of an ensemble model folder, in member order, or [] for a single model (a
 * folder holding model.json). Throws a one-line error when the members are not exactly 1..N.
 */
export function ensembleMemberDirs(dir: string): string[] {
  if (fs.existsSync(path.join(dir, MODEL_JSON)) || !fs.existsSync(dir)) return [];
  const numbers = fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && /^member-\d+$/.test(e.name))
    .map((e) => Number(e.name.slice("member-".length)))
    .sort((a, b) => a - b);
  const gap = numbers.findIndex((n, i) => n !== i + 1);
  if (gap >= 0) throw new Error(`${dir}: ensemble members must be member-1 ... member-N; member-${gap + 1} is missing`);
  return numbers.map((n) => memberDir(dir, n));
}

/** For loaders of one model: a clear one-line error instead of "model.json not found" on an ensemble folder. */
export function refuseEnsembleFolder(dir: string, who: string): void {
  const members = ensembleMemberDirs(dir);
  if (members.length > 0) {
    throw new Error(`${dir}: holds an ensemble of ${members.length} models (member-1 ... member-${members.length}); ${who} runs one model: give one member folder, e.g. ${members[0]}`);
  }
}
