// report.html: one self-contained page (plotly.js inlined once) with what a person deciding
// whether to trust the detector needs: provenance, settings, metrics, reports and plots.
import { hostSentence } from "./host-facts";
import { FrameDataset, WindowSet } from "../types";
import { Evaluation } from "../evaluate";
import { standaloneHtml, escapeHtml, PageSection } from "../notebook/html-page";
import { evaluationViews, trainingFigure } from "./evaluation-views";
import type { FoldOutcome } from "./fold-outcome";
import { MetricsJson, MetricsSummary, otherWindowSetPhrases } from "./metrics-json";
import type { ReplayedRecording } from "../detect/replay";
import type { DetectionFigures } from "../detect/delay";

function metricRow(level: string, m: MetricsSummary): Record<string, unknown> {
  const [[tn, fp], [fn, tp]] = m.confusionMatrix;
  return {
    level,
    accuracy: m.accuracy.toFixed(4),
    precision: m.precision.toFixed(4),
    "recall (sensitivity)": m.recall.toFixed(4),
    specificity: m.specificity.toFixed(4),
    f1: m.f1.toFixed(4),
    auc: m.auc === null ? "n/a" : m.auc.toFixed(4),
    "tn / fp / fn / tp": `${tn} / ${fp} / ${fn} / ${tp}`,
  };
}

export function buildReportHtml(input: {
  ds: FrameDataset;
  metrics: MetricsJson;
  folds: FoldOutcome[];
  pooled: Evaluation;
  pooledWindows: WindowSet;
  pooledScores: Float32Array;
  replayed: ReplayedRecording[];
}): string {
  const { ds, metrics, folds, pooled } = input;
  const views = evaluationViews(ds, input.pooledWindows, input.pooledScores, pooled, { replayed: input.replayed, fps: metrics.detection.fps });
  const synthetic = ds.provenance.source === "synthetic";
  const dfcsv = ds.provenance.source === "dfcsv";
  const sizes = dfcsv
    ? `${metrics.data.sequences} ${metrics.data.sequences === metrics.data.frames ? "groups (one per row)" : "recordings"}, ${metrics.data.frames} rows of posture tokens; model: the original preset (Embedding + 3 × ${metrics.config.model.toUpperCase()}(256)).`
    : `${metrics.data.sequences} recordings, ${metrics.data.frames} frames.`;
  const sections: PageSection[] = [
    {
      heading: "Data",
      html: synthetic ? `<p style="color:#b00;font-weight:bold">SYNTHETIC DATA — these results say nothing about real falls.</p>` : "",
      text: `${ds.provenance.note}\n\n${sizes} TensorFlow.js backend: ${metrics.backend}. ${kernelSentence(metrics.training)}${hostSentence(metrics.training.host)}${clusterSentence(metrics.training.cluster)}`,
    },
    {
      heading: "Settings",
      table: Object.entries(metrics.config).map(([option, value]) => ({ option, value: value === null ? "—" : String(value) })),
    },
    {
      heading: "Metrics",
      text: `${metrics.scores}. ${scoreWords(metrics.config)}; thresholds were chosen on the training recordings only (Youden's J on each recording's highest score).${otherWindowSets(metrics)}`,
      table: [metricRow("windows", metrics.window), metricRow("recordings", metrics.sequence)],
    },
    {
      heading: "Mistakes",
      text: `Missed falls: ${pooled.missedFalls.join(", ") || "none"}.\n\nFalse alarms: ${pooled.falseAlarms.join(", ") || "none"}.`,
    },
    {
      heading: "Alarms",
      text: detectionSentence(metrics.detection, metrics.config.smooth),
      table: [detectionRow(metrics.detection)],
      figure: views.alarms!,
    },
    { heading: "Classification report — windows", html: `<pre>${escapeHtml(views.windowReport)}</pre>` },
    { heading: "Classification report — recordings", html: `<pre>${escapeHtml(views.sequenceReport)}</pre>` },
    { heading: "Confusion matrices", figures: views.confusion },
    { heading: "ROC", figure: views.roc },
    {
      heading: "Training",
      text: `Wall time ${metrics.training.wallSec.toFixed(1)} s; ${metrics.training.windowsPerSec.toFixed(0)} training windows/s; exchange overhead ${(100 * metrics.training.overheadFraction).toFixed(1)}% of worker time.`,
      figures: folds.flatMap((f, i) =>
        f.result.memberFits.map((fit, m) => trainingFigure(fit, [folds.length > 1 ? `Training, fold ${i + 1}` : "Training", f.result.memberFits.length > 1 ? `member ${m + 1} of ${f.result.memberFits.length}` : ""].filter(Boolean).join(", "))),
      ),
    },
    {
      heading: "Recordings over time",
      text: `Fall probability per window against its last frame; ${dfcsv ? "the span of rows labelled fall is shaded" : "the annotated falling segment is shaded"}; a cross marks each alarm.`,
      figures: views.timelines,
    },
  ];
  if (metrics.folds) {
    sections.splice(3, 0, {
      heading: "Per fold",
      table: metrics.folds.map((f, i) => ({
        fold: i + 1,
        threshold: (f.startModels ? `${f.startModels.fullThreshold.toFixed(3)} full windows, ${f.startModels.startThreshold.toFixed(3)} start models` : f.threshold.toFixed(3)) +
          (f.secondWindow ? `; second window: ${f.secondWindow.fullThreshold.toFixed(3)} full windows, ${f.secondWindow.startThreshold.toFixed(3)} start models` : ""),
        ...metricRow("recordings", f.sequence), "window auc": f.window.auc?.toFixed(4) ?? "n/a",
      })),
    });
  }
  return standaloneHtml({ title: `Fall detection run — ${synthetic ? "SYNTHETIC data" : dfcsv ? "df.csv, original preset" : "URFD"}`, sections });
}

