/**
 * CacheBench: measures event cache hit rate and read latency against a real Deno KV store, the
 * engine behind `phantom-node CacheBench`.
 * @module
 */
import { Registry } from "prom-client";
import { blake3 } from "@noble/hashes/blake3.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { createNodeMetrics } from "../metrics/mod.ts";
import { NodeError } from "./errors.ts";
import { KV_FILE } from "./node.ts";
import { CachedEventReader, KvEventStore } from "./store.ts";

/** Options of {@linkcode runCacheBench}. */
export interface CacheBenchOptions {
  /** Directory holding `chain.kv` (a node data dir works). */
  readonly storeDir: string;
  /** Which reads to measure. */
  readonly mode: "headers" | "payloads";
  /** Distinct events read per iteration. */
  readonly sample: number;
  /** Passes over the sample (pass 1 warms the cache). */
  readonly iterations: number;
  /** Header cache capacity in entries (0 = off). */
  readonly headerCap: number;
  /** Payload cache capacity in bytes (0 = off). */
  readonly payloadCap: number;
  /** Cache shards; default navigator.hardwareConcurrency. */
  readonly shards?: number;
  /** Seed of the sample choice and read order. */
  readonly seed?: number;
}

/** Latency percentiles in microseconds. */
export interface LatencySummary {
  readonly count: number;
  readonly p50_us: number;
  readonly p90_us: number;
  readonly p99_us: number;
  readonly max_us: number;
}

/** Result of {@linkcode runCacheBench}. */
export interface CacheBenchResult {
  readonly mode: "headers" | "payloads";
  readonly store_events: number;
  readonly sample: number;
  readonly iterations: number;
  readonly header_cap: number;
  readonly payload_cap: number;
  readonly shards: number;
  readonly reads: number;
  readonly hits: number;
  readonly misses: number;
  readonly hit_rate: number;
  /** Hit rate of each pass. */
  readonly hit_rate_per_iteration: readonly number[];
  /** Every read (hits and misses). */
  readonly read_latency: LatencySummary;
  /** Reads served by the cache. */
  readonly hit_latency: LatencySummary;
  /** Reads that went to the KV store. */
  readonly miss_latency: LatencySummary;
  /** The `pc_node_*` metrics after the run, in Prometheus text format. */
  readonly metrics_text: string;
}

/** xorshift32: a small seeded generator so that runs are repeatable. */
function rng(seed: number): () => number {
  let s = (seed >>> 0) || 0x9e3779b9;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 0x1_0000_0000;
  };
}

function shuffle<T>(a: T[], next: () => number): T[] {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    const t = a[i] as T;
    a[i] = a[j] as T;
    a[j] = t;
  }
  return a;
}

function summarize(us: number[]): LatencySummary {
  if (us.length === 0) return { count: 0, p50_us: 0, p90_us: 0, p99_us: 0, max_us: 0 };
  const s = [...us].sort((a, b) => a - b);
  const at = (q: number) =>
    Math.round((s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0) * 10) / 10;
  return { count: s.length, p50_us: at(0.5), p90_us: at(0.9), p99_us: at(0.99), max_us: at(1) };
}

function checkCount(name: string, v: number, min: number, max: number): void {
  if (!Number.isSafeInteger(v) || v < min || v > max) {
    throw new RangeError(`${name} must be an integer in ${min}..${max}: got ${v}`);
  }
}

/**
 * Writes `count` synthetic events (deterministic ids and contents) into `<dir>/chain.kv`.
 * @param dir store directory (created if missing)
 * @param count number of events
 * @param payloadBytes mean payload size; sizes vary from half to 1.5 times this
 * @returns the number of events written
 * @throws {RangeError} when count or payloadBytes is out of range
 * @example
 * ```ts
 * import { populateStore } from "./cachebench.ts";
 * const dir = await Deno.makeTempDir();
 * console.assert(await populateStore(dir, 10, 256) === 10);
 * ```
 */
