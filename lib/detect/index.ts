// The deployable detector: frames in, alarms out (detector.ts), the one alarm logic it, the
// pipeline and the browser page share (alarms.ts), and the delay / false-alarm figures (delay.ts).
export { FallDetector, evaluationPhase } from "./detector";
export type { DetectorOptions, DetectorStep } from "./detector";
export { alarmLogic, recordingAlarms } from "./alarms";
export type { AlarmEvent, AlarmLogic, AlarmSettings, AlarmStep } from "./alarms";
export { detectionFigures, refractoryFrames, DEFAULT_REFRACTORY_SEC, URFD_FPS } from "./delay";
export type { DetectionFigures, RecordingDetection } from "./delay";
export { replayWindowSet } from "./replay";
export type { ReplayedRecording } from "./replay";
export { replayDataset } from "./replay-dataset";
export type { DatasetReplay, ReplayOptions } from "./replay-dataset";
export { verifyRun } from "./verify-run";
export type { RunCheck } from "./verify-run";
export { mixFold, mixedTestWindows, startWindowIndices } from "./start-models";
export type { GroupScores, MixedFold } from "./start-models";
export { joinSecondWindow, joinAligned, joinAgreeing, joinRule, secondWindowDir, SECOND_WINDOW_RULES } from "./second-window";
export type { SecondWindowRule } from "./second-window";
