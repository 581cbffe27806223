// Loads the URFD feature files and decides, loudly, which data a run uses: real URFD or synthetic.

import { existsSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { FrameDataset, FrameTable } from "../types";
import { DataError } from "./errors";
import { concatTables, sequenceBlocks } from "./frame-table";
import { findProjectRoot } from "./project-root";
import { generateSynthetic } from "./synthetic";
import { readUrfdFile } from "./urfd-csv";

/** File names of the two URFD feature tables, as published. */
export const URFD_FILES = {
  falls: "urfall-cam0-falls.csv",
  adls: "urfall-cam0-adls.csv",
} as const;

/** Environment variable naming a folder with the two URFD files. */
export const DATA_DIR_ENV = "FALL_DATA_DIR";

/** Seed for synthetic data when the caller gives none. */
export const DEFAULT_SYNTHETIC_SEED = 1;

/** Reads both URFD files from `dir`: fall sequences first, then ADLs, ids unique across both. */
export function loadUrfd(dir: string, note?: string): FrameDataset {
  const fallsPath = join(dir, URFD_FILES.falls);
  const adlsPath = join(dir, URFD_FILES.adls);
  for (const p of [fallsPath, adlsPath]) {
    if (!existsSync(p)) throw new DataError(p, null, "file not found (URFD needs both urfall-cam0-falls.csv and urfall-cam0-adls.csv)");
  }
  const falls = readUrfdFile(fallsPath);
  const adls = readUrfdFile(adlsPath);
  const table = joinUnique(falls, adls);
  const nFallRows = falls.rows;
  const sequences = sequenceBlocks(table, true).map((s) => ({ ...s, isFall: s.start < nFallRows }));
  return {
    table,
    sequences,
    provenance: {
      source: "urfd",
      dir: resolve(dir),
      files: [resolve(fallsPath), resolve(adlsPath)],
      note: note ?? `URFD data from ${resolve(dir)}`,
    },
  };
}

// The official files use "fall-NN" and "adl-NN"; prefix only if the two files share a name.
function joinUnique(falls: FrameTable, adls: FrameTable): FrameTable {
  const fallIds = new Set(falls.sequence);
  const clash = adls.sequence.some((s) => fallIds.has(s));
  if (!clash) return concatTables([{ table: falls }, { table: adls }]);
  return concatTables([
    { table: falls, rename: (s) => `falls:${s}` },
    { table: adls, rename: (s) => `adls:${s}` },
  ]);
}

export interface ResolveDataOptions {
  /** Folder with the two URFD files; wins over FALL_DATA_DIR. Missing files then throw. */
  dir?: string;
  /** true: generated data as asked (--synthetic, tests); the real files are not looked for. */
  synthetic?: boolean;
  /** Seed of the synthetic data (default 1). */
  seed?: number;
  /** Package root; default: the folder holding package.json above this file. */
  projectRoot?: string;
}

type Presence = "both" | "none" | "partial";

function presence(dir: string): Presence {
  const n = [URFD_FILES.falls, URFD_FILES.adls].filter((f) => existsSync(join(dir, f))).length;
  return n === 2 ? "both" : n === 0 ? "none" : "partial";
}

/** The default places, in order: the project's shipped copy, then the shared read-only copy beside it. */
function defaultDirs(root: string): { dir: string; name: string; why: string }[] {
  return [
    { dir: join(root, "data", "urfd"), name: "data/urfd", why: "the copy shipped in data/urfd" },
    { dir: join(root, "..", "shared", "data", "urfd"), name: "../shared/data/urfd", why: "data/urfd is empty, using the shared read-only copy ../shared/data/urfd" },
  ];
}

/** Where the real URFD files would be read from (FALL_DATA_DIR, data/urfd, ../shared/data/urfd), or null when nowhere. */
export function findUrfdDir(projectRoot: string = findProjectRoot()): string | null {
  const envDir = process.env[DATA_DIR_ENV];
  if (envDir !== undefined && envDir !== "") return presence(envDir) === "both" ? resolve(envDir) : null;
  const hit = defaultDirs(projectRoot).find((c) => presence(c.dir) === "both");
  return hit ? resolve(hit.dir) : null;
}

/**
 * Resolution order: options.dir, else $FALL_DATA_DIR (either one given must hold both files),
 * then <root>/data/urfd, then <root>/../shared/data/urfd. Nowhere: a one-line DataError saying how
 * to get the files; synthetic data only when options.synthetic asks for it. A folder holding only
 * one of the two files is an error, not skipped.
 */
export function resolveData(options: ResolveDataOptions = {}): FrameDataset {
  if (options.synthetic) {
    if (options.dir !== undefined) throw new TypeError("resolveData: synthetic data and a data folder exclude each other");
    const seed = options.seed ?? DEFAULT_SYNTHETIC_SEED;
    const ds = generateSynthetic({ seed });
    ds.provenance.note = `SYNTHETIC data (seed ${seed}), as asked — results say nothing about real falls`;
    return ds;
  }
  const envDir = process.env[DATA_DIR_ENV];
  const explicit = options.dir ?? (envDir !== undefined && envDir !== "" ? envDir : undefined);
  if (explicit !== undefined) {
    const why = options.dir !== undefined ? "given by the caller" : `given by ${DATA_DIR_ENV}`;
    if (existsSync(explicit) && !statSync(explicit).isDirectory()) throw new DataError(resolve(explicit), null, `is a file, not a data folder (${why}; a folder holding ${URFD_FILES.falls} and ${URFD_FILES.adls})`);
    if (presence(explicit) !== "both") {
      const missing = [URFD_FILES.falls, URFD_FILES.adls].filter((f) => !existsSync(join(explicit, f)));
      throw new DataError(resolve(explicit), null, `data folder ${why} lacks ${missing.join(" and ")} (no fallback when a folder is named)`);
    }
    return loadUrfd(explicit, `URFD data from ${resolve(explicit)} (${why})`);
  }

  const root = options.projectRoot ?? findProjectRoot();
  const candidates = defaultDirs(root);
  for (const c of candidates) {
    const p = presence(c.dir);
    if (p === "partial") {
      throw new DataError(resolve(c.dir), null, `holds only one of ${URFD_FILES.falls} and ${URFD_FILES.adls}; add the other (npm run data) or remove it`);
    }
    if (p === "both") return loadUrfd(c.dir, `URFD data from ${resolve(c.dir)} (${c.why})`);
  }
  const looked = candidates.map((c) => c.name).join(" or ");
  throw new DataError(
    resolve(root, "data", "urfd"),
    null,
    `no URFD files in ${looked}: restore the shipped copy (git checkout data/urfd) or download it (npm run data), set ${DATA_DIR_ENV} to a folder holding them, or run on generated data with --synthetic`,
  );
}

/**
 * For notebooks and checks: throws when a data set is synthetic although real URFD files are
 * present (a silent fall-back), so such a run fails instead of passing on nothing.
 */
export function assertRealDataUsed(ds: FrameDataset, projectRoot?: string): void {
  if (ds.provenance.source === "urfd") return;
  const real = findUrfdDir(projectRoot);
  if (real !== null) throw new Error(`the data is ${ds.provenance.source}, but real URFD files are present in ${real}: this run fell back instead of using them`);
}
