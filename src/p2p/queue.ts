/**
 * Bounded in-memory structures of the p2p layer: a FIFO queue with an async consumer, a seen-cache
 * of ids, a byte-bounded body cache, and a token bucket. None grows past its capacity.
 * @module
 */

function checkCapacity(n: number, what: string): void {
  if (!Number.isInteger(n) || n < 1) {
    throw new RangeError(`${what} must be a positive integer: ${n}`);
  }
}

/**
 * FIFO queue with a fixed capacity: `push` refuses (returns `false` and counts a drop) when full,
 * never blocks and never grows. One consumer reads with `shift`, `next` or `for await`.
 *
 * @example
 * ```ts
 * import { BoundedQueue } from "./queue.ts";
 * const q = new BoundedQueue<number>(1);
 * console.assert(q.push(1) && !q.push(2) && q.dropped === 1);
 * console.assert((await q.next()) === 1);
 * ```
 */
export class BoundedQueue<T> implements AsyncIterable<T> {
  /** Capacity. */
  readonly capacity: number;
  #items: T[] = [];
  #head = 0;
  #dropped = 0;
  #waiter: ((v: T | undefined) => void) | undefined;
  #closed = false;

  /**
   * @param capacity most items held at once
   * @throws {RangeError} when `capacity` is not a positive integer
   */
  constructor(capacity: number) {
    checkCapacity(capacity, "Queue capacity");
    this.capacity = capacity;
  }

  /** Items waiting. */
  get size(): number {
    return this.#items.length - this.#head;
  }

  /** Items refused because the queue was full. */
  get dropped(): number {
    return this.#dropped;
  }

  /**
   * Adds an item, or drops it when full or closed.
   * @param item the item
   * @returns whether it was queued
   */
  push(item: T): boolean {
    if (this.#closed) return false;
    if (this.#waiter !== undefined) {
      const w = this.#waiter;
      this.#waiter = undefined;
      w(item);
      return true;
    }
    if (this.size >= this.capacity) {
      this.#dropped++;
      return false;
    }
    this.#items.push(item);
    return true;
  }

  /**
   * Takes the oldest item without waiting.
   * @returns the item, or `undefined` when empty
   */
  shift(): T | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const item = this.#items[this.#head] as T;
    this.#head++;
    // Compact once the consumed prefix dominates, keeping memory proportional to `size`.
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }

