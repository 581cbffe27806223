// Self-contained pages: plotly.js inlined once, no network scripts, escaped tables.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { analyzeDom, checkHtmlPlots, CHROMIUM, findExternalScripts, reportProblems } from "../../lib/notebook/html-check";
import {
  PLOTLY_NOT_LOADED_MESSAGE,
  describeFigure,
  escapeInlineScript,
  figureHtml,
  jsonForScript,
  plotlyVersion,
  standaloneHtml,
  tableHtml,
  tableText,
  toPlainJson,
} from "../../lib/notebook/html-page";

const scatter = (n: number) => ({
  data: [{ type: "scatter", x: [1, 2, 3], y: new Float32Array([n, NaN, n + 1]), name: `</script><b>${n}</b>` }],
  layout: { title: { text: `figure ${n}` }, height: 300 },
});

function pageWithFigures(): string {
  return standaloneHtml({
    title: "Report <with> & tags",
    sections: [
      { heading: "Curves", text: "first & second", figures: [scatter(1), scatter(2)] },
      { heading: "Table", table: [{ name: "<img src=x onerror=alert(1)>", value: 0.123456789 }], figure: scatter(3) },
    ],
  });
}

test("standaloneHtml inlines plotly.js exactly once for several figures and loads nothing remote", () => {
  const html = pageWithFigures();
  const marker = `plotly.js v${plotlyVersion()}`;
  assert.equal(html.split(marker).length - 1, 1, "plotly.js bundle present once");
  assert.equal((html.match(/data-plotly-js=/g) ?? []).length, 1);
  assert.equal((html.match(/class="plotly-graph-div"/g) ?? []).length, 3);
  assert.deepEqual(findExternalScripts(html), []);
  assert.doesNotMatch(html, /<script[^>]*\bsrc\s*=\s*["']?(?:https?:)?\/\//i, "no http(s) script src");
  assert.match(html, /<title>Report &lt;with&gt; &amp; tags<\/title>/);
  assert.match(html, /&lt;img src=x onerror=alert\(1\)&gt;/, "table values escaped");
  assert.match(html, /<td>0\.123457<\/td>/);
});

test("figure JSON cannot close its <script>; typed arrays and NaN become plain JSON", () => {
  const div = figureHtml(scatter(1), { id: "p1" });
  const scripts = div.match(/<script[\s\S]*?<\/script>/g) ?? [];
  assert.equal(scripts.length, 1, "the name's </script> did not end the element early");
  assert.match(div, /"y":\[1,null,2\]/);
  assert.match(div, /\\u003c\/script>/);
  assert.deepEqual(toPlainJson({ a: new Int16Array([1, 2]), b: Infinity, c: undefined, d: new Date(0) }), {
    a: [1, 2],
    b: null,
    d: "1970-01-01T00:00:00.000Z",
  });
  assert.equal(jsonForScript({ s: "a\u2028b<" }), '{"s":"a\\u2028b\\u003c"}');
  assert.equal(escapeInlineScript('x = "</SCRIPT>"; y = "<!--"'), 'x = "<\\/SCRIPT>"; y = "<\\!--"');
  assert.equal(describeFigure(scatter(2)), 'plotly figure: 1 trace (scatter) "figure 2"');
  assert.throws(() => figureHtml({ data: [] }, { id: 'x" onload="bad' }), /simple identifier/);
});

test("page without figures does not carry plotly.js", () => {
  const html = standaloneHtml({ title: "t", sections: [{ text: "only text" }] });
  assert.doesNotMatch(html, /data-plotly-js/);
  assert.ok(html.length < 10_000);
});

test("tables from danfo-like frames, series, records; long tables elided", () => {
  const frame = { columns: ["a", "b"], values: [[1, "x"], [2.5, null]], index: [10, 11] };
  assert.equal(tableText(frame), "      a     b\n10    1     x\n11  2.5  null");
  const series = { columns: ["score"], values: [0.1, 0.2], index: ["s1", "s2"] };
  assert.match(tableHtml(series), /<th>score<\/th>.*<th>s1<\/th><td>0\.1<\/td>/s);
  const rows = Array.from({ length: 100 }, (_, i) => ({ i }));
  const text = tableText(rows, { maxRows: 6 });
  assert.equal(text.split("\n").length, 1 + 7 + 2);
  assert.match(text, /\[100 rows × 1 columns\]$/);
  assert.match(tableHtml(rows, { maxRows: 6 }), /100 rows × 1 columns/);
});

test("analyzeDom counts drawn plots, the not-loaded message and external scripts", () => {
  const dom = [
    '<html><head><script src="https://cdn.example.org/plotly.min.js"></script><script>var s = "<div class=\\"plotly-graph-div\\">";</script></head><body>',
    '<div id="a" class="plotly-graph-div js-plotly-plot" style="x"><div class="plot-container plotly"><svg class="main-svg"></svg></div></div>',
    '<div id="b" class="plotly-graph-div" style="height: auto;">',
    `<div class="plotly-not-loaded" style="color:red">${PLOTLY_NOT_LOADED_MESSAGE}</div></div>`,
    '<div id="c" class="plotly-graph-div"><div class="plotly-not-loaded">plot failed: Error: bad &lt;trace&gt;</div></div>',
    "</body></html>",
  ].join("\n");
  const r = analyzeDom(dom);
  assert.equal(r.containers, 3, "the string inside a script is not a container");
  assert.equal(r.drawn, 1);
  assert.equal(r.notLoaded, 1);
  assert.deepEqual(r.plotErrors, ["plot failed: Error: bad <trace>"]);
  assert.deepEqual(r.externalScripts, ["https://cdn.example.org/plotly.min.js"]);
  assert.equal(reportProblems(r).length, 4);
  assert.deepEqual(findExternalScripts('<script src="//cdn.x/y.js"></script><script src="local.js"></script>'), ["//cdn.x/y.js"]);
});

test("headless Chromium draws every plot of a standalone page, offline", { skip: !fs.existsSync(CHROMIUM) && `${CHROMIUM} not installed` }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "html-page-"));
  try {
    const good = path.join(dir, "good.html");
    fs.writeFileSync(good, pageWithFigures());
    const r = await checkHtmlPlots(good);
    assert.deepEqual({ containers: r.containers, drawn: r.drawn, externalScripts: r.externalScripts }, { containers: 3, drawn: 3, externalScripts: [] });

    // A plot whose plotly.js never arrives says so instead of staying blank.
    const bad = path.join(dir, "bad.html");
    fs.writeFileSync(bad, `<!DOCTYPE html><html><body>${figureHtml(scatter(1), { waitMs: 500 })}</body></html>`);
    const rb = await checkHtmlPlots(bad);
    assert.deepEqual([rb.containers, rb.drawn, rb.notLoaded], [1, 0, 1]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
