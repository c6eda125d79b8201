/**
 * Event store access for the node: a small reader interface, a Deno KV implementation, and a
 * caching wrapper that records `pc_node_cache_*` and `pc_node_store_*_read_seconds`.
 *
 * KV layout (provisional, until the lead wires the state/consensus store):
 * - `["ev", "h", idHex]` → header bytes (one value, at most 64 KiB, Deno KV's value limit)
 * - `["ev", "p", idHex, i]` → payload chunk i (payloads are split into 60 KiB chunks)
 * - `["ev", "pn", idHex]` → number of payload chunks
 * @module
 */
import { concatBytes } from "@noble/hashes/utils.js";
import { type CacheMetricsSink, ShardedLruCache } from "./cache.ts";
import { NodeError } from "./errors.ts";

/** Reads event headers and payloads by id (lowercase hex). */
export interface EventReader {
  /**
   * @param id event id, lowercase hex
   * @returns the encoded header, or null when unknown
   */
  getHeader(id: string): Promise<Uint8Array | null>;
  /**
   * @param id event id, lowercase hex
   * @returns the payload, or null when not held locally
   */
  getPayload(id: string): Promise<Uint8Array | null>;
}

/** Payload chunk size: below Deno KV's 64 KiB value limit. */
export const PAYLOAD_CHUNK_BYTES = 60 * 1024;

/**
 * An {@linkcode EventReader} (and writer) over a Deno KV database.
 *
 * @example
 * ```ts
 * import { KvEventStore } from "./store.ts";
 * const kv = await Deno.openKv(":memory:");
 * const s = new KvEventStore(kv);
 * await s.put("00", new Uint8Array([1]), new Uint8Array([2, 3]));
 * console.assert((await s.getPayload("00"))?.length === 2);
 * kv.close();
 * ```
 */
export class KvEventStore implements EventReader {
  readonly #kv: Deno.Kv;

  /** @param kv an open Deno KV handle (owned by the caller) */
  constructor(kv: Deno.Kv) {
    this.#kv = kv;
  }

  /** @inheritdoc */
  async getHeader(id: string): Promise<Uint8Array | null> {
    const r = await this.#kv.get<Uint8Array>(["ev", "h", id]);
    return r.value;
  }

