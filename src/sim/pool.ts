/**
 * Runs many seeds of one scenario on a pool of Web Workers (one per core by default), so the CI
 * and soak runs use every core. Results are returned in seed order, so output does not depend on
 * worker scheduling.
 * @module
 */
import type { SimSummary } from "./simnet.ts";

/**
 * Runs `seeds` of the scenario given as TOML text on `workers` workers.
 * @param text scenario TOML
 * @param seeds seeds to run
 * @param workers worker count (>= 1)
 * @returns summaries in the order of `seeds`
 * @throws {RangeError} when workers < 1
 * @throws {Error} when a worker fails (scenario invalid, crash)
 * @example
 * ```ts ignore
 * import { runSeeds } from "./pool.ts";
 * const out = await runSeeds(Deno.readTextFileSync("scenarios/honest-21.toml"), [1, 2], 2);
 * console.assert(out.length === 2);
 * ```
 */
export async function runSeeds(
  text: string,
  seeds: readonly number[],
  workers: number,
): Promise<SimSummary[]> {
  if (!Number.isInteger(workers) || workers < 1) {
    throw new RangeError(`Bad worker count: ${workers}`);
  }
  const n = Math.min(workers, Math.max(1, seeds.length));
  const chunks: number[][] = Array.from({ length: n }, () => []);
  seeds.forEach((s, i) => chunks[i % n]!.push(s));
  const bySeed = new Map<number, SimSummary>();
  await Promise.all(chunks.map((chunk) =>
    new Promise<void>((resolve, reject) => {
      if (chunk.length === 0) return resolve();
      const w = new Worker(new URL("./worker.ts", import.meta.url).href, { type: "module" });
      w.onmessage = (e: MessageEvent) => {
        const d = e.data as { seed?: number; summary?: SimSummary; done?: boolean; error?: string };
        if (d.error !== undefined) {
          w.terminate();
          reject(new Error(`Simnet worker failed: ${d.error}`));
        } else if (d.done) {
          w.terminate();
          resolve();
        } else if (d.seed !== undefined && d.summary !== undefined) bySeed.set(d.seed, d.summary);
      };
      w.onerror = (e) => {
        e.preventDefault();
        w.terminate();
        reject(new Error(`Simnet worker crashed: ${e.message}`));
      };
      w.postMessage({ text, seeds: chunk });
    })
  ));
  return seeds.map((s) => bySeed.get(s)!);
}
