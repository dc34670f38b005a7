import assert from "node:assert/strict";
import { decode } from "fast-png";
import {
  display,
  displayTable,
  escapeHtml,
  mimeBundle,
  renderSvg,
  resultsTable,
  tableHtml,
  tableText,
  trainingCurves,
  VEGA_LITE_MIME,
} from "../lib/plot/mod.ts";

const spec = trainingCurves(
  [{ name: "C1", steps: [0, 1, 2], mean: [1, 0.5, 0.25], std: [0.1, 0.1, 0.1] }],
  { metric: "loss", title: "curves" },
);

Deno.test("mimeBundle: vega-lite JSON, a PNG of it and a text fallback, no SVG", async () => {
  const bundle = await mimeBundle(spec);
  assert.equal(VEGA_LITE_MIME, "application/vnd.vegalite.v5+json");
  // No image/svg+xml: nbconvert 6 would prefer it to the PNG and strip it to a blank box.
  assert.deepEqual(Object.keys(bundle).sort(), [VEGA_LITE_MIME, "image/png", "text/plain"]);
  assert.equal(bundle[VEGA_LITE_MIME], spec);
  const png = decode(Uint8Array.from(atob(bundle["image/png"] as string), (c) => c.charCodeAt(0)));
  const svg = await renderSvg(spec);
  assert.equal(png.width, Number(svg.match(/width="(\d+)"/)![1]), "the PNG is the SVG's size");
  assert.equal(bundle["text/plain"], "<vega-lite plot: curves>");
});

Deno.test("renderSvg: two renders never share an id (SVGs are inlined side by side)", async () => {
  const clipped = {
    mark: { type: "bar", clip: true },
    data: { values: [{ a: "x", b: 1 }] },
    encoding: { x: { field: "a", type: "nominal" }, y: { field: "b", type: "quantitative" } },
  };
  const one = await renderSvg(clipped);
  const two = await renderSvg(clipped);
  assert.match(one, /^<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  const ids = (s: string) => [...s.matchAll(/\bid="([^"]+)"/g)].map((m) => m[1]);
  assert.ok(ids(one).length > 0, "a clipped mark has a clip-path id");
  assert.ok(ids(one).every((id) => !ids(two).includes(id)));
  for (const m of one.matchAll(/url\(#([^)]+)\)/g)) assert.ok(ids(one).includes(m[1]));
});

Deno.test("display outside a Jupyter kernel returns the bundle without throwing", async () => {
  const bundle = await display(spec);
  assert.ok(bundle && VEGA_LITE_MIME in bundle && "image/png" in bundle);
});

const rows = [
  { method: "C2(C1) <src>", metric: "acc", ours: { mean: 0.7123, std: 0.0211, n: 3 }, paper: 0.74 },
  { method: "random", metric: "acc", ours: { mean: 0.1, std: 0, n: 3 } },
];

Deno.test("resultsTable: ours ± std, n, paper and the difference", () => {
  const t = resultsTable(rows, { digits: 2, caption: "Table 1", paperData: true });
  assert.deepEqual(t.columns, [
    "Method",
    "Metric",
    "Ours (mean ± std)",
    "n",
    "Paper",
    "Ours − paper",
  ]);
  assert.deepEqual(t.rows[0], ["C2(C1) <src>", "acc", "0.71 ± 0.02", 3, "0.74", "-0.03"]);
  assert.deepEqual(t.rows[1], ["random", "acc", "0.10 ± 0.00", 3, "", ""]);
  // On other data than the paper's the difference is not computed; one seed has no spread.
  const other = resultsTable([{ ...rows[0], ours: { mean: 0.7123, std: 0, n: 1 } }], {
    digits: 2,
  });
  assert.deepEqual(other.rows[0].slice(2), ["0.71 ± —", 1, "0.74", "different data"]);
  assert.equal(t.caption, "Table 1");
  // not the paper's data: the difference means nothing and is not shown
  assert.equal(resultsTable(rows, { digits: 2 }).rows[0][5], "different data");
  assert.throws(() => resultsTable(rows, { digits: -1 }), /opts\.digits/);
  assert.throws(() => resultsTable([{ method: "x" } as never]), /rows\[0\]/);
});

Deno.test("tableHtml escapes cells; tableText aligns columns", () => {
  const t = resultsTable(rows, { digits: 2 });
  const html = tableHtml(t);
  assert.match(html, /^<table class="avscene-table">/);
  assert.match(html, /C2\(C1\) &lt;src&gt;/);
  assert.ok(!html.includes("<src>"));
  assert.equal((html.match(/<tr>/g) ?? []).length, 3);
  assert.match(html, /<td class="num"[^>]*>3<\/td>/);
  const text = tableText(t);
  const lines = text.split("\n");
  assert.equal(lines.length, 4);
  assert.match(lines[1], /^-+ {2}-+/);
  assert.equal(lines[2].indexOf("acc"), lines[0].indexOf("Metric"), "columns line up");
  assert.equal(
    escapeHtml(`<a href="x">'&'</a>`),
    "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;",
  );
});

Deno.test("displayTable: HTML and text/plain from results rows or a TableView", async () => {
  const b = (await displayTable(rows, "Table 2"))!;
  assert.deepEqual(Object.keys(b).sort(), ["text/html", "text/plain"]);
  assert.match(b["text/html"] as string, /<caption>Table 2<\/caption>/);
  assert.match(b["text/plain"] as string, /^Table 2\nMethod/);
  const v = (await displayTable({ columns: ["k", "v"], rows: [["a", 1]] }))!;
  assert.match(v["text/plain"] as string, /^k {2}v\n/);
});
