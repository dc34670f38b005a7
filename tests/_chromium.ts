/**
 * Look at an HTML page in headless Chromium (Debian's `chromium`) the way a reader would, and
 * measure each figure on it: where it is, how wide, and how much of it is drawn. The page is
 * loaded in a 1400 px wide window; each figure region is captured through the DevTools protocol
 * and compared with a blank region (every pixel the page's background colour).
 *
 * @module
 */
import { decode } from "fast-png";

/** One figure of a page as Chromium drew it. */
export interface FigureShot {
  /** Position in document order among the elements matched. */
  index: number;
  /** Width of the figure on the page, CSS pixels. */
  width: number;
  /** Height of the figure on the page, CSS pixels. */
  height: number;
  /** Share of the region's pixels that differ from the page background (0 = blank). */
  inked: number;
  /** Share of the region's pixels with a clear colour (not a grey), 0..1. */
  coloured: number;
}

/** Why Chromium cannot run here, or null when `chromium --version` answers. */
export async function missingChromium(): Promise<string | null> {
  try {
    const r = await new Deno.Command("chromium", {
      args: ["--version"],
      stdout: "piped",
      stderr: "piped",
    }).output();
    return r.success ? null : "`chromium --version` failed";
  } catch {
    return "`chromium` is not installed (Debian package chromium)";
  }
}

/**
 * Read a process's stderr until a line matches (throws after `timeoutMs` or at its end), then
 * keep draining it in the background so the process never blocks on a full pipe.
 */
async function waitForLine(
  stream: ReadableStream<Uint8Array>,
  pattern: RegExp,
  timeoutMs: number,
): Promise<{ match: RegExpMatchArray; drained: Promise<void> }> {
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  const timer = setTimeout(() => reader.cancel(), timeoutMs);
  try {
    while (true) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`chromium did not print ${pattern}; its output:\n${seen}`);
      seen += value;
      const match = seen.match(pattern);
      if (match) {
        const drained = (async () => {
          while (!(await reader.read()).done) { /* discard */ }
        })().catch(() => {});
        return { match, drained };
      }
    }
  } finally {
    clearTimeout(timer);
  }
}

/** A DevTools protocol connection to one page. */
class DevTools {
  #ws: WebSocket;
  #next = 1;
  #pending = new Map<number, (msg: { result?: unknown; error?: { message: string } }) => void>();

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.onmessage = (e) => {
      const msg = JSON.parse(e.data as string);
      this.#pending.get(msg.id)?.(msg);
      this.#pending.delete(msg.id);
    };
  }

  static async open(url: string): Promise<DevTools> {
    const ws = new WebSocket(url);
    await new Promise((ok, fail) => {
      ws.onopen = ok;
      ws.onerror = () => fail(new Error(`cannot connect to ${url}`));
    });
    return new DevTools(ws);
  }

  send<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const id = this.#next++;
    this.#ws.send(JSON.stringify({ id, method, params }));
    return new Promise((ok, fail) =>
      this.#pending.set(id, (msg) => {
        if (msg.error) fail(new Error(`${method}: ${msg.error.message}`));
        else ok(msg.result as T);
      })
    );
  }

  async evaluate<T>(expression: string): Promise<T> {
    const r = await this.send<{ result: { value: T } }>("Runtime.evaluate", {
      expression,
      returnByValue: true,
      awaitPromise: true,
    });
    return r.result.value;
  }

  close(): Promise<void> {
    return new Promise((ok) => {
      this.#ws.onclose = () => ok();
      this.#ws.close();
    });
  }
}

/** Measure the pixels of one captured figure against the page background. */
function measure(png: Uint8Array, background: [number, number, number]): [number, number] {
  const img = decode(png);
  const ch = img.channels;
  let inked = 0, coloured = 0;
  const n = img.width * img.height;
  for (let i = 0; i < n; i++) {
    const r = img.data[i * ch], g = img.data[i * ch + 1], b = img.data[i * ch + 2];
    const diff = Math.abs(r - background[0]) + Math.abs(g - background[1]) +
      Math.abs(b - background[2]);
    if (diff > 30) inked++;
    if (Math.max(r, g, b) - Math.min(r, g, b) > 40) coloured++;
  }
  return [inked / Math.max(1, n), coloured / Math.max(1, n)];
}

