import assert from "node:assert/strict";
import { decode } from "fast-png";
import { mimeBundle, renderPng, renderSvg, sceneImage, trainingCurves } from "../lib/plot/mod.ts";

/** Non-white pixels of a decoded RGB(A) PNG inside the box [x0, x1) x [y0, y1). */
function inked(png: Uint8Array, box?: [number, number, number, number]): number {
  const img = decode(png);
  const ch = img.channels;
  const [x0, y0, x1, y1] = box ?? [0, 0, img.width, img.height];
  let n = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const i = (y * img.width + x) * ch;
      if (img.data[i] < 200 || img.data[i + 1] < 200 || img.data[i + 2] < 200) n++;
    }
  }
  return n;
}

Deno.test("renderPng draws text with the shipped font (text alone is not blank)", async () => {
  const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="30">' +
    '<text x="4" y="20" font-family="sans-serif" font-size="16">avscene</text></svg>';
  const png = await renderPng(svg);
  const img = decode(png);
  assert.equal(img.width, 120);
  assert.equal(img.height, 30);
  assert.ok(inked(png) > 50, `text drew ${inked(png)} dark pixels`);
  const bold = svg.replace("<text ", '<text font-weight="bold" ');
  assert.ok(inked(await renderPng(bold)) > inked(png), "bold text is heavier than regular");
  const twice = decode(await renderPng(svg, { scale: 2 }));
  assert.deepEqual([twice.width, twice.height], [240, 60]);
});

Deno.test("renderPng: a chart's PNG has the SVG's size, its title and its embedded images", async () => {
  const spec = trainingCurves([{ name: "C1", steps: [0, 1, 2], mean: [1, 0.5, 0.25] }], {
    metric: "loss",
    title: "curves",
  });
  const svg = await renderSvg(spec);
  const [w, h] = [/width="(\d+)"/, /height="(\d+)"/].map((r) => Number(svg.match(r)![1]));
  const png = await renderPng(svg);
  const img = decode(png);
  assert.deepEqual([img.width, img.height], [w, h]);
  assert.ok(inked(png, [0, 0, w, 20]) > 20, "the title row has ink");
  // A picture embedded as a data: URI (a scene frame) is drawn, not left blank.
  const frame = { data: new Float32Array(16 * 16 * 3).fill(0.1), height: 16, width: 16 };
  const scene = await renderPng(await renderSvg(sceneImage(frame, { width: 64 })));
  assert.ok(inked(scene) > 0.8 * 64 * 64, "the dark frame covers its plot area");
});

Deno.test("mimeBundle carries a base64 PNG of the plot", async () => {
  const bundle = await mimeBundle({ mark: "point", data: { values: [{ a: 1 }] } });
  const png = Uint8Array.from(atob(bundle["image/png"] as string), (c) => c.charCodeAt(0));
  assert.deepEqual([...png.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
  assert.ok(decode(png).width > 0);
});

Deno.test("renderPng rejects what is not SVG and a bad scale, naming the argument", async () => {
  await assert.rejects(() => renderPng("hello"), /renderPng: svg must be SVG markup/);
  await assert.rejects(
    () => renderPng('<svg xmlns="http://www.w3.org/2000/svg" width="2" height="2"/>', { scale: 0 }),
    /renderPng: opts.scale must be in \(0, 8\], got 0/,
  );
  await assert.rejects(() => renderPng("<svg <<"), /renderPng: resvg cannot read the SVG/);
});