  /** @inheritdoc */
  async getPayload(id: string): Promise<Uint8Array | null> {
    const n = await this.#kv.get<number>(["ev", "pn", id]);
    if (n.value === null) return null;
    if (n.value === 1) {
      return (await this.#kv.get<Uint8Array>(["ev", "p", id, 0])).value;
    }
    const parts: Uint8Array[] = [];
    for await (const e of this.#kv.list<Uint8Array>({ prefix: ["ev", "p", id] })) {
      parts.push(e.value);
    }
    return concatBytes(...parts);
  }

  /**
   * Stores one event atomically.
   * @param id event id, lowercase hex
   * @param header encoded header (at most 64 KiB)
   * @param payload payload bytes (chunked)
   * @throws {RangeError} when the header exceeds 64 KiB
   * @throws {NodeError} `STORE_COMMIT_REFUSED` when the KV commit is refused
   */
  async put(id: string, header: Uint8Array, payload: Uint8Array): Promise<void> {
    if (header.byteLength > 65536) {
      throw new RangeError(`Event header exceeds 65536 bytes: got ${header.byteLength}`);
    }
    const op = this.#kv.atomic().set(["ev", "h", id], header);
    const chunks = Math.max(1, Math.ceil(payload.byteLength / PAYLOAD_CHUNK_BYTES));
    for (let i = 0; i < chunks; i++) {
      op.set(
        ["ev", "p", id, i],
        payload.slice(i * PAYLOAD_CHUNK_BYTES, (i + 1) * PAYLOAD_CHUNK_BYTES),
      );
    }
    op.set(["ev", "pn", id], chunks);
    const r = await op.commit();
    if (!r.ok) throw new NodeError({ code: "STORE_COMMIT_REFUSED", what: `event "${id}"` });
  }

  /**
   * Stores several events in as few atomic commits as Deno KV's limits allow (at most 800
   * mutations and about 600 KiB per commit; an event is never split across commits).
   * @param events id, header and payload of each event
   * @throws {RangeError} when a header exceeds 64 KiB
   * @throws {NodeError} `STORE_COMMIT_REFUSED` when a KV commit is refused
   */
  async putMany(
    events: readonly { id: string; header: Uint8Array; payload: Uint8Array }[],
  ): Promise<void> {
    const MAX_MUTATIONS = 800;
    const MAX_BYTES = 600 * 1024;
    let op = this.#kv.atomic();
    let mutations = 0;
    let bytes = 0;
    const commit = async () => {
      if (mutations === 0) return;
      const r = await op.commit();
      if (!r.ok) throw new NodeError({ code: "STORE_COMMIT_REFUSED", what: "events" });
      op = this.#kv.atomic();
      mutations = 0;
      bytes = 0;
    };
    for (const e of events) {
      if (e.header.byteLength > 65536) {
        throw new RangeError(`Event header exceeds 65536 bytes: got ${e.header.byteLength}`);
      }
      const chunks = Math.max(1, Math.ceil(e.payload.byteLength / PAYLOAD_CHUNK_BYTES));
      const size = e.header.byteLength + e.payload.byteLength + 64 * (chunks + 2);
      if (mutations + chunks + 2 > MAX_MUTATIONS || bytes + size > MAX_BYTES) await commit();
      op.set(["ev", "h", e.id], e.header);
      for (let i = 0; i < chunks; i++) {
        op.set(
          ["ev", "p", e.id, i],
          e.payload.slice(i * PAYLOAD_CHUNK_BYTES, (i + 1) * PAYLOAD_CHUNK_BYTES),
        );
      }
      op.set(["ev", "pn", e.id], chunks);
      mutations += chunks + 2;
      bytes += size;
    }
    await commit();
  }

  /**
   * Lists stored event ids in key order.
   * @param limit most ids to return
   * @returns ids
   */
  async listIds(limit = Number.MAX_SAFE_INTEGER): Promise<string[]> {
    const out: string[] = [];
    for await (const e of this.#kv.list({ prefix: ["ev", "h"] }, { limit })) {
      const id = e.key[2];
      if (typeof id === "string") out.push(id);
    }
    return out;
  }
}

/** Histograms a {@linkcode CachedEventReader} times store reads with. */
export interface StoreMetricsSink extends CacheMetricsSink {
  readonly storeHeaderRead: { observe(value: number): void };
  readonly storePayloadRead: { observe(value: number): void };
}

/** Options of {@linkcode CachedEventReader}. */
export interface CachedEventReaderOptions {
  /** Header cache capacity in entries (0 = off). */
  readonly headerCap: number;
  /** Payload cache capacity in bytes (0 = off). */
  readonly payloadCap: number;
  /** Shards per cache; default navigator.hardwareConcurrency. */
  readonly shards?: number;
  /** Monotonic clock in milliseconds; default performance.now. */
  readonly now?: () => number;
}

/**
 * Wraps an {@linkcode EventReader} with a header cache (count-bounded) and a payload cache
 * (byte-bounded). Misses are read from the store and timed into the read histograms.
 *
 * @example
 * ```ts
 * import { CachedEventReader, KvEventStore } from "./store.ts";
 * const kv = await Deno.openKv(":memory:");
 * const store = new KvEventStore(kv);
 * await store.put("aa", new Uint8Array(8), new Uint8Array(16));
 * const r = new CachedEventReader(store, { headerCap: 10, payloadCap: 1024 });
 * await r.getHeader("aa");
 * await r.getHeader("aa");
 * console.assert(r.headers.stats().hits === 1);
 * kv.close();
 * ```
 */
export class CachedEventReader implements EventReader {
  /** The header cache. */
  readonly headers: ShardedLruCache<Uint8Array>;
  /** The payload cache. */
  readonly payloads: ShardedLruCache<Uint8Array>;
  readonly #inner: EventReader;
  readonly #metrics: StoreMetricsSink | undefined;
  readonly #now: () => number;

  /**
   * @param inner the store to read misses from
   * @param options capacities, shards, clock
   * @param metrics where cache and read-latency metrics go (NodeMetrics fits)
   */
  constructor(inner: EventReader, options: CachedEventReaderOptions, metrics?: StoreMetricsSink) {
    this.#inner = inner;
    this.#metrics = metrics;
    this.#now = options.now ?? (() => performance.now());
    const shards = options.shards === undefined || options.shards === 0 ? {} : {
      shards: options.shards,
    };
    const m = metrics === undefined ? {} : { metrics };
    this.headers = new ShardedLruCache({
      name: "header",
      capacity: options.headerCap,
      ...shards,
      ...m,
    });
    this.payloads = new ShardedLruCache({
      name: "payload",
      capacity: options.payloadCap,
      sizeOf: (v: Uint8Array) => v.byteLength,
      ...shards,
      ...m,
    });
  }

  /** @inheritdoc */
  async getHeader(id: string): Promise<Uint8Array | null> {
    const hit = this.headers.get(id);
    if (hit !== undefined) return hit;
    const t0 = this.#now();
    const v = await this.#inner.getHeader(id);
    this.#metrics?.storeHeaderRead.observe((this.#now() - t0) / 1000);
    if (v !== null) this.headers.set(id, v);
    return v;
  }

  /** @inheritdoc */
  async getPayload(id: string): Promise<Uint8Array | null> {
    const hit = this.payloads.get(id);
    if (hit !== undefined) return hit;
    const t0 = this.#now();
    const v = await this.#inner.getPayload(id);
    this.#metrics?.storePayloadRead.observe((this.#now() - t0) / 1000);
    if (v !== null) this.payloads.set(id, v);
    return v;
  }
}
