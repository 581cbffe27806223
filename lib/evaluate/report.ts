// A text classification report laid out exactly like scikit-learn's
// `classification_report(y_true, y_pred, labels=[0, 1], target_names=..., digits=...)`,
// zero_division 0, plus the same numbers as rows for tables and JSON.

import { confusionMatrix } from "./metrics";
import { safeDiv } from "./checks";

export interface ClassificationReportOptions {
  /** Display names of class 0 and class 1. Default ["not fall", "fall"]. */
  targetNames?: [string, string] | string[];
  /** Decimal places of precision / recall / f1-score. Default 2. */
  digits?: number;
}

export interface ReportRow {
  /** Class name, "accuracy", "macro avg" or "weighted avg". */
  name: string;
  kind: "class" | "accuracy" | "average";
  /** null on the accuracy row (sklearn leaves those cells blank). */
  precision: number | null;
  recall: number | null;
  /** The f1-score column; on the accuracy row, the accuracy. */
  f1: number;
  support: number;
}

export interface ClassificationReport {
  text: string;
  rows: ReportRow[];
}

/**
 * Fixed-point formatting as Python's `format(x, ".{digits}f")`: correctly rounded from the exact
 * binary value, exact ties to even (JS toFixed rounds ties away from zero: 0.625 → "0.63" where
 * Python prints "0.62").
 */
export function formatFixedLikePython(x: number, digits: number): string {
  if (!Number.isFinite(x)) return x > 0 ? "inf" : x < 0 ? "-inf" : "nan";
  const sign = x < 0 || Object.is(x, -0) ? "-" : ""; // Python keeps the sign of -0.001 → "-0.00"
  const ax = Math.abs(x);
  const rounded = ax.toFixed(digits);
  if (ax >= 1e21) return sign + rounded; // toFixed switches to exponent form; never a metric
  const exact = ax.toFixed(100); // the double's decimal expansion (exact for the digits needed)
  const dot = exact.indexOf(".");
  if (!/^50*$/.test(exact.slice(dot + 1 + digits))) return sign + rounded; // not an exact tie
  // Exact tie: keep the truncated value if its last digit is even, else round away from zero.
  const truncated = exact.slice(0, digits === 0 ? dot : dot + 1 + digits);
  return sign + (Number(truncated[truncated.length - 1]) % 2 === 0 ? truncated : rounded);
}

/** Per-class precision/recall/f1/support, accuracy, macro and weighted averages of 0/1 predictions. */
export function classificationReport(
  pred: ArrayLike<number>,
  labels: ArrayLike<number>,
  options: ClassificationReportOptions = {},
): ClassificationReport {
  const targetNames = options.targetNames ?? ["not fall", "fall"];
  const digits = options.digits ?? 2;
  if (targetNames.length !== 2) {
    throw new RangeError(`classificationReport: need 2 target names, got ${targetNames.length}`);
  }
  if (!Number.isInteger(digits) || digits < 0 || digits > 20) {
    throw new RangeError(`classificationReport: digits must be an integer in 0..20, got ${digits}`);
  }
  const [[tn, fp], [fn, tp]] = confusionMatrix(pred, labels);
  const total = tn + fp + fn + tp;
  // Class c: true count, predicted count, correctly predicted count.
  const perClass = [
    { truth: tn + fp, predicted: tn + fn, hit: tn },
    { truth: fn + tp, predicted: fp + tp, hit: tp },
  ];
  const stats = perClass.map((c) => ({
    precision: safeDiv(c.hit, c.predicted),
    recall: safeDiv(c.hit, c.truth),
    f1: safeDiv(2 * c.hit, c.truth + c.predicted), // sklearn's (1+β²)tp / (β²·true + predicted)
    support: c.truth,
  }));
  const [s0, s1] = [stats[0], stats[1]];
  // numpy's mean and average(weights=support) of the two per-class values.
  const macro = (k: "precision" | "recall" | "f1") => (s0[k] + s1[k]) / 2;
  const weighted = (k: "precision" | "recall" | "f1") => safeDiv(s0[k] * s0.support + s1[k] * s1.support, s0.support + s1.support);
  const rows: ReportRow[] = [
    { name: targetNames[0], kind: "class", ...s0 },
    { name: targetNames[1], kind: "class", ...s1 },
    { name: "accuracy", kind: "accuracy", precision: null, recall: null, f1: safeDiv(tn + tp, total), support: total },
    { name: "macro avg", kind: "average", precision: macro("precision"), recall: macro("recall"), f1: macro("f1"), support: total },
    {
      name: "weighted avg",
      kind: "average",
      precision: weighted("precision"),
      recall: weighted("recall"),
      f1: weighted("f1"),
      support: total,
    },
  ];

  // sklearn: width = max(longest name, len("weighted avg"), digits); every column " {:>9}".
  const width = Math.max(...targetNames.map((n) => n.length), "weighted avg".length, digits);
  const col = (s: string) => " " + s.padStart(9);
  const num = (x: number | null) => col(x === null ? "" : formatFixedLikePython(x, digits));
  const line = (r: ReportRow) => r.name.padStart(width) + " " + num(r.precision) + num(r.recall) + num(r.f1) + col(String(r.support)) + "\n";
  let text = " ".repeat(width) + " " + ["precision", "recall", "f1-score", "support"].map(col).join("") + "\n\n";
  text += line(rows[0]) + line(rows[1]) + "\n";
  text += line(rows[2]) + line(rows[3]) + line(rows[4]);
  return { text, rows };
}
