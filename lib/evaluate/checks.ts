// Input validation shared by the evaluation functions. Every public function checks its
// arguments here so a length mismatch or a diverged model (NaN probabilities) fails loudly
// instead of producing quietly wrong numbers.

/** Throws unless both arrays have the same length. */
export function checkSameLength(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  if (a.length !== b.length) {
    throw new RangeError(`${what}: length mismatch (${a.length} vs ${b.length})`);
  }
}

/** Throws unless every value is exactly 0 or 1. */
export function checkBinary(values: ArrayLike<number>, what: string): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== 0 && v !== 1) {
      throw new RangeError(`${what}: expected 0/1 values, got ${v} at index ${i}`);
    }
  }
}

/** Throws unless every value is a finite number (scores must be rankable). */
export function checkFinite(values: ArrayLike<number>, what: string): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      throw new RangeError(`${what}: non-finite score ${values[i]} at index ${i}`);
    }
  }
}

/** a / b with 0/0 (and x/0) defined as 0, so no NaN ever reaches a report or JSON file. */
export function safeDiv(a: number, b: number): number {
  return b === 0 ? 0 : a / b;
}
