/**
 * Private helpers of the benches that time a Python anchor (PyTorch, mir_eval) in the same
 * process window as our code: find an interpreter that has the module, and talk to a
 * long-running Python script line by line so both sides can be interleaved round by round.
 *
 * @module
 */

/**
 * The first Python interpreter that can import `module`: `$AVSCENE_PYTHON`, then `python3` on
 * the PATH, then `/usr/bin/python3` (Debian's packages, when a pyenv or venv shadows it), or
 * `null` when none can.
 */
export async function findPython(module: string): Promise<string | null> {
  const candidates = [Deno.env.get("AVSCENE_PYTHON"), "python3", "/usr/bin/python3"];
  for (const python of candidates) {
    if (!python) continue;
    try {
      const { success } = await new Deno.Command(python, {
        args: ["-c", `import ${module}`],
        stdout: "null",
        stderr: "null",
      }).output();
      if (success) return python;
    } catch {
      // not installed: try the next one
    }
  }
  return null;
}

/** The median of `values` (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error("median: no values");
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** A Python script that answers each line written to its stdin with one line of JSON. */
export class PythonWorker {
  readonly #child: Deno.ChildProcess;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #reader: ReadableStreamDefaultReader<string>;
  #buffer = "";

  /** Start `python` with `args` (the script and its arguments). */
  constructor(python: string, args: string[]) {
    this.#child = new Deno.Command(python, {
      args,
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    this.#writer = this.#child.stdin.getWriter();
    this.#reader = this.#child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  }

  /** Send one line; resolve with the script's parsed JSON answer. */
  async request(line: string): Promise<unknown> {
    await this.#writer.write(new TextEncoder().encode(line + "\n"));
    while (!this.#buffer.includes("\n")) {
      const { value, done } = await this.#reader.read();
      if (done) throw new Error(`python worker exited before answering "${line}"`);
      this.#buffer += value;
    }
    const end = this.#buffer.indexOf("\n");
    const answer = this.#buffer.slice(0, end);
    this.#buffer = this.#buffer.slice(end + 1);
    return JSON.parse(answer);
  }

  /** Close its stdin and wait for it to exit. */
  async close(): Promise<void> {
    await this.#writer.close();
    await this.#reader.cancel();
    await this.#child.status;
  }
}
