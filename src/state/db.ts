/**
 * Durable commit and crash recovery of the state over a {@linkcode Store}
 * (docs/spec/state.md §4, docs/adr/0031-state-commit-protocol.md).
 *
 * Per committed anchor A with delta D (final value or deletion per key) and root R:
 * 1. Small delta (fits one atomic commit): table writes + `committed = (A, R, 0)` +
 *    `applied = A` in ONE atomic commit. Done.
 * 2. Otherwise write-ahead: D is cut into chunks of at most `chunkBytes` stored under
 *    `["state","w",A,i]`, several chunks per atomic commit; the LAST of these commits also sets
 *    `committed = (A, R, n)`. That single pointer write is the commit point.
 * 3. D is then copied into the table `["state","u",key]` in bounded atomic batches, after which
 *    `applied = A` is set and the chunks are deleted.
 * Recovery: if `applied < committed.anchor`, replay the committed chunks (idempotent: they carry
 * final values) and set `applied`; delete every other WAL chunk (uncommitted leftovers of a
 * crash); load the table, recompute the root and refuse the store unless it equals the
 * committed root (root guard).
 * @module
 */
import { latin1, Reader, toHex, unlatin1, Writer } from "./_bytes.ts";
import { STATE_KEY_LEN, StateCommitment } from "./commitment.ts";
import { StateEngine, type StateEngineOptions } from "./engine.ts";
import { StateError } from "./errors.ts";
import { keySize, type Store, type StoreKey, type StoreMutation } from "./store.ts";

const P = "state";
const K_COMMITTED: StoreKey = [P, "m", "committed"];
const K_APPLIED: StoreKey = [P, "m", "applied"];
const TABLE: StoreKey = [P, "u"];
const WAL: StoreKey = [P, "w"];

/** Options of {@linkcode StateDb}. */
export interface StateDbOptions {
  /** Largest WAL chunk value in bytes (default 60,000; below Deno KV's 64 KiB value limit). */
  chunkBytes?: number;
}

/** What a {@linkcode StateDb.commit} wrote. */
export interface CommitStats {
  /** Anchor committed. */
  anchor: number;
  /** Keys changed. */
  keys: number;
  /** WAL chunks written (0 on the single-commit path). */
  walChunks: number;
  /** Atomic store commits issued. */
  storeCommits: number;
  /** Bytes of WAL written. */
  walBytes: number;
}

/** The committed-anchor pointer. */
interface Committed {
  anchor: number;
  root: Uint8Array;
  chunks: number;
}

function encCommitted(c: Committed): Uint8Array {
  return new Writer().u8(0).u64(c.anchor).bytes(c.root).u32(c.chunks).finish();
}

function decCommitted(b: Uint8Array): Committed {
  const r = new Reader(b, "committed pointer");
  if (r.u8() !== 0) throw new RangeError("Cannot decode committed pointer: unknown version");
  const c = { anchor: r.u53(), root: r.bytes(32).slice(), chunks: r.u32() };
  r.end();
  return c;
}

function encAnchor(a: number): Uint8Array {
  return new Writer().u64(a).finish();
}

function decAnchor(b: Uint8Array): number {
  const r = new Reader(b, "applied pointer");
  const a = r.u53();
  r.end();
  return a;
}

/** Cut a delta into WAL chunks: repeated `op u8 | key 37 | [len u32 | value]`. */
function encodeChunks(delta: Map<string, string | null>, chunkBytes: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let w = new Writer();
  for (const [k, v] of delta) {
    const need = 1 + STATE_KEY_LEN + (v === null ? 0 : 4 + v.length);
    if (w.length > 0 && w.length + need > chunkBytes) {
      out.push(w.finish());
      w = new Writer();
    }
    w.u8(v === null ? 0 : 1).bytes(unlatin1(k));
    if (v !== null) w.u32(v.length).bytes(unlatin1(v));
  }
  if (w.length > 0) out.push(w.finish());
  return out;
}

