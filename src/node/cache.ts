/**
 * Sharded LRU cache for event headers and payloads. Each shard is an insertion-ordered Map (the
 * first key is the least recently used); keys are spread over shards by FNV-1a so that a hot key
 * range never lands on one shard.
 * @module
 */

/** Counters/gauges a cache reports to; see `NodeMetrics` in src/metrics. */
export interface CacheMetricsSink {
  readonly cacheHits: { inc(labels: { cache: string }, value?: number): void };
  readonly cacheMisses: { inc(labels: { cache: string }, value?: number): void };
  readonly cacheEvictions: { inc(labels: { cache: string }, value?: number): void };
  readonly cacheEntries: { set(labels: { cache: string }, value: number): void };
  readonly cacheBytes: { set(labels: { cache: string }, value: number): void };
}

/** Options of {@linkcode ShardedLruCache}. */
export interface ShardedLruCacheOptions<V> {
  /** Metric label, e.g. `header` or `payload`. */
  readonly name: string;
  /** Capacity in size units (entries when `sizeOf` is absent, else bytes); 0 disables the cache. */
  readonly capacity: number;
  /** Shard count; defaults to `navigator.hardwareConcurrency`. */
  readonly shards?: number;
  /** Size of one value in capacity units (e.g. `(v) => v.byteLength`); default 1 per entry. */
  readonly sizeOf?: (value: V) => number;
  /** Where hits, misses, evictions and sizes are reported. */
  readonly metrics?: CacheMetricsSink;
}

interface Shard<V> {
  readonly map: Map<string, { value: V; size: number }>;
  size: number;
}

/** Statistics of one cache since creation. */
export interface CacheStats {
  hits: number;
  misses: number;
  evictions: number;
  entries: number;
  size: number;
  capacity: number;
  shards: number;
}

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * A size-bounded, sharded LRU cache with string keys. Capacity is split evenly over the shards,
 * so the total never exceeds `capacity`; a value larger than one shard's share is not cached.
 *
 * @example
 * ```ts
 * import { ShardedLruCache } from "./cache.ts";
 * const c = new ShardedLruCache<Uint8Array>({ name: "payload", capacity: 1024, shards: 2, sizeOf: (v) => v.byteLength });
 * c.set("ab", new Uint8Array(10));
 * console.assert(c.get("ab")?.byteLength === 10);
 * ```
 */
export class ShardedLruCache<V> {
  readonly name: string;
  readonly capacity: number;
  readonly #shards: Shard<V>[];
  readonly #perShard: number;
  readonly #sizeOf: (value: V) => number;
  readonly #metrics: CacheMetricsSink | undefined;
  #hits = 0;
  #misses = 0;
  #evictions = 0;

  /**
   * @param options name, capacity, shards, sizeOf, metrics
   * @throws {RangeError} when capacity or shards is not a non-negative safe integer / 1..1024
   */
  constructor(options: ShardedLruCacheOptions<V>) {
    if (!Number.isSafeInteger(options.capacity) || options.capacity < 0) {
      throw new RangeError(
        `Cache capacity must be a non-negative integer: got ${options.capacity}`,
      );
    }
    const shards = options.shards ?? Math.max(1, navigator.hardwareConcurrency || 1);
    if (!Number.isInteger(shards) || shards < 1 || shards > 1024) {
      throw new RangeError(`Cache shard count must be in 1..1024: got ${shards}`);
    }
    this.name = options.name;
    this.capacity = options.capacity;
    // Small caches use one shard so that the per-shard share is not rounded down to nothing.
    const n = options.capacity === 0 ? 1 : Math.min(shards, options.capacity);
    this.#shards = Array.from({ length: n }, () => ({ map: new Map(), size: 0 }));
    this.#perShard = Math.floor(options.capacity / n);
    this.#sizeOf = options.sizeOf ?? (() => 1);
    this.#metrics = options.metrics;
    this.#report();
  }

  /** Whether the cache stores anything (capacity > 0). */
  get enabled(): boolean {
    return this.capacity > 0;
  }

  #shard(key: string): Shard<V> {
    return this.#shards[fnv1a(key) % this.#shards.length] as Shard<V>;
  }

  /**
   * Looks a key up and marks it most recently used; counts a hit or a miss.
   * @param key the key
   * @returns the value, or undefined on a miss
   */
  get(key: string): V | undefined {
    const shard = this.#shard(key);
    const e = shard.map.get(key);
    if (e === undefined) {
      this.#misses++;
      this.#metrics?.cacheMisses.inc({ cache: this.name });
      return undefined;
    }
    shard.map.delete(key);
    shard.map.set(key, e);
    this.#hits++;
    this.#metrics?.cacheHits.inc({ cache: this.name });
    return e.value;
  }

  /**
   * Whether a key is cached, without touching recency or statistics.
   * @param key the key
   * @returns true when present
   */
  has(key: string): boolean {
    return this.#shard(key).map.has(key);
  }

  /**
   * Inserts or replaces a value, evicting least recently used entries of its shard as needed.
   * @param key the key
   * @param value the value
   * @returns true when cached, false when the cache is off or the value exceeds a shard's share
   * @throws {RangeError} when sizeOf returns a negative or non-integer size
   */
  set(key: string, value: V): boolean {
    const size = this.#sizeOf(value);
    if (!Number.isSafeInteger(size) || size < 0) {
      throw new RangeError(`Cache entry size must be a non-negative integer: got ${size}`);
    }
    if (this.capacity === 0 || size > this.#perShard) return false;
    const shard = this.#shard(key);
    const old = shard.map.get(key);
    if (old !== undefined) {
      shard.map.delete(key);
      shard.size -= old.size;
    }
    let evicted = 0;
    while (shard.size + size > this.#perShard) {
      const first = shard.map.keys().next();
      if (first.done === true) break;
      const e = shard.map.get(first.value);
      shard.map.delete(first.value);
      shard.size -= e?.size ?? 0;
      evicted++;
    }
    shard.map.set(key, { value, size });
    shard.size += size;
    if (evicted > 0) {
      this.#evictions += evicted;
      this.#metrics?.cacheEvictions.inc({ cache: this.name }, evicted);
    }
    this.#report();
    return true;
  }

  /**
   * Removes a key.
   * @param key the key
   * @returns true when it was present
   */
  delete(key: string): boolean {
    const shard = this.#shard(key);
    const e = shard.map.get(key);
    if (e === undefined) return false;
    shard.map.delete(key);
    shard.size -= e.size;
    this.#report();
    return true;
  }

  /** Empties the cache (statistics are kept). */
  clear(): void {
    for (const s of this.#shards) {
      s.map.clear();
      s.size = 0;
    }
    this.#report();
  }

  /** Current statistics. */
  stats(): CacheStats {
    let entries = 0;
    let size = 0;
    for (const s of this.#shards) {
      entries += s.map.size;
      size += s.size;
    }
    return {
      hits: this.#hits,
      misses: this.#misses,
      evictions: this.#evictions,
      entries,
      size,
      capacity: this.capacity,
      shards: this.#shards.length,
    };
  }

  #report(): void {
    if (this.#metrics === undefined) return;
    const s = this.stats();
    this.#metrics.cacheEntries.set({ cache: this.name }, s.entries);
    this.#metrics.cacheBytes.set({ cache: this.name }, s.size);
  }
}
