// `fall-dp detect --model DIR --data DIR|FILE [--recording ID] [--json] [--live]`: replay recorded
// URFD-format footage through the deployable detector (lib/detect) one frame at a time and print each
// alarm with its time and, where the recording carries the URFD annotation, the delay after the
// falling segment starts. `fall-dp detect` (`npm run detect -- ...`); exits as run-main.ts says.
import * as fs from "node:fs";
import * as path from "node:path";
import { UsageError } from "../pipeline/options";
import { StrictCommand } from "../pipeline/command-line";
import { checkFlags, FlagParser, FlagRule, textFlag } from "./flags";
import { runCommand, withAction } from "./run-main";
import { DataError } from "../data/errors";
import { combineWords } from "../evaluate/member-combine";
import { loadUrfd } from "../data/load";
import { readUrfdFile } from "../data/urfd-csv";
import { sequenceBlocks } from "../data/frame-table";
import type { FrameDataset } from "../types";
import type { DatasetReplay, DetectionFigures } from "../detect";

interface DetectArgs {
  model: string;
  data: string;
  recording?: string;
  json?: boolean;
  live?: boolean;
  refractory?: number;
}

const seconds: FlagParser = (raw, flag) => {
  const v = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(v) || v < 0 || v > 3600) throw new UsageError(`${flag} expects a number of seconds in [0, 3600], got "${raw}"`);
  return v;
};

const RULES: FlagRule<keyof DetectArgs>[] = [
  { flag: "--model", arg: "DIR", key: "model", parse: textFlag, required: true, help: "a pipeline model folder (a run's model/ or models/fold-K/, ensemble folders too)" },
  {
    flag: "--data", arg: "DIR|FILE", key: "data", parse: textFlag, required: true,
    help: "a folder with urfall-cam0-falls.csv and urfall-cam0-adls.csv, or one CSV file in the URFD schema (recordings named fall-* count as falls, adl-* as daily activity)",
  },
  { flag: "--recording", arg: "ID", key: "recording", parse: textFlag, help: "replay this recording only" },
  { flag: "--refractory", arg: "SEC", key: "refractory", parse: seconds, help: "no second alarm within SEC seconds of the last [default: 10]" },
  { flag: "--live", key: "live", help: "place windows from each recording's first frame, as a live camera would; by default they sit where the evaluation put them (aligned to the last frame)" },
  { flag: "--json", key: "json", help: "print the alarms and figures as JSON instead of text" },
];

/** `detect`: replay recorded footage through the deployable detector. */
export function detectCommand(): StrictCommand {
  const command = new StrictCommand("detect")
    .summary("replay footage through a saved model and print its alarms")
    .description(
      "Replay recorded footage through the fall detector exactly as a pipeline run evaluated it (the ensemble's mean, smoothing, the threshold of preprocessing.json), " +
        "one frame at a time, and print every alarm with its time (frame / 30 fps) and, where the recording carries the URFD annotation (label 0 = falling), " +
        "how many frames after the falling segment starts it came.",
    )
    .usage("--model DIR --data DIR|FILE [options]")
    .flags(RULES);
  return withAction(command, (c) => runDetect(checkFlags(c.given, RULES) as unknown as DetectArgs));
}

/** A URFD folder (both files) or one URFD-schema CSV file. */
function loadFootage(where: string): FrameDataset {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(where);
  } catch (e) {
    throw new DataError(path.resolve(where), null, `not found (${(e as NodeJS.ErrnoException).code})`);
  }
  if (stat.isDirectory()) return loadUrfd(where);
  const table = readUrfdFile(where);
  const sequences = sequenceBlocks(table, false).map((s) => ({ ...s, isFall: /^fall/i.test(s.id) }));
  return { table, sequences, provenance: { source: "urfd", dir: null, files: [path.resolve(where)], note: `URFD-schema file ${path.resolve(where)}` } };
}

const f2 = (x: number): string => x.toFixed(2);

function recordingLines(r: DatasetReplay, fps: number): string[] {
  const kind = r.isFall ? "fall" : /^adl/i.test(r.id) ? "daily activity" : "recording";
  // URFD labels 0 the transition frames of every recording: a fall's falling segment, a daily activity's lying or sitting down.
  const seg = !r.fallingSegment ? "" : r.isFall ? `, falling frames ${r.fallingSegment[0]}–${r.fallingSegment[1]}` : `, transition frames ${r.fallingSegment[0]}–${r.fallingSegment[1]} (label 0)`;
  const head = `${r.id} (${kind}, ${r.rows} frames${seg}):`;
  if (r.windows.length === 0) return [`${head} shorter than one window: not scored`];
  if (r.alarms.length === 0) return [`${head} no alarm (highest score ${Math.max(...r.windows.map((w) => w.score)).toFixed(3)})`];
  return [
    head,
    ...r.alarms.map((a) => {
      if (!r.isFall) return `  alarm at frame ${a.frame} (${f2(a.timeSec)} s), score ${a.score.toFixed(3)}: a false alarm`;
      const delay = r.fallingSegment ? a.frame - r.fallingSegment[0] : null;
      const after = delay === null ? "" : `, ${Math.abs(delay)} frames (${f2(Math.abs(delay) / fps)} s) ${delay >= 0 ? "after" : "before"} the falling segment starts`;
      return `  alarm at frame ${a.frame} (${f2(a.timeSec)} s), score ${a.score.toFixed(3)}${after}`;
    }),
  ];
}

