/**
 * Fetching the missing parents of a buffered event (ADR 0078). A node that is far behind (just
 * restarted) hears of the same few missing parents from every gossiped event it receives; asking
 * every peer for them once per event queued thousands of redundant pulls in front of the bulk
 * anti-entropy requests (HAVE/RANGE/GET) that actually close the gap. So each id is asked once
 * while a fetch for it is out, and at most `maxInFlight` fetches run at once: what is refused here
 * stays in the engine's wanted list, which the next anti-entropy round asks for.
 * @module
 */
import { bytesToHex } from "@noble/hashes/utils.js";

/** Parent fetches running at once by default. */
export const MAX_PARENT_FETCHES = 4;

/**
 * De-duplicated, bounded parent fetches.
 * @example
 * ```ts
 * import { ParentFetcher } from "./parent_fetch.ts";
 * const f = new ParentFetcher(async () => {});
 * console.assert(await f.fetch([new Uint8Array(32)]) === 1);
 * ```
 */
export class ParentFetcher {
  readonly #fetch: (ids: Uint8Array[]) => Promise<unknown>;
  readonly #max: number;
  readonly #out = new Set<string>();
  #running = 0;
  /** Fetches refused because `maxInFlight` were running (left to anti-entropy). */
  deferred = 0;

  /**
   * @param fetch pulls ids from peers (P2pService.fetchIds); its failure is the caller's to log
   * @param maxInFlight most fetches at once
   */
  constructor(fetch: (ids: Uint8Array[]) => Promise<unknown>, maxInFlight = MAX_PARENT_FETCHES) {
    this.#fetch = fetch;
    this.#max = maxInFlight;
  }

  /** Fetches running now. */
  get running(): number {
    return this.#running;
  }

  /**
   * Fetches the ids no running fetch is already asking for, unless too many fetches run.
   * @param ids missing parent ids
   * @returns how many ids were asked for (0: all already out, or deferred)
   * @throws what `fetch` throws
   */
  async fetch(ids: readonly Uint8Array[]): Promise<number> {
    const fresh = ids.filter((id) => !this.#out.has(bytesToHex(id)));
    if (fresh.length === 0) return 0;
    if (this.#running >= this.#max) {
      this.deferred++;
      return 0;
    }
    const keys = fresh.map((id) => bytesToHex(id));
    for (const k of keys) this.#out.add(k);
    this.#running++;
    try {
      await this.#fetch(fresh);
    } finally {
      this.#running--;
      for (const k of keys) this.#out.delete(k);
    }
    return fresh.length;
  }
}