export async function populateStore(
  dir: string,
  count: number,
  payloadBytes: number,
): Promise<number> {
  checkCount("populate", count, 1, 10_000_000);
  checkCount("payload bytes", payloadBytes, 1, 4 * 1024 * 1024);
  await Deno.mkdir(dir, { recursive: true });
  const kv = await Deno.openKv(`${dir}/${KV_FILE}`);
  try {
    const store = new KvEventStore(kv);
    const next = rng(count);
    const header = new Uint8Array(180);
    const BATCH = 256;
    for (let base = 0; base < count; base += BATCH) {
      const batch: { id: string; header: Uint8Array; payload: Uint8Array }[] = [];
      for (let i = base; i < Math.min(count, base + BATCH); i++) {
        const idx = new Uint8Array(8);
        new DataView(idx.buffer).setBigUint64(0, BigInt(i), true);
        const id = blake3(idx);
        const h = header.slice();
        h.set(id, 0);
        const size = Math.max(1, Math.round(payloadBytes * (0.5 + next())));
        batch.push({ id: bytesToHex(id), header: h, payload: new Uint8Array(size).fill(i & 0xff) });
      }
      await store.putMany(batch);
    }
  } finally {
    kv.close();
  }
  return count;
}

/**
 * Runs the cache benchmark: picks `sample` events, reads them `iterations` times in a seeded
 * random order through fresh caches, and reports hit rate and latency percentiles.
 * @param options store, mode, sample, iterations, capacities, seed
 * @returns the measurements
 * @throws {NodeError} STORE_EMPTY when the store holds no events
 * @throws {RangeError} when a count is out of range
 * @example
 * ```ts
 * import { populateStore, runCacheBench } from "./cachebench.ts";
 * const dir = await Deno.makeTempDir();
 * await populateStore(dir, 20, 64);
 * const r = await runCacheBench({ storeDir: dir, mode: "headers", sample: 10, iterations: 2, headerCap: 100, payloadCap: 0 });
 * console.assert(r.hit_rate === 0.5);
 * ```
 */
export async function runCacheBench(options: CacheBenchOptions): Promise<CacheBenchResult> {
  checkCount("sample", options.sample, 1, 10_000_000);
  checkCount("iterations", options.iterations, 1, 1000);
  let st: Deno.FileInfo | null = null;
  try {
    st = await Deno.stat(`${options.storeDir}/${KV_FILE}`);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  if (st === null) throw new NodeError({ code: "STORE_EMPTY", dir: options.storeDir });
  const kv = await Deno.openKv(`${options.storeDir}/${KV_FILE}`);
  try {
    const store = new KvEventStore(kv);
    const ids = await store.listIds();
    if (ids.length === 0) throw new NodeError({ code: "STORE_EMPTY", dir: options.storeDir });
    const next = rng(options.seed ?? 1);
    const sample = shuffle([...ids], next).slice(0, Math.min(options.sample, ids.length));
    const registry = new Registry();
    const metrics = createNodeMetrics(registry);
    const reader = new CachedEventReader(store, {
      headerCap: options.headerCap,
      payloadCap: options.payloadCap,
      ...(options.shards === undefined ? {} : { shards: options.shards }),
    }, metrics);
    const cache = options.mode === "headers" ? reader.headers : reader.payloads;
    const read = options.mode === "headers"
      ? (id: string) => reader.getHeader(id)
      : (id: string) => reader.getPayload(id);
    const all: number[] = [];
    const hitUs: number[] = [];
    const missUs: number[] = [];
    const perIteration: number[] = [];
    for (let it = 0; it < options.iterations; it++) {
      const order = shuffle([...sample], next);
      let hits = 0;
      for (const id of order) {
        const before = cache.stats().hits;
        const t0 = performance.now();
        const v = await read(id);
        const us = (performance.now() - t0) * 1000;
        if (v === null) {
          throw new Error(`Event "${id}" listed but not readable in ${options.mode} mode`);
        }
        all.push(us);
        if (cache.stats().hits > before) {
          hits++;
          hitUs.push(us);
        } else {
          missUs.push(us);
        }
      }
      perIteration.push(hits / order.length);
    }
    const s = cache.stats();
    const text = (await registry.metrics()).split("\n").filter((l) =>
      l.startsWith("pc_node_") && !l.includes("_bucket{")
    ).join("\n");
    return {
      mode: options.mode,
      store_events: ids.length,
      sample: sample.length,
      iterations: options.iterations,
      header_cap: options.headerCap,
      payload_cap: options.payloadCap,
      shards: s.shards,
      reads: all.length,
      hits: hitUs.length,
      misses: missUs.length,
      hit_rate: all.length === 0 ? 0 : hitUs.length / all.length,
      hit_rate_per_iteration: perIteration,
      read_latency: summarize(all),
      hit_latency: summarize(hitUs),
      miss_latency: summarize(missUs),
      metrics_text: text,
    };
  } finally {
    kv.close();
  }
}
