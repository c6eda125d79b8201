/**
 * Web Worker entry that runs simnet seeds off the main thread (used by {@linkcode runSeeds}).
 * Message in: `{ text: string, seeds: number[] }` (scenario TOML). Messages out: one
 * `{ seed, summary }` per seed, then `{ done: true }`, or `{ error }`.
 * @module
 */
/// <reference lib="deno.worker" />
import { parseScenario } from "./scenario.ts";
import { runSimnet } from "./simnet.ts";

self.onmessage = async (e: MessageEvent<{ text: string; seeds: number[] }>) => {
  try {
    const sc = parseScenario(e.data.text);
    for (const seed of e.data.seeds) self.postMessage({ seed, summary: await runSimnet(sc, seed) });
    self.postMessage({ done: true });
  } catch (err) {
    self.postMessage({ error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
  }
};
