// Synthetic URFD-like data so every notebook and test runs without the real files.
//
// What it is: per-frame values of the 8 URFD depth features, driven by one hidden "posture"
// p(t) (0 upright, 1 lying) per recording, with per-recording person/scene parameters and
// noise. Levels come from the real files (means/std of standing vs lying rows, e.g. H ≈ 1630 ±
// 190 standing vs ≈ 470 lying on the floor; HHmaxRatio ≈ 0.88 vs 0.26; P40 ≈ 0.12 vs 0.92).
// Falls: upright (or, in a quarter of them, seated) then p → 1 within 10–30 frames (≈ 1/3–1 s),
// labelled -1, then exactly 1 s of 0 from the onset, then 1 — the real annotation convention.
// ADLs: walking, sitting down (partial drop, some as fast as a fall), crouching and standing up
// again (all -1), and lying down on purpose slowly (2–4 s, on a bed or the floor, -1 → 0 → 1,
// a fifth getting up again at the end → a second 0 segment, like adl-31..35).
//
// Limits: the features are not computed from depth images, so their joint behaviour (occlusion,
// segmentation failures, camera placement, furniture) is only imitated by independent noise and
// rare spikes; there are two scene heights, not real rooms; speed is the main fall cue by
// construction. A model that does well here has learned the generator, not falls.

import { FEATURE_NAMES, FrameDataset, SequenceInfo } from "../types";
import { createRng, gaussian, shuffleInPlace } from "../random";

/** One short paragraph for notebooks to show beside any result on synthetic data. */
export const SYNTHETIC_LIMITS =
  "Synthetic data: the 8 URFD features are generated from one hidden posture curve per recording " +
  "with levels taken from the real files and added noise, not computed from depth images. Falls " +
  "drop within 10–30 frames; ADLs walk, sit, crouch or lie down slowly (2–4 s). Speed of the " +
  "drop is the main cue by construction, so scores on this data show that the pipeline works, " +
  "not that a model detects real falls.";

export interface SyntheticOptions {
  seed: number;
  /** Number of fall recordings (default 30, as in URFD). */
  falls?: number;
  /** Number of daily-activity recordings (default 40, as in URFD). */
  adls?: number;
  /** Frames per second (default 30, as the URFD Kinect). */
  fps?: number;
}

type Rng = () => number;

/** Per-recording person and scene: feature levels upright and lying. */
interface Person {
  h0: number;
  hmax: number;
  kD: number;
  lieRatio: number;
  hwrStand: number;
  hwrLie: number;
  mmrStand: number;
  mmrLie: number;
  bbo: number;
  stdStand: number;
  stdLie: number;
  p40Stand: number;
  p40Lie: number;
}

/** A recording before features: posture per frame, label per frame, and whether it walks. */
interface Script {
  p: number[];
  label: number[];
  walking: boolean;
}

const uniform = (rng: Rng, a: number, b: number): number => a + (b - a) * rng();
const randInt = (rng: Rng, a: number, b: number): number => Math.floor(uniform(rng, a, b + 1));
const normal = (rng: Rng, m: number, s: number): number => m + s * gaussian(rng);
const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));
const smooth = (u: number): number => u * u * (3 - 2 * u);

function drawPerson(rng: Rng, onFloor: boolean): Person {
  // Two scene heights, as in the real files (standing H near 1,350–1,450 or 1,750–2,050).
  const h0 = rng() < 0.5 ? normal(rng, 1390, 45) : normal(rng, 1790, 80);
  return {
    h0,
    hmax: h0 / uniform(rng, 0.82, 0.95),
    kD: uniform(rng, 0.52, 0.6),
    lieRatio: onFloor ? uniform(rng, 0.24, 0.36) : uniform(rng, 0.3, 0.45),
    hwrStand: clamp(normal(rng, 2.4, 0.35), 1.4, 3.8),
    hwrLie: clamp(normal(rng, 0.55, 0.15), 0.25, 1.2),
    mmrStand: clamp(normal(rng, 2.7, 0.45), 1.4, 4.5),
    mmrLie: clamp(normal(rng, 2.5, 0.8), 1.1, 5),
    bbo: clamp(normal(rng, 0.53, 0.05), 0.35, 0.75),
    stdStand: clamp(normal(rng, 145, 18), 90, 220),
    stdLie: clamp(normal(rng, 250, 50), 130, 430),
    p40Stand: clamp(normal(rng, 0.12, 0.04), 0, 0.3),
    p40Lie: onFloor ? clamp(normal(rng, 0.9, 0.08), 0.6, 1) : uniform(rng, 0.15, 0.8),
  };
}

