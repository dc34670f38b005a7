/**
 * The signals that ask a command to stop (SIGINT, and SIGTERM where the OS has it), in one place
 * for train and reproduce.
 *
 * @module
 */

/**
 * Calls `onStop` on each stop signal until the returned function is called.
 *
 * @param onStop what to do on a stop signal.
 * @returns a function that removes the listeners.
 */
export function listenForStop(onStop: () => void): () => void {
  const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
  for (const s of signals) Deno.addSignalListener(s, onStop);
  return () => {
    for (const s of signals) Deno.removeSignalListener(s, onStop);
  };
}