function summaryLine(d: DetectionFigures, falls: number): string {
  const found = falls - d.missedFalls;
  const delay = d.delayFrames.median === null ? "" : `, median delay ${d.delayFrames.median} frames (${f2(d.delaySec.median!)} s), max ${d.delayFrames.max}`;
  const fa = d.adlHours > 0 ? `; ${d.falseAlarms} false alarm(s) over ${d.adlHours.toFixed(3)} h of daily activity (${d.falseAlarmsPerHour!.toFixed(1)}/h)` : "";
  return `summary: ${found}/${falls} falls alarmed${delay}${fa}`;
}

async function runDetect(a: DetectArgs): Promise<number> {
  // Loaded only now: --help and a bad command line are answered without TensorFlow.js.
  const { detectionFigures, FallDetector, replayDataset } = await import("../detect");
  const { naming } = await import("../export/saved-model");
  const ds = await naming(a.data, () => loadFootage(a.data));
  const detector = await FallDetector.fromDir(a.model, a.refractory !== undefined ? { refractorySec: a.refractory } : {});
  try {
    const replayed = await naming(a.data, () => replayDataset(detector, ds, { ...(a.recording ? { ids: [a.recording] } : {}), live: a.live === true }));
    const known = replayed.filter((r) => r.isFall || /^adl/i.test(r.id));
    const figures = detectionFigures(known, { refractorySec: detector.refractorySec, fps: detector.fps });
    const model = {
      dir: a.model, members: detector.members, combine: detector.combine, T: detector.T, stride: detector.stride, smooth: detector.smooth,
      threshold: detector.threshold, ...(detector.startModels ? { startModels: detector.startModels } : {}), ...(detector.secondWindow ? { secondWindow: detector.secondWindow } : {}), refractorySec: detector.refractorySec, fps: detector.fps, kernel: detector.kernel,
      ...(detector.kernelNote ? { kernelNote: detector.kernelNote } : {}),
      ...(detector.memberNote ? { note: detector.memberNote } : {}),
    };
    if (a.json) {
      console.log(JSON.stringify({ model, data: ds.provenance.note, windows: a.live ? "live" : "evaluation", recordings: replayed, detection: figures }, null, 2));
      return 0;
    }
    const s = detector.startModels;
    const scoring = s
      ? `${s.members} start model(s) alone on windows of ${detector.T - s.padStarts}..${detector.T - 1} real frames against threshold ${s.startThreshold.toFixed(4)}, ` +
        `the ${combineWords(detector.combine)} of all ${detector.members} on full windows against ${s.fullThreshold.toFixed(4)}, every ${detector.stride} frame(s)`
      : `${detector.members > 1 ? `${combineWords(detector.combine)} of ${detector.members} models` : "one model"}, windows of ${detector.T} frames every ${detector.stride}, mean of ${detector.smooth} window(s) against threshold ${detector.threshold.toFixed(4)}`;
    const w = detector.secondWindow;
    const second = w
      ? `; beside it a second detector on windows of ${w.T} frames (${w.dir}: ${w.members} models, start models padded ${w.padStarts} times, thresholds ${w.startThreshold.toFixed(4)} and ${w.fullThreshold.toFixed(4)}): a window alarms only when both detectors' aligned scores pass (joined by ${w.rule}${w.hold ? `, each held ${w.hold} frames` : ""}${w.level !== 0.5 ? `, the second passing at ${w.level}` : ""})`
      : "";
    console.log(`model: ${a.model} (${scoring}${second}, refractory ${detector.refractorySec} s); forward pass: ${detector.kernel}${detector.kernelNote ? ` (${detector.kernelNote})` : ""}`);
    if (detector.memberNote) console.log(`note: ${detector.memberNote}`);
    console.log(`data: ${ds.provenance.note}; ${replayed.length} recording(s), windows ${a.live ? "from each recording's first frame (--live)" : "placed as the evaluation placed them"}`);
    for (const r of replayed) for (const line of recordingLines(r, detector.fps)) console.log(line);
    const falls = known.filter((r) => r.isFall).length;
    if (known.length > 0) console.log(summaryLine(figures, falls));
    return 0;
  } finally {
    detector.dispose();
  }
}

if (require.main === module) runCommand(detectCommand(), process.argv.slice(2));
