import assert from "node:assert/strict";
import { assembleBoth, WASM_SOURCES } from "../kernels/_build_wasm.ts";

Deno.test("the checked-in wasm bytes are what the build assembles from the .wat sources", async () => {
  for (const { wat, out, name } of WASM_SOURCES) {
    const dir = new URL("../kernels/", import.meta.url);
    const bytes = await assembleBoth(wat, await Deno.readTextFile(new URL(wat, dir)));
    const checkedIn = (await import(new URL(out, dir).href))[name];
    for (const kind of ["plain", "shared"] as const) {
      const decoded = Uint8Array.from(atob(checkedIn[kind]), (ch) => ch.charCodeAt(0));
      assert.deepEqual(
        decoded,
        bytes[kind],
        `kernels/${out} (${kind}) is stale: run deno run -A kernels/_build_wasm.ts`,
      );
      assert.ok(WebAssembly.validate(decoded), `kernels/${out} (${kind}) is a valid module`);
    }
  }
});
