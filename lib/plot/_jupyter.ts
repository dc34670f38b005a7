/** The running Deno Jupyter kernel's display function, or undefined outside `deno jupyter`. */
export type JupyterDisplay = (
  obj: unknown,
  options?: { raw?: boolean; update?: boolean; display_id?: string },
) => Promise<void>;

/** `Deno.jupyter.display` when running inside the Deno kernel, else `undefined`. */
export function jupyterDisplay(): JupyterDisplay | undefined {
  try {
    // Outside `deno jupyter` the getter throws; inside it returns the namespace.
    const j = (Deno as unknown as { jupyter?: { display?: JupyterDisplay } }).jupyter;
    return typeof j?.display === "function" ? j.display : undefined;
  } catch {
    return undefined;
  }
}
