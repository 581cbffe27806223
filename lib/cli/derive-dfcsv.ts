// `fall-dp derive-dfcsv [--data DIR] [--out FILE] [--postures K] [--window N] [--stride S] [--seed N]`
// (`npm run derive-dfcsv -- ...`): write the original project's df.csv (posture tokens then the fall
// label) from URFD's features. Exits as run-main.ts says.
import * as path from "node:path";
import { StrictCommand } from "../pipeline/command-line";
import { checkFlags, FlagRule, intFlag, textFlag } from "./flags";
import { runCommand, withAction } from "./run-main";
import { resolveData } from "../data/load";
import { DERIVE_DEFAULTS, deriveDfCsv, DerivedDfCsv, MAX_POSTURES, writeDerivedDfCsv } from "../data/dfcsv-derive";
import { findProjectRoot } from "../data/project-root";
import { checkOutputFile } from "./output-file";
import { metaFileFor } from "../data/dfcsv-meta";

export interface DeriveArgs {
  data?: string;
  out?: string;
  postures?: number;
  window?: number;
  stride?: number;
  seed?: number;
}

const RULES: FlagRule<keyof DeriveArgs>[] = [
  { flag: "--data", arg: "DIR", key: "data", parse: textFlag, help: "URFD folder (default: as the pipeline: FALL_DATA_DIR, data/urfd, ../shared/data/urfd)" },
  { flag: "--out", arg: "FILE", key: "out", parse: textFlag, help: "where to write df.csv [default: data/df.csv]" },
  { flag: "--postures", arg: "K", key: "postures", parse: intFlag(2, MAX_POSTURES), help: `posture vocabulary, 2..${MAX_POSTURES} [default: ${DERIVE_DEFAULTS.postures}]` },
  { flag: "--window", arg: "N", key: "window", parse: intFlag(1, 100000), help: `postures per row [default: ${DERIVE_DEFAULTS.window}]` },
  { flag: "--stride", arg: "S", key: "stride", parse: intFlag(1, 100000), help: `frames between consecutive rows of a recording [default: ${DERIVE_DEFAULTS.stride}]` },
  { flag: "--seed", arg: "N", key: "seed", parse: intFlag(0, 2 ** 32 - 1), help: `k-means seed [default: ${DERIVE_DEFAULTS.seed}]` },
];

/** `derive-dfcsv`: URFD features to the original project's df.csv. */
export function deriveDfCsvCommand(): StrictCommand {
  const command = new StrictCommand("derive-dfcsv")
    .summary("derive the original project's df.csv from URFD")
    .description(
      "Derive the original project's df.csv from URFD: every frame is classified to one of K postures (nearest k-means centroid of the 8 z-scored numeric features; " +
        "the annotation column is never read for this), and every window of N consecutive postures becomes one row: N tokens, then 1 if the window overlaps a fall's " +
        "falling segment, else 0. A sidecar <out>.meta.json records each row's recording and frame, the codebook and the settings; the pipeline splits by recording with it.",
    )
    .flags(RULES)
    .addHelpText("after", "\nThen: fall-dp pipeline --format dfcsv --data FILE [--folds K] [--epochs N] ...");
  return withAction(command, (c) => {
    const done = deriveDfCsvFile(checkFlags(c.given, RULES) as DeriveArgs);
    for (const line of done.warnings) console.error(line);
    for (const line of done.lines) console.log(line);
    return 0;
  });
}

/** Derive and write; returns what was written and the lines to show. */
export function deriveDfCsvFile(args: DeriveArgs): { file: string; metaFile: string; derived: DerivedDfCsv; lines: string[]; warnings: string[] } {
  const ds = resolveData(args.data !== undefined ? { dir: args.data } : {});
  const out = path.resolve(args.out ?? path.join(findProjectRoot(), "data", "df.csv"));
  for (const f of [out, metaFileFor(out)]) checkOutputFile(f, "--out", ds.provenance.files);
  let derived: DerivedDfCsv;
  try {
    derived = deriveDfCsv(ds, { postures: args.postures, window: args.window, stride: args.stride, seed: args.seed });
  } catch (err) {
    // Name the data the problem is in, as the pipeline's messages do.
    if (err instanceof RangeError) throw new Error(`${ds.provenance.files.join(" and ") || ds.provenance.note}: ${err.message}`);
    throw err;
  }
  const { file, metaFile } = writeDerivedDfCsv(out, derived, ds.provenance.note);
  const w = derived.windows;
  let falls = 0;
  for (let i = 0; i < w.count; i++) falls += w.y[i];
  const used = new Set(derived.frameTokens).size;
  const lines = [
    `data: ${ds.provenance.note}`,
    `postures: ${derived.options.postures} (k-means, seed ${derived.options.seed}; ${used} used), rows of ${w.T} tokens, stride ${derived.options.stride}`,
    `rows: ${w.count} (${falls} labelled fall) from ${new Set(w.seq).size} recordings`,
    `wrote ${file} and ${metaFile}`,
  ];
  const warnings = derived.skipped.map((id) => `warning: recording ${id} is shorter than --window ${w.T}: no row`);
  return { file, metaFile, derived, lines, warnings };
}

if (require.main === module) runCommand(deriveDfCsvCommand(), process.argv.slice(2));