/** Builds a posture curve piece by piece: holds and smooth moves. */
class Posture {
  readonly p: number[] = [];
  readonly label: number[] = [];
  constructor(private level: number) {}
  get length(): number {
    return this.p.length;
  }
  get current(): number {
    return this.level;
  }
  hold(frames: number, label: number, rng: Rng, wobble = 0.015): void {
    for (let i = 0; i < frames; i++) {
      this.p.push(clamp(this.level + wobble * gaussian(rng), 0, 1));
      this.label.push(label);
    }
  }
  move(to: number, frames: number, label: number): void {
    const from = this.level;
    for (let i = 1; i <= frames; i++) {
      this.p.push(from + (to - from) * smooth(i / frames));
      this.label.push(label);
    }
    this.level = to;
  }
  relabel(from: number, count: number, label: number): void {
    for (let i = from; i < Math.min(this.label.length, from + count); i++) this.label[i] = label;
  }
}

function fallScript(rng: Rng, fps: number): Script {
  const fromSeat = rng() < 0.25;
  const s = new Posture(0);
  s.hold(randInt(rng, 3, Math.round(4 * fps)), -1, rng);
  if (fromSeat) {
    s.move(uniform(rng, 0.35, 0.5), randInt(rng, Math.round(0.8 * fps), Math.round(1.5 * fps)), -1);
    s.hold(randInt(rng, Math.round(0.5 * fps), Math.round(2 * fps)), -1, rng);
  }
  // Label 0 covers exactly 1 s from the onset: a short stagger, then the drop to the floor.
  const zero = Math.round(fps);
  const onset = s.length;
  const drop = randInt(rng, Math.max(2, Math.round(fps / 3)), Math.round(fps));
  const stagger = randInt(rng, 0, Math.max(0, Math.min(Math.round(fps / 4), zero - drop)));
  if (stagger > 0) s.move(Math.min(1, s.current + 0.05), stagger, 0);
  s.move(1, drop, 0);
  s.hold(Math.max(0, onset + zero - s.length), 0, rng, 0.02);
  s.hold(randInt(rng, Math.round(0.2 * fps), Math.round(2 * fps)), 1, rng, 0.02);
  return { p: s.p, label: s.label, walking: true };
}

type AdlKind = "walk" | "sit" | "crouch" | "lie";

