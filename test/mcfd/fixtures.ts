// Shared helpers for the MCFD tests: where the real annotation copies are, and a generator of small
// VALID annotation folders (in the OS temp dir) that tests corrupt one file at a time.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findProjectRoot as projectRoot } from "../../lib/data/project-root";
import { MCFD_CAMS, MCFD_CHUTES, MCFD_FILES } from "../../lib/mcfd";

export const realDir = join(projectRoot(), "..", "shared", "data", "mcfd");
export const realPresent = [MCFD_FILES.nunezAnnotations, MCFD_FILES.nunezDelays, MCFD_FILES.fallGcnLabels].every((f) =>
  existsSync(join(realDir, f)),
);
export const skipReal = realPresent ? false : `no MCFD annotation copies at ${realDir}`;

export interface FakeSources {
  annotations: string;
  delays: string;
  labels: string;
  combines: string;
}

/** Reference falls of the fake folder: chute s falls at 100+s .. 120+s; chute 24 none; chute 3 twice. */
export function fakeReference(s: number): [number, number][] {
  if (s === MCFD_CHUTES) return [];
  if (s === 3) return [[103, 123], [400, 430]];
  return [[100 + s, 120 + s]];
}
/** Fake delay of chute s, camera c (camera 8 is always the 0). */
export const fakeDelay = (s: number, c: number): number => (c === 8 ? 0 : (s * 3 + c * 7) % 40);

/**
 * Consistent fake sources: fallGCN rows = reference - delay (its convention), with segments
 * before, during (label 1) and after each fall. `gcnDelay` lets a test inject a delay typo.
 */
export function fakeSources(gcnDelay: (s: number, c: number) => number = fakeDelay): FakeSources {
  const ann: Record<string, unknown> = {};
  const del: Record<string, Record<string, number>> = {};
  for (let c = 1; c <= MCFD_CAMS; c++) del[`camera${c}`] = {};
  const rows: string[] = ["chute,cam,start,end,label"];
  const comb: string[] = ["chute,cam,start,end,label"];
  for (let s = 1; s <= MCFD_CHUTES; s++) {
    const ref = fakeReference(s);
    ann[`scenario${s}`] = { reference: 11, start: ref.map((f) => f[0]), end: ref.map((f) => f[1]) };
    for (let c = 1; c <= MCFD_CAMS; c++) {
      del[`camera${c}`][String(s)] = fakeDelay(s, c);
      const d = gcnDelay(s, c);
      // Segments on the reference timeline: 50.., each fall, gaps between, up to 600.
      const segs: [number, number, number][] = [];
      let at = 50;
      for (const [a, b] of ref) {
        segs.push([at, a - 1, 0], [a, b, 1]);
        at = b + 1;
      }
      segs.push([at, 600, 0]);
      // The uncombined file splits the first segment in two, like fallGCN's position codes.
      const first = segs[0];
      const split: [number, number, number][] = [[first[0], first[0] + 10, 0], [first[0] + 11, first[1], 0], ...segs.slice(1)];
      for (const [a, b, l] of split) rows.push(`${s},${c},${a - d},${b - d},${l}`);
      for (const [a, b, l] of segs) comb.push(`${s},${c},${a - d},${b - d},${l}`);
    }
  }
  return {
    annotations: JSON.stringify(ann, null, 2),
    delays: JSON.stringify(del, null, 2),
    labels: rows.join("\n") + "\n",
    combines: comb.join("\n") + "\n",
  };
}

/** Writes the sources into a fresh temp folder (override any file's text) and returns the folder. */
const madeDirs: string[] = [];
// Tests make many small folders; remove them all when the test process ends.
process.on("exit", () => madeDirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

export function writeFakeDir(overrides: Partial<FakeSources> = {}, base: FakeSources = fakeSources()): string {
  const dir = mkdtempSync(join(tmpdir(), "mcfd-test-"));
  madeDirs.push(dir);
  const src = { ...base, ...overrides };
  writeFileSync(join(dir, MCFD_FILES.nunezAnnotations), src.annotations);
  writeFileSync(join(dir, MCFD_FILES.nunezDelays), src.delays);
  writeFileSync(join(dir, MCFD_FILES.fallGcnLabels), src.labels);
  writeFileSync(join(dir, MCFD_FILES.fallGcnCombines), src.combines);
  return dir;
}
