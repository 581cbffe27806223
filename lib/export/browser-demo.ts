// A static folder that runs a saved model in the browser: index.html + model.json + weights.bin +
// tf.min.js from the installed @tensorflow/tfjs package (nothing from a CDN). Serve it over http.
import * as fs from "node:fs";
import * as path from "node:path";
import type { Scaler } from "../data/scaler";
import { DEFAULT_STRIDE } from "../data/windows";
import { MODEL_JSON, WEIGHTS_BIN } from "../model/io";
import { diffLagsOf } from "../data/windows";
import { FEATURE_NAMES } from "../types";
import { demoPageHtml } from "./demo-page";

export const TFJS_BROWSER_BUNDLE = "tf.min.js";

export interface BrowserDemoOptions {
  /** One recording: frames × the 8 URFD features, and its name. */
  sequence: { features: number[][]; id: string; frames?: number[] };
  /** The scaler the model was trained with. */
  scaler: Scaler;
  /** Step between windows (default 4). */
  stride?: number;
}

export interface BrowserDemo {
  dir: string;
  files: string[];
  T: number;
  F: number;
  /** Windows the page will score. */
  windows: number;
}

/** [T, F] from a saved model.json's Keras topology (the layer carrying batch_input_shape). */
export function savedInputShape(modelJsonFile: string): { T: number; F: number } {
  let json: { modelTopology?: { config?: { layers?: { config?: { batch_input_shape?: unknown } }[] } } };
  try {
    json = JSON.parse(fs.readFileSync(modelJsonFile, "utf8"));
  } catch (e) {
    throw new Error(`${modelJsonFile}: cannot read a model (${(e as Error).message.split("\n")[0]})`);
  }
  const shape = json.modelTopology?.config?.layers?.find((l) => l.config?.batch_input_shape)?.config?.batch_input_shape;
  if (!Array.isArray(shape) || shape.length !== 3 || !Number.isInteger(shape[1]) || !Number.isInteger(shape[2])) {
    throw new Error(`${modelJsonFile}: no fixed [T, F] input shape in the model topology`);
  }
  return { T: shape[1], F: shape[2] };
}

function checkSequence(seq: BrowserDemoOptions["sequence"], nf: number): number[] {
  if (!Array.isArray(seq.features) || seq.features.length === 0) throw new Error("sequence.features must hold at least one frame");
  seq.features.forEach((row, i) => {
    if (!Array.isArray(row) || row.length !== nf || !row.every(Number.isFinite)) throw new Error(`sequence.features[${i}] must be ${nf} finite numbers`);
  });
  const frames = seq.frames ?? seq.features.map((_, i) => i + 1);
  if (frames.length !== seq.features.length || frames.some((f, i) => !Number.isInteger(f) || (i > 0 && f <= frames[i - 1]))) {
    throw new Error("sequence.frames must be increasing integers, one per frame");
  }
  return frames;
}

/** Write the demo folder; returns what it holds. `outDir` is created; existing files are overwritten. */
export function writeBrowserDemo(modelDir: string, outDir: string, opts: BrowserDemoOptions): BrowserDemo {
  const { T, F } = savedInputShape(path.join(modelDir, MODEL_JSON));
  const nf = FEATURE_NAMES.length;
  if (opts.scaler.mean.length !== F || opts.scaler.std.length !== F) throw new Error(`the scaler has ${opts.scaler.mean.length} features, the model takes ${F}`);
  const diffLags = diffLagsOf(FEATURE_NAMES, opts.scaler.featureNames);
  if (diffLags === null) throw new Error(`the scaler names ${opts.scaler.featureNames.join(",")}; the demo needs the 8 features, then their differences (dH..., d4H...)`);
  const stride = opts.stride ?? DEFAULT_STRIDE;
  if (!Number.isInteger(stride) || stride < 1) throw new Error(`stride must be a positive integer, got ${stride}`);
  const frames = checkSequence(opts.sequence, nf);
  const windows = opts.sequence.features.length >= T ? Math.floor((opts.sequence.features.length - T) / stride) + 1 : 0;
  if (windows === 0) throw new Error(`sequence ${opts.sequence.id} has ${opts.sequence.features.length} frames, fewer than one window of ${T}`);

  fs.mkdirSync(outDir, { recursive: true });
  for (const f of [MODEL_JSON, WEIGHTS_BIN]) fs.copyFileSync(path.join(modelDir, f), path.join(outDir, f));
  fs.copyFileSync(require.resolve("@tensorflow/tfjs/dist/tf.min.js"), path.join(outDir, TFJS_BROWSER_BUNDLE));
  const html = demoPageHtml({
    id: opts.sequence.id,
    features: opts.sequence.features,
    frames,
    scaler: { mean: [...opts.scaler.mean], std: [...opts.scaler.std], featureNames: [...opts.scaler.featureNames] },
    T,
    F,
    stride,
    diffLags,
  });
  fs.writeFileSync(path.join(outDir, "index.html"), html);
  return { dir: outDir, files: ["index.html", MODEL_JSON, WEIGHTS_BIN, TFJS_BROWSER_BUNDLE], T, F, windows };
}
