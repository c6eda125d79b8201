/// <reference lib="deno.unstable" />
/**
 * Deno KV implementation of {@linkcode Store}: the one file of the state module that performs
 * I/O (the determinism scan exempts exactly this file). Needs `--unstable-kv`.
 * @module
 */
import {
  KV_LIMITS,
  type Store,
  type StoreKey,
  type StoreLimits,
  type StoreMutation,
} from "./store.ts";
import { checkBatch } from "./store.ts";

/**
 * {@linkcode Store} on Deno KV (SQLite underneath, durable on commit).
 *
 * @example
 * ```ts ignore
 * import { KvStore } from "./kv_store.ts";
 * const s = await KvStore.open(":memory:");
 * await s.commit([{ type: "set", key: ["a"], value: new Uint8Array([1]) }]);
 * s.close();
 * ```
 */
export class KvStore implements Store {
  readonly limits: StoreLimits = KV_LIMITS;
  #kv: Deno.Kv;

  private constructor(kv: Deno.Kv) {
    this.#kv = kv;
  }

  /**
   * Open (or create) a KV database.
   * @param path File path, or `":memory:"`.
   * @returns The store.
   * @throws {TypeError} When Deno KV is unavailable (run with `--unstable-kv`).
   */
  static async open(path: string): Promise<KvStore> {
    if (typeof Deno.openKv !== "function") {
      throw new TypeError("Deno KV is unavailable: run with --unstable-kv");
    }
    return new KvStore(await Deno.openKv(path));
  }

  async get(key: StoreKey): Promise<Uint8Array | null> {
    const r = await this.#kv.get<Uint8Array>(key as Deno.KvKey);
    return r.value ?? null;
  }

  async *list(prefix: StoreKey): AsyncIterable<{ key: StoreKey; value: Uint8Array }> {
    for await (
      const e of this.#kv.list<Uint8Array>({ prefix: prefix as Deno.KvKey }, { batchSize: 1000 })
    ) {
      yield { key: e.key as StoreKey, value: e.value };
    }
  }

  async commit(mutations: readonly StoreMutation[]): Promise<void> {
    checkBatch(mutations, this.limits);
    const op = this.#kv.atomic();
    for (const m of mutations) {
      if (m.type === "set") op.set(m.key as Deno.KvKey, m.value);
      else op.delete(m.key as Deno.KvKey);
    }
    const r = await op.commit();
    if (!r.ok) throw new Error("Deno KV atomic commit failed");
  }

  close(): void {
    this.#kv.close();
  }
}

/**
 * Write a snapshot (the chunks of `snapshotChunks()`) to a file, fsynced.
 * @param path Destination file.
 * @param chunks Snapshot bytes in order.
 * @returns Bytes written.
 */
export async function writeSnapshotFile(
  path: string,
  chunks: Iterable<Uint8Array>,
): Promise<number> {
  const f = await Deno.open(path, { write: true, create: true, truncate: true });
  let n = 0;
  try {
    for (const c of chunks) {
      let o = 0;
      while (o < c.length) o += await f.write(c.subarray(o));
      n += c.length;
    }
    await f.sync();
  } finally {
    f.close();
  }
  return n;
}

/**
 * Read a snapshot file.
 * @param path Source file.
 * @returns Its bytes.
 */
export function readSnapshotFile(path: string): Promise<Uint8Array> {
  return Deno.readFile(path);
}