function decodeChunk(b: Uint8Array, into: [Uint8Array, Uint8Array | null][]): void {
  const r = new Reader(b, "WAL chunk");
  while (r.remaining > 0) {
    const op = r.u8();
    if (op > 1) throw new RangeError(`Cannot decode WAL chunk: unknown op ${op}`);
    const key = r.bytes(STATE_KEY_LEN).slice();
    into.push([key, op === 0 ? null : r.bytes(r.u32()).slice()]);
  }
}

/**
 * Durable state: wraps a {@linkcode StateEngine} and a {@linkcode Store}. Open with
 * {@linkcode StateDb.open} (which recovers), apply anchors on `db.engine`, then
 * `await db.commit()` before anything depends on the anchor (durability rule).
 *
 * @example
 * ```ts
 * import { StateDb } from "./db.ts";
 * import { MemoryStore } from "./store.ts";
 * import { DEVNET } from "../params/mod.ts";
 * const store = new MemoryStore();
 * const db = await StateDb.open(store, { network: DEVNET });
 * await db.engine.applyAnchor({ index: 0, events: [] });
 * await db.commit();
 * const again = await StateDb.open(store, { network: DEVNET });
 * console.assert(again.engine.anchor === 0);
 * ```
 */
export class StateDb {
  readonly store: Store;
  readonly engine: StateEngine;
  #chunkBytes: number;
  #busy = false;
  #failed = false;
  #committedAnchor: number;

  private constructor(store: Store, engine: StateEngine, chunkBytes: number, committed: number) {
    this.store = store;
    this.engine = engine;
    this.#chunkBytes = chunkBytes;
    this.#committedAnchor = committed;
  }

  /** Last durably committed anchor, -1 when none. */
  get committedAnchor(): number {
    return this.#committedAnchor;
  }

  /**
   * Open the state in `store`, finishing or discarding an interrupted commit, and verify the
   * loaded state against the committed root.
   * @param store Storage.
   * @param options Engine options.
   * @param dbOptions Chunk size.
   * @returns The opened database, at its last committed anchor.
   * @throws {StateError} `STATE_ROOT_MISMATCH` (root guard) or `STATE_STORE_CORRUPT`.
   */
  static async open(
    store: Store,
    options: StateEngineOptions,
    dbOptions: StateDbOptions = {},
  ): Promise<StateDb> {
    const chunkBytes = dbOptions.chunkBytes ?? 60_000;
    if (
      !Number.isInteger(chunkBytes) || chunkBytes < 64 || chunkBytes > store.limits.maxValueBytes
    ) {
      throw new RangeError(`Invalid chunkBytes: ${chunkBytes}`);
    }
    const cb = await store.get(K_COMMITTED);
    const ab = await store.get(K_APPLIED);
    let committed: Committed | null = null;
    let applied = -1;
    try {
      if (cb !== null) committed = decCommitted(cb);
      if (ab !== null) applied = decAnchor(ab);
    } catch (e) {
      throw new StateError("STATE_STORE_CORRUPT", { detail: (e as Error).message });
    }
    const db = new StateDb(store, new StateEngine(options, new StateCommitment()), chunkBytes, -1);
    if (committed !== null && applied < committed.anchor) {
      if (committed.chunks === 0) {
        throw new StateError("STATE_STORE_CORRUPT", {
          anchor: committed.anchor,
          detail: `applied pointer ${applied} behind a single-commit anchor`,
        });
      }
      // Roll forward: the anchor is committed, its table copy may be partial.
      const ops: [Uint8Array, Uint8Array | null][] = [];
      for (let i = 0; i < committed.chunks; i++) {
        const c = await store.get([...WAL, BigInt(committed.anchor), BigInt(i)]);
        if (c === null) {
          throw new StateError("STATE_STORE_CORRUPT", {
            anchor: committed.anchor,
            detail: `WAL chunk ${i} missing`,
          });
        }
        try {
          decodeChunk(c, ops);
        } catch (e) {
          throw new StateError("STATE_STORE_CORRUPT", {
            anchor: committed.anchor,
            detail: (e as Error).message,
          });
        }
      }
      await db.#writeTable(ops.map(([k, v]) => [latin1(k), v === null ? null : latin1(v)]));
      await store.commit([{ type: "set", key: K_APPLIED, value: encAnchor(committed.anchor) }]);
    }
    // Every WAL chunk left is either applied or never committed: delete them all.
    const stale: StoreKey[] = [];
    for await (const e of store.list(WAL)) stale.push(e.key);
    await db.#deleteKeys(stale);
    // Load and verify.
    const c = new StateCommitment();
    for await (const e of store.list(TABLE)) {
      const key = e.key[2];
      if (!(key instanceof Uint8Array) || key.length !== STATE_KEY_LEN || e.key.length !== 3) {
        throw new StateError("STATE_STORE_CORRUPT", { detail: "malformed table key" });
      }
      c.setS(latin1(key), latin1(e.value));
    }
    const engine = new StateEngine(options, c);
    const loaded = new StateDb(store, engine, chunkBytes, committed?.anchor ?? -1);
    if (committed === null) {
      if (c.size !== 0) {
        throw new StateError("STATE_STORE_CORRUPT", {
          detail: "entries without a committed anchor",
        });
      }
      return loaded;
    }
    const root = c.root();
    if (toHex(root) !== toHex(committed.root) || engine.anchor !== committed.anchor) {
      throw new StateError("STATE_ROOT_MISMATCH", {
        anchor: committed.anchor,
        expectedRoot: toHex(committed.root),
        actualRoot: toHex(root),
      });
    }
    return loaded;
  }

