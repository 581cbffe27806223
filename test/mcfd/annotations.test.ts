import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  MCFD_FILES,
  RECONCILIATION_NOTE,
  compareTranscriptions,
  delaySignEvidence,
  fallIntervals,
  loadMcfdAnnotations,
  readFallGcn,
} from "../../lib/mcfd";
import { fakeDelay, fakeReference, fakeSources, realDir, skipReal, writeFakeDir } from "./fixtures";

const iv = (...pairs: [number, number][]) => pairs.map(([start, end]) => ({ start, end }));

// ---------------------------------------------------------------- the real transcriptions

test("real folder: 24 chutes x 8 cams, every chute 1-23 has a fall on every camera, chute 24 none", { skip: skipReal }, () => {
  const t = loadMcfdAnnotations(realDir);
  assert.equal(t.length, 24 * 8);
  t.forEach((a, i) => {
    assert.equal(a.chute, Math.floor(i / 8) + 1);
    assert.equal(a.cam, (i % 8) + 1);
    if (a.chute === 24) assert.deepEqual(a.falls, [], `chute 24 cam ${a.cam}`);
    else assert.ok(a.falls.length >= 1, `chute ${a.chute} cam ${a.cam} has no fall`);
    for (const f of a.falls) assert.ok(f.start >= 0 && f.end >= f.start);
  });
  // Two falls: chute 23 in both sources, chute 4 added from fallGCN.
  assert.deepEqual([...new Set(t.filter((a) => a.falls.length === 2).map((a) => a.chute))], [4, 23]);
});

test("real folder: reconciled values of known entries (reference + Núñez delay)", { skip: skipReal }, () => {
  const t = loadMcfdAnnotations(realDir);
  const at = (s: number, c: number) => fallIntervals(s, c, t);
  assert.deepEqual(at(1, 1), iv([1083, 1111])); // reference 1080-1108, delay 3
  assert.deepEqual(at(1, 5), iv([1103, 1131])); // delay 23
  assert.deepEqual(at(2, 3), iv([375, 399])); // delay 0: the reference itself
  assert.deepEqual(at(6, 2), iv([683, 729])); // 583-629 + 100
  assert.deepEqual(at(23, 8), iv([1520, 1595], [3574, 3614])); // delay 0, two falls
  assert.deepEqual(at(4, 4), iv([288, 314], [601, 638])); // fallGCN's second fall added
  assert.deepEqual(at(4, 1), iv([360, 386], [673, 710]));
  assert.deepEqual(at(5, 5), iv([498, 523])); // Núñez's 187 kept (fallGCN: 18)
  assert.deepEqual(at(5, 8), iv([311, 336])); // Núñez's 0 kept (fallGCN: 28)
  assert.deepEqual(at(12, 2), iv([621, 669])); // Núñez's 16 kept (fallGCN: 6)
  assert.deepEqual(at(24, 6), []);
});

test("real folder: with delaySign -1 the table equals fallGCN's except the five delay-value conflicts", { skip: skipReal }, () => {
  const t = loadMcfdAnnotations(realDir, { delaySign: -1 });
  assert.deepEqual(fallIntervals(1, 1, t), iv([1077, 1105]));
  assert.deepEqual(fallIntervals(4, 1, t), iv([216, 242], [529, 566]));
  const gcn = readFallGcn(realDir);
  const differ: string[] = [];
  for (const a of t) {
    const rows = gcn.rows.get(`${a.chute}/${a.cam}`) ?? [];
    const falls = rows.filter((r) => r.label === 1).map((r) => ({ start: r.start, end: r.end }));
    if (JSON.stringify(falls) !== JSON.stringify(a.falls)) differ.push(`${a.chute}/${a.cam}`);
  }
  assert.deepEqual(differ, ["5/5", "5/6", "5/7", "5/8", "12/2"]);
});

test("real folder: the sign evidence matches the numbers quoted in RECONCILIATION_NOTE", { skip: skipReal }, () => {
  const e = delaySignEvidence(realDir);
  assert.deepEqual(e, {
    pairs: 192,
    subtractMatches: 179,
    addMatches: 31,
    informativePairs: 159,
    subtractMatchesInformative: 148,
    addMatchesInformative: 0,
    fallGcnSign: -1,
  });
  assert.match(RECONCILIATION_NOTE, /179 of 192/);
  assert.match(RECONCILIATION_NOTE, /148 of the 159/);
});

