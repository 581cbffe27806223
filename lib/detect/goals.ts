// Issue 15's detector goals, checked in one place so every study and table says "met" the same way.

/** What a 5-fold run gives for the goals (pooled out of fold). */
export interface GoalFigures {
  fallsFound: number;
  fallRecordings: number;
  adlsRight: number;
  adlRecordings: number;
  recordingAuc: number | null;
  windowAuc: number | null;
  /** Frames from the first annotated falling frame to the first alarm, median over detected falls. */
  medianDelay: number | null;
  /** The latest first alarm, in frames after the falling segment's last frame. */
  maxAfterSegmentEnd: number | null;
  falseAlarms: number;
  /** Recordings the run read but evaluated none of (shorter than --window): the falls and ADLs goals are over all of them. */
  recordingsLeftOut?: number;
}

export type GoalName = "allFalls" | "adls" | "recordingAuc" | "windowAuc" | "medianDelay" | "afterSegmentEnd" | "falseAlarms";

/** The bars of issue 15 item 4 (for the 40 URFD daily activities: at most one wrong). */
export const DETECTOR_GOALS = { adlsWrongAtMost: 1, recordingAuc: 0.995, windowAuc: 0.97, medianDelayFrames: 15, afterSegmentEndFrames: 15, falseAlarmsAtMost: 1 } as const;

export function goalsMet(f: GoalFigures): Record<GoalName, boolean> {
  const g = DETECTOR_GOALS;
  const whole = (f.recordingsLeftOut ?? 0) === 0;
  return {
    allFalls: whole && f.fallsFound === f.fallRecordings,
    adls: whole && f.adlRecordings - f.adlsRight <= g.adlsWrongAtMost,
    recordingAuc: f.recordingAuc !== null && f.recordingAuc >= g.recordingAuc,
    windowAuc: f.windowAuc !== null && f.windowAuc >= g.windowAuc,
    medianDelay: f.medianDelay !== null && f.medianDelay <= g.medianDelayFrames,
    afterSegmentEnd: f.maxAfterSegmentEnd !== null && f.maxAfterSegmentEnd <= g.afterSegmentEndFrames,
    falseAlarms: f.falseAlarms <= g.falseAlarmsAtMost,
  };
}
