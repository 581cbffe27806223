// The HTML of the browser demo: loads tf.min.js and the model(s) from its own folder (no CDN),
// scores one sequence's windows on the cpu backend, averages an ensemble's members, runs lib/detect's
// alarm logic (embedded with toString: the same function Node runs) and writes it all into the page.
import { pageWindows } from "./page-windows";
import { alarmLogic, AlarmSettings } from "../detect/alarms";

/** The page's alarm rule (AlarmSettings plus the refractory period in seconds, for display). */
export interface DemoAlarmSettings extends AlarmSettings {
  refractorySec: number;
}

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
  /** Model files in this folder whose probabilities are averaged (default ["model.json"]). */
  models?: string[];
  /** The alarm rule; null or absent: windows are scored, no alarm is raised (the page says so). */
  alarms?: DemoAlarmSettings | null;
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
    const files = input.models || ["model.json"];
    const models = [];
    for (const f of files) models.push(await tf.loadLayersModel(f));
    const w = pageWindows(input.features, input.frames, input.scaler, input.T, input.stride, input.diffLags);
    if (w.count === 0) throw new Error("the sequence is shorter than one window (" + input.T + " frames)");
    const per = models.map((m) => tf.tidy(() => Array.from(m.predict(tf.tensor3d(w.x, [w.count, input.T, input.F])).dataSync())));
    // The members' mean in float32, summed in member order, as Node's detector and the pipeline do.
    const probs = w.lastFrame.map((_, i) => {
      let sum = 0;
      for (const p of per) sum = Math.fround(sum + p[i]);
      return Math.fround(sum / per.length);
    });
    const out = { id: input.id, backend: tf.getBackend(), members: models.length, lastFrame: w.lastFrame, scores: probs, smoothed: null, alarms: null };
    let said = "";
    if (input.alarms) {
      const logic = alarmLogic(input.alarms);
      out.smoothed = [];
      out.alarms = [];
      w.lastFrame.forEach((frame, i) => {
        const s = logic.step(frame, probs[i]);
        out.smoothed.push(s.score);
        if (s.alarm) out.alarms.push(s.alarm);
      });
      said = "; " + out.alarms.length + " alarm(s)" + out.alarms.map((a) => " at frame " + a.frame + " (" + a.timeSec.toFixed(2) + " s)").join(",") +
        " [threshold " + input.alarms.threshold + " on the mean of " + input.alarms.smooth + " windows, refractory " + input.alarms.refractorySec + " s]";
    } else {
      said = "; no threshold given: no alarms raised";
    }
    document.getElementById("scores").textContent = JSON.stringify(out);
    status.textContent = w.count + " windows scored on the " + tf.getBackend() + " backend by " + models.length + " model(s); max probability " + Math.max(...probs).toFixed(4) + said;
    document.body.setAttribute("data-done", "1");
  } catch (e) {
    status.textContent = "failed: " + (e && e.message ? e.message : String(e));
    document.body.setAttribute("data-done", "error");
  }
})();
`;

export function demoPageHtml(input: DemoPageInput): string {
  input = { ...input, models: input.models ?? ["model.json"], alarms: input.alarms ?? null };
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Fall detector in the browser: ${esc(input.id)}</title>
<script src="tf.min.js"></script>
</head>
<body data-done="0">
<h1>Fall detector in the browser</h1>
<p>Recording <code>${esc(input.id)}</code>: ${input.features.length} frames, windows of ${input.T} frames every ${input.stride}, ${(input.models ?? ["model.json"]).length > 1 ? `the mean of ${(input.models ?? []).length} models` : "one model"} loaded from <code>${esc((input.models ?? ["model.json"]).join(", "))}</code> in this folder.</p>
<p id="status">loading TensorFlow.js and the model…</p>
<p>Fall probability per window, smoothed scores and alarms (JSON):</p>
<pre id="scores"></pre>
<script type="application/json" id="demo-input">${scriptJson(input)}</script>
<script>
${pageWindows.toString()}
${alarmLogic.toString()}
${MAIN}
</script>
</body>
</html>
`;
}
