import { test } from "node:test";
import assert from "node:assert/strict";
import { classificationReport, formatFixedLikePython } from "../../lib/evaluate/report";

// tn 4, fp 3, fn 1, tp 5 (13 windows: 7 not fall, 6 fall). By hand:
//   not fall: precision 4/5 = 0.80, recall 4/7 = 0.571, f1 8/12 = 0.667, support 7
//   fall:     precision 5/8 = 0.625 (Python prints 0.62: exact tie, to even), recall 5/6 = 0.833,
//             f1 10/14 = 0.714, support 6
//   accuracy 9/13 = 0.692
//   macro avg:    (0.8+0.625)/2 = 0.7125, (4/7+5/6)/2 = 0.702, (2/3+5/7)/2 = 0.690
//   weighted avg: (0.8·7+0.625·6)/13 = 0.719, 9/13 = 0.692, (2/3·7+5/7·6)/13 = 0.689
const labels = [0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1];
const pred = [0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0];

test("classificationReport: text identical to scikit-learn's (digits=2)", () => {
  const expected = [
    "              precision    recall  f1-score   support",
    "",
    "    not fall       0.80      0.57      0.67         7",
    "        fall       0.62      0.83      0.71         6",
    "",
    "    accuracy                           0.69        13",
    "   macro avg       0.71      0.70      0.69        13",
    "weighted avg       0.72      0.69      0.69        13",
    "",
  ].join("\n");
  assert.equal(classificationReport(pred, labels).text, expected);
});

test("classificationReport: digits=3 and a long class name widen the columns like sklearn", () => {
  const expected = [
    "                           precision    recall  f1-score   support",
    "",
    "no fall in this recording      0.800     0.571     0.667         7",
    "                     fall      0.625     0.833     0.714         6",
    "",
    "                 accuracy                          0.692        13",
    "                macro avg      0.713     0.702     0.690        13",
    "             weighted avg      0.719     0.692     0.689        13",
    "",
  ].join("\n");
  const r = classificationReport(Uint8Array.from(pred), Float32Array.from(labels), {
    targetNames: ["no fall in this recording", "fall"],
    digits: 3,
  });
  assert.equal(r.text, expected);
});

test("classificationReport: rows carry the unrounded numbers", () => {
  const { rows } = classificationReport(pred, labels);
  assert.deepEqual(
    rows.map((r) => [r.name, r.kind, r.support]),
    [
      ["not fall", "class", 7],
      ["fall", "class", 6],
      ["accuracy", "accuracy", 13],
      ["macro avg", "average", 13],
      ["weighted avg", "average", 13],
    ],
  );
  assert.equal(rows[1].precision, 5 / 8);
  assert.equal(rows[0].recall, 4 / 7);
  assert.equal(rows[2].precision, null);
  assert.equal(rows[2].f1, 9 / 13);
  assert.deepEqual(JSON.parse(JSON.stringify(rows)), rows);
});

test("classificationReport: no positives predicted → zeros, not NaN", () => {
  const r = classificationReport([0, 0, 0], [0, 1, 1]);
  assert.equal(r.rows[1].precision, 0);
  assert.ok(!r.text.includes("nan"));
  assert.match(r.text, /        fall       0\.00      0\.00      0\.00         2\n/);
});

test("formatFixedLikePython: exact ties round to even, others correctly rounded", () => {
  assert.equal(formatFixedLikePython(0.625, 2), "0.62");
  assert.equal(formatFixedLikePython(0.375, 2), "0.38");
  assert.equal(formatFixedLikePython(0.125, 2), "0.12");
  assert.equal(formatFixedLikePython(2.5, 0), "2");
  assert.equal(formatFixedLikePython(3.5, 0), "4");
  assert.equal(formatFixedLikePython(2.675, 2), "2.67"); // 2.67499999… in binary
  assert.equal(formatFixedLikePython(1 / 3, 4), "0.3333");
  assert.equal(formatFixedLikePython(1, 2), "1.00");
  assert.equal(formatFixedLikePython(-0.625, 2), "-0.62");
});