  /**
   * Install a restored state (see `restoreSnapshot`) into an empty store: entries in bounded
   * batches, then the committed/applied pointers in one final atomic commit. Leftover entries of
   * an interrupted earlier import (entries without a committed pointer) are deleted first.
   * @param store Store without committed state.
   * @param engine Restored engine (its root was verified by `restoreSnapshot`).
   * @param dbOptions Chunk size.
   * @returns The database over `store`.
   * @throws {StateError} `STATE_STORE_CORRUPT` when the store already holds committed state.
   */
  static async importState(
    store: Store,
    engine: StateEngine,
    dbOptions: StateDbOptions = {},
  ): Promise<StateDb> {
    if ((await store.get(K_COMMITTED)) !== null) {
      throw new StateError("STATE_STORE_CORRUPT", {
        detail: "store already holds committed state",
      });
    }
    const db = new StateDb(store, engine, dbOptions.chunkBytes ?? 60_000, -1);
    const old: StoreKey[] = [];
    for await (const e of store.list([P])) old.push(e.key);
    await db.#deleteKeys(old);
    engine.takeDelta();
    await db.#writeTable(engine.commitment.entriesS());
    const anchor = engine.anchor;
    await store.commit([
      {
        type: "set",
        key: K_COMMITTED,
        value: encCommitted({ anchor, root: engine.root(), chunks: 0 }),
      },
      { type: "set", key: K_APPLIED, value: encAnchor(anchor) },
    ]);
    db.#committedAnchor = anchor;
    return db;
  }

