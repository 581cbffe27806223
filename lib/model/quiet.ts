// tfjs warns on every orthogonal initialisation above 2,000 elements (our default GRU(32) already
// is one): drop just that message while a model is built, so notebooks and worker logs stay readable.

const ORTHOGONAL_WARNING = "Orthogonal initializer is being called on a matrix with more than";

/** Run `build` with console.warn filtered of the orthogonal-initialiser notice; restores it after. */
export function withoutOrthogonalWarning<T>(build: () => T): T {
  const original = console.warn;
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === "string" && args[0].startsWith(ORTHOGONAL_WARNING)) return;
    original.apply(console, args);
  };
  try {
    return build();
  } finally {
    console.warn = original;
  }
}
