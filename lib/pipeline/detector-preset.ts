// The pipeline's two detectors (--detector): the ten options that make the README's "detector to deploy" out of the
// plain ensemble. `deploy` is the default since 2026-12-06 (docs/results.md, "A seventeenth round"): over seeds 1–70 it
// met 438 of issue 15's goals against the plain ensemble's 304, and fewer on no seed. Six members of each type in each
// group since the twenty-third round (docs/results.md): more goals than three, and fewer on no seed of 60. A second
// detector on 48-frame windows, held 6 frames, passing at 0.45, since the twenty-eighth round: over 60 seeds more goals
// than without it, and fewer on none (docs/results.md, "A twenty-eighth round").
import { DEFAULT_SMOOTH } from "../evaluate/smoothing";
import { DEFAULT_SECOND_WINDOW_LEVEL } from "../detect/second-window";
import type { MemberCombineName } from "../evaluate/member-combine";
import type { ThresholdMidpoint } from "../evaluate/threshold";
import type { RnnKind } from "../model/rnn";

export type DetectorPreset = "deploy" | "plain";
export const DETECTOR_PRESETS: readonly DetectorPreset[] = ["deploy", "plain"];

/** The options a preset sets; a flag given on the command line overrides its value. */
export const PRESET_KEYS = ["startModels", "smooth", "thresholdMidpoint", "scoreStride", "secondModel", "combine", "ensemble", "secondWindow", "secondWindowHold", "secondWindowLevel"] as const;
export type PresetKey = (typeof PRESET_KEYS)[number];
/** The ten options as PipelineOptions holds them (lib/pipeline/options.ts checks that they agree). */
export interface PresetValues {
  startModels: number;
  smooth: number;
  thresholdMidpoint: ThresholdMidpoint;
  scoreStride: number | null;
  secondModel: RnnKind | null;
  combine: MemberCombineName;
  /** Members of each type in each group. */
  ensemble: number;
  /** The second detector's window (null: none), its hold and the aligned score it passes at. */
  secondWindow: number | null;
  secondWindowHold: number;
  secondWindowLevel: number;
}

/** The options that only describe --second-window's detector: a run without one leaves them at their off values. */
export const SECOND_WINDOW_DETAIL: readonly PresetKey[] = ["secondWindowHold", "secondWindowLevel"];

/** The plain ensemble's members a fold. */
export const PLAIN_ENSEMBLE = 3;
/** The deploy detector's members of each type in each group: 24 models a fold (docs/results.md, "A twenty-third round"). */
export const DEPLOY_ENSEMBLE = 6;

/** Frames of padding the deploy detector's start models see: windows of 16..31 real frames are theirs. */
export const DEPLOY_START_MODELS = 16;

/** The deploy detector's second detector: windows of 48 frames, each aligned score held 6 frames, passing at 0.45 (docs/results.md, "A twenty-eighth round"). */
export const DEPLOY_SECOND_WINDOW = { secondWindow: 48, secondWindowHold: 6, secondWindowLevel: 0.45 } as const;
/** No second detector: --detector plain's, and what `--second-window none` leaves. */
export const NO_SECOND_WINDOW = { secondWindow: null, secondWindowHold: 0, secondWindowLevel: DEFAULT_SECOND_WINDOW_LEVEL } as const;

/** The other recurrent type: deploy's second model beside --model. */
export const otherModel = (model: RnnKind): RnnKind => (model === "lstm" ? "gru" : "lstm");

/** The ten values of a preset for a run whose --model is `model`. */
export function presetValues(preset: DetectorPreset, model: RnnKind): PresetValues {
  return preset === "plain"
    ? { startModels: 0, smooth: DEFAULT_SMOOTH, thresholdMidpoint: "probability", scoreStride: null, secondModel: null, combine: "mean", ensemble: PLAIN_ENSEMBLE, ...NO_SECOND_WINDOW }
    : { startModels: DEPLOY_START_MODELS, smooth: 1, thresholdMidpoint: "logit", scoreStride: 1, secondModel: otherModel(model), combine: "logit-mean", ensemble: DEPLOY_ENSEMBLE, ...DEPLOY_SECOND_WINDOW };
}

