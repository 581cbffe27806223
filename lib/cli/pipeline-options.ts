// Command-line options of `npm run pipeline`: one typed object, validated once, here.

export type ModelKind = "lstm" | "gru";
export type Mode = "synchronous" | "asynchronous" | "hogwild";
export type Frequency = "epoch" | "batch";

export interface PipelineOptions {
  data: string | null;
  model: ModelKind;
  mode: Mode;
  frequency: Frequency;
  workers: number;
  epochs: number;
  batchSize: number;
  window: number;
  stride: number;
  seed: number;
  folds: number | null;
  out: string | null;
}

export const DEFAULT_PIPELINE_OPTIONS: PipelineOptions = {
  data: null,
  model: "gru",
  mode: "synchronous",
  frequency: "epoch",
  workers: 2,
  epochs: 30,
  batchSize: 64,
  window: 32,
  stride: 4,
  seed: 1,
  folds: null,
  out: null,
};

/** Thrown for bad command lines; the CLI prints its one-line message and exits 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

interface OptionDoc {
  flag: string;
  key: keyof PipelineOptions;
  arg: string;
  help: string;
  parse: (raw: string, flag: string) => PipelineOptions[keyof PipelineOptions];
}

function positiveInt(raw: string, flag: string): number {
  if (!/^\d+$/.test(raw) || Number(raw) < 1) {
    throw new UsageError(`${flag} expects a positive integer, got "${raw}"`);
  }
  return Number(raw);
}

function nonNegativeInt(raw: string, flag: string): number {
  if (!/^\d+$/.test(raw)) throw new UsageError(`${flag} expects a non-negative integer, got "${raw}"`);
  return Number(raw);
}

function oneOf<T extends string>(values: readonly T[]) {
  return (raw: string, flag: string): T => {
    if (!(values as readonly string[]).includes(raw)) {
      throw new UsageError(`${flag} must be one of ${values.join("|")}, got "${raw}"`);
    }
    return raw as T;
  };
}

const text = (raw: string, flag: string): string => {
  if (raw === "") throw new UsageError(`${flag} expects a value`);
  return raw;
};

const OPTIONS: OptionDoc[] = [
  { flag: "--data", key: "data", arg: "DIR", help: "folder holding urfall-cam0-falls.csv and urfall-cam0-adls.csv (default: FALL_DATA_DIR, data/urfd, ../shared/data/urfd, else synthetic)", parse: text },
  { flag: "--model", key: "model", arg: "lstm|gru", help: "recurrent layer type", parse: oneOf<ModelKind>(["lstm", "gru"]) },
  { flag: "--mode", key: "mode", arg: "synchronous|asynchronous|hogwild", help: "data-parallel update rule", parse: oneOf<Mode>(["synchronous", "asynchronous", "hogwild"]) },
  { flag: "--frequency", key: "frequency", arg: "epoch|batch", help: "when workers exchange weights", parse: oneOf<Frequency>(["epoch", "batch"]) },
  { flag: "--workers", key: "workers", arg: "N", help: "worker threads", parse: positiveInt },
  { flag: "--epochs", key: "epochs", arg: "N", help: "training epochs", parse: positiveInt },
  { flag: "--batch-size", key: "batchSize", arg: "N", help: "mini-batch size per worker", parse: positiveInt },
  { flag: "--window", key: "window", arg: "T", help: "frames per window", parse: positiveInt },
  { flag: "--stride", key: "stride", arg: "S", help: "frames between window starts", parse: positiveInt },
  { flag: "--seed", key: "seed", arg: "N", help: "seed for splits, initialisation and shuffles", parse: nonNegativeInt },
  { flag: "--folds", key: "folds", arg: "K", help: "grouped K-fold cross-validation (every sequence predicted once, out of fold); K >= 2", parse: (raw, flag) => {
    const k = positiveInt(raw, flag);
    if (k < 2) throw new UsageError(`${flag} expects K >= 2, got ${k}`);
    return k;
  } },
  { flag: "--out", key: "out", arg: "DIR", help: "output folder (default runs/<timestamp>)", parse: text },
];

export function pipelineHelp(): string {
  const width = Math.max(...OPTIONS.map((o) => `${o.flag} ${o.arg}`.length));
  const lines = OPTIONS.map((o) => {
    const def = DEFAULT_PIPELINE_OPTIONS[o.key];
    const suffix = def === null ? "" : ` [default: ${def}]`;
    return `  ${`${o.flag} ${o.arg}`.padEnd(width)}  ${o.help}${suffix}`;
  });
  return [
    "Usage: npm run pipeline -- [options]",
    "Load URFD -> window -> split -> train data-parallel -> evaluate; writes metrics.json, report.html, the model and Arrow artifacts.",
    "",
    ...lines,
    `  ${"--help".padEnd(width)}  show this help`,
  ].join("\n");
}

/** Parse argv (without node and script). Returns "help" when --help was asked for. */
export function parsePipelineArgs(argv: readonly string[]): PipelineOptions | "help" {
  const out: PipelineOptions = { ...DEFAULT_PIPELINE_OPTIONS };
  const seen = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i];
    if (token === "--help" || token === "-h") return "help";
    const eq = token.indexOf("=");
    const flag = eq >= 0 ? token.slice(0, eq) : token;
    const doc = OPTIONS.find((o) => o.flag === flag);
    if (!doc) throw new UsageError(`unknown option "${token}" (see --help)`);
    if (seen.has(flag)) throw new UsageError(`${flag} given twice`);
    seen.add(flag);
    let raw: string;
    if (eq >= 0) raw = token.slice(eq + 1);
    else {
      if (i + 1 >= argv.length) throw new UsageError(`${flag} expects a value (${doc.arg})`);
      raw = argv[++i];
    }
    (out as unknown as Record<string, unknown>)[doc.key] = doc.parse(raw, flag);
  }
  return out;
}
