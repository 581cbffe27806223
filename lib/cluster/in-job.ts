// The scheduler-first form: `mpirun -np R node dist/lib/cli/pipeline.js --cluster mpi --ranks R ...`
// (or srun): every rank runs the same program; rank 0 is the driver and trains its own share in its
// own process, ranks 1..R-1 serve (rank-main.ts serveRanks) until rank 0 says stop. The other ranks'
// progress is not streamed (rank 0's main thread may not call MPI while its threads average through
// it); their epoch results arrive with their reports at the end of each fit.
import * as os from "node:os";
import type { DistributedModel, FitData } from "../distributed/distributed-model";
import { loadMpi, MpiBinding } from "./mpi";
import type { ResolvedCluster } from "./launcher";
import { ClusterFitOptions, ClusterFitResult, makeJob, mergeEpoch, summarise } from "./job";
import { gatherReports, trainShare } from "./rank-main";
import { planShares, sendShare } from "./shares";
import { addEpochWeights, TAG, WeightAssembly } from "./protocol";
import { valFields } from "../distributed/metrics";

/** This process's rank when it was started as part of an MPI job (mpirun or srun), else null. */
export function jobRank(): number | null {
  const r = process.env.OMPI_COMM_WORLD_RANK ?? process.env.PMIX_RANK;
  return r === undefined ? null : Number(r);
}

let driver: MpiBinding | null = null;
let ended = false;

/** Rank 0 of a scheduler-started job: initialise MPI; at exit the other ranks are stopped (or, on failure, the job aborted). */
export function startJobDriver(): MpiBinding {
  if (driver) return driver;
  const mpi = loadMpi();
  mpi.init();
  if (mpi.rank() !== 0) throw new Error(`startJobDriver: this is rank ${mpi.rank()}; only rank 0 drives`);
  driver = mpi;
  process.on("exit", (code) => endJob(code === 0));
  return mpi;
}

/** Stop the serving ranks and finalize (ok), or abort the whole job (failure). Idempotent. */
export function endJob(ok: boolean): void {
  if (!driver || ended) return;
  ended = true;
  if (!ok) driver.abort(1);
  for (let r = 1; r < driver.size(); r++) driver.send(new Uint8Array(1), r, TAG.STOP);
  driver.finalize();
}

export async function fitInJob(model: DistributedModel, data: FitData, options: ClusterFitOptions, c: ResolvedCluster): Promise<ClusterFitResult> {
  const mpi = startJobDriver();
  if (c.ranks !== mpi.size()) throw new Error(`--ranks ${c.ranks} but this MPI job has ${mpi.size()} ranks`);
  if (c.sharedDir) throw new Error("a share folder is for jobs the driver starts; under a scheduler rank 0 sends each rank its share");
  await model.ready();
  const job = makeJob(model, data, options, c);
  const t0 = performance.now();
  const plan = planShares(job, data.x, data.y, model.getFlatWeights());
  // One share built at a time: this driver holds the data, plus the share it is sending.
  for (let r = 1; r < c.ranks; r++) sendShare(mpi, r, plan.share(r));
  const host = os.hostname();
  // Epoch-end weights are kept until the fit ends, when the other ranks' epoch figures arrive too.
  const epochWeights = new Map<number, WeightAssembly>();
  const { weights, report } = await trainShare(mpi, 0, host, plan.share(0), (line) => {
    if (line.type === "batch") options.onProgress?.({ type: "batch", worker: line.worker, epoch: line.epoch, batch: line.batch, batches: line.batches, loss: line.loss, acc: line.acc, samples: line.samples });
    if (line.type === "epochWeights") addEpochWeights(epochWeights, line, job.weightCount);
  });
  const reports = gatherReports(mpi, report);
  model.setFlatWeights(weights);
  const epochs = new Map<number, Map<number, (typeof report.epochs)[number]>>();
  for (const r of reports) for (const e of r.epochs) {
    const m = epochs.get(e.epoch) ?? new Map();
    m.set(e.worker, e);
    epochs.set(e.epoch, m);
  }
  for (const e of [...epochs.keys()].sort((a, b) => a - b)) {
    const m = mergeEpoch([...epochs.get(e)!.values()]);
    const v = valFields(m.val);
    options.onProgress?.({ type: "merged", epoch: e, loss: m.loss, acc: m.acc, samples: m.samples, ...v });
    if (options.onEpochEnd) {
      const w = epochWeights.get(e);
      if (!w?.complete) throw new Error(`rank 0 kept no weights for epoch ${e}: its epoch-end hook cannot run`);
      await options.onEpochEnd({ epoch: e, weights: w.weights, loss: m.loss, acc: m.acc, samples: m.samples, ...v });
    }
  }
  const hellos = new Map(reports.map((r) => [r.rank, { host: r.host, pid: r.pid, workers: r.workers.length }]));
  return summarise({ weights, reports, epochs, hellos }, c, mpi.version().split("\n")[0], (performance.now() - t0) / 1000, job.epochs - job.initialEpoch, job.config);
}
