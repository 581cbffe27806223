// Multiple Cameras Fall Dataset (MCFD): reconciled annotations, URFD-convention frame labels and
// a synthetic MCFD-like feature CSV for tests.
export {
  MCFD_CHUTES,
  MCFD_CAMS,
  MCFD_FILES,
  RECONCILED_DELAY_SIGN,
  RECONCILIATION_NOTE,
  mcfdDefaultDir,
  parseNunezAnnotations,
  parseNunezDelays,
  parseFallGcnCsv,
  readNunez,
  readFallGcn,
  delaySignEvidence,
  compareTranscriptions,
  loadMcfdAnnotations,
  fallIntervals,
} from "./annotations";
export type {
  FallInterval,
  McfdAnnotation,
  DelaySign,
  NunezTranscription,
  FallGcnRow,
  FallGcnTranscription,
  DisagreementKind,
  Disagreement,
  SignEvidence,
  LoadMcfdOptions,
} from "./annotations";
export { labelMcfdFrames, mcfdLabelAt, mcfdSequenceId } from "./label-frames";
export type { LabelMcfdOptions, McfdFrameDataset, McfdProvenance } from "./label-frames";
export { syntheticMcfdCsv, writeSyntheticMcfdCsv, syntheticPosture } from "./synthetic-mcfd";
export type { SyntheticMcfdOptions } from "./synthetic-mcfd";