test("real folder: compareTranscriptions reports chute 5 cam 5 and every other conflict", { skip: skipReal }, () => {
  const d = compareTranscriptions(realDir);
  const c55 = d.filter((x) => x.chute === 5 && x.cam === 5);
  const dv = c55.find((x) => x.kind === "delay-value");
  assert.ok(dv, "chute 5 cam 5 delay-value missing");
  assert.deepEqual([dv.nunez, dv.fallGcn], [[187], [18]]);
  assert.match(dv.detail, /187.*18/);
  // What each project's code puts into chute 5 cam 5's video: 311+187 vs 311-18.
  const sign55 = c55.find((x) => x.kind === "delay-sign");
  assert.deepEqual([sign55?.nunez, sign55?.fallGcn], [[498, 523], [293, 318]]);

  const nonSign = d.filter((x) => x.kind !== "delay-sign").map((x) => `${x.kind} ${x.chute}/${x.cam}: ${x.nunez} | ${x.fallGcn}`);
  assert.deepEqual(nonSign, [
    "fall-intervals 4/null: 288,314 | 288,314,601,638",
    "delay-value 5/5: 187 | 18",
    "delay-value 5/6: 26 | 7",
    "delay-value 5/7: 28 | 26",
    "delay-value 5/8: 0 | 28",
    "delay-value 12/2: 16 | 6",
  ]);
  // The sign differs wherever it matters (a fall and a non-zero Núñez delay).
  assert.equal(d.filter((x) => x.kind === "delay-sign").length, 159);
});

test("fallIntervals validates its arguments", { skip: skipReal }, () => {
  const t = loadMcfdAnnotations(realDir);
  assert.throws(() => fallIntervals(0, 1, t), /chute must be an integer 1\.\.24/);
  assert.throws(() => fallIntervals(3, 9, t), /cam must be an integer 1\.\.8/);
  assert.throws(() => fallIntervals(3, 1, []), /no annotation for chute 3 cam 1/);
  // Default table (the real folder) gives the same answer.
  assert.deepEqual(fallIntervals(1, 1), iv([1083, 1111]));
  // Returned intervals are copies.
  fallIntervals(1, 1, t)[0].start = -5;
  assert.equal(fallIntervals(1, 1, t)[0].start, 1083);
});

// ---------------------------------------------------------------- fake folders (always run)

test("fake folder: reconciliation finds fallGCN's sign, a delay typo and an extra fall", () => {
  const base = fakeSources((s, c) => (s === 7 && c === 2 ? fakeDelay(s, c) + 5 : fakeDelay(s, c)));
  const dir = writeFakeDir({}, base);
  const e = delaySignEvidence(dir);
  assert.equal(e.fallGcnSign, -1);
  assert.equal(e.addMatchesInformative, 0);
  const d = compareTranscriptions(dir);
  const typo = d.filter((x) => x.kind === "delay-value");
  assert.deepEqual(
    typo.map((x) => [x.chute, x.cam, x.nunez[0], x.fallGcn[0]]),
    [[7, 2, fakeDelay(7, 2), fakeDelay(7, 2) + 5]],
  );
  assert.equal(d.filter((x) => x.kind === "fall-intervals" || x.kind === "fallgcn-files" || x.kind === "missing").length, 0);
  const t = loadMcfdAnnotations(dir);
  const [a, b] = fakeReference(3);
  assert.deepEqual(fallIntervals(3, 1, t), iv([a[0] + fakeDelay(3, 1), a[1] + fakeDelay(3, 1)], [b[0] + fakeDelay(3, 1), b[1] + fakeDelay(3, 1)]));
  assert.deepEqual(fallIntervals(24, 1, t), []);

  // An extra fall only in fallGCN is reported per chute and added to the table.
  const extra = fakeSources();
  const ann = JSON.parse(extra.annotations);
  ann.scenario3 = { reference: 11, start: [103], end: [123] };
  const dir2 = writeFakeDir({ annotations: JSON.stringify(ann) }, extra);
  const d2 = compareTranscriptions(dir2).filter((x) => x.kind === "fall-intervals");
  assert.deepEqual(d2.map((x) => [x.chute, x.cam, x.nunez, x.fallGcn]), [[3, null, [103, 123], [103, 123, 400, 430]]]);
  assert.equal(loadMcfdAnnotations(dir2).find((x) => x.chute === 3 && x.cam === 8)?.falls.length, 2);
});

test("fake folder: labels vs combines mismatch and missing cameras are reported", () => {
  const base = fakeSources();
  const comb = base.combines.split("\n").filter((l) => !l.startsWith("9,4,")).join("\n");
  const labels = base.labels.split("\n").filter((l) => !l.startsWith("10,2,")).join("\n");
  const d = compareTranscriptions(writeFakeDir({ combines: comb, labels }));
  const kinds = d.filter((x) => x.kind !== "delay-sign").map((x) => `${x.kind} ${x.chute}/${x.cam}`);
  assert.deepEqual(kinds, ["fallgcn-files 9/4", "fallgcn-files 10/2", "missing 10/2"]);
});

// ---------------------------------------------------------------- malformed inputs

