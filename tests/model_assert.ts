/** Small assertions for the model and train tests (node:assert underneath; JSR is offline). */
import nodeAssert from "node:assert/strict";

export function assert(cond: unknown, msg?: string): asserts cond {
  nodeAssert.ok(cond, msg);
}

export function assertEquals(actual: unknown, expected: unknown, msg?: string): void {
  nodeAssert.deepStrictEqual(actual, expected, msg);
}

export function assertAlmostEquals(actual: number, expected: number, tol: number): void {
  nodeAssert.ok(
    Math.abs(actual - expected) <= tol,
    `expected ${expected} +- ${tol}, got ${actual}`,
  );
}

function check(e: unknown, cls: new (...a: never[]) => Error, includes?: string): void {
  nodeAssert.ok(e instanceof cls, `expected ${cls.name}, got ${e}`);
  if (includes) {
    nodeAssert.ok(
      (e as Error).message.includes(includes),
      `"${(e as Error).message}" lacks "${includes}"`,
    );
  }
}

export function assertThrows(
  f: () => unknown,
  cls: new (...a: never[]) => Error,
  includes?: string,
): void {
  try {
    f();
  } catch (e) {
    check(e, cls, includes);
    return;
  }
  nodeAssert.fail("expected an exception");
}

export async function assertRejects(
  f: () => Promise<unknown>,
  cls: new (...a: never[]) => Error,
  includes?: string,
): Promise<void> {
  try {
    await f();
  } catch (e) {
    check(e, cls, includes);
    return;
  }
  nodeAssert.fail("expected a rejection");
}
