// One line per merged epoch, for the command line and notebook cells alike.
import { ProgressEvent, ProgressEventCallback } from "../distributed/config";

export function epochProgressPrinter(print: (line: string) => void, label = ""): ProgressEventCallback {
  let last = Date.now();
  return (e: ProgressEvent): void => {
    if (e.type !== "merged") return;
    const now = Date.now();
    const val = e.valLoss !== undefined ? ` val_loss ${e.valLoss.toFixed(4)} val_acc ${(e.valAcc ?? 0).toFixed(4)}` : "";
    print(`  ${label}epoch ${e.epoch + 1}: loss ${e.loss.toFixed(4)} acc ${e.acc.toFixed(4)}${val} (${((now - last) / 1000).toFixed(1)} s)`);
    last = now;
  };
}
