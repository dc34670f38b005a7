/**
 * Prefix every id (and every reference to one) in an SVG, so several vega SVGs, which each
 * number their clip paths and gradients from 1, can be inlined into one HTML page.
 */
export function uniquifySvgIds(svg: string, prefix: string): string {
  return svg
    .replace(/\bid="([^"]+)"/g, `id="${prefix}$1"`)
    .replace(/url\(#([^)]+)\)/g, `url(#${prefix}$1)`)
    .replace(/href="#([^"]+)"/g, `href="#${prefix}$1"`);
}
