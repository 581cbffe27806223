// `npm run derive-dfcsv -- [--data DIR] [--out FILE] [--postures K] [--window N] [--stride S] [--seed N]`:
// write the original project's df.csv (posture tokens then the fall label) from URFD's features.
// Exit 2 on a bad command line, 1 on bad data; one line, no stack.
import { parseCommandLine } from "./run-main";
import * as path from "node:path";
import { UsageError } from "../pipeline/options";
import { FlagParser, intFlag, parseFlags, textFlag } from "./flags";
import { resolveData } from "../data/load";
import { DERIVE_DEFAULTS, deriveDfCsv, DerivedDfCsv, MAX_POSTURES, writeDerivedDfCsv } from "../data/dfcsv-derive";
import { findProjectRoot } from "../data/project-root";

export interface DeriveArgs {
  data?: string;
  out?: string;
  postures?: number;
  window?: number;
  stride?: number;
  seed?: number;
}

const HELP = `Usage: npm run derive-dfcsv -- [options]
Derive the original project's df.csv from URFD: every frame is classified to one of K postures
(nearest k-means centroid of the 8 z-scored numeric features; the annotation column is never
read for this), and every window of N consecutive postures becomes one row: N tokens, then 1 if
the window overlaps a fall's falling segment, else 0. A sidecar <out>.meta.json records each
row's recording and frame, the codebook and the settings; the pipeline splits by recording with it.

  --data DIR      URFD folder (default: as npm run pipeline: FALL_DATA_DIR, data/urfd, ../shared/data/urfd)
  --out FILE      where to write df.csv [default: data/df.csv]
  --postures K    posture vocabulary, 2..${MAX_POSTURES} [default: ${DERIVE_DEFAULTS.postures}]
  --window N      postures per row [default: ${DERIVE_DEFAULTS.window}]
  --stride S      frames between consecutive rows of a recording [default: ${DERIVE_DEFAULTS.stride}]
  --seed N        k-means seed [default: ${DERIVE_DEFAULTS.seed}]
  --help          show this help
Then: npm run pipeline -- --format dfcsv --data FILE [--folds K] [--epochs N] ...`;

const FLAGS: Record<string, [keyof DeriveArgs, FlagParser]> = {
  "--data": ["data", textFlag],
  "--out": ["out", textFlag],
  "--postures": ["postures", intFlag(2, MAX_POSTURES)],
  "--window": ["window", intFlag(1, 100000)],
  "--stride": ["stride", intFlag(1, 100000)],
  "--seed": ["seed", intFlag(0, 2 ** 32 - 1)],
};

export function parseDeriveArgs(argv: readonly string[]): DeriveArgs | "help" {
  return parseFlags(argv, FLAGS) as DeriveArgs | "help";
}

/** Derive and write; returns what was written and the lines to show. */
export function deriveDfCsvFile(args: DeriveArgs): { file: string; metaFile: string; derived: DerivedDfCsv; lines: string[] } {
  const ds = resolveData(args.data !== undefined ? { dir: args.data } : {});
  const derived = deriveDfCsv(ds, { postures: args.postures, window: args.window, stride: args.stride, seed: args.seed });
  const out = path.resolve(args.out ?? path.join(findProjectRoot(), "data", "df.csv"));
  const { file, metaFile } = writeDerivedDfCsv(out, derived, ds.provenance.note);
  const w = derived.windows;
  let falls = 0;
  for (let i = 0; i < w.count; i++) falls += w.y[i];
  const used = new Set(derived.frameTokens).size;
  const lines = [
    `data: ${ds.provenance.note}`,
    `postures: ${derived.options.postures} (k-means, seed ${derived.options.seed}; ${used} used), rows of ${w.T} tokens, stride ${derived.options.stride}`,
    `rows: ${w.count} (${falls} labelled fall) from ${new Set(w.seq).size} recordings`,
    ...derived.skipped.map((id) => `warning: recording ${id} is shorter than --window ${w.T}: no row`),
    `wrote ${file} and ${metaFile}`,
  ];
  return { file, metaFile, derived, lines };
}

function main(argv: string[]): number {
  const parsed = parseCommandLine("derive-dfcsv", argv, parseDeriveArgs, HELP);
  if ("exit" in parsed) return parsed.exit;
  const args = parsed.args;
  for (const line of deriveDfCsvFile(args).lines) console.log(line);
  return 0;
}

if (require.main === module) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (err) {
    console.error(`derive-dfcsv: ${(err instanceof Error ? err.message : String(err)).split("\n")[0]}`);
    if (process.env.FALL_DEBUG) console.error(err);
    process.exitCode = 1;
  }
}
