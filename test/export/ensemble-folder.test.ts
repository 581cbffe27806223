// An --ensemble model folder is recognised by its member-N subfolders; a gap is a one-line error.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ensembleMemberDirs, memberDir } from "../../lib/export/ensemble-folder";
import { loadSavedDetector } from "../../lib/export/saved-model";
import { StreamingDetector, WindowedStream } from "../../lib/streaming";

test("ensembleMemberDirs: members in numeric order, [] for a single model, a gap refused", async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "ensemble-folder-"));
  try {
    const single = path.join(root, "single");
    fs.mkdirSync(single);
    fs.writeFileSync(path.join(single, "model.json"), "{}");
    assert.deepEqual(ensembleMemberDirs(single), []);
    const ens = path.join(root, "ens");
    for (const m of [1, 2, 10, 3, 4, 5, 6, 7, 8, 9]) fs.mkdirSync(memberDir(ens, m), { recursive: true });
    assert.deepEqual(ensembleMemberDirs(ens).map((d) => path.basename(d)), Array.from({ length: 10 }, (_, i) => `member-${i + 1}`));
    fs.rmSync(memberDir(ens, 2), { recursive: true });
    assert.throws(() => ensembleMemberDirs(ens), new RegExp(`^Error: ${ens}: ensemble members must be member-1 \\.\\.\\. member-N; member-2 is missing$`));
    await assert.rejects(loadSavedDetector(ens), (e: Error) => e.message.startsWith(`${ens}: ensemble members`) && !e.message.includes("\n"));
    fs.mkdirSync(memberDir(ens, 2));
    for (const load of [StreamingDetector.fromDir, WindowedStream.fromDir]) {
      await assert.rejects(load(ens), (e: Error) => /holds an ensemble of 10 models \(member-1 \.\.\. member-10\); \w+ runs one model: give one member folder/.test(e.message));
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
