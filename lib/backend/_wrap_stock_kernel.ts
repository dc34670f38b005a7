/**
 * Replacing one of tfjs-backend-wasm's own kernels by a wrapper that still runs it for the
 * cases it does not take.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";

/**
 * Register `wrap(stock)` as the wasm kernel `kernelName`, where `stock` is the kernel
 * tfjs-backend-wasm registered; the stock `setupFunc` stays registered, since the stock kernel
 * reads what it binds.
 *
 * @param kernelName the kernel's name.
 * @param wrap makes the new kernel function from the stock one.
 */
export function wrapStockWasmKernel(
  kernelName: string,
  wrap: (stock: tf.KernelFunc) => tf.KernelFunc,
): void {
  const stock = tf.getKernel(kernelName, "wasm");
  if (stock === undefined) throw new Error(`tfjs-backend-wasm registers no ${kernelName} kernel`);
  tf.unregisterKernel(kernelName, "wasm");
  tf.registerKernel({
    kernelName,
    backendName: "wasm",
    setupFunc: stock.setupFunc,
    kernelFunc: wrap(stock.kernelFunc),
  });
}
