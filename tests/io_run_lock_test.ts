import assert from "node:assert/strict";
import { acquireRunLock, LOCK_FILE, RunLockedError } from "../lib/io/mod.ts";

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = new Deno.Command("true").spawn();
  await child.status;
  return child.pid;
}

Deno.test("run lock: pid and start time recorded; a second writer is refused by name", async () => {
  const dir = await Deno.makeTempDir();
  const lock = await acquireRunLock(dir, "train --out x");
  const info = JSON.parse(await Deno.readTextFile(`${dir}/${LOCK_FILE}`));
  assert.equal(info.pid, Deno.pid);
  assert.ok(Math.abs(Date.parse(info.startedAt) - Date.now()) < 60_000);
  assert.equal(info.command, "train --out x");
  await assert.rejects(
    acquireRunLock(dir, "train again"),
    (e) =>
      e instanceof RunLockedError && e.holder.pid === Deno.pid &&
      e.message.includes(`is in use by another writer (train --out x, pid ${Deno.pid}`),
  );
  // another live process holding it (pid 1 always runs)
  await lock.release();
  await Deno.writeTextFile(
    `${dir}/${LOCK_FILE}`,
    JSON.stringify({ pid: 1, startedAt: "2026-01-01T00:00:00Z", command: "reproduce" }),
  );
  await assert.rejects(acquireRunLock(dir, "x"), /in use by another writer \(reproduce, pid 1,/);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("run lock: a dead writer's lock is taken over with a warning; release is the owner's", async () => {
  const dir = await Deno.makeTempDir();
  const pid = await deadPid();
  await Deno.writeTextFile(
    `${dir}/${LOCK_FILE}`,
    JSON.stringify({ pid, startedAt: "2026-01-01T00:00:00Z", command: "train (killed)" }),
  );
  const warnings: string[] = [];
  const lock = await acquireRunLock(dir, "train", (m) => warnings.push(m));
  assert.equal(warnings.length, 1);
  assert.match(
    warnings[0],
    new RegExp(`taking over the lock of a writer that is gone .*pid ${pid}`),
  );
  assert.equal(JSON.parse(await Deno.readTextFile(lock.path)).pid, Deno.pid);
  // a half-written lock (its writer died creating it) is stale too
  await lock.release();
  await Deno.writeTextFile(`${dir}/${LOCK_FILE}`, '{"pi');
  const again = await acquireRunLock(dir, "train", () => {});
  // someone else's lock is not removed by our release
  await Deno.writeTextFile(again.path, JSON.stringify({ pid: 1, startedAt: "x", command: "c" }));
  await again.release();
  assert.equal(JSON.parse(await Deno.readTextFile(again.path)).pid, 1);
  await Deno.remove(dir, { recursive: true });
});
