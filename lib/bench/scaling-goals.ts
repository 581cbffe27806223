// Issue 17's goals, judged from the scaling rows: at 8 workers in all (threads, or ranks × threads),
// each setup against its own 1-thread run on the same seed. Pure: rows in, a verdict table out.
import { ScalingRow, setupLabel, tableOrder, workersLabel } from "./scaling";

export interface GoalVerdict {
  setup: string;
  mode: ScalingRow["mode"];
  workers: string;
  seed: number;
  met: boolean;
  /** Missed only by doing better than 1 worker beyond the tolerance ("within" read literally), with no loss. */
  gainOnly: boolean;
  /** What differs from the 1-worker run, in words ("identical" when nothing does). */
  detail: string;
}

/** Float rounding of a difference of two AUCs (each a fraction of at most ~10^6 pairs): far below any real difference. */
const ROUNDING = 1e-9;

/** Threads in all: a rank layout counts every thread of every rank. */
const totalWorkers = (r: ScalingRow) => r.workers * (r.ranks ?? 1);

const signed = (d: number) => `${d >= 0 ? "+" : "−"}${Math.abs(d).toFixed(4)}`;

/** The goal a setup is held to, in words (gradients must be the 1-worker model; the rest within tolerances). */
export function goalText(mode: ScalingRow["mode"]): string {
  return mode === "gradients"
    ? "the 1-worker run: same falls, ADLs within 1, window AUC within 0.005"
    : "window AUC within 0.01 and recording AUC within 0.005 of 1 worker, no fall lost";
}

/** The quality figures a verdict compares. */
export type GoalFiguresRow = Pick<ScalingRow, "windowAuc" | "recordingAuc" | "fallsFound" | "falls" | "adlsRight">;

/** One run against its 1-worker run under the goal of `mode` (gradients: the same model; the rest: tolerances). */
export function verdictOf(r: GoalFiguresRow, base: GoalFiguresRow, mode: ScalingRow["mode"]): Pick<GoalVerdict, "met" | "gainOnly" | "detail"> {
  const dWin = r.windowAuc - base.windowAuc;
  const dRec = r.recordingAuc - base.recordingAuc;
  const lost = base.fallsFound - r.fallsFound;
  const dAdl = r.adlsRight - base.adlsRight;
  const parts: string[] = [];
  if (dWin !== 0) parts.push(`win ${signed(dWin)}`);
  if (dRec !== 0) parts.push(`rec ${signed(dRec)}`);
  if (lost !== 0) parts.push(`falls ${r.fallsFound}/${r.falls} (1 worker ${base.fallsFound})`);
  if (dAdl !== 0) parts.push(`ADLs ${r.adlsRight} (1 worker ${base.adlsRight})`);
  // "Within" is read literally: a gain beyond the tolerance misses the goal too, and is marked as a gain only.
  const tol = mode === "gradients" ? { win: 0.005, rec: Infinity } : { win: 0.01, rec: 0.005 };
  const adlsOk = mode !== "gradients" || Math.abs(dAdl) <= 1;
  // AUCs are fractions of pairs: a difference of exactly the tolerance is within it, whatever the last bit says.
  const within = (d: number, t: number) => Math.abs(d) <= t + ROUNDING;
  const met = lost <= 0 && adlsOk && within(dWin, tol.win) && within(dRec, tol.rec);
  const noLoss = lost <= 0 && adlsOk && dWin >= -tol.win - ROUNDING && dRec >= -tol.rec - ROUNDING;
  return { met, gainOnly: !met && noLoss, detail: parts.length ? parts.join(", ") : "identical" };
}

/** One verdict per row at `at` workers in all that has a 1-thread row of its setup and seed to compare with. */
export function scalingGoals(rows: readonly ScalingRow[], at = 8): GoalVerdict[] {
  const out: GoalVerdict[] = [];
  // Each setup's 1-thread run per seed, indexed once.
  const baselines = new Map(rows.filter((b) => b.workers === 1 && !b.ranks).map((b) => [`${setupLabel(b)}|${b.seed}`, b]));
  for (const r of tableOrder(rows)) {
    if (totalWorkers(r) !== at) continue;
    const base = baselines.get(`${setupLabel(r)}|${r.seed}`);
    if (!base) continue;
    const v = verdictOf(r, base, r.mode);
    out.push({ setup: setupLabel(r), mode: r.mode, workers: workersLabel(r), seed: r.seed, ...v });
  }
  return out;
}

/** Per mode, the setups and layouts that met the goal on every seed they ran (at least `minSeeds`), with that count. */
export function modesHeld(verdicts: readonly GoalVerdict[], minSeeds = 3): { mode: ScalingRow["mode"]; held: { setup: string; workers: string; seeds: number }[] }[] {
  const lines = new Map<string, GoalVerdict[]>();
  for (const v of verdicts) {
    const key = `${v.setup}|${v.workers}`;
    const line = lines.get(key);
    if (line) line.push(v);
    else lines.set(key, [v]);
  }
  const modes = [...new Set(verdicts.map((v) => v.mode))];
  return modes.map((mode) => ({
    mode,
    held: [...lines.values()]
      .filter((vs) => vs[0].mode === mode && vs.length >= minSeeds && vs.every((v) => v.met))
      .map((vs) => ({ setup: vs[0].setup, workers: vs[0].workers, seeds: vs.length })),
  }));
}

/** Markdown: one line per setup and layout, a verdict per seed, and the count met. */
export function scalingGoalsTable(rows: readonly ScalingRow[], at = 8): string {
  const verdicts = scalingGoals(rows, at);
  if (verdicts.length === 0) return `No case ran at ${at} workers (threads or ranks × threads) beside its 1-worker run: issue 17's goals are judged there.`;
  const seeds = [...new Set(verdicts.map((v) => v.seed))].sort((a, b) => a - b);
  // One line per setup and layout, in table order; its verdicts by seed.
  const lineOf = new Map<string, Map<number, GoalVerdict>>();
  for (const v of verdicts) {
    const k = `${v.setup}|${v.workers}`;
    lineOf.set(k, (lineOf.get(k) ?? new Map()).set(v.seed, v));
  }
  const lines = [...lineOf.values()].map((bySeed) => {
    const first = bySeed.values().next().value as GoalVerdict;
    const cells = seeds.map((s) => {
      const v = bySeed.get(s);
      return v ? `${v.met ? "**met**" : v.gainOnly ? "not met, by a gain" : "not met"} (${v.detail})` : "";
    });
    return `| ${first.setup} | ${first.workers} | ${goalText(first.mode)} | ${cells.join(" | ")} |`;
  });
  const met = verdicts.filter((v) => v.met).length;
  const gains = verdicts.filter((v) => v.gainOnly).length;
  return [
    `| setup | workers | goal (against its 1-thread run, same seed) | ${seeds.map((s) => `seed ${s}`).join(" | ")} |`,
    `|---|---|---|${seeds.map(() => "---").join("|")}|`,
    ...lines,
    "",
    `Goals met in ${met} of ${verdicts.length} cases at ${at} workers in all${gains ? `; ${gains} more miss only by doing better than 1 worker beyond the tolerance` : ""}.`,
    "",
    "Per mode, the setups that met it on every seed they ran (3 or more):",
    ...modesHeld(verdicts).map(({ mode, held }) => `- ${mode}: ${held.length ? held.map((h) => `${h.setup}, ${h.workers === String(at) ? `${at} threads` : h.workers} (${h.seeds} seeds)`).join("; ") : "none"}`),
  ].join("\n");
}