/** The report's sentence on the window AUC over the plain ensemble's window set (nothing for a run scored on it). */
export function otherWindowSets(metrics: Pick<MetricsJson, "windowUnpadded" | "windowOnGrid" | "config">): string {
  const phrases = otherWindowSetPhrases(metrics);
  return phrases.length ? ` Window AUC on the --stride grid's full windows: ${phrases.join("; ")}.` : "";
}

const num = (x: number | null, digits: number): string => (x === null ? "n/a" : x.toFixed(digits));

/** The detection block of metrics.json as one table row. */
export function detectionRow(d: DetectionFigures): Record<string, unknown> {
  return {
    "median delay (frames)": num(d.delayFrames.median, 1),
    "median delay (s)": num(d.delaySec.median, 2),
    "max delay (frames)": num(d.delayFrames.max, 0),
    "latest after segment end (frames)": num(d.delayFrames.maxAfterSegmentEnd, 0),
    "missed falls": d.missedFalls,
    "false alarms": d.falseAlarms,
    "ADL footage (h)": d.adlHours.toFixed(3),
    "false alarms / h": num(d.falseAlarmsPerHour, 1),
  };
}

function detectionSentence(d: DetectionFigures, smooth: number): string {
  return (
    `What the deployed detector (lib/detect) does on the test recordings: an alarm when the mean of the last ${smooth} window scores reaches the threshold, then no second alarm for ${d.refractorySec} s. ` +
    `Delay = first alarm minus the first annotated falling frame (${d.fps} fps; negative = before it). ` +
    `Missed falls: ${d.missedFallIds.join(", ") || "none"}. Recordings with false alarms: ${d.falseAlarmIds.join(", ") || "none"}.`
  );
}

