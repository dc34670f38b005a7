/**
 * Child process of `streaming_memory.ts`: runs one avscene command (`train ...`) or decodes a
 * whole MUSIC tree (`load ROOT`), then prints its peak resident set size (`VmHWM`, KiB).
 *
 * @module
 */
import { main } from "../cli.ts";
import { loadMUSIC } from "../lib/data/mod.ts";

if (Deno.args[0] === "load") {
  const r = await loadMUSIC(Deno.args[1], { sampleRate: 8000, imageSize: 64 });
  console.log(`${r.summary}: ${r.items.reduce((a, c) => a + c.audio.length, 0)} samples`);
} else {
  const code = await main(Deno.args);
  if (code !== 0) Deno.exit(code);
}
const status = await Deno.readTextFile("/proc/self/status");
console.log(`peak-rss-kib ${/VmHWM:\s+(\d+)/.exec(status)![1]}`);
