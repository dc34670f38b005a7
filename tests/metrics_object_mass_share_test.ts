// objectMassShare: a map's mass on an object's pixels, through nearest grid cells.
import { assertAlmostEquals, assertEquals, assertThrows } from "./model_assert.ts";
import { objectMassShare } from "../lib/metrics/mod.ts";

Deno.test("objectMassShare: each pixel takes its grid cell's value; bad shapes are named", () => {
  // a 2 x 2 grid over a 4 x 4 image; the object is the bottom-right cell and one pixel of the
  // top-left cell
  const mask = new Uint8Array(16);
  for (const p of [10, 11, 14, 15, 0]) mask[p] = 1;
  // uniform map: 5 of 16 pixels
  assertAlmostEquals(
    objectMassShare(new Float32Array([1, 1, 1, 1]), 2, 2, mask, 4, 4),
    5 / 16,
    1e-9,
  );
  // all mass in the top-left cell: 1 of its 4 pixels
  assertAlmostEquals(
    objectMassShare(new Float32Array([2, 0, 0, 0]), 2, 2, mask, 4, 4),
    1 / 4,
    1e-9,
  );
  // grid and image of different aspect: a 1 x 2 grid, left cell holds pixels x < 2
  assertAlmostEquals(objectMassShare(new Float32Array([0, 1]), 1, 2, mask, 4, 4), 4 / 8, 1e-9);
  assertEquals(objectMassShare(new Float32Array(4), 2, 2, mask, 4, 4), 0);
  assertThrows(() => objectMassShare(new Float32Array(3), 2, 2, mask, 4, 4), Error, "map has 3");
  assertThrows(() => objectMassShare(new Float32Array(4), 2, 2, mask, 4, 3), Error, "mask has 16");
  assertThrows(() => objectMassShare(new Float32Array(4), 2, 2, mask, 0, 4), Error, "H must");
  assertThrows(
    () => objectMassShare(new Float32Array([1, -1, 0, 0]), 2, 2, mask, 4, 4),
    Error,
    ">= 0",
  );
});
