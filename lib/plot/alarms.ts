// Every replayed recording on one time axis: its footage, the annotated falling segment and the
// detector's alarms, so delays and false alarms are seen at a glance.
import type { Figure } from "./figures";

export interface AlarmTimelineRow {
  id: string;
  isFall: boolean;
  firstFrame: number;
  lastFrame: number;
  fallingSegment: readonly [number, number] | null;
  alarms: readonly { frame: number }[];
}

/** One row per recording (falls first), x in seconds at `fps`. */
export function alarmTimelineFigure(rows: readonly AlarmTimelineRow[], opts: { fps: number; title?: string }): Figure {
  const sorted = [...rows].sort((a, b) => Number(b.isFall) - Number(a.isFall) || a.id.localeCompare(b.id));
  const sec = (f: number): number => f / opts.fps;
  const footage = { x: [] as (number | null)[], y: [] as (string | null)[] };
  const falling = { x: [] as (number | null)[], y: [] as (string | null)[] };
  const alarms = { x: [] as number[], y: [] as string[] };
  for (const r of sorted) {
    footage.x.push(sec(r.firstFrame), sec(r.lastFrame), null);
    footage.y.push(r.id, r.id, null);
    if (r.fallingSegment) {
      falling.x.push(sec(r.fallingSegment[0]), sec(r.fallingSegment[1]), null);
      falling.y.push(r.id, r.id, null);
    }
    for (const a of r.alarms) {
      alarms.x.push(sec(a.frame));
      alarms.y.push(r.id);
    }
  }
  return {
    data: [
      { type: "scatter", mode: "lines", name: "footage", x: footage.x, y: footage.y, line: { color: "#c7c7c7", width: 4 }, hoverinfo: "skip" },
      { type: "scatter", mode: "lines", name: "falling (annotated)", x: falling.x, y: falling.y, line: { color: "#ff7f0e", width: 8 }, hoverinfo: "skip" },
      {
        type: "scatter", mode: "markers", name: "alarm", x: alarms.x, y: alarms.y,
        marker: { color: "#d62728", symbol: "x", size: 10, line: { width: 2 } },
        hovertemplate: "%{y}: alarm at %{x:.2f} s<extra></extra>",
      },
    ],
    layout: {
      title: { text: opts.title ?? "Alarms per recording" },
      xaxis: { title: { text: `time (s, frame / ${opts.fps})` } },
      yaxis: { type: "category", autorange: "reversed", automargin: true, tickfont: { size: 9 } },
      height: Math.max(300, 90 + 14 * sorted.length),
      legend: { orientation: "h", x: 1, xanchor: "right", y: 1.0, yanchor: "bottom" },
    },
  };
}
