// bench.json → the markdown tables printed by `npm run bench` (for the README).
import type { BenchResult } from "./run";
import { median, sig3 } from "./stats";

export { sig3 } from "./stats";

const num = (v: number | null | undefined, d = 0) => (v === null || v === undefined || !Number.isFinite(v) ? "–" : v.toFixed(d));
const x = (v: number | null | undefined) => (v === null || v === undefined || !Number.isFinite(v) ? "–" : `${v.toFixed(2)}×`);

/** Cores from a rate per wall second ÷ the same rate per CPU-second (bench.json files older than the cores fields). */
const coresFrom = (perSec: number | null | undefined, perCpuSec: number | null | undefined) => (perSec && perCpuSec ? perSec / perCpuSec : null);

export function benchMarkdown(b: BenchResult): string {
  const out: string[] = [];
  const m = b.machine;
  out.push(
    `Measured ${b.createdAt.slice(0, 10)} on ${m.cpus} CPUs (${m.cpuModel}${m.blasCore ? `; OpenBLAS's ${m.blasCore} kernels${m.blasCoreBy === "project" ? ", chosen by this project where OpenBLAS fell back to its generic ones" : m.blasCoreBy === "user" ? ", from OPENBLAS_CORETYPE" : ""}` : ""}), Node ${m.node}, tfjs backend ${m.backend}; ` +
      `load average at start ${m.loadavg.map((l) => l.toFixed(2)).join(" / ")}, at end ${m.loadavgEnd.map((l) => l.toFixed(2)).join(" / ")}` +
      `${b.quick ? " — QUICK settings, not for quoting" : ""}.`,
  );
  const s = b.settings;
  out.push(
    "",
    `Training: ${s.windows} URFD-shaped synthetic windows [${s.windowShape.join(", ")}], batch ${s.batchSize}, ${s.epochs} epochs a fit, ` +
      `${s.roundsRun} interleaved round(s)${s.roundsRun < s.rounds ? ` (of ${s.rounds} asked; the ${s.budgetSec} s time budget stopped the rest)` : ""}; windows/s are medians of the steady state (first epoch and worker startup excluded); ` +
      `speedup = 2-worker ÷ 1-worker rate from the same round, median over rounds. ` +
      `Training steps computed by: ${[...new Set(b.cases.map((c) => c.kernel))].join(", ") || "–"}.${
        b.settings.concurrentJit === undefined ? "" : b.settings.concurrentJit ? " V8 compiled on its helper threads (FALL_CONCURRENT_JIT=1)." : " V8 compiled on each worker's own thread (concurrent recompilation off)."
      }`,
    "",
  );
  const many = Math.max(...s.workerCounts);
  const cols = s.workerCounts.map((w) => `${w} worker${w > 1 ? "s" : ""} (win/s)`);
  out.push(`| Model | Mode | ${cols.join(" | ")} | Speedup 2/1 | Cores used, 1 / ${many} workers (other processes) | 1 worker: its threads' cores (the main thread's) | Overhead, ${many} workers (store + wait); after epoch 1 | Epoch s, ${many} workers |`);
  out.push(`|---|---|${s.workerCounts.map(() => "---:").join("|")}|---:|---:|---:|---:|---:|`);
  for (const model of s.models) {
    for (const setup of s.setups) {
      const cs = b.cases.filter((c) => c.model === model && c.setup === setup);
      if (!cs.length) continue;
      const at = (w: number) => cs.find((c) => c.workers === w);
      const top = at(many);
      out.push(
        `| ${model.toUpperCase()}(32) | ${setup} | ${s.workerCounts.map((w) => num(at(w)?.samplesPerSec)).join(" | ")} | ${x(b.speedupByModel[model]?.[setup])} | ` +
          `${num(at(1)?.ownCores, 2)} / ${num(top?.ownCores, 2)} (${num(at(1)?.otherCores, 2)} / ${num(top?.otherCores, 2)}) | ` +
          `${num(at(1)?.workerCores, 3)} (${num(at(1)?.mainCores, 3)}) | ` +
          `${num(top?.overheadPct, 1)}% (${num(top?.storePct, 2)}% + ${num(top?.waitPct, 1)}%); ${num(top?.steadyOverheadPct, 1)}% | ${num(top?.epochSec, 2)} |`,
      );
    }
  }
  out.push("", `Speedup pooled over models: ${Object.entries(b.speedup).map(([k, v]) => `${k} ${x(v)}`).join(", ")}` +
    ` (all epochs, startup excluded: ${Object.entries(b.speedupAllEpochs).map(([k, v]) => `${k} ${x(v)}`).join(", ")}; ` +
    `whole fit() call: ${Object.entries(b.speedupWall).map(([k, v]) => `${k} ${x(v)}`).join(", ")}). ` +
    `Steady windows per CPU-second, 2 workers ÷ 1 worker: ${Object.entries(b.perCpuEfficiency).map(([k, v]) => `${k} ${num(v, 2)}`).join(", ")} ` +
    `(1.00 = every core the workers obtained did a full single worker's work).` +
    (b.ceiling ? ` Machine ceiling in the same run: 2 independent processes, each a 1-worker trainer on half the windows (no shared weights, no barrier), ÷ 1 such process = ${x(b.ceiling.speedup)}.` : ""));

  out.push("", "| Backend | Model | Training win/s (main thread) | vs wasm (tfjs-layers) |", "|---|---|---:|---:|");
  for (const k of b.backends) {
    const wasm = b.backends.find((w) => w.backend === "wasm" && !w.variant && w.model === k.model)?.samplesPerSec ?? null;
    out.push(
      `| ${k.backend}${k.variant ? ` (${k.variant})` : ""}${k.kernel && !k.variant ? ", tfjs-layers" : ""} | ${k.model.toUpperCase()}(32) | ${k.skipped ? `skipped: ${k.skipped}` : num(k.samplesPerSec)} | ${k.samplesPerSec !== null && wasm ? x(k.samplesPerSec / wasm) : "–"} |`,
    );
  }

  out.push("");
  if (b.reference) {
    const r = b.reference;
    out.push(
      `PyTorch ${r.torch} reference (same model, Adam 1e-3, BCE, batch 64, ${s.windows} windows × ${s.epochs} epochs, steady state), BLAS: ${r.blas}` +
        `${r.blasAlternative ? ` (libblas.so.3 → ${r.blasAlternative})` : ""}:`,
      "",
      "| Model | main thread, tfjs-layers | main thread, fused kernel | 1 worker (kernel) | PyTorch 1 thread | PyTorch 1 thread: cores used (busy OS threads) | PyTorch 2 threads (OMP_WAIT_POLICY default / PASSIVE) | 1 worker ÷ PyTorch 1 thread |",
      "|---|---:|---:|---:|---:|---:|---:|---:|",
    );
    for (const [model, v] of Object.entries(r.byModel)) {
      out.push(
        `| ${model === "original" ? "Original preset (batch 64)" : `${model.toUpperCase()}(32)`} | ${num(v.tfjsMainThreadPerSec)} | ${num(v.fusedMainThreadPerSec)} | ${num(v.tfjs1WorkerPerSec)} (${v.kernel1Worker ?? "–"}) | ${num(v.torch1ThreadPerSec)} | ` +
          `${num(v.torch1ThreadCores ?? (model === "original" ? originalTorchCores(b) : torchCoresFromRuns(r.runs, model)), 2)} (${v.torch1ThreadBusyThreads ?? "–"}) | ${num(v.torch2ThreadsPerSec)} / ${num(v.torch2ThreadsPassivePerSec)} | ${num(v.ratio, 3)} |`,
      );
    }
    if (r.threadEnv) out.push("", `PyTorch's threads: ${Object.entries(r.threadEnv).map(([k, v]) => `${k}=${v}`).join(", ")} (set by lib/bench/torch_reference.py before torch is imported).`);
  } else {
    out.push(`PyTorch reference: skipped (${b.referenceSkipped ?? "not run"}).`);
  }

  const o = b.original;
  if (o) {
    out.push(
      "",
      `The original preset, ${o.model} (${o.params ?? "–"} parameters in PyTorch's copy), 1 worker (synchronous), ${o.cases[0]?.rows ?? "–"} token rows × ${o.cases[0]?.epochs ?? "–"} epochs, steady state; ` +
        `PyTorch ${o.torch ?? "–"} 1 thread on the same shapes (nn.${o.model.includes("GRU") ? "GRU" : "LSTM"}: tanh/sigmoid instead of relu/hard-sigmoid, the same products)` +
        `${o.torchSkipped ? ` — PyTorch skipped: ${o.torchSkipped}` : ""}. GFLOP/s count ${num(o.flopsPerRow / 1e6, 1)} MFLOP a row (bench.json flops.assumption).`,
      "",
      "| Batch | 1 worker rows/s (kernel) | GFLOP/s | cores used (other processes) | PyTorch 1 thread rows/s | PyTorch GFLOP/s | PyTorch cores used (busy OS threads) | 1 worker ÷ PyTorch | same, per CPU-second |",
      "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    );
    for (const c of o.cases) {
      out.push(`| ${c.batchSize} | ${num(c.rowsPerSec)} (${c.kernel}) | ${num(c.gflopsPerSec, 1)} | ${num(c.ownCores, 2)} (${num(c.otherCores, 2)}) | ${num(c.torch1ThreadPerSec)} | ${num(c.torchGflopsPerSec, 1)} | ${num(c.torchCores ?? coresFrom(c.torch1ThreadPerSec, c.torchRowsPerCpuSec), 2)} (${c.torchBusyThreads ?? "–"}) | ${num(c.ratio, 2)} | ${num(c.ratioPerCpuSec, 2)} (${num(c.rowsPerCpuSec)} vs ${num(c.torchRowsPerCpuSec)}) |`);
    }
  }

  const i = b.inference;
  if (i) {
    out.push(
      "",
      `Inference of the trained ${i.model}, ${i.backend}:`,
      "",
      "| Measure | Value |",
      "|---|---:|",
      `| model.predict, ${i.windows} windows, batch ${i.predictBatchSize} (main thread) | ${num(i.batchPerSec)} win/s |`,
      `| DistributedModel.predict, ${i.workers} workers (fused kernel where built; worker startup included) | ${num(i.distributedPerSec)} win/s |`,
      `| One window, p50 / p99 (${i.latencyRuns} runs after warm-up) | ${num(i.p50Ms, 2)} / ${num(i.p99Ms, 2)} ms |`,
    );
    if (i.fused) {
      out.push(
        `| fused kernel forward, ${i.windows} windows, batch ${i.predictBatchSize} (main thread) | ${num(i.fused.batchPerSec)} win/s |`,
        `| fused kernel forward, one window, p50 / p99 | ${num(i.fused.p50Ms, 2)} / ${num(i.fused.p99Ms, 2)} ms |`,
      );
    } else out.push(`| fused kernel forward | skipped: ${i.fusedSkipped ?? "not run"} |`);
    const st = i.streaming;
    if (st) {
      const ms2 = (p50: number | null | undefined, p99: number | null | undefined) => `${sig3(p50)} / ${sig3(p99)} ms`;
      out.push(`| Streaming, StreamingDetector (${st.statefulKernel}${st.statefulKernelNote ? `: ${st.statefulKernelNote}` : ""}), per frame p50 / p99 | ${ms2(st.statefulP50Ms, st.statefulP99Ms)} |`);
      if (st.tfjsStatefulP50Ms !== undefined) out.push(`| Streaming, the same detector on its tfjs-layers stateful copy, per frame p50 / p99 | ${ms2(st.tfjsStatefulP50Ms, st.tfjsStatefulP99Ms)} |`);
      const h = st.shipped;
      const sw = (d: { members: number; T: number; secondWindow?: { T: number; members: number; rule: string; hold: number; level?: number } }) =>
        d.secondWindow ? `${d.members} + ${d.secondWindow.members} members, T ${d.T} and ${d.secondWindow.T}, ${d.secondWindow.rule} held ${d.secondWindow.hold} frames${d.secondWindow.level !== undefined ? ` at ${d.secondWindow.level}` : ""}` : `${d.members} members, T ${d.T}`;
      if (h) {
        out.push(
          `| Streaming, shipped FallDetector (${sw(h)}, stride ${h.stride}, smooth ${h.smooth}, ${h.kernel}${h.kernelNote ? `: ${h.kernelNote}` : ""}), per frame p50 / p99 | ${ms2(h.perFrameP50Ms, h.perFrameP99Ms)} (mean ${sig3(h.perFrameMeanMs)}) |`,
          `| Streaming, shipped FallDetector, the ${h.scoredWindows} frames that scored a window, p50 / p99 | ${ms2(h.scoredWindowP50Ms, h.scoredWindowP99Ms)} |`,
        );
      } else if (st.shippedSkipped !== undefined) out.push(`| Streaming, shipped FallDetector | skipped: ${st.shippedSkipped ?? "not run"} |`);
      const one = st.shippedOneWindow;
      if (one) out.push(`| Streaming, the same without its second window (--second-window none: ${sw(one)}), per frame p50 / p99 | ${ms2(one.perFrameP50Ms, one.perFrameP99Ms)} (mean ${sig3(one.perFrameMeanMs)}) |`);
      else if (st.shippedOneWindowSkipped) out.push(`| Streaming, the same without its second window | skipped: ${st.shippedOneWindowSkipped} |`);
      if (st.windowedP50Ms !== null) out.push(`| Streaming, last-T window re-scored (WindowedStream), per frame p50 / p99 | ${ms2(st.windowedP50Ms, st.windowedP99Ms)} |`);
    } else out.push(`| Streaming per frame | skipped: ${i.streamingSkipped} |`);
  }
  out.push("", ...clusterMarkdown(b));
  return out.join("\n");
}

/** Median cores of a model's 1-thread PyTorch runs, from their rates (bench.json files older than torch1ThreadCores). */
function torchCoresFromRuns(runs: NonNullable<BenchResult["reference"]>["runs"], model: string): number | null {
  const cores = runs.filter((x) => x.kind === model && x.threads === 1 && x.ompWaitPolicy === "default").flatMap((x) => {
    const c = x.steadyCores ?? coresFrom(x.steadySamplesPerSec, x.steadyCpuSamplesPerSec);
    return c === null ? [] : [c];
  });
  return cores.length ? median(cores) : null;
}

/** The original preset's PyTorch cores at batch 64, from its rates (bench.json files older than torchCores). */
function originalTorchCores(b: BenchResult): number | null {
  const c = b.original?.cases.find((x) => x.batchSize === 64);
  return c ? (c.torchCores ?? coresFrom(c.torch1ThreadPerSec, c.torchRowsPerCpuSec)) : null;
}

function clusterMarkdown(b: BenchResult): string[] {
  const c = b.cluster;
  if (!c) return [b.clusterFailed ? `Cluster (Open MPI): **failed** (${b.clusterFailed}).` : `Cluster (Open MPI): skipped (${b.clusterSkipped ?? "not run"}).`];
  const ms = (row: { results: { kind: string; floats: number; medianMs: number; maxMs: number }[] }, kind: string, floats: number) => {
    const t = row.results.find((r) => r.kind === kind && r.floats === floats);
    return t ? `${num(t.medianMs, 2)} (max ${num(t.maxMs, 1)})` : "–";
  };
  const out = [
    `Cluster: one cross-rank exchange, median ms over repetitions (rank 0's clock after a barrier): synchronous = weighted allreduce of the weights, gradients = the in-order chain of the 8 slots + broadcast (before 2026-12-03 also an allreduce of 8 row counts).` +
      `${c.simulatedHostsSkipped ? ` Simulated hosts skipped: ${c.simulatedHostsSkipped}.` : ""}`,
    "",
    `| Where | Ranks | weights, default (${c.sizes.default}) | gradients, default | weights, original preset (${c.sizes.original}) | gradients, preset |`,
    "|---|---:|---:|---:|---:|---:|",
    ...c.exchange.map((r) => `| ${r.where} | ${r.ranks} | ${ms(r, "weights", c.sizes.default)} | ${ms(r, "gradients", c.sizes.default)} | ${ms(r, "weights", c.sizes.original)} | ${ms(r, "gradients", c.sizes.original)} |`),
    "",
    `Exchange share of an epoch, default model (${c.steadyState}):`,
    "",
    "| Mode | Where | Exchanges an epoch | ms each | epoch s | share |",
    "|---|---|---:|---:|---:|---:|",
    ...c.share.map((r) => `| ${r.mode} | ${r.where} | ${r.exchangesPerEpoch} | ${num(r.exchangeMs, 2)} | ${num(r.epochSec, 2)} | ${num(r.pct, 2)}% |`),
    ...(c.networkCost?.length
      ? [
          "",
          `What the ${c.rateMbit} Mbit/s links cost a whole epoch (the same ranks on simulated hosts and on one host; a hop overlaps the next rank's work in training):`,
          "",
          "| Mode | Ranks | epoch s, simulated hosts | epoch s, one host | links' share |",
          "|---|---:|---:|---:|---:|",
          ...c.networkCost.map((r) => `| ${r.mode} | ${r.ranks} | ${num(r.linkedSec, 3)} | ${num(r.localSec, 3)} | ${num(r.pct, 1)}% |`),
        ]
      : []),
    "",
    "Time per epoch and peak memory per rank (URFD-shaped synthetic windows [32, 24], LSTM(32), batch 64):",
    "",
    "| Setup | Data | Windows | s an epoch | peak RSS per rank, MB | training windows held per rank |",
    "|---|---:|---:|---:|---|---|",
    ...c.epochs.map((e) => `| ${e.setup} | ${e.scale}× | ${e.windows} | ${num(e.secPerEpoch, 2)} | ${e.peakRssMbPerRank?.join(" / ") ?? "(one process)"} | ${e.heldRowsPerRank?.join(" / ") ?? "(one process)"} |`),
  ];
  return out;
}

// The tables of a saved bench.json, without running anything: node dist/lib/bench/markdown.js FILE
if (require.main === module) {
  const file = process.argv[2];
  if (!file) {
    console.error("usage: node dist/lib/bench/markdown.js BENCH_JSON");
    process.exit(2);
  }
  import("node:fs").then((fs) => console.log(benchMarkdown(JSON.parse(fs.readFileSync(file, "utf8")) as BenchResult)));
}