/**
 * Open `htmlFile` in headless Chromium (1400 px window) and measure every element matching
 * `selector` as drawn: size on the page, share of pixels that differ from the page's background
 * (a blank figure has about none) and share of coloured pixels.
 *
 * @param htmlFile path of the page.
 * @param selector CSS selector of the figures, e.g. `figure > svg`.
 * @returns one {@linkcode FigureShot} per matched element, in document order.
 */
export async function shootFigures(htmlFile: string, selector: string): Promise<FigureShot[]> {
  const profile = await Deno.makeTempDir({ prefix: "avscene-chromium-" });
  const url = new URL(`file://${await Deno.realPath(htmlFile)}`).href;
  const child = new Deno.Command("chromium", {
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-extensions",
      "--no-first-run",
      "--hide-scrollbars",
      "--window-size=1400,1000",
      `--user-data-dir=${profile}`,
      "--remote-debugging-port=0",
      url,
    ],
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let drained: Promise<void> = Promise.resolve();
  try {
    const listening = await waitForLine(
      child.stderr,
      /DevTools listening on ws:\/\/[^:]+:(\d+)\//,
      60_000,
    );
    drained = listening.drained;
    const port = listening.match[1];
    let page: { webSocketDebuggerUrl: string } | undefined;
    for (let tries = 0; tries < 50 && !page; tries++) {
      const list = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
      page = list.find((t: { type: string; url: string }) => t.type === "page" && t.url === url);
      if (!page) await new Promise((r) => setTimeout(r, 100));
    }
    if (!page) throw new Error(`chromium opened no page for ${url}`);
    const dev = await DevTools.open(page.webSocketDebuggerUrl);
    try {
      await dev.send("Emulation.setDeviceMetricsOverride", {
        width: 1400,
        height: 1000,
        deviceScaleFactor: 1,
        mobile: false,
      });
      // Wait until the page (not the about:blank before it) and its images are loaded.
      let ready = false;
      for (let tries = 0; tries < 600 && !ready; tries++) {
        ready = await dev.evaluate<boolean>(
          `location.href === ${JSON.stringify(url)} && document.readyState === "complete" &&
           [...document.images].every((i) => i.complete)`,
        );
        if (!ready) await new Promise((r) => setTimeout(r, 100));
      }
      if (!ready) throw new Error(`chromium did not finish loading ${url} in 60 s`);
      const background = await dev.evaluate<[number, number, number]>(`(() => {
        const c = getComputedStyle(document.body).backgroundColor.match(/[\\d.]+/g).map(Number);
        return c.length === 4 && c[3] === 0 ? [255, 255, 255] : c.slice(0, 3);
      })()`);
      const rects = await dev.evaluate<{ x: number; y: number; w: number; h: number }[]>(
        `[...document.querySelectorAll(${JSON.stringify(selector)})].map((e) => {
          const r = e.getBoundingClientRect();
          return { x: r.left + scrollX, y: r.top + scrollY, w: r.width, h: r.height };
        })`,
      );
      const shots: FigureShot[] = [];
      for (const [index, r] of rects.entries()) {
        if (r.w < 1 || r.h < 1) {
          shots.push({ index, width: r.w, height: r.h, inked: 0, coloured: 0 });
          continue;
        }
        const { data } = await dev.send<{ data: string }>("Page.captureScreenshot", {
          format: "png",
          clip: { x: r.x, y: r.y, width: r.w, height: r.h, scale: 1 },
          captureBeyondViewport: true,
        });
        const png = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
        const [inked, coloured] = measure(png, background);
        shots.push({ index, width: r.w, height: r.h, inked, coloured });
      }
      return shots;
    } finally {
      await dev.close();
    }
  } finally {
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
    await child.status;
    await drained;
    await Deno.remove(profile, { recursive: true }).catch(() => {});
  }
}