/** The preset's words for help and logs. */
export const PRESET_WORDS: Record<DetectorPreset, string> = {
  deploy: `${DEPLOY_ENSEMBLE} LSTM and ${DEPLOY_ENSEMBLE} GRU members a group combined by mean log-odds, start models for a stream's first ${DEPLOY_START_MODELS}..31 frames, a window scored every frame, and beside them a second such detector on windows of ${DEPLOY_SECOND_WINDOW.secondWindow} frames: an alarm needs both (held ${DEPLOY_SECOND_WINDOW.secondWindowHold} frames, the second passing at ${DEPLOY_SECOND_WINDOW.secondWindowLevel}) (the README's detector to deploy)`,
  plain: `one ensemble of ${PLAIN_ENSEMBLE} --model members, probabilities averaged and smoothed over ${DEFAULT_SMOOTH} windows, a window every --stride frames (the default until 2026-12-06)`,
};

/** The preset whose values a run's options hold (null: a mix of its own). */
export function presetOf(o: PresetValues & { model: RnnKind }): DetectorPreset | null {
  return DETECTOR_PRESETS.find((p) => {
    const v = presetValues(p, o.model);
    return PRESET_KEYS.every((k) => o[k] === v[k]);
  }) ?? null;
}

/** The preset options' flags: the pipeline's option table (lib/pipeline/options.ts) takes them from here. */
export const PRESET_FLAGS: Record<PresetKey, string> = {
  startModels: "--start-models",
  smooth: "--smooth",
  thresholdMidpoint: "--threshold-midpoint",
  scoreStride: "--score-stride",
  secondModel: "--second-model",
  combine: "--combine",
  ensemble: "--ensemble",
  secondWindow: "--second-window",
  secondWindowHold: "--second-window-hold",
  secondWindowLevel: "--second-window-level",
};

/** A preset option's value in words (null: none, or for --score-stride the --stride grid). */
export function presetValueText(key: PresetKey, value: unknown): string {
  return value === null ? (key === "scoreStride" ? "--stride" : "none") : String(value);
}

/** The preset options among `values`, as flags with their values ("--start-models 16 --score-stride 1"). */
export function presetFlags(values: Partial<Record<PresetKey, unknown>>): string {
  // A value that names another flag is put in brackets: "--score-stride (--stride)".
  const text = (k: PresetKey) => presetValueText(k, values[k]).replace(/^--.*/, "($&)");
  return PRESET_KEYS.filter((k) => k in values).map((k) => `${PRESET_FLAGS[k]} ${text(k)}`).join(" ");
}

/** One line for the start of a run: which detector it trains, and the values given beside its preset. */
export function detectorLine(o: PresetValues & { model: RnnKind }): string {
  // With no second window its hold and level are off, not values of their own.
  const differing = (p: DetectorPreset) => PRESET_KEYS.filter((k) => o[k] !== presetValues(p, o.model)[k] && !(o.secondWindow === null && SECOND_WINDOW_DETAIL.includes(k)));
  const preset: DetectorPreset = differing("deploy").length <= differing("plain").length ? "deploy" : "plain";
  const own = presetFlags(Object.fromEntries(differing(preset).map((k) => [k, o[k]])));
  const name = preset === "deploy" ? "deploy (the default)" : "plain";
  if (own) return `detector: ${name} with ${own} given: ${PRESET_WORDS[preset]}, but for those`;
  return preset === "deploy" ? `detector: deploy (the default): ${PRESET_WORDS.deploy}; --detector plain trains the plain ensemble` : `detector: plain: ${PRESET_WORDS.plain}`;
}
