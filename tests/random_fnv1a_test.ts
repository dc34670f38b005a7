import assert from "node:assert/strict";
import { fnv1a } from "../lib/random/mod.ts";

Deno.test("fnv1a: the published FNV-1a 32-bit vectors; a string hashes as its UTF-8 bytes", () => {
  assert.equal(fnv1a(""), "811c9dc5");
  assert.equal(fnv1a("a"), "e40c292c");
  assert.equal(fnv1a("foobar"), "bf9cf968");
  assert.equal(fnv1a("é"), fnv1a(new TextEncoder().encode("é")));
  assert.equal(fnv1a(Uint8Array.of(0x61)), "e40c292c");
});
