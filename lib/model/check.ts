// Small checks for plain data read from JSON or passed by a notebook: each failure is a one-line
// TypeError naming the field (`where`) and what was wrong.

export type Plain = Record<string, unknown>;

export function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === "number" || typeof v === "boolean" || typeof v === "undefined") return String(v);
  return typeof v;
}

export function expectObject(v: unknown, where: string): Plain {
  if (typeof v !== "object" || v === null || Array.isArray(v)) {
    throw new TypeError(`${where} must be an object; got ${describe(v)}`);
  }
  return v as Plain;
}

export function rejectUnknownKeys(o: Plain, allowed: readonly string[], where: string): void {
  const extra = Object.keys(o).filter((k) => !allowed.includes(k));
  if (extra.length) throw new TypeError(`${where} has unknown key(s) ${extra.join(", ")}; allowed: ${allowed.join(", ")}`);
}

export function expectOneOf<T extends string>(v: unknown, options: readonly T[], where: string): T {
  if (typeof v !== "string" || !(options as readonly string[]).includes(v)) {
    throw new TypeError(`${where} must be one of ${options.map((s) => `'${s}'`).join(", ")}; got ${describe(v)}`);
  }
  return v as T;
}

export function expectInt(v: unknown, where: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in [${min}, ${max}]`;
    throw new TypeError(`${where} must be an integer ${range}; got ${describe(v)}`);
  }
  return v;
}

/** A finite number with min <= v (or < v when minExclusive) and v <= max (or < v when maxExclusive). */
export function expectNumber(
  v: unknown,
  where: string,
  range: { min?: number; max?: number; minExclusive?: boolean; maxExclusive?: boolean } = {},
): number {
  const { min = -Infinity, max = Infinity, minExclusive = false, maxExclusive = false } = range;
  const ok =
    typeof v === "number" &&
    Number.isFinite(v) &&
    (minExclusive ? v > min : v >= min) &&
    (maxExclusive ? v < max : v <= max);
  if (!ok) {
    const lo = min === -Infinity ? "" : `${minExclusive ? ">" : ">="} ${min}`;
    const hi = max === Infinity ? "" : `${maxExclusive ? "<" : "<="} ${max}`;
    const bounds = [lo, hi].filter(Boolean).join(" and ");
    throw new TypeError(`${where} must be a finite number${bounds ? ` ${bounds}` : ""}; got ${describe(v)}`);
  }
  return v;
}

export function optional<T>(o: Plain, key: string, check: (v: unknown, where: string) => T, where: string): T | undefined {
  return o[key] === undefined ? undefined : check(o[key], `${where}.${key}`);
}
