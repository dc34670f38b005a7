/**
 * The one argument parser of the commands: `node:util`'s `parseArgs` (strict, with `-h/--help`
 * and `--backend` added to every command) and the checks of option values, whose errors name
 * the command and the option.
 *
 * @module
 */
import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
import type { BackendName } from "../lib/backend/mod.ts";

/** The options every command takes besides its own. */
const COMMON_OPTIONS = {
  backend: { type: "string" },
  help: { type: "boolean", short: "h", default: false },
} as const satisfies ParseArgsOptionsConfig;

/** A command: its name (for errors), its `--help` text and its own options. */
export interface CommandSpec<O extends ParseArgsOptionsConfig> {
  /** Name, e.g. `"train"`. */
  name: string;
  /** The text `--help` prints. */
  help: string;
  /** Its options, as `parseArgs` takes them (`--backend` and `--help` are added). */
  options: O;
}

/** The parsed options of a command. */
export type CommandValues<O extends ParseArgsOptionsConfig> = ReturnType<
  typeof parseArgs<{ args: string[]; options: O & typeof COMMON_OPTIONS; strict: true }>
>["values"];

/**
 * Parse a command's arguments; with `-h`/`--help` print its help text instead.
 *
 * @param spec the command.
 * @param args the arguments after the command's name.
 * @returns the option values, or `undefined` when the help was printed.
 * @throws on an unknown option or a missing value, naming the command.
 */
export function parseCommand<O extends ParseArgsOptionsConfig>(
  spec: CommandSpec<O>,
  args: string[],
): CommandValues<O> | undefined {
  let values: CommandValues<O>;
  try {
    values = parseArgs({
      args,
      options: { ...spec.options, ...COMMON_OPTIONS },
      strict: true,
    }).values as CommandValues<O>;
  } catch (e) {
    throw new Error(`${spec.name}: ${(e as Error).message} (see --help)`);
  }
  if ((values as { help?: boolean }).help) {
    console.log(spec.help);
    return undefined;
  }
  return values;
}

/** The `--backend` value as a backend name (checked by `initBackend`), or undefined. */
export function backendOption(values: { backend?: string | boolean }): BackendName | undefined {
  return values.backend as BackendName | undefined;
}

/**
 * A numeric option: `fallback` when absent, else the number `value` spells.
 *
 * @param command the command's name, for the error.
 * @param name the option's name without dashes.
 * @param value the option's text, or undefined.
 * @param fallback its default.
 * @param check `integer` and/or `min` (inclusive) the value must meet.
 * @returns the number.
 * @throws when the value is not a finite number, not an integer or below `min`.
 */
export function numberOption(
  command: string,
  name: string,
  value: string | undefined,
  fallback: number,
  check: { integer?: boolean; min?: number } = {},
): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  const { integer = false, min } = check;
  if (
    value.trim() === "" || !Number.isFinite(n) || (integer && !Number.isInteger(n)) ||
    (min !== undefined && n < min)
  ) {
    const kind = integer ? "an integer" : "a number";
    const bound = min === undefined ? "" : ` >= ${min}`;
    throw new Error(`${command}: --${name} must be ${kind}${bound}, got "${value}"`);
  }
  return n;
}

/**
 * A comma-separated list option: undefined when absent, else its non-empty items, trimmed.
 *
 * @param command the command's name, for the error.
 * @param name the option's name without dashes.
 * @param value the option's text, or undefined.
 * @returns the items.
 * @throws when the list has no item.
 */
export function listOption(
  command: string,
  name: string,
  value: string | undefined,
): string[] | undefined {
  if (value === undefined) return undefined;
  const items = value.split(",").map((s) => s.trim()).filter((s) => s.length > 0);
  if (items.length === 0) throw new Error(`${command}: --${name} is empty`);
  return items;
}
