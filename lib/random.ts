// Seeded randomness: every split, generator and initialiser in the project draws from here so
// a seed reproduces a run exactly.

/** mulberry32: small, fast, good enough for shuffles and synthetic data. Returns [0, 1). */
export function createRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal draw (Box–Muller) from a uniform source. */
export function gaussian(rng: () => number): number {
  let u = 0;
  while (u === 0) u = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

/** Fisher–Yates shuffle in place (an array or a typed array); returns the same object. */
export function shuffleInPlace<A extends { length: number; [i: number]: unknown }>(items: A, rng: () => number): A {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    // A temporary, not [a, b] = [b, a]: that made two arrays a swap in a worker's every epoch.
    const t = items[i];
    items[i] = items[j];
    items[j] = t;
  }
  return items;
}

/** `into` filled with 0..n−1 and, when `shuffle`, shuffled on `seed`: an epoch's row order, made in place without garbage. */
export function shuffledOrder(into: Int32Array, shuffle: boolean, seed: number): Int32Array {
  for (let i = 0; i < into.length; i++) into[i] = i;
  return shuffle ? shuffleInPlace(into, createRng(seed)) : into;
}
