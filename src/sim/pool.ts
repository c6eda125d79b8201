/**
 * Runs many simnet seeds on a pool of Web Workers (one per core by default), so the CI and soak
 * runs use every core. Work is handed out one run at a time (a worker that finishes early takes
 * the next run, so no core idles behind a slow seed), and one pool can run several scenarios at
 * once. Results are returned in job order, so output does not depend on worker scheduling.
 * @module
 */
import type { SimSummary } from "./simnet.ts";

/** One simnet run for {@linkcode runJobs}: a scenario (TOML text) and a seed. */
export interface SimJob {
  /** Scenario TOML. */
  readonly text: string;
  /** Seed. */
  readonly seed: number;
}

/**
 * Runs `jobs` on `workers` workers, each worker taking the next job when it finishes one.
 * @param jobs runs to do (scenario text and seed)
 * @param workers worker count (>= 1)
 * @returns summaries in the order of `jobs`
 * @throws {RangeError} when workers < 1
 * @throws {Error} when a worker fails (scenario invalid, crash)
 * @example
 * ```ts ignore
 * import { runJobs } from "./pool.ts";
 * const text = Deno.readTextFileSync("scenarios/honest-21.toml");
 * const out = await runJobs([{ text, seed: 1 }, { text, seed: 2 }], 2);
 * console.assert(out.length === 2);
 * ```
 */
export async function runJobs(jobs: readonly SimJob[], workers: number): Promise<SimSummary[]> {
  if (!Number.isInteger(workers) || workers < 1) {
    throw new RangeError(`Bad worker count: ${workers}`);
  }
  const n = Math.min(workers, Math.max(1, jobs.length));
  const out: (SimSummary | undefined)[] = new Array(jobs.length);
  let next = 0;
  let failed = false;
  await Promise.all(Array.from({ length: n }, () =>
    new Promise<void>((resolve, reject) => {
      if (next >= jobs.length) return resolve();
      const w = new Worker(new URL("./worker.ts", import.meta.url).href, { type: "module" });
      let current = -1;
      const feed = (): void => {
        if (failed || next >= jobs.length) {
          w.terminate();
          resolve();
          return;
        }
        current = next++;
        const job = jobs[current]!;
        w.postMessage({ text: job.text, seeds: [job.seed] });
      };
      w.onmessage = (e: MessageEvent) => {
        const d = e.data as { seed?: number; summary?: SimSummary; done?: boolean; error?: string };
        if (d.error !== undefined) {
          failed = true;
          w.terminate();
          reject(new Error(`Simnet worker failed: ${d.error}`));
        } else if (d.done) feed();
        else if (d.summary !== undefined) out[current] = d.summary;
      };
      w.onerror = (e) => {
        e.preventDefault();
        failed = true;
        w.terminate();
        reject(new Error(`Simnet worker crashed: ${e.message}`));
      };
      feed();
    })));
  return out.map((s, i) => {
    if (s === undefined) throw new Error(`Simnet worker returned no summary for job ${i}`);
    return s;
  });
}

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
export function runSeeds(
  text: string,
  seeds: readonly number[],
  workers: number,
): Promise<SimSummary[]> {
  return runJobs(seeds.map((seed) => ({ text, seed })), workers);
}