function adlScript(kind: AdlKind, rng: Rng, fps: number): Script {
  const s = new Posture(0);
  const sec = (a: number, b: number): number => randInt(rng, Math.round(a * fps), Math.round(b * fps));
  if (kind === "walk") {
    const total = sec(2.5, 8);
    while (s.length < total) {
      s.hold(sec(0.7, 2.5), -1, rng);
      if (rng() < 0.4) {
        // A brief bend (looking down, reaching): a small, quick change of posture.
        s.move(uniform(rng, 0.08, 0.2), sec(0.3, 0.7), -1);
        s.move(0, sec(0.3, 0.7), -1);
      }
    }
    return { p: s.p, label: s.label, walking: true };
  }
  if (kind === "sit" || kind === "crouch") {
    s.hold(sec(1, 3), -1, rng);
    const depth = kind === "sit" ? uniform(rng, 0.35, 0.55) : uniform(rng, 0.45, 0.65);
    s.move(depth, kind === "sit" ? sec(0.6, 1.5) : sec(0.5, 1.2), -1);
    s.hold(kind === "sit" ? sec(2, 4) : sec(0.5, 2), -1, rng);
    if (kind === "crouch" || rng() < 0.6) {
      s.move(0, sec(0.7, 1.5), -1);
      s.hold(sec(0.5, 2), -1, rng);
    }
    return { p: s.p, label: s.label, walking: false };
  }
  // Lying down on purpose: often sitting on the bed first, then a slow 2–4 s descent.
  s.hold(sec(2, 6), -1, rng);
  if (rng() < 0.7) {
    s.move(uniform(rng, 0.3, 0.45), sec(1, 1.5), -1);
    s.hold(sec(1, 3), -1, rng);
  }
  const down = sec(2, 4);
  const start = s.length;
  s.move(1, down, -1);
  // Annotators mark the later part of a slow descent as 0 (real ADL 0 segments: 18–70 frames).
  const zeroFrom = start + Math.round(down * uniform(rng, 0.3, 0.6));
  s.relabel(zeroFrom, s.length - zeroFrom, 0);
  s.hold(sec(1.5, 4), 1, rng, 0.02);
  if (rng() < 0.2) s.move(uniform(rng, 0.35, 0.5), sec(1.5, 3), 0);
  return { p: s.p, label: s.label, walking: false };
}

/** Turns a posture curve into the 8 features, in FEATURE_NAMES order, with noise. */
function render(script: Script, who: Person, rng: Rng, fps: number): Float32Array {
  const n = script.p.length;
  const nf = FEATURE_NAMES.length;
  const out = new Float32Array(n * nf);
  // Slow drift per feature (AR(1)), scaled by the feature's spread; then white noise per frame.
  const drift = new Float64Array(nf);
  const driftSd = [0.25, 0.25, 0.03, 10, 0, 0.025 * who.h0, 0, 0.02];
  const phi = 0.95;
  const gait = uniform(rng, 0.8, 1.2) * fps;
  for (let t = 0; t < n; t++) {
    const p = script.p[t];
    const bump = 4 * p * (1 - p);
    const calm = 1 - 0.5 * p;
    for (let j = 0; j < nf; j++) {
      drift[j] = phi * drift[j] + Math.sqrt(1 - phi * phi) * driftSd[j] * calm * gaussian(rng);
    }
    const sway = script.walking && p < 0.2 ? 0.2 * Math.sin((2 * Math.PI * t) / gait) : 0;
    let h = who.h0 * (1 - p * (1 - who.lieRatio)) + drift[5] + 0.012 * who.h0 * gaussian(rng);
    let hwr = who.hwrStand + (who.hwrLie - who.hwrStand) * p + sway + drift[0] + 0.09 * gaussian(rng);
    let mmr = who.mmrStand + (who.mmrLie - who.mmrStand) * p - 0.9 * bump + drift[1] + 0.09 * gaussian(rng);
    const bbo = who.bbo + 0.03 * p + drift[2] + 0.016 * gaussian(rng);
    const maxStd = who.stdStand + (who.stdLie - who.stdStand) * p + 25 * bump + drift[3] + 3 * gaussian(rng);
    const lying = p <= 0.35 ? 0 : smooth(Math.min(1, (p - 0.35) / 0.65));
    const p40 = who.p40Stand + (who.p40Lie - who.p40Stand) * lying + drift[7] + 0.01 * gaussian(rng);
    // Rare segmentation glitches, as the real files have (HeightWidthRatio up to 7.4).
    if (rng() < 0.008) {
      hwr *= uniform(rng, 1.5, 2.5);
      mmr *= uniform(rng, 1.3, 2);
      h *= uniform(rng, 0.8, 0.95);
    }
    h = Math.max(150, h);
    const row = t * nf;
    out[row + 0] = Math.max(0.15, hwr);
    out[row + 1] = Math.max(1, mmr);
    out[row + 2] = clamp(bbo, 0.15, 1.2);
    out[row + 3] = Math.max(40, maxStd);
    out[row + 4] = Math.max(0.05, h / who.hmax + 0.004 * gaussian(rng));
    out[row + 5] = h;
    out[row + 6] = Math.max(80, who.kD * h + 8 * gaussian(rng));
    out[row + 7] = clamp(p40, 0, 1);
  }
  return out;
}

