/**
 * The avscene command line: `deno task reproduce`, `deno task train`, `deno task eval`.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { evalCommand } from "./cli/eval.ts";
import { reproduceCommand } from "./cli/reproduce.ts";
import { trainCommand } from "./cli/train.ts";

const USAGE = `avscene <command> [options]

commands:
  reproduce   run every experiment on the synthetic world and write report/
  train       train the audiovisual model with a curriculum
  eval        evaluate a trained checkpoint (localization, classification)
  help        show this message

Run "avscene <command> --help" for the options of a command.`;

/** Run the command line with the given arguments (defaults to `Deno.args`). */
export async function main(args: string[] = Deno.args): Promise<number> {
  const { positionals } = parseArgs({ args, strict: false, allowPositionals: true });
  const [command, ...rest] = positionals.length > 0 ? [args[0], ...args.slice(1)] : ["help"];
  switch (command) {
    case "reproduce":
      return await reproduceCommand(rest);
    case "eval":
      return await evalCommand(rest);
    case "train":
      return await trainCommand(rest);
    case "help":
    case "--help":
    case "-h":
      console.log(USAGE);
      return 0;
    default:
      console.error(`unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

if (import.meta.main) {
  try {
    Deno.exit(await main());
  } catch (e) {
    // Bad arguments and missing files end with their message, not a stack trace.
    console.error(`error: ${e instanceof Error ? e.message : String(e)}`);
    Deno.exit(1);
  }
}
