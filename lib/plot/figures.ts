// Plotly figure objects as plain data: no plotly import, no functions, no typed arrays, no NaN
// (non-finite values become null, which plotly draws as a gap), so every figure survives
// JSON.stringify/parse unchanged and can be saved next to the run's other artifacts.
// Titles use the object form `{ text }` required by plotly.js 3+.

/** One plotly trace. */
export type Trace = Record<string, unknown>;

/** A plotly figure: what Plotly.newPlot(el, fig.data, fig.layout) takes. */
export interface Figure {
  data: Trace[];
  layout: Record<string, unknown>;
}

const COLORS = {
  main: "#1f77b4",
  second: "#ff7f0e",
  third: "#2ca02c",
  fourth: "#d62728",
  threshold: "#d62728",
  shade: "#ff7f0e",
  chance: "#7f7f7f",
};
/** Colours for per-worker curves, distinct from the merged ones. */
const WORKER_COLORS = ["#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

/** number[] copy of any numeric array; non-finite values become null (a gap in the plot). */
function toPlain(values: ArrayLike<number>): (number | null)[] {
  return Array.from(values, (v) => (Number.isFinite(v) ? v : null));
}

function checkLengths(a: ArrayLike<unknown>, b: ArrayLike<unknown>, what: string): void {
  if (a.length !== b.length) throw new RangeError(`${what}: length mismatch (${a.length} vs ${b.length})`);
}

/** Rectangle over frames [start, end] (inclusive, padded by half a frame), full plot height. */
function shadeShape(segment: readonly [number, number], name: string): Record<string, unknown> {
  return {
    type: "rect",
    xref: "x",
    yref: "paper",
    x0: segment[0] - 0.5,
    x1: segment[1] + 0.5,
    y0: 0,
    y1: 1,
    fillcolor: COLORS.shade,
    opacity: 0.2,
    line: { width: 0 },
    layer: "below",
    name,
    showlegend: true,
  };
}

export interface ConfusionMatrixFigureOptions {
  title?: string;
  /** Class names for 0 and 1. Default ["not fall", "fall"]. */
  labels?: [string, string] | string[];
}

/**
 * Heatmap of [[tn, fp], [fn, tp]] with the counts written in the cells: true class on the y axis
 * (top to bottom), predicted class on the x axis.
 */
export function confusionMatrixFigure(
  cm: readonly (readonly number[])[],
  options: ConfusionMatrixFigureOptions = {},
): Figure {
  const labels = [...(options.labels ?? ["not fall", "fall"])];
  const z = cm.map((row) => toPlain(row));
  if (z.length !== labels.length || z.some((row) => row.length !== labels.length)) {
    throw new RangeError(`confusionMatrixFigure: expected a ${labels.length}×${labels.length} matrix`);
  }
  const max = Math.max(0, ...z.flat().map((v) => v ?? 0));
  const annotations = z.flatMap((row, i) =>
    row.map((count, j) => ({
      x: labels[j],
      y: labels[i],
      text: count === null ? "" : String(count),
      showarrow: false,
      font: { size: 18, color: count !== null && count > max / 2 ? "white" : "black" },
    })),
  );
  return {
    data: [
      {
        type: "heatmap",
        z,
        x: labels,
        y: labels,
        colorscale: "Blues",
        // Both ends: plotly ignores a lone zmin (zauto stays on), so the scale would not start at 0.
        zmin: 0,
        zmax: max || 1,
        showscale: true,
        hovertemplate: "true %{y}<br>predicted %{x}<br>count %{z}<extra></extra>",
      },
    ],
    layout: {
      title: { text: options.title ?? "Confusion matrix" },
      xaxis: { title: { text: "predicted" }, type: "category" },
      yaxis: { title: { text: "true" }, type: "category", autorange: "reversed" },
      annotations,
      width: 460,
      height: 420,
    },
  };
}

export interface RocCurveInput {
  name: string;
  fpr: ArrayLike<number>;
  tpr: ArrayLike<number>;
  /** Shown in the legend; null when undefined (one class absent). */
  auc: number | null;
}

/** ROC curves (one line each, AUC in the legend) with the chance diagonal. */
export function rocFigure(curves: readonly RocCurveInput[], options: { title?: string } = {}): Figure {
  const data: Trace[] = curves.map((c) => {
    checkLengths(c.fpr, c.tpr, `rocFigure(${c.name})`);
    return {
      type: "scatter",
      mode: "lines",
      name: `${c.name} (AUC ${c.auc === null ? "n/a" : c.auc.toFixed(3)})`,
      x: toPlain(c.fpr),
      y: toPlain(c.tpr),
      line: { width: 2 },
      hovertemplate: "FPR %{x:.3f}<br>TPR %{y:.3f}",
    };
  });
  data.push({
    type: "scatter",
    mode: "lines",
    name: "chance",
    x: [0, 1],
    y: [0, 1],
    line: { dash: "dash", color: COLORS.chance, width: 1 },
    hoverinfo: "skip",
  });
  return {
    data,
    layout: {
      title: { text: options.title ?? "ROC curve" },
      xaxis: { title: { text: "false positive rate" }, range: [0, 1], constrain: "domain" },
      yaxis: { title: { text: "true positive rate" }, range: [0, 1.02], scaleanchor: "x", scaleratio: 1 },
      legend: { x: 0.98, y: 0.02, xanchor: "right", yanchor: "bottom" },
      width: 520,
      height: 500,
    },
  };
}

export interface TrainingCurvesInput {
  /** History of the merged (averaged) model, one entry per epoch. */
  merged: { loss: ArrayLike<number>; acc?: ArrayLike<number>; valLoss?: ArrayLike<number>; valAcc?: ArrayLike<number> };
  /** Each worker's local history. */
  workers: readonly { id: number | string; history: { loss: ArrayLike<number> } }[];
}

/**
 * Loss per epoch: each worker's local loss dashed, the merged model's loss (and validation
 * loss) solid; accuracy, when given, on a second y axis on the right.
 */
export function trainingCurvesFigure(input: TrainingCurvesInput, options: { title?: string } = {}): Figure {
  const epochs = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
  const line = (name: string, values: ArrayLike<number>, style: Record<string, unknown>, extra: Trace = {}): Trace => ({
    type: "scatter",
    mode: "lines",
    name,
    x: epochs(values.length),
    y: toPlain(values),
    line: style,
    ...extra,
  });
  const data: Trace[] = input.workers.map((w, i) =>
    line(`worker ${w.id} loss`, w.history.loss, { dash: "dash", width: 1, color: WORKER_COLORS[i % WORKER_COLORS.length] }, {
      legendgroup: "workers",
      opacity: 0.7,
    }),
  );
  const { merged } = input;
  data.push(line("loss (merged)", merged.loss, { width: 3, color: COLORS.main }));
  if (merged.valLoss) data.push(line("val loss", merged.valLoss, { width: 3, color: COLORS.second }));
  const hasAcc = merged.acc !== undefined || merged.valAcc !== undefined;
  if (merged.acc) data.push(line("accuracy", merged.acc, { width: 2, color: COLORS.third }, { yaxis: "y2" }));
  if (merged.valAcc) data.push(line("val accuracy", merged.valAcc, { width: 2, color: COLORS.fourth }, { yaxis: "y2" }));
  const layout: Record<string, unknown> = {
    title: { text: options.title ?? "Training curves" },
    xaxis: { title: { text: "epoch" }, dtick: 1 },
    yaxis: { title: { text: "loss" }, rangemode: "tozero" },
    legend: { orientation: "h", y: -0.2 },
  };
  if (hasAcc) layout.yaxis2 = { title: { text: "accuracy" }, overlaying: "y", side: "right", range: [0, 1] };
  return { data, layout };
}

export interface SequenceTimelineInput {
  id: string;
  /** lastFrame of each window of the sequence. */
  frames: ArrayLike<number>;
  /** Fall probability of each window. */
  probs: ArrayLike<number>;
  /** First and last frame annotated as falling (label 0), or null (e.g. ADL recordings). */
  fallingSegment: readonly [number, number] | null;
  threshold: number;
  /** Frames (among `frames`) at which the detector raised an alarm: marked on the curve. */
  alarmFrames?: readonly number[];
}

/**
 * One recording over time: window probability against the window's last frame, the decision
 * threshold as a dashed line, and the annotated falling frames shaded (a layout rect over
 * [start − ½, end + ½] so that a one-frame segment is visible).
 */
export function sequenceTimelineFigure(input: SequenceTimelineInput, options: { title?: string } = {}): Figure {
  checkLengths(input.frames, input.probs, "sequenceTimelineFigure");
  const frames = toPlain(input.frames);
  const span = [...frames.filter((f): f is number => f !== null), ...(input.fallingSegment ?? [])];
  const x0 = span.length ? Math.min(...span) : 0;
  const x1 = span.length ? Math.max(...span) : 1;
  return {
    data: [
      {
        type: "scatter",
        mode: "lines+markers",
        name: "P(fall)",
        x: frames,
        y: toPlain(input.probs),
        line: { color: COLORS.main, width: 2 },
        marker: { size: 4 },
        hovertemplate: "frame %{x}<br>P(fall) %{y:.3f}<extra></extra>",
      },
      {
        type: "scatter",
        mode: "lines",
        name: `threshold ${Number(input.threshold.toPrecision(4))}`,
        x: [x0, x1],
        y: [input.threshold, input.threshold],
        line: { color: COLORS.threshold, dash: "dash", width: 1.5 },
        hoverinfo: "skip",
      },
      ...(input.alarmFrames?.length ? [alarmTrace(input.alarmFrames, frames, toPlain(input.probs))] : []),
    ],
    layout: {
      title: { text: options.title ?? `${input.id}: fall probability per window` },
      xaxis: { title: { text: "frame (last frame of window)" } },
      yaxis: { title: { text: "P(fall)" }, range: [-0.02, 1.02] },
      shapes: input.fallingSegment ? [shadeShape(input.fallingSegment, "falling (annotated)")] : [],
      legend: { orientation: "h", y: -0.2 },
    },
  };
}

/** Alarm markers placed on the probability curve at the alarm frames. */
function alarmTrace(alarmFrames: readonly number[], frames: (number | null)[], probs: (number | null)[]): Trace {
  return {
    type: "scatter",
    mode: "markers",
    name: "alarm",
    x: [...alarmFrames],
    y: alarmFrames.map((f) => probs[frames.indexOf(f)] ?? null),
    marker: { color: COLORS.fourth, symbol: "x", size: 12, line: { width: 2 } },
    hovertemplate: "alarm at frame %{x}<extra></extra>",
  };
}

export interface TimeSeriesInput {
  title: string;
  frames: ArrayLike<number>;
  /** Features to plot against frames on the left axis, e.g. HHmaxRatio and H. */
  series: readonly { name: string; values: ArrayLike<number> }[];
  /** Frames to shade, e.g. the annotated falling segment. */
  shade?: readonly [number, number] | null;
  /**
   * A label track on a right-hand axis drawn as steps, e.g. the URFD annotation. When all values
   * are -1/0/1 the ticks read "not lying"/"falling"/"lying".
   */
  annotation?: { name: string; frames: ArrayLike<number>; values: ArrayLike<number> };
}

/** Raw features over time, with an optional shaded segment and an annotation on a second y axis. */
export function timeSeriesFigure(input: TimeSeriesInput): Figure {
  const frames = toPlain(input.frames);
  const palette = [COLORS.main, COLORS.third, COLORS.fourth, ...WORKER_COLORS];
  const data: Trace[] = input.series.map((s, i) => {
    checkLengths(input.frames, s.values, `timeSeriesFigure(${s.name})`);
    return {
      type: "scatter",
      mode: "lines",
      name: s.name,
      x: frames,
      y: toPlain(s.values),
      line: { color: palette[i % palette.length], width: 2 },
    };
  });
  const layout: Record<string, unknown> = {
    title: { text: input.title },
    xaxis: { title: { text: "frame" } },
    yaxis: { title: { text: input.series.length === 1 ? input.series[0].name : "value" } },
    shapes: input.shade ? [shadeShape(input.shade, "falling (annotated)")] : [],
    legend: { orientation: "h", y: -0.2 },
  };
  const a = input.annotation;
  if (a) {
    checkLengths(a.frames, a.values, `timeSeriesFigure(${a.name})`);
    const values = toPlain(a.values);
    data.push({
      type: "scatter",
      mode: "lines",
      name: a.name,
      x: toPlain(a.frames),
      y: values,
      yaxis: "y2",
      line: { shape: "hv", color: COLORS.second, dash: "dot", width: 2 },
    });
    const urfd = values.every((v) => v === -1 || v === 0 || v === 1);
    layout.yaxis2 = {
      title: { text: a.name },
      overlaying: "y",
      side: "right",
      showgrid: false,
      ...(urfd ? { range: [-1.2, 1.2], tickvals: [-1, 0, 1], ticktext: ["not lying", "falling", "lying"] } : {}),
    };
  }
  return { data, layout };
}
