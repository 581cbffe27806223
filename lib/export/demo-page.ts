// The HTML of the browser demo: loads tf.min.js and the model(s) from its own folder (no CDN),
// scores one sequence's windows on the cpu backend, combines an ensemble's members (their mean, or their mean
// log-odds), scores a --start-models folder's first windows with its start models as FallDetector does, runs
// lib/detect's alarm logic and writes it all into the page. Every function the page runs from lib/ is embedded with
// toString: the same code Node runs.
import { pageWindows } from "./page-windows";
import { alarmLogic, AlarmSettings } from "../detect/alarms";
import { alignToThreshold } from "../evaluate/align";
import { HeldJoin, joinAgreeing, joinAgreeingMean, joinAligned, joinHeld, ScoreHold, SecondWindowRule } from "../detect/second-window";
import { combineWords, logitMeanOf, MemberCombineName, memberMeanOf } from "../evaluate/member-combine";

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
  /** Model files in this folder whose probabilities are combined (default ["model.json"]). */
  models?: string[];
  /** The alarm rule; null or absent: windows are scored, no alarm is raised (the page says so). */
  alarms?: DemoAlarmSettings | null;
  /** How the members' probabilities become one (preprocessing.json's combine; default their mean). */
  combine?: MemberCombineName;
  /**
   * A --start-models folder: its start models (files in this folder, their scaler, padding and threshold) score the
   * padded stream's windows of T − padStarts .. T − 1 real frames alone; every full window gets all members against
   * `fullThreshold`. Scores are aligned so both thresholds sit at 0.5 (the alarm rule's threshold is then 0.5).
   */
  start?: DemoStartGroup | null;
  /**
   * A --second-window folder's second detector (its files in this folder, its own scaler, longer windows and start
   * models): it scores the same frames, and each frame's two aligned scores are joined by `rule`, held `hold` frames, the second passing at `level` (HeldJoin).
   */
  second?: { T: number; rule: SecondWindowRule; hold?: number; level?: number; models: string[]; scaler: { mean: number[]; std: number[] }; start: DemoStartGroup } | null;
}

