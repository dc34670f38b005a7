/**
 * One writer per directory: a lock file holding the writer's pid and start time, created
 * atomically; a second writer fails with a message naming the first, and a lock whose process
 * is gone (killed, crashed) is taken over with a warning.
 *
 * @module
 */
import process from "node:process";

/**
 * The name of the lock file inside a locked directory.
 *
 * @category data
 */
export const LOCK_FILE = "writer.lock";

/**
 * What a lock file records.
 *
 * @category data
 */
export interface RunLockInfo {
  /** The writer's process id. */
  pid: number;
  /** When it took the lock (ISO 8601). */
  startedAt: string;
  /** What it runs (e.g. `train`), for the message a second writer gets. */
  command: string;
  /** The process's start time in clock ticks since boot (Linux), to tell a reused pid. */
  processStart?: string;
}

/**
 * A held lock.
 *
 * @category data
 */
export interface RunLock {
  /** The lock file. */
  readonly path: string;
  /** What it records. */
  readonly info: RunLockInfo;
  /** Remove the lock file (only if it is still this writer's). */
  release(): Promise<void>;
}

/**
 * Another live process holds the directory's lock.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { RunLockedError } from "@avscene/avscene/io";
 * const e = new RunLockedError("runs/x is in use", { pid: 7, startedAt: "", command: "train" });
 * assert.deepEqual([e.name, e.holder.pid], ["RunLockedError", 7]);
 * ```
 * @category data
 */
export class RunLockedError extends Error {
  /** The lock's holder. */
  readonly holder: RunLockInfo;

  /**
   * A locked-directory error.
   *
   * @param message What is locked and by whom.
   * @param holder The holder's lock record.
   */
  constructor(message: string, holder: RunLockInfo) {
    super(message);
    this.name = "RunLockedError";
    this.holder = holder;
  }
}

/** The start time of process `pid` (Linux `/proc/<pid>/stat` field 22), or undefined. */
function _processStart(pid: number): string | undefined {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}

/** Whether the lock's writer still runs (same pid, and the same process when that is known). */
function _alive(info: RunLockInfo): boolean {
  if (!Number.isInteger(info.pid) || info.pid <= 0) return false; // unreadable lock
  try {
    process.kill(info.pid, 0);
  } catch (e) {
    if ((e as { code?: string }).code === "ESRCH") return false;
    // EPERM: the process exists but belongs to someone else
  }
  const start = _processStart(info.pid);
  return !(info.processStart && start && start !== info.processStart);
}

async function _create(path: string, info: RunLockInfo): Promise<boolean> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { write: true, createNew: true });
  } catch (e) {
    if (e instanceof Deno.errors.AlreadyExists) return false;
    throw e;
  }
  try {
    await file.write(new TextEncoder().encode(JSON.stringify(info) + "\n"));
    await file.sync();
  } finally {
    file.close();
  }
  return true;
}

async function _read(path: string): Promise<RunLockInfo | null> {
  try {
    const info = JSON.parse(await Deno.readTextFile(path));
    return typeof info?.pid === "number" ? info : { pid: -1, startedAt: "?", command: "?" };
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    // unreadable or half-written: its writer died while creating it
    return { pid: -1, startedAt: "?", command: "?" };
  }
}

/**
 * Take the lock of `dir` (created if needed) for this process: `dir/writer.lock` records the
 * pid and start time. A lock held by a live process is an error naming it; one whose process
 * is gone is taken over, with a warning.
 *
 * @param dir the directory one writer at a time may write (a run's `--out`, a cache).
 * @param command what this writer runs, recorded for the message a second writer gets.
 * @param warn where a takeover is reported (default `console.warn`).
 * @returns the lock; `release()` it when done (a killed process leaves it stale, which the
 *   next writer takes over).
 * @throws RunLockedError when a live process holds the lock.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { acquireRunLock, RunLockedError } from "@avscene/avscene/io";
 * const dir = await Deno.makeTempDir();
 * const lock = await acquireRunLock(dir, "example");
 * await assert.rejects(acquireRunLock(dir, "second"), RunLockedError);
 * await lock.release();
 * await Deno.remove(dir, { recursive: true });
 * ```
 * @category data
 */
export async function acquireRunLock(
  dir: string,
  command: string,
  warn: (message: string) => void = console.warn,
): Promise<RunLock> {
  await Deno.mkdir(dir, { recursive: true });
  const path = `${dir}/${LOCK_FILE}`;
  const info: RunLockInfo = {
    pid: Deno.pid,
    startedAt: new Date().toISOString(),
    command,
    processStart: _processStart(Deno.pid),
  };
  for (let attempt = 0; attempt < 3; attempt++) {
    if (await _create(path, info)) {
      return {
        path,
        info,
        async release() {
          const now = await _read(path);
          if (now?.pid === info.pid && now.startedAt === info.startedAt) {
            await Deno.remove(path).catch(() => {});
          }
        },
      };
    }
    const holder = await _read(path);
    if (holder === null) continue; // released meanwhile: try again
    if (holder.pid === Deno.pid || _alive(holder)) {
      throw new RunLockedError(
        `${dir} is in use by another writer (${holder.command}, pid ${holder.pid}, since ` +
          `${holder.startedAt}); wait for it to finish or stop it (its lock: ${path})`,
        holder,
      );
    }
    warn(
      `${dir}: taking over the lock of a writer that is gone (${holder.command}, pid ` +
        `${holder.pid}, since ${holder.startedAt})`,
    );
    await Deno.remove(path).catch(() => {});
  }
  throw new Error(`${dir}: could not take the lock ${path} (writers racing for it)`);
}
