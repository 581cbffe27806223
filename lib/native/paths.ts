// Where `npm run build` puts the compiled fused RNN kernel and the note of why it was not built.
import * as path from "path";

/** dist/native, beside dist/lib (this file compiles to dist/lib/native/paths.js). */
export const NATIVE_DIR = path.resolve(__dirname, "..", "..", "native");
export const NATIVE_ADDON = path.join(NATIVE_DIR, "fused_rnn.node");
export const NATIVE_BUILD_NOTE = path.join(NATIVE_DIR, "build-status.json");
