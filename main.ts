#!/usr/bin/env -S deno run -A
/**
 * The main job on embedded defaults: a local devnet (4 validator processes of phantom-node over
 * libp2p on 127.0.0.1, a built-in miner, a live status line). Same flags as `deno task devnet`
 * (`scripts/devnet.ts`, docs/operations.md "Devnet"); e.g. `deno run -A main.ts --duration 60
 * --tx-rate 20` runs bounded and prints one JSON summary line.
 *
 * The devnet runs in a child Deno process so that this entry stays a thin launcher; Ctrl-C reaches
 * the child through the terminal's process group and the child stops its nodes cleanly.
 * @module
 */
if (import.meta.main) {
  const script = new URL("./scripts/devnet.ts", import.meta.url).pathname;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", script, ...Deno.args],
    stdin: "inherit",
    stdout: "inherit",
    stderr: "inherit",
  }).spawn();
  // The child owns shutdown. A terminal's Ctrl-C reaches it directly (same process group), so the
  // launcher only stays alive for it; a SIGTERM sent to the launcher alone is passed on.
  Deno.addSignalListener("SIGINT", () => {});
  Deno.addSignalListener("SIGTERM", () => child.kill("SIGTERM"));
  Deno.exit((await child.status).code);
}