/** A --start-models folder's start group as the page takes it. */
export interface DemoStartGroup {
  models: string[];
  scaler: { mean: number[]; std: number[] };
  padStarts: number;
  threshold: number;
  fullThreshold: number;
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
    const load = async (files) => {
      const ms = [];
      for (const f of files) ms.push(await tf.loadLayersModel(f));
      return ms;
    };
    const predictAll = (ms, w, T) => ms.map((m) => tf.tidy(() => Array.from(m.predict(tf.tensor3d(w.x, [w.count, T, input.F])).dataSync())));
    // The members combined as Node's detector and the pipeline do: float32 sums in member order, or the mean log-odds.
    const combine = (values) => (input.combine === "logit-mean" ? logitMeanOf(values) : memberMeanOf(values));
    // One detector's windows (its models, scaler, window length and start models): frames, probabilities, aligned scores.
    const streamOf = async (d) => {
      const models = await load(d.models);
      const w = pageWindows(input.features, input.frames, d.scaler, d.T, input.stride, input.diffLags);
      // With start models a recording shorter than T still has start windows (writeBrowserDemo refused one with none).
      if (w.count === 0 && !d.start) throw new Error("the sequence is shorter than one window (" + d.T + " frames)");
      const per = w.count > 0 ? predictAll(models, w, d.T) : models.map(() => []);
      let lastFrame = w.lastFrame;
      let probs = w.lastFrame.map((_, i) => combine(per.map((p) => p[i])));
      let stream = probs;
      let members = models.length;
      if (d.start) {
        // The padded stream: the first frame repeated padStarts times in front, numbered before it, as FallDetector pushes it.
        const P = d.start.padStarts;
        const feats = Array(P).fill(input.features[0]).concat(input.features);
        const frs = Array.from({ length: P }, (_, k) => input.frames[0] - P + k).concat(input.frames);
        const sw = pageWindows(feats, frs, d.start.scaler, d.T, input.stride, input.diffLags);
        const startModels = await load(d.start.models);
        members += startModels.length;
        const sper = predictAll(startModels, sw, d.T);
        const at = new Map(sw.lastFrame.map((f, j) => [f, j]));
        const index = new Map(frs.map((f, k) => [f, k]));
        lastFrame = [];
        probs = [];
        stream = [];
        sw.lastFrame.forEach((f, j) => {
          const real = index.get(f) - P + 1;
          if (real < d.T - P || real >= d.T) return;
          const p = combine(sper.map((s) => s[j]));
          lastFrame.push(f);
          probs.push(p);
          stream.push(alignToThreshold([p], d.start.threshold)[0]);
        });
        w.lastFrame.forEach((f, i) => {
          const j = at.get(f);
          const p = combine(per.map((q) => q[i]).concat(sper.map((s) => s[j])));
          lastFrame.push(f);
          probs.push(p);
          stream.push(alignToThreshold([p], d.start.fullThreshold)[0]);
        });
      }
      return { lastFrame, probs, stream, members };
    };
    let { lastFrame, probs, stream, members } = await streamOf({ models: input.models || ["model.json"], scaler: input.scaler, T: input.T, start: input.start });
    if (input.second) {
      // The second window's detector scores the same frames; a frame's score joins the two aligned scores by its rule.
      const other = await streamOf(input.second);
      if (other.lastFrame.length !== lastFrame.length || other.lastFrame.some((f, i) => f !== lastFrame[i])) throw new Error("the second window's detector scores other frames than the first");
      // joinRule's compiled body reaches the joins through module bindings the page lacks: the rule is picked here.
      const join = { "min": joinAligned, "min-agree": joinAgreeing, "min-agree-mean": joinAgreeingMean }[input.second.rule];
      if (!join) throw new Error("unknown second-window rule " + input.second.rule);
      const joined = new HeldJoin(join, input.second.hold || 0, input.second.level || 0.5);
      stream = stream.map((s, i) => joined.push(lastFrame[i], s, other.stream[i]));
      probs = stream;
      members += other.members;
    }
    const out = { id: input.id, backend: tf.getBackend(), members, lastFrame, scores: probs, smoothed: null, alarms: null };
    let said = "";
    if (input.alarms) {
      const logic = alarmLogic(input.alarms);
      out.smoothed = [];
      out.alarms = [];
      lastFrame.forEach((frame, i) => {
        const s = logic.step(frame, stream[i]);
        out.smoothed.push(s.score);
        if (s.alarm) out.alarms.push(s.alarm);
      });
      said = "; " + out.alarms.length + " alarm(s)" + out.alarms.map((a) => " at frame " + a.frame + " (" + a.timeSec.toFixed(2) + " s)").join(",") +
        " [threshold " + input.alarms.threshold + " on the mean of " + input.alarms.smooth + " windows, refractory " + input.alarms.refractorySec + " s]";
    } else {
      said = "; no threshold given: no alarms raised";
    }
    document.getElementById("scores").textContent = JSON.stringify(out);
    status.textContent = lastFrame.length + " windows scored on the " + tf.getBackend() + " backend by " + members + " model(s); max probability " + Math.max(...probs).toFixed(4) + said;
    document.body.setAttribute("data-done", "1");
  } catch (e) {
    status.textContent = "failed: " + (e && e.message ? e.message : String(e));
    document.body.setAttribute("data-done", "error");
  }
})();
`;

export function demoPageHtml(input: DemoPageInput): string {
  input = { ...input, models: input.models ?? ["model.json"], alarms: input.alarms ?? null, combine: input.combine ?? "mean", start: input.start ?? null, second: input.second ?? null };
  const models = input.models!.length + (input.start?.models.length ?? 0);
  const secondFiles = input.second ? [...input.second.models, ...input.second.start.models] : [];
  const how = input.start
    ? `${input.start.models.length} start model(s) alone on the windows of ${input.T - input.start.padStarts}..${input.T - 1} real frames, the ${combineWords(input.combine)} of all ${models} on full windows`
    : models > 1 ? `the ${combineWords(input.combine)} of ${models} models` : "one model";
  const second = input.second ? `; beside them a second detector alike on windows of ${input.second.T} frames (${secondFiles.length} models), each frame's two aligned scores joined by ${input.second.rule}` : "";
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Fall detector in the browser: ${esc(input.id)}</title>
<script src="tf.min.js"></script>
</head>
<body data-done="0">
<h1>Fall detector in the browser</h1>
<p>Recording <code>${esc(input.id)}</code>: ${input.features.length} frames, windows of ${input.T} frames every ${input.stride}, ${how}${second} loaded from <code>${esc([...input.models!, ...(input.start?.models ?? []), ...secondFiles].join(", "))}</code> in this folder.</p>
<p id="status">loading TensorFlow.js and the model…</p>
<p>Fall probability per window, smoothed scores and alarms (JSON):</p>
<pre id="scores"></pre>
<script type="application/json" id="demo-input">${scriptJson(input)}</script>
<script>
${pageWindows.toString()}
${alarmLogic.toString()}
${alignToThreshold.toString()}
${joinAligned.toString()}
${joinAgreeing.toString()}
${joinAgreeingMean.toString()}
${joinHeld.toString()}
${ScoreHold.toString()}
${HeldJoin.toString()}
${logitMeanOf.toString()}
${memberMeanOf.toString()}
${MAIN}
</script>
</body>
</html>
`;
}
