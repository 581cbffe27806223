// A warning for the update rules measured to lose quality as workers grow (docs/scaling.md, issue 17), so a user who
// picks Elephas's plain rules hears it where the run reports, with the flags that held the 1-worker quality; and a
// note when mode gradients is past the micro-batches that keep it the 1-worker model bit for bit.
import { PipelineOptions, totalWorkers } from "./options";
import { modeRule, modeRuleFlags } from "./mode-rules";
import { DEFAULT_MICRO_BATCHES } from "../distributed/config";

/** From this many workers in all (threads × ranks) plain weight averaging lost window AUC (0.020 at 4, 0.04–0.05 at 8). */
export const ADVICE_MIN_WORKERS = 4;

/** The warning line for a setup docs/scaling.md measured to lose quality at this many workers, or null. */
export function modeAdvice(o: Pick<PipelineOptions, "mode" | "epochs" | "frequency" | "push" | "lrScaling" | "microBatches" | "cluster" | "workers" | "ranks" | "workersPerRank">): string | null {
  const n = totalWorkers(o);
  if (o.mode === "gradients" && o.microBatches === null && n > DEFAULT_MICRO_BATCHES) {
    return `note: mode gradients cuts each global batch into one micro-batch a worker past ${DEFAULT_MICRO_BATCHES}, so ${n} workers sum the same gradients in another order than 1 to ${DEFAULT_MICRO_BATCHES} (another rounding of the same training); give --micro-batches ${n} at every worker count to compare them bit for bit`;
  }
  if (n < ADVICE_MIN_WORKERS) return null;
  if (o.mode === "synchronous" && o.lrScaling === "none") {
    return `warning: --mode synchronous with --lr-scaling none averages the weights of ${n} workers at the base learning rate (Elephas's plain rule): at 8 workers it lost 0.039-0.053 window AUC on URFD, and a fall; leave out --lr-scaling and --frequency (the mode's rule, ${modeRuleFlags(modeRule(o))}, held the 1-worker quality at 8 workers on seeds 1-3 and 5-6, 4 averages an epoch on URFD; docs/scaling.md), or use --mode gradients (the 1-worker model at 1 to --micro-batches workers, default 8)`;
  }
  if ((o.mode === "asynchronous" || o.mode === "hogwild") && o.push === "deltas" && o.frequency !== "batch") {
    return `warning: --mode ${o.mode} pushing each worker's weight change once an epoch is Elephas's plain rule: at 8 workers it lost 0.010-0.016 window AUC on URFD seeds 2 and 3; leave out --frequency${o.mode === "asynchronous" ? " and --push" : ""} (the mode's rule, ${modeRuleFlags(modeRule(o))}, held the 1-worker quality at 8 workers on seeds 1-3; docs/scaling.md)`;
  }
  return null;
}
