// What `--mode synchronous|asynchronous|hogwild` trains when its rule's flags are not given: the setup of that mode
// that held the 1-worker quality at 8 threads on seeds 1–3 (issue 17's seeds; on fresh seeds 4–6 hogwild's on all,
// the other two on 5 and 6; docs/scaling.md, "Each mode's own rule"). Elephas's plain rules stay one flag away (--lr-scaling none --frequency epoch; --push deltas --frequency epoch).
// The trainer's own config (lib/distributed/config.ts) keeps Elephas's defaults: this is the command line's choice.
import type { LrScaling, Push, SyncFrequency, SyncMode } from "../distributed/config";

/** The pipeline options a mode's rule reads and fills (PipelineOptions has them; declared here, as options.ts imports this file). */
export interface ModeRuleOptions {
  mode: SyncMode;
  epochs: number;
  /** null: the trainer's default for the mode. */
  frequency: SyncFrequency | null;
  push: Push;
  lrScaling: LrScaling;
  warmupEpochs: number;
}

/** The options a mode's rule fills in when not given. */
export const MODE_RULE_KEYS = ["frequency", "push", "lrScaling", "warmupEpochs"] as const;
export type ModeRuleKey = (typeof MODE_RULE_KEYS)[number];
type RuleValues = Partial<Pick<ModeRuleOptions, ModeRuleKey>>;

/** The rule options' flags: the pipeline's option table (lib/pipeline/options.ts) takes them from here. */
export const MODE_RULE_FLAGS: Record<ModeRuleKey, string> = { frequency: "--frequency", push: "--push", lrScaling: "--lr-scaling", warmupEpochs: "--warmup-epochs" };

/** Epochs of warm-up to the linear rule's rate (Goyal et al. 2017 warm up over the first epochs; 2 is what was measured). */
export const MODE_RULE_WARMUP_EPOCHS = 2;

/**
 * A mode's rule when none of its flags is given:
 * - synchronous: weights averaged after every batch (`--frequency batch`), the learning rate × workers
 *   (`--lr-scaling linear`) reached over 2 epochs (`--warmup-epochs 2`, fewer in a shorter run);
 * - asynchronous: every batch's gradient pushed to one shared Adam state (`--push gradients`);
 * - hogwild: deltas pushed after every batch (`--frequency batch`);
 * - gradients: nothing (its rule has no options).
 */
export function modeRule(o: Pick<ModeRuleOptions, "mode" | "epochs">): RuleValues {
  switch (o.mode) {
    case "synchronous":
      // A warm-up must end before the last epoch (the pipeline refuses --warmup-epochs >= --epochs).
      return { frequency: "batch", lrScaling: "linear", warmupEpochs: warmupFor(o.epochs) };
    case "asynchronous":
      return { push: "gradients" };
    case "hogwild":
      return { frequency: "batch" };
    case "gradients":
      return {};
  }
}

const warmupFor = (epochs: number) => Math.max(0, Math.min(MODE_RULE_WARMUP_EPOCHS, epochs - 1));

/**
 * Fill the mode's rule (`modeRule`) into the options not `given` (in place). A given
 * `--lr-scaling none` takes the warm-up with it; asynchronous keeps pushing deltas when --push, --frequency or
 * --sync-every is given (those time the deltas a worker pushes).
 */
export function applyModeRule(o: ModeRuleOptions, given: readonly string[]): void {
  const want = modeRule(o);
  if (given.includes("lrScaling") && o.lrScaling === "none") delete want.warmupEpochs;
  if (o.mode === "asynchronous" && (given.includes("frequency") || given.includes("syncEvery"))) delete want.push;
  for (const key of MODE_RULE_KEYS) {
    if (key in want && !given.includes(key)) (o as unknown as Record<string, unknown>)[key] = want[key];
  }
}

/** The rule's flags as a user would give them ("--frequency batch --lr-scaling linear --warmup-epochs 2"). */
export function modeRuleFlags(values: RuleValues): string {
  return MODE_RULE_KEYS.filter((k) => k in values).map((k) => `${MODE_RULE_FLAGS[k]} ${values[k]}`).join(" ");
}

/** One line for the start of a weight or delta run: its mode's rule, or the flags given beside it (null for gradients). */
export function modeRuleLine(o: Pick<ModeRuleOptions, "mode" | "epochs" | ModeRuleKey>): string | null {
  if (o.mode === "gradients") return null;
  const rule = modeRule(o);
  const own = MODE_RULE_KEYS.filter((k) => k in rule && o[k] !== rule[k]);
  const plain = o.mode === "synchronous" ? "--lr-scaling none --frequency epoch" : "--push deltas --frequency epoch";
  if (!own.length) return `mode ${o.mode}: ${modeRuleFlags(rule)} (its default: the rule that held the 1-worker quality at 8 workers; Elephas's plain rule is ${plain}; docs/scaling.md)`;
  const given = Object.fromEntries(own.map((k) => [k, o[k]])) as RuleValues;
  return `mode ${o.mode} with ${modeRuleFlags(given)} given (its default ${modeRuleFlags(rule)} held the 1-worker quality at 8 workers; docs/scaling.md)`;
}