/** A URFD-schema data set, identical for identical options; falls first, then ADLs. */
export function generateSynthetic(options: SyntheticOptions): FrameDataset {
  const { seed, falls = 30, adls = 40, fps = 30 } = options;
  for (const [name, v] of [["falls", falls], ["adls", adls], ["fps", fps]] as const) {
    if (!Number.isInteger(v) || v < 0) throw new TypeError(`generateSynthetic: ${name} must be a non-negative integer, got ${v}`);
  }
  if (fps < 10) throw new TypeError(`generateSynthetic: fps must be at least 10, got ${fps}`);
  if (falls + adls === 0) throw new TypeError("generateSynthetic: asked for no recordings");
  const rng = createRng(seed);

  // ADL mix near URFD's (24 of 40 never lie down): walk 30 %, sit 22 %, crouch 13 %, lie 35 %.
  const kinds: AdlKind[] = [];
  const share: [AdlKind, number][] = [["lie", 0.35], ["sit", 0.22], ["crouch", 0.13]];
  for (const [k, f] of share) for (let i = 0; i < Math.round(f * adls); i++) kinds.push(k);
  while (kinds.length < adls) kinds.push("walk");
  kinds.length = adls;
  shuffleInPlace(kinds, rng);

  const pad = Math.max(2, String(Math.max(falls, adls)).length);
  const recs: { id: string; isFall: boolean; script: Script; onFloor: boolean; firstFrame: number; gapAt: number }[] = [];
  for (let i = 0; i < falls; i++) {
    recs.push({ id: `fall-${String(i + 1).padStart(pad, "0")}`, isFall: true, script: fallScript(rng, fps), onFloor: true, firstFrame: 1, gapAt: -1 });
  }
  for (let i = 0; i < adls; i++) {
    const script = adlScript(kinds[i], rng, fps);
    // Real ADL recordings sometimes start late or miss a frame.
    const firstFrame = rng() < 0.4 ? randInt(rng, 2, 45) : 1;
    const gapAt = rng() < 0.1 ? randInt(rng, 1, script.p.length - 1) : -1;
    recs.push({ id: `adl-${String(i + 1).padStart(pad, "0")}`, isFall: false, script, onFloor: kinds[i] !== "lie" || rng() < 0.25, firstFrame, gapAt });
  }

  const nf = FEATURE_NAMES.length;
  const rows = recs.reduce((s, r) => s + r.script.p.length, 0);
  const sequence: string[] = [];
  const frame = new Int32Array(rows);
  const label = new Int8Array(rows);
  const features = new Float32Array(rows * nf);
  const sequences: SequenceInfo[] = [];
  let at = 0;
  for (const r of recs) {
    const n = r.script.p.length;
    features.set(render(r.script, drawPerson(rng, r.onFloor), rng, fps), at * nf);
    for (let t = 0; t < n; t++) {
      sequence.push(r.id);
      frame[at + t] = r.firstFrame + t + (r.gapAt >= 0 && t >= r.gapAt ? 1 : 0);
      label[at + t] = r.script.label[t];
    }
    sequences.push({ id: r.id, isFall: r.isFall, start: at, length: n });
    at += n;
  }
  return {
    table: { rows, sequence, frame, label, features, featureNames: [...FEATURE_NAMES] },
    sequences,
    provenance: {
      source: "synthetic",
      dir: null,
      files: [],
      note: `SYNTHETIC data (seed ${seed}, ${falls} falls, ${adls} ADLs at ${fps} fps) — results say nothing about real falls`,
    },
  };
}
