import { test } from "node:test";
import assert from "node:assert/strict";
import {
  confusionMatrixFigure,
  rocFigure,
  sequenceTimelineFigure,
  timeSeriesFigure,
  trainingCurvesFigure,
  type Figure,
  type Trace,
} from "../../lib/plot/figures";
import { auc, rocCurve } from "../../lib/evaluate/metrics";

/** Plain JSON data: survives a round trip unchanged (no typed arrays, functions, NaN). */
function assertJsonSafe(f: Figure): void {
  assert.deepEqual(JSON.parse(JSON.stringify(f)), f);
  const walk = (v: unknown): void => {
    if (ArrayBuffer.isView(v)) assert.fail("typed array inside a figure");
    if (typeof v === "number") assert.ok(Number.isFinite(v), `non-finite number ${v}`);
    if (typeof v === "function") assert.fail("function inside a figure");
    if (v && typeof v === "object") Object.values(v).forEach(walk);
  };
  walk(f);
}
const layoutOf = (f: Figure) => f.layout as Record<string, any>;
const byName = (f: Figure, name: string): Trace => {
  const t = f.data.find((d) => d.name === name);
  assert.ok(t, `trace ${name} in ${f.data.map((d) => d.name).join(", ")}`);
  return t;
};

test("confusionMatrixFigure: heatmap with a count annotation per cell", () => {
  const f = confusionMatrixFigure([[50, 3], [2, 9]], { title: "test windows", labels: ["ADL", "fall"] });
  assertJsonSafe(f);
  assert.equal(f.data.length, 1);
  assert.equal(f.data[0].type, "heatmap");
  assert.deepEqual(f.data[0].z, [[50, 3], [2, 9]]);
  assert.deepEqual(f.data[0].x, ["ADL", "fall"]);
  assert.deepEqual([f.data[0].zmin, f.data[0].zmax], [0, 50], "the scale runs from 0 to the largest count (plotly drops a lone zmin)");
  const ann = layoutOf(f).annotations as { x: string; y: string; text: string }[];
  assert.deepEqual(
    ann.map((a) => [a.y, a.x, a.text]),
    [["ADL", "ADL", "50"], ["ADL", "fall", "3"], ["fall", "ADL", "2"], ["fall", "fall", "9"]],
  );
  assert.deepEqual(layoutOf(f).title, { text: "test windows" });
  assert.throws(() => confusionMatrixFigure([[1, 2, 3]]), RangeError);
});

test("rocFigure: one line per curve with AUC in the name, plus the diagonal", () => {
  const s = Float32Array.from([0.9, 0.8, 0.4, 0.3, 0.2]);
  const y = Uint8Array.from([1, 0, 1, 0, 0]);
  const roc = rocCurve(s, y);
  const f = rocFigure([
    { name: "window", ...roc, auc: auc(s, y) },
    { name: "degenerate", fpr: [0, 0], tpr: [0, 1], auc: null },
  ]);
  assertJsonSafe(f);
  assert.equal(f.data.length, 3);
  const w = byName(f, "window (AUC 0.833)");
  assert.deepEqual(w.x, roc.fpr);
  assert.deepEqual(w.y, roc.tpr);
  byName(f, "degenerate (AUC n/a)");
  const diag = byName(f, "chance");
  assert.deepEqual([diag.x, diag.y], [[0, 1], [0, 1]]);
  assert.equal((diag.line as { dash: string }).dash, "dash");
});

test("trainingCurvesFigure: per-worker dashed, merged solid, accuracy on y2", () => {
  const f = trainingCurvesFigure({
    merged: { loss: [0.7, 0.5, 0.4], acc: Float32Array.from([0.5, 0.75, 0.875]), valLoss: [0.72, 0.6, 0.55] },
    workers: [
      { id: 0, history: { loss: Float32Array.from([0.71, 0.52, 0.41]) } },
      { id: 1, history: { loss: [0.69, 0.49, 0.39] } },
    ],
  });
  assertJsonSafe(f);
  assert.deepEqual(
    f.data.map((t) => t.name),
    ["worker 0 loss", "worker 1 loss", "loss (merged)", "val loss", "accuracy"],
  );
  for (const t of f.data) {
    const dash = (t.line as { dash?: string }).dash;
    if (String(t.name).startsWith("worker")) assert.equal(dash, "dash");
    else assert.equal(dash, undefined, `${t.name} solid`);
    assert.deepEqual(t.x, [1, 2, 3]);
  }
  assert.deepEqual(byName(f, "worker 0 loss").y, Array.from(Float32Array.from([0.71, 0.52, 0.41])));
  assert.equal(byName(f, "accuracy").yaxis, "y2");
  assert.equal(layoutOf(f).yaxis2.overlaying, "y");
  // Without accuracy there is no second axis.
  const lossOnly = trainingCurvesFigure({ merged: { loss: [1, 0.5] }, workers: [] });
  assert.deepEqual(lossOnly.data.map((t) => t.name), ["loss (merged)"]);
  assert.equal(layoutOf(lossOnly).yaxis2, undefined);
});