  /**
   * Make the engine's current anchor durable (everything applied since the last commit).
   * @returns What was written.
   * @throws {Error} When called again before the previous commit finished, or after a failed
   *   commit (the database must then be reopened, which recovers).
   */
  async commit(): Promise<CommitStats> {
    if (this.#busy) throw new Error("StateDb.commit() is already running");
    if (this.#failed) throw new Error("StateDb failed earlier: reopen the store to recover");
    this.#busy = true;
    try {
      return await this.#commit();
    } catch (e) {
      // The engine's delta is gone; only recovery from the store is consistent now.
      this.#failed = true;
      throw e;
    } finally {
      this.#busy = false;
    }
  }

  async #commit(): Promise<CommitStats> {
    const anchor = this.engine.anchor;
    const root = this.engine.root();
    const delta = this.engine.takeDelta();
    const stats: CommitStats = {
      anchor,
      keys: delta.size,
      walChunks: 0,
      storeCommits: 0,
      walBytes: 0,
    };
    if (delta.size === 0 && anchor === this.#committedAnchor) return stats;
    const lim = this.store.limits;
    const pointer: StoreMutation[] = [
      { type: "set", key: K_COMMITTED, value: encCommitted({ anchor, root, chunks: 0 }) },
      { type: "set", key: K_APPLIED, value: encAnchor(anchor) },
    ];
    // Single-commit path when the whole delta fits one atomic commit.
    if (delta.size + pointer.length <= lim.maxMutations) {
      const muts: StoreMutation[] = [];
      let bytes = 200;
      for (const [k, v] of delta) {
        const key = [...TABLE, unlatin1(k)];
        muts.push(v === null ? { type: "delete", key } : { type: "set", key, value: unlatin1(v) });
        bytes += keySize(key) + (v?.length ?? 0);
      }
      if (bytes <= lim.maxBytes) {
        await this.store.commit([...muts, ...pointer]);
        this.#committedAnchor = anchor;
        stats.storeCommits = 1;
        return stats;
      }
    }
    // Write-ahead path.
    const chunks = encodeChunks(delta, this.#chunkBytes);
    const perBatch = Math.max(
      1,
      Math.min(lim.maxMutations - 1, Math.floor((lim.maxBytes - 1024) / (this.#chunkBytes + 64))),
    );
    for (let i = 0; i < chunks.length; i += perBatch) {
      const muts: StoreMutation[] = [];
      for (let j = i; j < Math.min(chunks.length, i + perBatch); j++) {
        muts.push({ type: "set", key: [...WAL, BigInt(anchor), BigInt(j)], value: chunks[j]! });
        stats.walBytes += chunks[j]!.length;
      }
      if (i + perBatch >= chunks.length) {
        // The commit point: the pointer lands atomically with the last chunk.
        muts.push({
          type: "set",
          key: K_COMMITTED,
          value: encCommitted({ anchor, root, chunks: chunks.length }),
        });
      }
      await this.store.commit(muts);
      stats.storeCommits++;
    }
    this.#committedAnchor = anchor;
    stats.walChunks = chunks.length;
    stats.storeCommits += await this.#writeTable(delta);
    await this.store.commit([{ type: "set", key: K_APPLIED, value: encAnchor(anchor) }]);
    stats.storeCommits++;
    const walKeys: StoreKey[] = [];
    for (let j = 0; j < chunks.length; j++) walKeys.push([...WAL, BigInt(anchor), BigInt(j)]);
    stats.storeCommits += await this.#deleteKeys(walKeys);
    return stats;
  }

  async #writeTable(delta: Iterable<[string, string | null]>): Promise<number> {
    const lim = this.store.limits;
    let muts: StoreMutation[] = [];
    let bytes = 0, n = 0;
    for (const [k, v] of delta) {
      const key = [...TABLE, unlatin1(k)];
      const sz = keySize(key) + (v?.length ?? 0);
      if (muts.length >= lim.maxMutations || bytes + sz > lim.maxBytes - 1024) {
        await this.store.commit(muts);
        n++;
        muts = [];
        bytes = 0;
      }
      muts.push(v === null ? { type: "delete", key } : { type: "set", key, value: unlatin1(v) });
      bytes += sz;
    }
    if (muts.length > 0) {
      await this.store.commit(muts);
      n++;
    }
    return n;
  }

  async #deleteKeys(keys: StoreKey[]): Promise<number> {
    let n = 0;
    for (let i = 0; i < keys.length; i += this.store.limits.maxMutations) {
      await this.store.commit(
        keys.slice(i, i + this.store.limits.maxMutations).map((key) => ({ type: "delete", key })),
      );
      n++;
    }
    return n;
  }
}
