// The small commands' flags: one table declares each flag to commander (FlagSpec) and checks its raw
// text (FlagParser) into a typed value, so a flag's name, help and check live in one row.
import { FlagSpec, RawFlags } from "../pipeline/command-line";
import { UsageError } from "../pipeline/options";

export type FlagParser = (raw: string, flag: string) => string | number;

/** A flag of a small command: `parse` checks a value; without `parse` and `arg` it is a switch (true when given). */
export interface FlagRule<K extends string> extends FlagSpec {
  key: K;
  parse?: FlagParser;
  required?: boolean;
}

/** An integer in lo..hi. */
export const intFlag = (lo: number, hi: number): FlagParser => (raw, flag) => {
  if (!/^\d+$/.test(raw) || Number(raw) < lo || Number(raw) > hi) throw new UsageError(`${flag} expects an integer in ${lo}..${hi}, got "${raw}"`);
  return Number(raw);
};

/** An integer >= 1. */
export const positiveIntFlag: FlagParser = (raw, flag) => {
  if (!/^\d+$/.test(raw) || Number(raw) < 1) throw new UsageError(`${flag} expects a positive integer, got "${raw}"`);
  return Number(raw);
};

/** A number of seconds > 0 (fractions allowed). */
export const secondsFlag: FlagParser = (raw, flag) => {
  const v = Number(raw);
  if (raw.trim() === "" || !(v > 0) || !Number.isFinite(v)) throw new UsageError(`${flag} expects a positive number of seconds, got "${raw}"`);
  return v;
};

/** Any non-empty text. */
export const textFlag: FlagParser = (raw, flag) => {
  if (raw === "") throw new UsageError(`${flag} expects a value`);
  return raw;
};

/** Check the given flags against the table: typed values keyed by the rules' keys; required ones missing are a UsageError. */
export function checkFlags<K extends string>(raw: RawFlags, rules: readonly FlagRule<K>[]): Partial<Record<K, string | number | boolean>> {
  const got: Partial<Record<K, string | number | boolean>> = {};
  for (const [flag, value] of raw) {
    const rule = rules.find((r) => r.flag === flag);
    if (!rule) continue; // -h/--help and flags the command declared beside the table
    got[rule.key] = value === true ? true : rule.parse ? rule.parse(value, flag) : value;
  }
  const missing = rules.filter((r) => r.required && !(r.key in got)).map((r) => r.flag);
  if (missing.length) throw new UsageError(`missing ${missing.join(", ")} (see --help)`);
  return got;
}
