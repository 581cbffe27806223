// Training progress for the command line and notebook cells: epochProgressPrinter prints every
// merged epoch; trainingProgress is the pipeline's: a live bar per fold and member on a terminal,
// a line every few epochs in logs and pipes, nothing with --quiet.
import { MultiBar, Presets } from "cli-progress";
import { ProgressEvent, ProgressEventCallback } from "../distributed/config";

function epochLine(label: string, e: Extract<ProgressEvent, { type: "merged" }>, seconds: number, extra = ""): string {
  const val = e.valLoss !== undefined ? ` val_loss ${e.valLoss.toFixed(4)} val_acc ${(e.valAcc ?? 0).toFixed(4)}` : "";
  return `  ${label}epoch ${e.epoch + 1}: loss ${e.loss.toFixed(4)} acc ${e.acc.toFixed(4)}${val} (${seconds.toFixed(1)} s${extra})`;
}

/** One line per merged epoch (notebooks use this). */
export function epochProgressPrinter(print: (line: string) => void, label = ""): ProgressEventCallback {
  let last = Date.now();
  return (e: ProgressEvent): void => {
    if (e.type !== "merged") return;
    const now = Date.now();
    print(epochLine(label, e, (now - last) / 1000));
    last = now;
  };
}

/** bar: a live bar (a terminal); lines: a line every few epochs (CI logs, pipes); quiet: nothing. */
export type ProgressMode = "bar" | "lines" | "quiet";

export function progressMode(o: { quiet: boolean; isTTY: boolean | undefined }): ProgressMode {
  return o.quiet ? "quiet" : o.isTTY ? "bar" : "lines";
}

/** What one fold trains: known to the pipeline, not to the progress events. */
export interface FoldPlan {
  epochs: number;
  members: number;
}

export interface TrainingProgress {
  /** The callback for fold `fold` of `folds` (every member's training in it). */
  forFold(fold: number, folds: number, plan?: FoldPlan): ProgressEventCallback;
  /** Print a line without tearing a live bar. */
  log(line: string): void;
  /** End any live bar (call when the run ends or fails). */
  stop(): void;
}

/** Epochs printed in lines mode: the first, the last, and about five in between. */
export function printedEpoch(epoch1: number, epochs: number): boolean {
  const every = Math.max(1, Math.ceil(epochs / 5));
  return epoch1 === 1 || epoch1 === epochs || epoch1 % every === 0;
}

function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return "?";
  const m = Math.floor(s / 60);
  return m ? `${m}m${String(Math.round(s % 60)).padStart(2, "0")}s` : `${Math.round(s)}s`;
}

export function trainingProgress(mode: ProgressMode, print: (line: string) => void, stream: NodeJS.WriteStream = process.stdout): TrainingProgress {
  let bars: MultiBar | null = null;
  const stop = () => {
    bars?.stop();
    bars = null;
  };
  return {
    log(line) {
      if (bars) bars.log(`${line}\n`);
      else print(line);
    },
    stop,
    forFold(fold, folds, plan) {
      const label = folds > 1 ? `fold ${fold}/${folds} ` : "";
      if (mode === "quiet") return () => undefined;
      if (!plan) return epochProgressPrinter(print, label); // a caller that does not say how long
      // Events carry no member number: a member starts when the epoch count starts over.
      let member = 0;
      let lastEpoch = Infinity;
      let last = Date.now();
      let memberStart = last;
      let firstEpoch = 0;
      let bar: ReturnType<MultiBar["create"]> | null = null;
      return (e) => {
        if (e.type !== "merged") return;
        const now = Date.now();
        if (e.epoch <= lastEpoch) {
          member++;
          memberStart = last;
          firstEpoch = e.epoch;
          stop();
          bar = null;
        }
        lastEpoch = e.epoch;
        const done = e.epoch + 1 - firstEpoch;
        const left = plan.epochs - (e.epoch + 1);
        const secondsLeft = ((now - memberStart) / 1000 / done) * (left + (plan.members - member) * plan.epochs);
        const who = plan.members > 1 ? `member ${member}/${plan.members}` : "";
        if (mode === "lines") {
          if (printedEpoch(e.epoch + 1, plan.epochs)) print(epochLine(label, e, (now - last) / 1000, `${who ? `, ${who}` : ""}, ~${formatSeconds(secondsLeft)} left in the fold`));
        } else {
          if (!bar) {
            bars = new MultiBar(
              { stream, format: `  ${label}${who ? `${who} ` : ""}[{bar}] epoch {value}/{total} loss {loss} | {left} left in the fold`, hideCursor: true, clearOnComplete: false, barsize: 24 },
              Presets.shades_classic,
            );
            bar = bars.create(plan.epochs, firstEpoch, { loss: "-", left: "?" });
          }
          bar.update(e.epoch + 1, { loss: e.loss.toFixed(4), left: formatSeconds(secondsLeft) });
          if (e.epoch + 1 >= plan.epochs) stop();
        }
        last = now;
      };
    },
  };
}
