/**
 * Rasterise an SVG (e.g. from {@linkcode renderSvg}) to PNG in process, with the resvg renderer
 * compiled to WebAssembly (npm `@resvg/resvg-wasm`) and the Inter font (SIL Open Font Licence,
 * shipped in npm `@expo-google-fonts/inter`). resvg draws only the fonts it is handed, so the
 * font files are loaded explicitly; every `sans-serif` text of a vega SVG is drawn in Inter.
 *
 * @module
 */
import { createRequire } from "node:module";
import { initWasm, Resvg } from "@resvg/resvg-wasm";
// A static import puts the font package in the module graph, so Deno installs it wherever this
// library is used; the font files themselves are then read from the installed package.
import inter from "@expo-google-fonts/inter/metadata.json" with { type: "json" };

/**
 * Options of {@linkcode renderPng}.
 *
 * @category plots
 */
export interface RenderPngOptions {
  /**
   * Pixels per SVG unit (default 1: the PNG is as large as the SVG, so it displays at the same
   * size everywhere, without display metadata). Must be in (0, 8].
   */
  scale?: number;
  /** Background colour behind the drawing (default `"white"`; vega SVGs have none of their own). */
  background?: string;
}

/** The font files loaded into resvg, relative to the `@expo-google-fonts/inter` package. */
const FONT_FILES = [
  "400Regular/Inter_400Regular.ttf",
  "400Regular_Italic/Inter_400Regular_Italic.ttf",
  "700Bold/Inter_700Bold.ttf",
  "700Bold_Italic/Inter_700Bold_Italic.ttf",
];

let ready: Promise<Uint8Array[]> | undefined;

/** Load resvg's WebAssembly module and the font files, once per process. */
function loadRenderer(): Promise<Uint8Array[]> {
  ready ??= (async () => {
    const require = createRequire(import.meta.url);
    const read = async (specifier: string) => {
      try {
        return await Deno.readFile(require.resolve(specifier));
      } catch (e) {
        throw new Error(`renderPng: cannot find ${specifier}: ${(e as Error).message}`);
      }
    };
    const [wasm, ...fonts] = await Promise.all([
      read("@resvg/resvg-wasm/index_bg.wasm"),
      ...FONT_FILES.map((f) => read(`@expo-google-fonts/inter/${f}`)),
    ]);
    await initWasm(wasm);
    return fonts;
  })();
  // A failed load (a missing file) is reported on every call, not cached as a broken renderer.
  ready.catch(() => ready = undefined);
  return ready;
}

/**
 * Rasterise an SVG document to a PNG file's bytes. The first call loads the renderer and the
 * fonts (about 0.2 s); later calls cost tens of milliseconds per chart (see
 * `bench/plot_bench.ts`). Embedded `data:` images (frames, heatmaps) are drawn too.
 *
 * @param svg SVG markup (`<svg ...>...</svg>`), e.g. from {@linkcode renderSvg}.
 * @param opts scale and background.
 * @returns the PNG bytes, `ceil(width * scale) x ceil(height * scale)` pixels.
 * @throws Error when the SVG cannot be parsed or has no size.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { renderPng } from "@avscene/avscene/plot";
 * const png = await renderPng('<svg xmlns="http://www.w3.org/2000/svg" width="20" height="10">' +
 *   '<text x="0" y="9" font-family="sans-serif" font-size="9">hi</text></svg>');
 * assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47]); // "PNG"
 * ```
 * @category plots
 */
export async function renderPng(svg: string, opts: RenderPngOptions = {}): Promise<Uint8Array> {
  if (typeof svg !== "string" || !svg.includes("<svg")) {
    throw new TypeError("renderPng: svg must be SVG markup containing <svg");
  }
  const scale = opts.scale ?? 1;
  if (!(scale > 0 && scale <= 8)) {
    throw new RangeError(`renderPng: opts.scale must be in (0, 8], got ${scale}`);
  }
  const fontBuffers = await loadRenderer();
  let resvg: InstanceType<typeof Resvg>;
  try {
    resvg = new Resvg(svg, {
      background: opts.background ?? "white",
      fitTo: { mode: "zoom", value: scale },
      font: {
        fontBuffers,
        loadSystemFonts: false,
        defaultFontFamily: inter.family,
        sansSerifFamily: inter.family,
        serifFamily: inter.family,
        monospaceFamily: inter.family,
      },
    });
  } catch (e) {
    throw new Error(`renderPng: resvg cannot read the SVG: ${(e as Error).message ?? e}`);
  }
  try {
    const image = resvg.render();
    try {
      return image.asPng();
    } finally {
      image.free();
    }
  } finally {
    resvg.free();
  }
}