test("sequenceTimelineFigure: probability line, threshold line, falling segment rect", () => {
  const f = sequenceTimelineFigure({
    id: "fall-03",
    frames: Int32Array.from([30, 31, 32, 33]),
    probs: Float32Array.from([0.1, 0.25, 0.875, 0.5]),
    fallingSegment: [31, 33],
    threshold: 0.4,
  });
  assertJsonSafe(f);
  const p = byName(f, "P(fall)");
  assert.deepEqual(p.x, [30, 31, 32, 33]);
  assert.deepEqual(p.y, [0.1, 0.25, 0.875, 0.5].map(Math.fround));
  const t = byName(f, "threshold 0.4");
  assert.deepEqual([t.x, t.y], [[30, 33], [0.4, 0.4]]);
  const shapes = layoutOf(f).shapes as Record<string, unknown>[];
  assert.equal(shapes.length, 1);
  assert.deepEqual(
    [shapes[0].type, shapes[0].xref, shapes[0].yref, shapes[0].x0, shapes[0].x1, shapes[0].y0, shapes[0].y1],
    ["rect", "x", "paper", 30.5, 33.5, 0, 1],
  );
  assert.match(String((layoutOf(f).title as { text: string }).text), /fall-03/);
  // No falling segment (ADL): no shape.
  const adl = sequenceTimelineFigure({ id: "adl-01", frames: [1, 2], probs: [0.2, 0.3], fallingSegment: null, threshold: 0.5 });
  assertJsonSafe(adl);
  assert.deepEqual(layoutOf(adl).shapes, []);
  assert.throws(() => sequenceTimelineFigure({ id: "x", frames: [1], probs: [0.1, 0.2], fallingSegment: null, threshold: 0.5 }));
});

test("timeSeriesFigure: features on y, annotation steps on y2, shaded segment, NaN as gaps", () => {
  const frames = Int32Array.from([1, 2, 3, 4, 5]);
  const f = timeSeriesFigure({
    title: "fall-01 features",
    frames,
    series: [
      { name: "HHmaxRatio", values: Float32Array.from([1, 0.9, 0.5, 0.25, NaN]) },
      { name: "H", values: [1.5, 1.4, 0.8, 0.3, 0.25] },
    ],
    shade: [3, 4],
    annotation: { name: "label", frames, values: Int8Array.from([-1, -1, 0, 0, 1]) },
  });
  assertJsonSafe(f);
  assert.deepEqual(f.data.map((t) => t.name), ["HHmaxRatio", "H", "label"]);
  assert.deepEqual(byName(f, "HHmaxRatio").y, [1, Math.fround(0.9), 0.5, 0.25, null]);
  assert.deepEqual(byName(f, "H").x, [1, 2, 3, 4, 5]);
  const label = byName(f, "label");
  assert.equal(label.yaxis, "y2");
  assert.equal((label.line as { shape: string }).shape, "hv");
  assert.deepEqual(label.y, [-1, -1, 0, 0, 1]);
  const l = layoutOf(f);
  assert.deepEqual(l.yaxis2.ticktext, ["not lying", "falling", "lying"]);
  assert.deepEqual([l.shapes[0].x0, l.shapes[0].x1], [2.5, 4.5]);
  // Minimal form: no shade, no annotation, no second axis.
  const plain = timeSeriesFigure({ title: "t", frames: [0, 1], series: [{ name: "D", values: [1, 2] }] });
  assertJsonSafe(plain);
  assert.equal(layoutOf(plain).yaxis2, undefined);
  assert.deepEqual(layoutOf(plain).shapes, []);
});
