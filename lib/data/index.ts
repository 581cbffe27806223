// Public surface of the data layer: parse, load or generate, window, split, scale, store.

export { DataError } from "./errors";
export { parseUrfdCsv, readUrfdFile, URFD_COLUMNS } from "./urfd-csv";
export { parseDfCsv, readDfCsvFile } from "./dfcsv";
export type { DfCsv } from "./dfcsv";
export { sequenceBlocks, concatTables } from "./frame-table";
export { findProjectRoot } from "./project-root";
export { loadUrfd, resolveData, URFD_FILES, DATA_DIR_ENV, DEFAULT_SYNTHETIC_SEED } from "./load";
export type { ResolveDataOptions } from "./load";
export { generateSynthetic, SYNTHETIC_LIMITS } from "./synthetic";
export type { SyntheticOptions } from "./synthetic";
export { makeWindows, makeWindowsWithReport, DEFAULT_T, DEFAULT_STRIDE } from "./windows";
export type { WindowOptions, WindowResult } from "./windows";
export { groupedSplit, groupedKFold, selectWindows, takeWindows, splitWindows, windowSequences, concatWindowSets } from "./split";
export type { SplitItem, Fold, SplitOptions, KFoldOptions } from "./split";
export { fitScaler, applyScaler, STD_FLOOR } from "./scaler";
export type { Scaler } from "./scaler";
export { writeWindowSet, readWindowSet, writePartitions, WINDOWSET_FORMAT } from "./arrow-io";
export { URFD_DOWNLOADS } from "./urfd-source";
export type { UrfdDownload } from "./urfd-source";
export { describeSide } from "./describe";
export { fallingSegment, findSequence } from "./segments";
export { urfdCsvText, writeUrfdFolder } from "./urfd-write";
