// Streaming detection: a fall probability per incoming frame. StreamingDetector (stateful, O(1)
// per frame, native where built, never restarts) or WindowedStream (last T frames, equals the window model exactly).
// Alarms (ensemble mean, smoothing, threshold, refractory period) come from lib/detect's FallDetector.
export { StreamingDetector } from "./streaming-detector";
export type { FrameScorer, StreamingOptions } from "./streaming-detector";
export type { StreamKernel, StreamKernelChoice } from "./stream-kernel";
export { streamPlan } from "./stream-plan";
export type { StreamPlan, StreamOp } from "./stream-plan";
export { WindowedStream } from "./windowed-stream";
export { measureStreamingLatency } from "./latency";
export type { StreamingLatency } from "./latency";
export { FrameFeaturizer, featurizerFor, inputFeatureNames } from "./frame-features";
export { statefulCopy, recurrentLayers, windowInputShape } from "./stateful-copy";
export { WindowRing } from "./window-ring";
// The deployable detector (ensemble, smoothing, threshold, alarms) builds on these pieces: lib/detect.
export { FallDetector } from "../detect/detector";
export type { DetectorOptions, DetectorStep } from "../detect/detector";
