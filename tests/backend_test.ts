import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { BACKENDS, describeBackend, initBackend } from "../lib/backend/mod.ts";

const requireWebgpu = Deno.env.get("AVSCENE_REQUIRE_WEBGPU") === "1";

Deno.test("initBackend forces cpu and reports it", async () => {
  const info = await initBackend("cpu");
  assert.equal(info.backend, "cpu");
  assert.equal(tf.getBackend(), "cpu");
  assert.equal(info.adapter, null);
  assert.equal(describeBackend(), "cpu");
});

Deno.test("initBackend forces wasm", async () => {
  const info = await initBackend("wasm");
  assert.equal(info.backend, "wasm");
  assert.equal(tf.getBackend(), "wasm");
  const y = tf.tidy(() => tf.add(tf.tensor1d([1, 2]), 1).arraySync());
  assert.deepEqual(y, [2, 3]);
});

Deno.test("initBackend rejects an unknown backend by name", async () => {
  // deno-lint-ignore no-explicit-any
  await assert.rejects(() => initBackend("tpu" as any), /backend "tpu" is not one of/);
});

Deno.test("AVSCENE_BACKEND with a bad value is a clear error", async () => {
  const before = Deno.env.get("AVSCENE_BACKEND");
  Deno.env.set("AVSCENE_BACKEND", "quantum");
  try {
    await assert.rejects(() => initBackend(), /AVSCENE_BACKEND=quantum is not a backend/);
  } finally {
    if (before === undefined) Deno.env.delete("AVSCENE_BACKEND");
    else Deno.env.set("AVSCENE_BACKEND", before);
  }
});

Deno.test("webgpu backend runs on the adapter (lavapipe in CI)", async (t) => {
  const adapter = await navigator.gpu?.requestAdapter();
  if (!adapter) {
    if (requireWebgpu) throw new Error("AVSCENE_REQUIRE_WEBGPU=1 but no WebGPU adapter exists");
    console.log("SKIP webgpu: no adapter (install mesa-vulkan-drivers)");
    return;
  }
  const info = await initBackend("webgpu");
  assert.equal(info.backend, "webgpu");
  assert.ok(info.adapter && info.adapter.length > 0, "adapter is described");
  assert.match(describeBackend(), /^webgpu on /);
  await t.step("computes", async () => {
    const y = tf.matMul(tf.tensor2d([[1, 2]]), tf.tensor2d([[3], [4]]));
    assert.deepEqual(await y.data(), new Float32Array([11]));
    y.dispose();
  });
  assert.deepEqual([...BACKENDS], ["webgpu", "wasm", "cpu"]);
});
