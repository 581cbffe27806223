// Public surface of the library. Notebooks import submodules (../dist/lib/data, ...) to keep
// kernel start fast; this index is for code that wants everything.
export * from "./backend";
export * from "./types";
export * from "./random";
export * from "./data";
export * from "./model";
export * from "./distributed";
export * from "./evaluate";
export * from "./plot";
export * from "./mcfd";
export * from "./streaming";
export * from "./export";
export * from "./detect";
