/**
 * The small storage interface the state engine writes through, and an in-memory implementation
 * for tests and the simulator. The Deno KV implementation lives in `kv_store.ts` (the only file
 * of this module allowed to do I/O).
 * @module
 */
import { toHex } from "./_bytes.ts";

/** One part of a store key (the Deno KV key-part types we use). */
export type StoreKeyPart = string | bigint | Uint8Array;
/** A store key: a tuple of parts, compared part by part. */
export type StoreKey = readonly StoreKeyPart[];

/** One mutation of an atomic {@linkcode Store.commit}. */
export type StoreMutation =
  | { type: "set"; key: StoreKey; value: Uint8Array }
  | { type: "delete"; key: StoreKey };

/**
 * Limits one atomic commit must respect (Deno KV: 1000 mutations, 800 KiB in all, 80 KiB of
 * keys, 64 KiB per value).
 */
export interface StoreLimits {
  /** Most mutations per atomic commit. */
  maxMutations: number;
  /** Most encoded key bytes per atomic commit (see {@linkcode keySize}). */
  maxKeyBytes: number;
  /** Most bytes (keys + values) per atomic commit. */
  maxBytes: number;
  /** Largest single value. */
  maxValueBytes: number;
}

/** Deno KV's limits, which every store enforces so that tests catch oversize batches. */
export const KV_LIMITS: StoreLimits = Object.freeze({
  maxMutations: 1000,
  maxKeyBytes: 81920,
  maxBytes: 800 * 1024,
  maxValueBytes: 65536,
});

/**
 * Durable (or in-memory) ordered key-value storage with all-or-nothing batches.
 * `commit` either applies every mutation or none, also across a crash.
 */
export interface Store {
  /** Limits of one atomic commit. */
  readonly limits: StoreLimits;
  /** Value under `key`, or `null`. */
  get(key: StoreKey): Promise<Uint8Array | null>;
  /** Every entry whose key starts with `prefix`, in key order. */
  list(prefix: StoreKey): AsyncIterable<{ key: StoreKey; value: Uint8Array }>;
  /** Apply `mutations` atomically; throws {@linkcode RangeError} when over {@linkcode limits}. */
  commit(mutations: readonly StoreMutation[]): Promise<void>;
  /** Release resources. */
  close(): void;
}

/** Approximate encoded size of a key (what KV counts toward the 800 KiB). */
export function keySize(key: StoreKey): number {
  let n = 0;
  for (const p of key) {
    n += typeof p === "string" ? p.length + 2 : p instanceof Uint8Array ? p.length + 2 : 9;
  }
  return n;
}

/**
 * Check a batch against limits.
 * @param mutations The batch.
 * @param limits The limits.
 * @throws {RangeError} Naming the exceeded limit.
 */
export function checkBatch(mutations: readonly StoreMutation[], limits: StoreLimits): void {
  if (mutations.length > limits.maxMutations) {
    throw new RangeError(
      `Atomic commit too large: ${mutations.length} mutations exceed ${limits.maxMutations}`,
    );
  }
  let bytes = 0, keyBytes = 0;
  for (const m of mutations) {
    const ks = keySize(m.key);
    keyBytes += ks;
    bytes += ks;
    if (m.type === "set") {
      if (m.value.length > limits.maxValueBytes) {
        throw new RangeError(
          `Store value too large: ${m.value.length} bytes exceed ${limits.maxValueBytes}`,
        );
      }
      bytes += m.value.length;
    }
  }
  if (keyBytes > limits.maxKeyBytes) {
    throw new RangeError(
      `Atomic commit too large: ${keyBytes} key bytes exceed ${limits.maxKeyBytes}`,
    );
  }
  if (bytes > limits.maxBytes) {
    throw new RangeError(`Atomic commit too large: ${bytes} bytes exceed ${limits.maxBytes}`);
  }
}

/** Type tags in Deno KV's order of key-part types: bytes < string < (number) < bigint. */
function encodePart(p: StoreKeyPart): string {
  if (typeof p === "string") return "1" + p;
  if (typeof p === "bigint") return "3" + p.toString(16).padStart(17, "0");
  return "0" + toHex(p);
}

function encodeKey(key: StoreKey): string {
  return key.map(encodePart).join("\u0000") + "\u0000";
}

/**
 * In-memory {@linkcode Store} with Deno KV's limits and fault injection: after
 * `crashAfterCommits` successful commits every further commit throws and is not applied, which
 * models a process killed between two atomic commits.
 *
 * @example
 * ```ts
 * import { MemoryStore } from "./store.ts";
 * const s = new MemoryStore();
 * await s.commit([{ type: "set", key: ["a"], value: new Uint8Array([1]) }]);
 * console.assert((await s.get(["a"]))?.[0] === 1);
 * ```
 */
export class MemoryStore implements Store {
  readonly limits: StoreLimits;
  #data = new Map<string, { key: StoreKey; value: Uint8Array }>();
  /** Commits left before the simulated crash; `Infinity` for none. */
  crashAfterCommits = Infinity;
  /** Number of successful commits so far. */
  commits = 0;

  /** @param limits Batch limits (default {@linkcode KV_LIMITS}). */
  constructor(limits: StoreLimits = KV_LIMITS) {
    this.limits = limits;
  }

  get(key: StoreKey): Promise<Uint8Array | null> {
    return Promise.resolve(this.#data.get(encodeKey(key))?.value ?? null);
  }

  async *list(prefix: StoreKey): AsyncIterable<{ key: StoreKey; value: Uint8Array }> {
    const p = encodeKey(prefix);
    // Like Deno KV: keys strictly below the prefix, not the prefix key itself.
    const keys = [...this.#data.keys()].filter((k) => k.length > p.length && k.startsWith(p))
      .sort();
    for (const k of keys) {
      const e = this.#data.get(k);
      if (e !== undefined) yield e;
    }
  }

  commit(mutations: readonly StoreMutation[]): Promise<void> {
    try {
      checkBatch(mutations, this.limits);
    } catch (e) {
      return Promise.reject(e); // like KvStore: a refused batch rejects, it does not throw
    }
    if (this.commits >= this.crashAfterCommits) {
      return Promise.reject(new Error("Simulated crash: commit not applied"));
    }
    for (const m of mutations) {
      const k = encodeKey(m.key);
      if (m.type === "set") this.#data.set(k, { key: m.key, value: m.value.slice() });
      else this.#data.delete(k);
    }
    this.commits++;
    return Promise.resolve();
  }

  /** Number of stored entries (for tests). */
  get size(): number {
    return this.#data.size;
  }

  close(): void {
    // Nothing to release: the data stays readable so a test can "restart" on it.
  }
}
