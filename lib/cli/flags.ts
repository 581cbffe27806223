// Small command lines (validate, derive-dfcsv): a table of flags, each with its value parser.
import { UsageError } from "../pipeline/options";

export type FlagParser = (raw: string, flag: string) => string | number;

/** An integer in lo..hi. */
export const intFlag = (lo: number, hi: number): FlagParser => (raw, flag) => {
  if (!/^\d+$/.test(raw) || Number(raw) < lo || Number(raw) > hi) throw new UsageError(`${flag} expects an integer in ${lo}..${hi}, got "${raw}"`);
  return Number(raw);
};

/** Any non-empty text. */
export const textFlag: FlagParser = (raw, flag) => {
  if (raw === "") throw new UsageError(`${flag} expects a value`);
  return raw;
};

/**
 * Parse `--flag value` / `--flag=value` pairs into an object keyed by the table's keys; "help" for
 * --help or -h. Unknown, repeated and valueless flags are UsageErrors.
 */
export function parseFlags<K extends string>(argv: readonly string[], flags: Record<string, [K, FlagParser]>): Partial<Record<K, string | number>> | "help" {
  const got: Partial<Record<K, string | number>> = {};
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i];
    if (token === "--help" || token === "-h") return "help";
    const eq = token.indexOf("=");
    const flag = eq >= 0 ? token.slice(0, eq) : token;
    const spec = flags[flag];
    if (!spec) throw new UsageError(`unknown option "${token}" (see --help)`);
    if (spec[0] in got) throw new UsageError(`${flag} given twice`);
    if (eq < 0 && i + 1 >= argv.length) throw new UsageError(`${flag} expects a value`);
    got[spec[0]] = spec[1](eq >= 0 ? token.slice(eq + 1) : argv[++i], flag);
  }
  return got;
}
