// `npm run detect -- --model DIR --data DIR|FILE [--recording ID] [--json] [--live]`: replay recorded
// URFD-format footage through the deployable detector (lib/detect) one frame at a time and print each
// alarm with its time and, where the recording carries the URFD annotation, the delay after the
// falling segment starts. Exit 2 on a bad command line, 1 on a bad file; one line, no stack.
import { parseCommandLine } from "./run-main";
import * as fs from "node:fs";
import * as path from "node:path";
import { UsageError } from "../pipeline/options";
import { FlagParser, parseFlags, textFlag } from "./flags";
import { DataError } from "../data/errors";
import { loadUrfd } from "../data/load";
import { readUrfdFile } from "../data/urfd-csv";
import { sequenceBlocks } from "../data/frame-table";
import type { FrameDataset } from "../types";
import { naming } from "../export/saved-model";
import { DatasetReplay, detectionFigures, DetectionFigures, FallDetector, replayDataset } from "../detect";

interface DetectArgs {
  model: string;
  data: string;
  recording?: string;
  json?: boolean;
  live?: boolean;
  refractory?: number;
}

const HELP = `Usage: npm run detect -- --model DIR --data DIR|FILE [options]
Replay recorded footage through the fall detector exactly as a pipeline run evaluated it (the
ensemble's mean, smoothing, the threshold of preprocessing.json), one frame at a time, and print
every alarm with its time (frame / 30 fps) and, where the recording carries the URFD annotation
(label 0 = falling), how many frames after the falling segment starts it came.

  --model DIR        a pipeline model folder (a run's model/ or models/fold-K/, ensemble folders too)
  --data DIR|FILE    a folder with urfall-cam0-falls.csv and urfall-cam0-adls.csv, or one CSV file
                     in the URFD schema (recordings named fall-* count as falls, adl-* as daily activity)
  --recording ID     replay this recording only
  --refractory SEC   no second alarm within SEC seconds of the last [default: 10]
  --live             place windows from each recording's first frame, as a live camera would;
                     by default they sit where the evaluation put them (aligned to the last frame)
  --json             print the alarms and figures as JSON instead of text
  --help             show this help`;

const seconds: FlagParser = (raw, flag) => {
  const v = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(v) || v < 0 || v > 3600) throw new UsageError(`${flag} expects a number of seconds in [0, 3600], got "${raw}"`);
  return v;
};
const SWITCHES = ["--json", "--live"];
const FLAGS: Record<string, [keyof DetectArgs, FlagParser]> = {
  "--model": ["model", textFlag],
  "--data": ["data", textFlag],
  "--recording": ["recording", textFlag],
  "--refractory": ["refractory", seconds],
};

export function parseDetectArgs(argv: readonly string[]): DetectArgs | "help" {
  const switches = argv.filter((a) => SWITCHES.includes(a));
  for (const s of SWITCHES) if (switches.filter((x) => x === s).length > 1) throw new UsageError(`${s} given twice`);
  const got = parseFlags(argv.filter((a) => !SWITCHES.includes(a)), FLAGS);
  if (got === "help") return "help";
  const missing = ["--model", "--data"].filter((f) => !(FLAGS[f][0] in got));
  if (missing.length) throw new UsageError(`missing ${missing.join(", ")} (see --help)`);
  return { ...(got as unknown as DetectArgs), json: switches.includes("--json"), live: switches.includes("--live") };
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
  const seg = r.fallingSegment ? `, falling frames ${r.fallingSegment[0]}–${r.fallingSegment[1]}` : "";
  const head = `${r.id} (${kind}, ${r.rows} frames${seg}):`;
  if (r.windows.length === 0) return [`${head} shorter than one window: not scored`];
  if (r.alarms.length === 0) return [`${head} no alarm (highest score ${Math.max(...r.windows.map((w) => w.score)).toFixed(3)})`];
  return [
    head,
    ...r.alarms.map((a) => {
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

async function main(argv: string[]): Promise<number> {
  const parsed = parseCommandLine("detect", argv, parseDetectArgs, HELP);
  if ("exit" in parsed) return parsed.exit;
  const a = parsed.args;
  const ds = await naming(a.data, () => loadFootage(a.data));
  const detector = await FallDetector.fromDir(a.model, a.refractory !== undefined ? { refractorySec: a.refractory } : {});
  try {
    const replayed = await naming(a.data, () => replayDataset(detector, ds, { ...(a.recording ? { ids: [a.recording] } : {}), live: a.live === true }));
    const known = replayed.filter((r) => r.isFall || /^adl/i.test(r.id));
    const figures = detectionFigures(known, { refractorySec: detector.refractorySec, fps: detector.fps });
    const model = {
      dir: a.model, members: detector.members, T: detector.T, stride: detector.stride, smooth: detector.smooth,
      threshold: detector.threshold, refractorySec: detector.refractorySec, fps: detector.fps, kernel: detector.kernel,
      ...(detector.kernelNote ? { kernelNote: detector.kernelNote } : {}),
    };
    if (a.json) {
      console.log(JSON.stringify({ model, data: ds.provenance.note, windows: a.live ? "live" : "evaluation", recordings: replayed, detection: figures }, null, 2));
      return 0;
    }
    console.log(
      `model: ${a.model} (${detector.members > 1 ? `mean of ${detector.members} models` : "one model"}, windows of ${detector.T} frames every ${detector.stride}, ` +
        `mean of ${detector.smooth} window(s) against threshold ${detector.threshold.toFixed(4)}, refractory ${detector.refractorySec} s); forward pass: ${detector.kernel}${detector.kernelNote ? ` (${detector.kernelNote})` : ""}`,
    );
    console.log(`data: ${ds.provenance.note}; ${replayed.length} recording(s), windows ${a.live ? "from each recording's first frame (--live)" : "placed as the evaluation placed them"}`);
    for (const r of replayed) for (const line of recordingLines(r, detector.fps)) console.log(line);
    const falls = known.filter((r) => r.isFall).length;
    if (known.length > 0) console.log(summaryLine(figures, falls));
    return 0;
  } finally {
    detector.dispose();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(`detect: ${(err instanceof Error ? err.message : String(err)).split("\n")[0]}`);
      if (process.env.FALL_DEBUG) console.error(err);
      process.exit(1);
    },
  );
}