/** Where a --cluster mpi run trained (nothing for thread training). */
function clusterSentence(c: MetricsJson["training"]["cluster"]): string {
  if (!c) return "";
  const hosts = c.placement.map((p) => `rank ${p.rank} on ${p.host} (${p.workers} thread${p.workers === 1 ? "" : "s"})`).join(", ");
  return ` Trained on an MPI job (${c.mpi}) of ${c.ranks} rank(s) × ${c.workersPerRank} thread(s): ${hosts}.`;
}

/** How a window's score is made, in words. */
function scoreWords(config: Pick<MetricsJson["config"], "smooth" | "ensemble" | "startModels" | "window" | "model" | "secondModel" | "combine" | "secondWindow" | "secondWindowRule" | "secondWindowHold" | "secondWindowLevel">): string {
  // Runs written before --second-model and --combine lack them.
  const second = config.secondModel ?? null;
  const perGroup = config.ensemble * (second === null ? 1 : 2);
  const combined = config.combine === "logit-mean" ? "the probability of the mean log-odds" : "the mean";
  const models = second === null ? `${perGroup}` : `${perGroup} (${config.ensemble} ${config.model} and ${config.ensemble} ${second}, one of each type a seed)`;
  // Runs written before --start-models lack it.
  if (config.startModels > 0) {
    const words = `A stream's windows of ${config.window - config.startModels}..${config.window - 1} real frames are scored by the ${models} start model(s) alone (trained with the first frame repeated ${config.startModels} times in front), ` +
      `every full window by ${combined} of all ${2 * perGroup} models, each against its own threshold (scores aligned so both sit at 0.5)`;
    // Runs written before --second-window lack it.
    const N = config.secondWindow ?? null;
    return N === null ? words : `${words}. Beside it a second detector alike on windows of ${N} frames (its start models padded ${config.startModels + N - config.window} times) scores the same frames, and a frame's score is ${config.secondWindowRule === "min-agree" ? "the two scores' mean log-odds where both are on one side of the threshold, else the lower" : "the lower of the two"}: an alarm needs both${config.secondWindowHold ? ` (each score held ${config.secondWindowHold} frames: an alarm where both held scores pass the threshold, the frame's score lifted to it)` : ""}${config.secondWindowLevel !== undefined && config.secondWindowLevel !== 0.5 ? `; the second passes at ${config.secondWindowLevel} of its aligned scale (${(2 * config.secondWindowLevel).toFixed(2)} of its threshold)` : ""}`;
  }
  return `A window's score is the mean of the last ${config.smooth} window probabilities of its recording${ensembleWords(models, perGroup, combined, second === null)}`;
}

/** What a window probability is under --ensemble (nothing for a single model). */
function ensembleWords(models: string, members: number, combined: string, oneType: boolean): string {
  return members > 1 ? `, each probability ${combined} of ${models} models${oneType ? " trained from different seeds" : ""}` : "";
}

/** How the training steps were computed, in words, with the reason for the slow path. */
export function kernelSentence(training: { kernel: string; kernelNote?: string }): string {
  const fused = /^fused-native(-step)?(?:\+(openblas|blis))?(\+avx512)?$/.exec(training.kernel);
  if (!fused) return `Training steps: ${training.kernel}${training.kernelNote ? ` (fused kernel not used: ${training.kernelNote})` : ""}.`;
  // "-step": forward, loss, gradients and Adam in one native call a batch, not only the recurrent layers.
  const what = fused[1] ? "the whole step in native code (lib/native: LSTM/GRU, Dropout, Dense, loss, Adam)" : "the fused native LSTM/GRU kernel (lib/native)";
  const blas = fused[2] ? ` with ${fused[2] === "openblas" ? "OpenBLAS" : fused[2].toUpperCase()} (one thread) for its matrix products` : "";
  const packed = fused[3] ? `${blas ? " and" : " with"} an AVX-512 micro-kernel over packed weights for the per-step ones` : "";
  return `Training steps: ${what}${blas}${packed}, the same math as tfjs-layers.`;
}
