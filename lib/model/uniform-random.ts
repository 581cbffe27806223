// tf.randomUniform's numbers without tensors: seedrandom's Alea (the generator tfjs-core seeds with
// String(seed)), so a Dropout mask can be drawn per batch in plain JS, bit for bit tfjs's.

/**
 * Johannes Baagøe's Mash hash, as seedrandom 3.0.5 (lib/alea.js) has it: its state n after hashing
 * `data`. A function of the state, not the original's closure over it: a closure's double was boxed
 * afresh at every step, garbage a batch where a Dropout mask is drawn.
 */
function mash(n: number, data: string): number {
  for (let i = 0; i < data.length; i++) {
    n += data.charCodeAt(i);
    let h = 0.02519603282416938 * n;
    n = h >>> 0;
    h -= n;
    h *= n;
    n = h >>> 0;
    h -= n;
    n += h * 0x100000000; // 2^32
  }
  return n;
}

/** Mash's output for state n. */
function mashValue(n: number): number {
  return (n >>> 0) * 2.3283064365386963e-10; // 2^-32
}

/** Alea's state after seeding as tfjs's UniformRandom does (a number seed becomes its string). */
export interface AleaState {
  s0: number;
  s1: number;
  s2: number;
  c: number;
}

export function aleaState(seed: number | string): AleaState {
  const s = String(seed);
  let n = mash(0xefc8249d, " ");
  let s0 = mashValue(n);
  n = mash(n, " ");
  let s1 = mashValue(n);
  n = mash(n, " ");
  let s2 = mashValue(n);
  n = mash(n, s);
  s0 -= mashValue(n);
  if (s0 < 0) s0 += 1;
  n = mash(n, s);
  s1 -= mashValue(n);
  if (s1 < 0) s1 += 1;
  n = mash(n, s);
  s2 -= mashValue(n);
  if (s2 < 0) s2 += 1;
  return { s0, s1, s2, c: 1 };
}

/** Alea seeded as tfjs's UniformRandom does; next() in [0, 1). */
export function alea(seed: number | string): () => number {
  let { s0, s1, s2, c } = aleaState(seed);
  return () => {
    const t = 2091639 * s0 + c * 2.3283064365386963e-10; // 2^-32
    s0 = s1;
    s1 = s2;
    return (s2 = t - (c = t | 0));
  };
}

/**
 * Dropout's multiplier floor(u + keep) / keep (float32 as tfjs's ops) for `out.length` draws after
 * skipping `skip`, Alea stepped in local variables: the closure above boxes a double per draw
 * (~20 ms for the original preset's three masks a batch of 64, against ~2 ms here).
 */
export function fillDropoutMultiplier(seed: number | string, skip: number, keep: number, out: Float32Array): void {
  let { s0, s1, s2, c } = aleaState(seed);
  const total = skip + out.length;
  for (let i = 0; i < total; i++) {
    const t = 2091639 * s0 + c * 2.3283064365386963e-10; // 2^-32
    s0 = s1;
    s1 = s2;
    c = t | 0;
    s2 = t - c;
    if (i >= skip) out[i - skip] = Math.fround(Math.floor(Math.fround(Math.fround(s2) + keep)) / keep);
  }
}
