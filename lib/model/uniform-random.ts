// tf.randomUniform's numbers without tensors: seedrandom's Alea (the generator tfjs-core seeds with
// String(seed)), so a Dropout mask can be drawn per batch in plain JS, bit for bit tfjs's.

/** Johannes Baagøe's Mash hash, as seedrandom 3.0.5 (lib/alea.js) has it. */
function mash(): (data: string) => number {
  let n = 0xefc8249d;
  return (data) => {
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
    return (n >>> 0) * 2.3283064365386963e-10; // 2^-32
  };
}

/** Alea's state after seeding as tfjs's UniformRandom does (a number seed becomes its string). */
export interface AleaState {
  s0: number;
  s1: number;
  s2: number;
  c: number;
}

export function aleaState(seed: number | string): AleaState {
  const m = mash();
  const s = String(seed);
  let s0 = m(" ");
  let s1 = m(" ");
  let s2 = m(" ");
  s0 -= m(s);
  if (s0 < 0) s0 += 1;
  s1 -= m(s);
  if (s1 < 0) s1 += 1;
  s2 -= m(s);
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