function expectFileError(overrides: Parameters<typeof writeFakeDir>[0], file: string, problem: RegExp): void {
  const dir = writeFakeDir(overrides);
  const path = join(dir, file);
  assert.throws(
    () => loadMcfdAnnotations(dir),
    (e: Error) => {
      assert.ok(e.message.includes(path), `message does not name ${path}: ${e.message}`);
      assert.match(e.message, problem);
      return true;
    },
  );
}

test("malformed Núñez annotations JSON: errors name the file and the problem", () => {
  const f = MCFD_FILES.nunezAnnotations;
  expectFileError({ annotations: '{"scenario1": {' }, f, /invalid JSON/);
  expectFileError({ annotations: "[]" }, f, /top level must be an object/);
  const ann = JSON.parse(fakeSources().annotations);
  delete ann.scenario7;
  expectFileError({ annotations: JSON.stringify(ann) }, f, /missing scenario7/);
  const ann2 = JSON.parse(fakeSources().annotations);
  ann2.scenario2.end = [];
  expectFileError({ annotations: JSON.stringify(ann2) }, f, /scenario2: 1 start frame\(s\) but 0 end frame\(s\)/);
  const ann3 = JSON.parse(fakeSources().annotations);
  ann3.scenario4.start = [-3];
  expectFileError({ annotations: JSON.stringify(ann3) }, f, /scenario4\.start\[0\] must be a non-negative integer, got -3/);
  const ann4 = JSON.parse(fakeSources().annotations);
  ann4.scenario5 = { reference: 1, start: [200], end: [150] };
  expectFileError({ annotations: JSON.stringify(ann4) }, f, /scenario5: end 150 is before start 200/);
  const ann5 = JSON.parse(fakeSources().annotations);
  ann5.scenario25 = ann5.scenario1;
  expectFileError({ annotations: JSON.stringify(ann5) }, f, /unexpected key\(s\) "scenario25"/);
});

test("malformed Núñez delays JSON: errors name the file and the problem", () => {
  const f = MCFD_FILES.nunezDelays;
  expectFileError({ delays: "not json" }, f, /invalid JSON/);
  const del = JSON.parse(fakeSources().delays);
  del.camera3["5"] = 2.5;
  expectFileError({ delays: JSON.stringify(del) }, f, /camera3\["5"\] must be a non-negative integer, got 2\.5/);
  const del2 = JSON.parse(fakeSources().delays);
  delete del2.camera8;
  expectFileError({ delays: JSON.stringify(del2) }, f, /missing camera8/);
  const del3 = JSON.parse(fakeSources().delays);
  delete del3.camera2["24"];
  expectFileError({ delays: JSON.stringify(del3) }, f, /camera2: missing 24/);
});

test("malformed fallGCN CSV: errors name file:line and the problem", () => {
  const f = MCFD_FILES.fallGcnLabels;
  const good = fakeSources().labels.split("\n");
  const withLine = (i: number, text: string) => good.map((l, j) => (j === i ? text : l)).join("\n");
  expectFileError({ labels: withLine(0, "chute;cam;start;end;label") }, `${f}:1`, /header must be chute,cam,start,end,label/);
  expectFileError({ labels: withLine(3, "1,1,abc,60,0") }, `${f}:4`, /start is not an integer: "abc"/);
  expectFileError({ labels: withLine(3, "1,1,60,70") }, `${f}:4`, /expected 5 columns, got 4/);
  expectFileError({ labels: withLine(3, "1,1,60,70,2") }, `${f}:4`, /label must be 0 or 1, got 2/);
  expectFileError({ labels: withLine(3, "1,9,60,70,0") }, `${f}:4`, /cam must be 1\.\.8, got 9/);
  expectFileError({ labels: withLine(3, "1,1,70,60,0") }, `${f}:4`, /end 60 is before start 70/);
  expectFileError({ labels: "chute,cam,start,end,label\n" }, f, /no data rows/);
  expectFileError({ labels: "" }, f, /file is empty/);
  // A chute/cam block that reappears later.
  expectFileError({ labels: good.join("\n") + "1,1,9000,9001,0\n" }, f, /chute 1 cam 1 reappears/);
  // The optional combines file is validated too.
  expectFileError({ combines: "chute,cam,start,end,label\n1,1,5,x,0\n" }, `${MCFD_FILES.fallGcnCombines}:2`, /end is not an integer/);
});

test("a missing file is an error naming it", () => {
  const dir = writeFakeDir();
  assert.throws(() => loadMcfdAnnotations(join(dir, "nowhere")), /nowhere[\\/]nunez-annotations_multicam\.json: cannot read file \(ENOENT\)/);
});

test("delaySign is validated", () => {
  const dir = writeFakeDir();
  assert.throws(() => loadMcfdAnnotations(dir, { delaySign: 0 as unknown as 1 }), /delaySign must be 1 or -1/);
});