  /**
   * Waits for the next item.
   * @returns the item, or `undefined` once the queue is closed and empty
   */
  next(): Promise<T | undefined> {
    const item = this.shift();
    if (item !== undefined || this.#closed) return Promise.resolve(item);
    if (this.#waiter !== undefined) throw new Error("BoundedQueue supports one waiting consumer");
    return new Promise((resolve) => (this.#waiter = resolve));
  }

  /** Refuses further pushes; a waiting consumer gets `undefined`. */
  close(): void {
    this.#closed = true;
    const w = this.#waiter;
    this.#waiter = undefined;
    w?.(undefined);
  }

  /** Iterates until the queue is closed and drained. */
  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    while (true) {
      const item = await this.next();
      if (item === undefined) return;
      yield item;
    }
  }
}

/**
 * Set of recently seen keys with a fixed capacity; the oldest key is forgotten first.
 *
 * @example
 * ```ts
 * import { SeenCache } from "./queue.ts";
 * const seen = new SeenCache(2);
 * console.assert(seen.add("a") && !seen.add("a"));
 * ```
 */
export class SeenCache {
  readonly #cap: number;
  readonly #keys = new Set<string>();

  /**
   * @param capacity most keys remembered
   * @throws {RangeError} when `capacity` is not a positive integer
   */
  constructor(capacity: number) {
    checkCapacity(capacity, "Seen-cache capacity");
    this.#cap = capacity;
  }

  /** Keys remembered. */
  get size(): number {
    return this.#keys.size;
  }

  /**
   * Whether a key is remembered.
   * @param key the key
   * @returns `true` when seen
   */
  has(key: string): boolean {
    return this.#keys.has(key);
  }

  /**
   * Remembers a key.
   * @param key the key
   * @returns `true` when it was new
   */
  add(key: string): boolean {
    if (this.#keys.has(key)) return false;
    this.#keys.add(key);
    if (this.#keys.size > this.#cap) {
      const oldest = this.#keys.values().next().value;
      if (oldest !== undefined) this.#keys.delete(oldest);
    }
    return true;
  }

  /**
   * Forgets a key (e.g. a body that failed to arrive may be announced again).
   * @param key the key
   */
  delete(key: string): void {
    this.#keys.delete(key);
  }
}

/**
 * Map of bodies by id bounded by their total byte size; the oldest entry is evicted first.
 *
 * @example
 * ```ts
 * import { ByteBoundedCache } from "./queue.ts";
 * const c = new ByteBoundedCache(4);
 * c.set("a", new Uint8Array(3));
 * c.set("b", new Uint8Array(3));
 * console.assert(!c.has("a") && c.has("b") && c.bytes === 3);
 * ```
 */
export class ByteBoundedCache {
  readonly #maxBytes: number;
  readonly #map = new Map<string, Uint8Array>();
  #bytes = 0;

  /**
   * @param maxBytes total byte budget
   * @throws {RangeError} when `maxBytes` is not a positive integer
   */
  constructor(maxBytes: number) {
    checkCapacity(maxBytes, "Cache byte budget");
    this.#maxBytes = maxBytes;
  }

  /** Bytes held. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Entries held. */
  get size(): number {
    return this.#map.size;
  }

  /**
   * Whether a body is held.
   * @param key id key
   * @returns `true` when held
   */
  has(key: string): boolean {
    return this.#map.has(key);
  }

  /**
   * A held body.
   * @param key id key
   * @returns the body or `undefined`
   */
  get(key: string): Uint8Array | undefined {
    return this.#map.get(key);
  }

  /**
   * Stores a body, evicting the oldest until it fits; a body above the budget is not stored.
   * @param key id key
   * @param body body bytes
   */
  set(key: string, body: Uint8Array): void {
    if (body.length > this.#maxBytes || this.#map.has(key)) return;
    this.#map.set(key, body);
    this.#bytes += body.length;
    for (const [k, v] of this.#map) {
      if (this.#bytes <= this.#maxBytes) break;
      this.#map.delete(k);
      this.#bytes -= v.length;
    }
  }
}

/**
 * Token bucket over an injected monotonic clock (ms): `rate` tokens per second, up to `burst`.
 *
 * @example
 * ```ts
 * import { TokenBucket } from "./queue.ts";
 * let now = 0;
 * const b = new TokenBucket(1, 2, () => now);
 * console.assert(b.take(2) && !b.take(1));
 * now = 1000;
 * console.assert(b.take(1));
 * ```
 */
export class TokenBucket {
  readonly #rate: number;
  readonly #burst: number;
  readonly #now: () => number;
  #tokens: number;
  #at: number;

  /**
   * @param rate tokens added per second
   * @param burst most tokens held
   * @param now monotonic clock in ms
   * @throws {RangeError} when `rate` or `burst` is not positive
   */
  constructor(rate: number, burst: number, now: () => number) {
    if (!(rate > 0) || !(burst > 0)) {
      throw new RangeError(`Token bucket rate and burst must be positive: ${rate}, ${burst}`);
    }
    this.#rate = rate;
    this.#burst = burst;
    this.#now = now;
    this.#tokens = burst;
    this.#at = now();
  }

  /**
   * Takes tokens when available.
   * @param n tokens wanted
   * @returns whether they were taken
   */
  take(n: number): boolean {
    const now = this.#now();
    this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#at) / 1000) * this.#rate);
    this.#at = now;
    if (this.#tokens < n) return false;
    this.#tokens -= n;
    return true;
  }
}
