import { test } from "node:test";
import assert from "node:assert/strict";
import { validateConfig } from "../../lib/distributed/config";
import { modeAdvice } from "../../lib/pipeline/mode-advice";
import { modeRuleLine } from "../../lib/pipeline/mode-rules";
import { parsePipelineArgs, pipelineHelp, PipelineOptions, weightAveragingConfig } from "../../lib/pipeline/options";

const parse = (argv: string[]): PipelineOptions => {
  const o = parsePipelineArgs(argv);
  assert.ok(o !== "help");
  return o;
};
const rule = (o: PipelineOptions) => ({ frequency: o.frequency, push: o.push, lrScaling: o.lrScaling, warmupEpochs: o.warmupEpochs });

test("each weight and delta mode trains its rule that held at 8 workers unless its flags are given; gradients is untouched", () => {
  assert.deepEqual(rule(parse([])), { frequency: null, push: "deltas", lrScaling: "none", warmupEpochs: 0 }, "mode gradients has no rule options");
  assert.deepEqual(rule(parse(["--mode", "synchronous"])), { frequency: "batch", push: "deltas", lrScaling: "linear", warmupEpochs: 2 });
  assert.deepEqual(rule(parse(["--mode", "asynchronous"])), { frequency: null, push: "gradients", lrScaling: "none", warmupEpochs: 0 });
  assert.deepEqual(rule(parse(["--mode", "hogwild"])), { frequency: "batch", push: "deltas", lrScaling: "none", warmupEpochs: 0 });
  // The trainer takes each as it is (every batch; one Adam state for pushed gradients).
  for (const mode of ["synchronous", "asynchronous", "hogwild"]) {
    const c = validateConfig({ ...weightAveragingConfig(parse(["--mode", mode])), numWorkers: 8, batchSize: 64 });
    assert.equal(c.frequency, "batch", mode);
  }
});

test("a flag given beside the mode wins, and the rest of the rule follows it", () => {
  // Elephas's plain rules, one or two flags away.
  assert.deepEqual(rule(parse(["--mode", "synchronous", "--lr-scaling", "none", "--frequency", "epoch"])), { frequency: "epoch", push: "deltas", lrScaling: "none", warmupEpochs: 0 });
  assert.deepEqual(rule(parse(["--mode", "synchronous", "--lr-scaling", "none"])), { frequency: "batch", push: "deltas", lrScaling: "none", warmupEpochs: 0 }, "no warm-up without a scaled rate");
  assert.deepEqual(rule(parse(["--mode", "asynchronous", "--push", "deltas"])), { frequency: null, push: "deltas", lrScaling: "none", warmupEpochs: 0 });
  assert.deepEqual(rule(parse(["--mode", "hogwild", "--frequency", "epoch"])), { frequency: "epoch", push: "deltas", lrScaling: "none", warmupEpochs: 0 });
  // A partial rule: the given part, the mode's rest.
  assert.deepEqual(rule(parse(["--mode", "synchronous", "--frequency", "epoch"])), { frequency: "epoch", push: "deltas", lrScaling: "linear", warmupEpochs: 2 });
  assert.deepEqual(rule(parse(["--mode", "synchronous", "--lr-scaling", "sqrt", "--warmup-epochs", "5"])), { frequency: "batch", push: "deltas", lrScaling: "sqrt", warmupEpochs: 5 });
  // --frequency or --sync-every time an asynchronous worker's deltas: it pushes deltas then.
  assert.equal(parse(["--mode", "asynchronous", "--frequency", "batch"]).push, "deltas");
  assert.equal(parse(["--mode", "asynchronous", "--frequency", "batch", "--sync-every", "4"]).push, "deltas");
  assert.deepEqual(rule(parse(["--mode", "hogwild", "--push", "gradients"])), { frequency: "batch", push: "gradients", lrScaling: "none", warmupEpochs: 0 });
  // --sync-every needs batch exchanges, which synchronous and hogwild now have.
  assert.equal(parse(["--mode", "hogwild", "--sync-every", "4"]).syncEvery, 4);
  // A short run warms up over fewer epochs (the warm-up must end before the last).
  assert.equal(parse(["--mode", "synchronous", "--epochs", "2"]).warmupEpochs, 1);
  assert.equal(parse(["--mode", "synchronous", "--epochs", "1"]).warmupEpochs, 0);
});

test("the run says which rule it trains, the help gives each default by mode, and only the plain rules are warned of", () => {
  assert.equal(modeRuleLine(parse([])), null);
  assert.match(modeRuleLine(parse(["--mode", "synchronous"])) ?? "", /^mode synchronous: --frequency batch --lr-scaling linear --warmup-epochs 2 \(its default: .*Elephas's plain rule is --lr-scaling none --frequency epoch/);
  assert.match(modeRuleLine(parse(["--mode", "synchronous", "--lr-scaling", "none", "--frequency", "epoch"])) ?? "", /^mode synchronous with --frequency epoch --lr-scaling none --warmup-epochs 0 given \(its default --frequency batch/);
  assert.match(modeRuleLine(parse(["--mode", "asynchronous"])) ?? "", /^mode asynchronous: --push gradients \(its default/);
  assert.match(modeRuleLine(parse(["--mode", "hogwild", "--frequency", "epoch"])) ?? "", /^mode hogwild with --frequency epoch given/);
  assert.match(pipelineHelp(), /--lr-scaling none\|linear\|sqrt .*\[default: linear with --mode synchronous\]/);
  assert.match(pipelineHelp(), /--push deltas\|gradients .*\[default: gradients with --mode asynchronous/);
  for (const mode of ["synchronous", "asynchronous", "hogwild"]) assert.equal(modeAdvice(parse(["--mode", mode, "--workers", "8"])), null, mode);
  assert.match(modeAdvice(parse(["--mode", "synchronous", "--lr-scaling", "none", "--frequency", "epoch", "--workers", "8"])) ?? "", /^warning: .*leave out --lr-scaling and --frequency \(the mode's rule, --frequency batch --lr-scaling linear --warmup-epochs 2,/);
  assert.match(modeAdvice(parse(["--mode", "asynchronous", "--frequency", "epoch", "--workers", "8"])) ?? "", /^warning: --mode asynchronous .*leave out --frequency and --push \(the mode's rule, --push gradients,/);
  assert.match(modeAdvice(parse(["--mode", "hogwild", "--frequency", "epoch", "--workers", "8"])) ?? "", /^warning: --mode hogwild .*leave out --frequency \(the mode's rule, --frequency batch,/);
});
