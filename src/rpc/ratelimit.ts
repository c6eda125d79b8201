/**
 * Per-client token-bucket rate limiting for the RPC server.
 * @module
 */

/** Options of {@linkcode RateLimiter}. */
export interface RateLimiterOptions {
  /** Tokens added per second; 0 disables limiting. */
  readonly ratePerSecond: number;
  /** Bucket size (largest burst). */
  readonly burst: number;
  /** Most clients tracked; the least recently seen is forgotten beyond this (memory bound). */
  readonly maxClients?: number;
  /** Monotonic clock in milliseconds; default performance.now. */
  readonly now?: () => number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Token buckets keyed by client. A request costing `n` tokens passes when the client's bucket
 * holds `n`; otherwise it is refused and the wait until it would pass is returned.
 *
 * @example
 * ```ts
 * import { RateLimiter } from "./ratelimit.ts";
 * let t = 0;
 * const rl = new RateLimiter({ ratePerSecond: 1, burst: 2, now: () => t });
 * console.assert(rl.take("a") === 0 && rl.take("a") === 0 && rl.take("a") > 0);
 * t = 1000;
 * console.assert(rl.take("a") === 0);
 * ```
 */
export class RateLimiter {
  readonly #rate: number;
  readonly #burst: number;
  readonly #maxClients: number;
  readonly #now: () => number;
  readonly #buckets = new Map<string, Bucket>();

  /**
   * @param options rate, burst, client bound, clock
   * @throws {RangeError} when rate is negative or burst is below 1
   */
  constructor(options: RateLimiterOptions) {
    if (!(options.ratePerSecond >= 0)) {
      throw new RangeError(`Rate must be non-negative: got ${options.ratePerSecond}`);
    }
    if (!(options.burst >= 1)) {
      throw new RangeError(`Burst must be at least 1: got ${options.burst}`);
    }
    this.#rate = options.ratePerSecond;
    this.#burst = options.burst;
    this.#maxClients = options.maxClients ?? 10_000;
    this.#now = options.now ?? (() => performance.now());
  }

  /** Whether limiting is on. */
  get enabled(): boolean {
    return this.#rate > 0;
  }

  /**
   * Takes `cost` tokens from a client's bucket.
   * @param client client key (IP address)
   * @param cost tokens needed (1 per call; a batch costs its length)
   * @returns 0 when allowed, else the milliseconds until it would be allowed (Infinity when the
   *   cost exceeds the burst)
   */
  take(client: string, cost = 1): number {
    if (this.#rate === 0) return 0;
    const now = this.#now();
    let b = this.#buckets.get(client);
    if (b === undefined) {
      b = { tokens: this.#burst, at: now };
      if (this.#buckets.size >= this.#maxClients) {
        const oldest = this.#buckets.keys().next();
        if (oldest.done !== true) this.#buckets.delete(oldest.value);
      }
    } else {
      this.#buckets.delete(client);
      b.tokens = Math.min(this.#burst, b.tokens + ((now - b.at) / 1000) * this.#rate);
      b.at = now;
    }
    this.#buckets.set(client, b);
    if (b.tokens >= cost) {
      b.tokens -= cost;
      return 0;
    }
    if (cost > this.#burst) return Infinity;
    return Math.ceil(((cost - b.tokens) / this.#rate) * 1000);
  }

  /** Number of clients currently tracked. */
  get clients(): number {
    return this.#buckets.size;
  }
}
