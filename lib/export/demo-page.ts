// The HTML of the browser demo: loads tf.min.js and model.json from its own folder (no CDN),
// scores one sequence's windows on the cpu backend and writes the probabilities into the page.
import { pageWindows } from "./page-windows";

export interface DemoPageInput {
  id: string;
  features: number[][];
  frames: number[];
  scaler: { mean: number[]; std: number[]; featureNames: string[] };
  T: number;
  F: number;
  stride: number;
  /** Lags of the difference inputs ([] for the 8 features alone). */
  diffLags: number[];
}

const esc = (s: string): string => s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);

/** JSON safe inside <script>: "</script" and "<!--" cannot appear. */
const scriptJson = (v: unknown): string => JSON.stringify(v).replace(/</g, "\\u003c");

// Runs in the page; `pageWindows` is defined next to it. cpu backend: deterministic, same kernels as tests.
const MAIN = `
(async () => {
  const status = document.getElementById("status");
  try {
    const input = JSON.parse(document.getElementById("demo-input").textContent);
    if (!(await tf.setBackend("cpu"))) throw new Error("tf.setBackend('cpu') failed");
    await tf.ready();
    const model = await tf.loadLayersModel("model.json");
    const w = pageWindows(input.features, input.frames, input.scaler, input.T, input.stride, input.diffLags);
    if (w.count === 0) throw new Error("the sequence is shorter than one window (" + input.T + " frames)");
    const probs = tf.tidy(() => Array.from(model.predict(tf.tensor3d(w.x, [w.count, input.T, input.F])).dataSync()));
    document.getElementById("scores").textContent = JSON.stringify({ id: input.id, backend: tf.getBackend(), lastFrame: w.lastFrame, scores: probs });
    status.textContent = w.count + " windows scored on the " + tf.getBackend() + " backend; max probability " + Math.max(...probs).toFixed(4);
    document.body.setAttribute("data-done", "1");
  } catch (e) {
    status.textContent = "failed: " + (e && e.message ? e.message : String(e));
    document.body.setAttribute("data-done", "error");
  }
})();
`;

export function demoPageHtml(input: DemoPageInput): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Fall detector in the browser: ${esc(input.id)}</title>
<script src="tf.min.js"></script>
</head>
<body data-done="0">
<h1>Fall detector in the browser</h1>
<p>Recording <code>${esc(input.id)}</code>: ${input.features.length} frames, windows of ${input.T} frames every ${input.stride}, model loaded from <code>model.json</code> in this folder.</p>
<p id="status">loading TensorFlow.js and the model…</p>
<p>Fall probability per window (JSON):</p>
<pre id="scores"></pre>
<script type="application/json" id="demo-input">${scriptJson(input)}</script>
<script>
${pageWindows.toString()}
${MAIN}
</script>
</body>
</html>
`;
}
