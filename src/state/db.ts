/**
 * Durable commit and crash recovery of the state over a {@linkcode Store}
 * (docs/spec/state.md §4, docs/adr/0031-state-commit-protocol.md). Log-structured: the full
 * state lives in memory; the store holds a root-guarded base snapshot plus a write-ahead log of
 * per-anchor deltas.
 *
 * - Commit of anchor A (delta D = final value or deletion per changed key, root R): D is cut
 *   into chunks of at most `chunkBytes` under `["state","w",A,i]`, several chunks per atomic
 *   commit; the LAST of those commits also sets `committed = (A, R)`. That pointer write is the
 *   commit point: a crash before it leaves only chunks that recovery discards.
 * - Checkpoint (every `checkpointEvery` anchors or `checkpointBytes` of log), incremental
 *   (ADR 0034): starting at the commit of anchor S, every commit also writes the next slice of
 *   buckets (about `checkpointSliceBytes`, the state as of that commit) as chunks of generation
 *   g+1 under `["state","s",g+1,i]`; the commit that writes the last slice also sets
 *   `base = v1 (g+1, S, chunks)` after its committed pointer. The slices were taken at different
 *   anchors S..E, but every log record is a key's final value at its anchor, so replaying the log
 *   S+1 ..= committed over them yields exactly the committed state. The previous generation and
 *   the log up to S are deleted afterwards.
 * - Recovery: load the base (a v0 base is a consistent snapshot whose root is checked; a v1 base
 *   is the slices), replay the log anchors base+1 ..= committed in order (each must be complete
 *   and contiguous), recompute the root and refuse the store unless it equals the committed root
 *   (root guard); delete every log chunk outside that range and every other snapshot generation.
 * @module
 */
import { concat, latin1, Reader, toHex, unlatin1, Writer } from "./_bytes.ts";
import { STATE_KEY_LEN, StateCommitment } from "./commitment.ts";
import { StateEngine, type StateEngineOptions } from "./engine.ts";
import { StateError } from "./errors.ts";
import { decodeSnapshot } from "./snapshot.ts";
import { encodeSlice, loadSlices } from "./_slices.ts";
import { BUCKETS } from "./commitment.ts";
import { keySize, type Store, type StoreKey, type StoreMutation } from "./store.ts";

const P = "state";
const K_COMMITTED: StoreKey = [P, "m", "committed"];
const K_BASE: StoreKey = [P, "m", "base"];
const WAL: StoreKey = [P, "w"];
const SNAP: StoreKey = [P, "s"];

/** Options of {@linkcode StateDb}. */
export interface StateDbOptions {
  /** Largest log or snapshot chunk in bytes (default 60,000: under Deno KV's 64 KiB values). */
  chunkBytes?: number;
  /** Checkpoint after this many committed anchors since the last base (default 256). */
  checkpointEvery?: number;
  /** Checkpoint once this many log bytes accumulated since the last base (default 64 MiB). */
  checkpointBytes?: number;
  /**
   * Snapshot bytes a policy checkpoint writes per commit (default 2 MiB): the checkpoint is
   * spread over as many commits as the state needs, instead of stalling one commit for all of it.
   */
  checkpointSliceBytes?: number;
}

/** What a {@linkcode StateDb.commit} wrote. */
export interface CommitStats {
  /** Anchor committed. */
  anchor: number;
  /** Keys changed. */
  keys: number;
  /** Log chunks written. */
  walChunks: number;
  /** Log bytes written. */
  walBytes: number;
  /** Atomic store commits issued (checkpoint included). */
  storeCommits: number;
  /** Snapshot (base slice) bytes this commit wrote, else 0. */
  checkpointBytes: number;
  /** Whether this commit completed a checkpoint (a new base). */
  checkpointDone: boolean;
}

/**
 * Base pointer. v0: a consistent snapshot (`PCSNAP01`) of anchor `anchor` with its `root`
 * (written by earlier versions; still read). v1: slices taken from anchor `anchor` on, no root.
 */
interface Base {
  version: 0 | 1;
  generation: number;
  anchor: number;
  root: Uint8Array;
  chunks: number;
}

/** A policy checkpoint in progress: generation, start anchor, next bucket, chunks so far. */
interface Pending {
  generation: number;
  anchor: number;
  next: number;
  chunks: number;
}

interface Committed {
  anchor: number;
  root: Uint8Array;
}

function encBase(b: Base): Uint8Array {
  const w = new Writer().u8(b.version).u64(b.generation).u64(b.anchor + 1);
  if (b.version === 0) w.bytes(b.root);
  return w.u32(b.chunks).finish();
}

function decBase(b: Uint8Array): Base {
  const r = new Reader(b, "base pointer");
  const version = r.u8();
  if (version !== 0 && version !== 1) {
    throw new RangeError("Cannot decode base pointer: unknown version");
  }
  const generation = r.u53(), anchor = r.u53() - 1;
  const root = version === 0 ? r.bytes(32).slice() : new Uint8Array(32);
  const x: Base = { version, generation, anchor, root, chunks: r.u32() };
  r.end();
  return x;
}

function encCommitted(c: Committed): Uint8Array {
  return new Writer().u8(0).u64(c.anchor + 1).bytes(c.root).finish();
}

function decCommitted(b: Uint8Array): Committed {
  const r = new Reader(b, "committed pointer");
  if (r.u8() !== 0) throw new RangeError("Cannot decode committed pointer: unknown version");
  const c = { anchor: r.u53() - 1, root: r.bytes(32).slice() };
  r.end();
  return c;
}

/** Log chunks of a delta: `u32 chunk count` then repeated `op u8 | key 37 | [len u32 | value]`. */
function encodeChunks(delta: Map<string, string | null>, chunkBytes: number): Uint8Array[] {
  const bodies: Writer[] = [];
  let w = new Writer();
  for (const [k, v] of delta) {
    const need = 1 + STATE_KEY_LEN + (v === null ? 0 : 4 + v.length);
    if (w.length > 0 && w.length + need > chunkBytes - 4) {
      bodies.push(w);
      w = new Writer();
    }
    w.u8(v === null ? 0 : 1).bytes(unlatin1(k));
    if (v !== null) w.u32(v.length).bytes(unlatin1(v));
  }
  bodies.push(w);
  return bodies.map((b) => new Writer().u32(bodies.length).bytes(b.finish()).finish());
}

/** Apply one log chunk to `c`; returns the chunk count its header announces. */
function replayChunk(b: Uint8Array, c: StateCommitment): number {
  const r = new Reader(b, "log chunk");
  const n = r.u32();
  while (r.remaining > 0) {
    const op = r.u8();
    if (op > 1) throw new RangeError(`Cannot decode log chunk: unknown op ${op}`);
    const key = latin1(r.bytes(STATE_KEY_LEN));
    if (op === 0) c.deleteS(key);
    else c.setS(key, latin1(r.bytes(r.u32())));
  }
  return n;
}

function corrupt(detail: string, anchor?: number): StateError {
  return anchor === undefined
    ? new StateError("STATE_STORE_CORRUPT", { detail })
    : new StateError("STATE_STORE_CORRUPT", { anchor, detail });
}

/**
 * Durable state: a {@linkcode StateEngine} over a {@linkcode Store}. Open with
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
  /** The store written through. */
  readonly store: Store;
  /** The in-memory state. */
  readonly engine: StateEngine;
  #chunkBytes: number;
  #every: number;
  #everyBytes: number;
  #sliceBytes: number;
  #pending: Pending | null = null;
  /** Highest snapshot generation used by this process (never reused for a new base). */
  #lastGeneration = 0;
  /** Chunk count of every log anchor in the store (deleted by key, without listing). */
  #walChunks = new Map<number, number>();
  /** Chunks written by abandoned policy checkpoints, per generation (deleted with the next base). */
  #abandoned = new Map<number, number>();
  #busy = false;
  #failed = false;
  #committed: number;
  #base: Base | null;
  #sinceBase = 0;
  #bytesSinceBase = 0;

  private constructor(
    store: Store,
    engine: StateEngine,
    o: Required<StateDbOptions>,
    committed: number,
    base: Base | null,
  ) {
    this.store = store;
    this.engine = engine;
    this.#chunkBytes = o.chunkBytes;
    this.#every = o.checkpointEvery;
    this.#everyBytes = o.checkpointBytes;
    this.#sliceBytes = o.checkpointSliceBytes;
    this.#committed = committed;
    this.#base = base;
    this.#lastGeneration = base?.generation ?? 0;
  }

  /** Last durably committed anchor, -1 when none. */
  get committedAnchor(): number {
    return this.#committed;
  }

  /** Anchor of the current base snapshot, -1 when none. */
  get baseAnchor(): number {
    return this.#base?.anchor ?? -1;
  }

  static #options(store: Store, o: StateDbOptions): Required<StateDbOptions> {
    const r = {
      chunkBytes: o.chunkBytes ?? 60_000,
      checkpointEvery: o.checkpointEvery ?? 256,
      checkpointBytes: o.checkpointBytes ?? 64 * 1024 * 1024,
      checkpointSliceBytes: o.checkpointSliceBytes ?? 2 * 1024 * 1024,
    };
    if (!Number.isInteger(r.checkpointSliceBytes) || r.checkpointSliceBytes < 1) {
      throw new RangeError(`Invalid checkpointSliceBytes: ${r.checkpointSliceBytes}`);
    }
    if (
      !Number.isInteger(r.chunkBytes) || r.chunkBytes < 128 ||
      r.chunkBytes > store.limits.maxValueBytes
    ) {
      throw new RangeError(`Invalid chunkBytes: ${r.chunkBytes}`);
    }
    if (!Number.isInteger(r.checkpointEvery) || r.checkpointEvery < 1) {
      throw new RangeError(`Invalid checkpointEvery: ${r.checkpointEvery}`);
    }
    return r;
  }

  /**
   * Open the state in `store`: load the base snapshot, replay the committed log, discard what a
   * crash left uncommitted, and verify the result against the committed root.
   * @param store Storage.
   * @param options Engine options.
   * @param dbOptions Chunk size and checkpoint policy.
   * @returns The database at its last committed anchor.
   * @throws {StateError} `STATE_ROOT_MISMATCH` (root guard) or `STATE_STORE_CORRUPT`.
   */
  static async open(
    store: Store,
    options: StateEngineOptions,
    dbOptions: StateDbOptions = {},
  ): Promise<StateDb> {
    const o = StateDb.#options(store, dbOptions);
    let base: Base | null = null, committed: Committed | null = null;
    try {
      const bb = await store.get(K_BASE), cb = await store.get(K_COMMITTED);
      if (bb !== null) base = decBase(bb);
      if (cb !== null) committed = decCommitted(cb);
    } catch (e) {
      throw corrupt((e as Error).message);
    }
    if (base?.version === 1 && committed === null) {
      throw corrupt("base slices without a committed pointer", base.anchor);
    }
    // 1. Base snapshot.
    let c = new StateCommitment();
    let at = -1;
    if (base !== null) {
      const parts: Uint8Array[] = [];
      for (let i = 0; i < base.chunks; i++) {
        const b = await store.get([...SNAP, BigInt(base.generation), BigInt(i)]);
        if (b === null) {
          throw corrupt(
            `snapshot chunk ${i} of generation ${base.generation} missing`,
            base.anchor,
          );
        }
        parts.push(b);
      }
      if (base.version === 1) {
        // Slices: no root of their own (taken at different anchors); the committed-root guard
        // below checks the state they yield after the log replay.
        try {
          loadSlices(concat(parts), c);
        } catch (e) {
          if (e instanceof RangeError || e instanceof TypeError) {
            throw corrupt(e.message, base.anchor);
          }
          throw e;
        }
      } else {
        try {
          const snap = decodeSnapshot(concat(parts), base.root);
          c = snap.commitment;
        } catch (e) {
          if (e instanceof StateError && e.code === "SNAPSHOT_ROOT_MISMATCH") {
            throw new StateError("STATE_ROOT_MISMATCH", { ...e.data, detail: "base snapshot" });
          }
          throw e instanceof StateError ? corrupt(e.message, base.anchor) : e;
        }
      }
      at = base.anchor;
    }
    // 2. Log: replay base+1 ..= committed; everything else is garbage.
    const target = committed?.anchor ?? at;
    if (target < at) throw corrupt(`committed anchor ${target} behind base ${at}`);
    const garbage: StoreKey[] = [];
    const walChunks = new Map<number, number>();
    let cur = -1, want = 0, got = 0;
    const finish = (): void => {
      if (cur >= 0 && got !== want) {
        throw corrupt(`log of anchor ${cur}: ${got} of ${want} chunks`, cur);
      }
      if (cur >= 0) walChunks.set(cur, got);
    };
    try {
      for await (const e of store.list(WAL)) {
        const a = Number(e.key[2] as bigint);
        if (a <= at || a > target) {
          garbage.push(e.key);
          continue;
        }
        if (a !== cur) {
          finish();
          if (a !== (cur < 0 ? at + 1 : cur + 1)) throw corrupt(`log gap before anchor ${a}`, a);
          cur = a;
          got = 0;
        }
        if (Number(e.key[3] as bigint) !== got) {
          throw corrupt(`log of anchor ${a}: chunk ${got} missing`, a);
        }
        want = replayChunk(e.value, c);
        got++;
      }
      finish();
    } catch (e) {
      throw e instanceof RangeError || (e instanceof TypeError) ? corrupt((e as Error).message) : e;
    }
    if (target > at && cur !== target) {
      throw corrupt(`log ends at anchor ${cur}, committed ${target}`, target);
    }
    // Other generations (an interrupted checkpoint, or an interrupted deletion of the previous
    // base): generations are used in sequence, so look next to the base's until one is empty
    // instead of listing (and reading) the base's own chunks again.
    if (base === null) {
      for await (const e of store.list(SNAP)) garbage.push(e.key);
    } else {
      // Above: pending generations, contiguous from base + 1. Below: up to three older ones
      // (previous base and abandoned attempts, deleted in any order).
      for (let g = base.generation + 1;; g++) {
        let any = false;
        for await (const e of store.list([...SNAP, BigInt(g)])) {
          garbage.push(e.key);
          any = true;
        }
        if (!any) break;
      }
      for (let g = base.generation - 1; g >= Math.max(0, base.generation - 3); g--) {
        for await (const e of store.list([...SNAP, BigInt(g)])) garbage.push(e.key);
      }
    }
    // 3. Root guard.
    const engine = new StateEngine(options, c);
    if (committed !== null) {
      const root = c.root();
      if (toHex(root) !== toHex(committed.root) || engine.anchor !== committed.anchor) {
        throw new StateError("STATE_ROOT_MISMATCH", {
          anchor: committed.anchor,
          expectedRoot: toHex(committed.root),
          actualRoot: toHex(root),
        });
      }
    } else if (c.size !== 0) {
      throw corrupt("entries without a committed anchor");
    }
    const db = new StateDb(store, engine, o, target, base);
    db.#sinceBase = target - at;
    db.#walChunks = walChunks;
    await db.#deleteKeys(garbage);
    return db;
  }

  /**
   * Install a restored state (see `restoreSnapshot`) into a store without committed state: its
   * snapshot becomes generation 1 of the base, committed in one final atomic commit.
   * @param store Store without committed state (leftovers of an interrupted import are removed).
   * @param engine Restored engine (its root was verified by `restoreSnapshot`).
   * @param dbOptions Chunk size and checkpoint policy.
   * @returns The database over `store`.
   * @throws {StateError} `STATE_STORE_CORRUPT` when the store already holds committed state.
   */
  static async importState(
    store: Store,
    engine: StateEngine,
    dbOptions: StateDbOptions = {},
  ): Promise<StateDb> {
    if ((await store.get(K_COMMITTED)) !== null || (await store.get(K_BASE)) !== null) {
      throw corrupt("store already holds committed state");
    }
    const db = new StateDb(store, engine, StateDb.#options(store, dbOptions), -1, null);
    const old: StoreKey[] = [];
    for await (const e of store.list([P])) old.push(e.key);
    await db.#deleteKeys(old);
    engine.takeDelta();
    await db.#checkpoint();
    return db;
  }

  /**
   * Make the engine's current anchor durable, and checkpoint when the policy says so. Call it
   * after every applied anchor: the log holds one record set per anchor and recovery replays
   * them without gaps (docs/spec/state.md §4). The call takes the anchor's changes and root
   * before its first await, so the engine may apply the next anchor while the returned promise
   * is pending (the pipelined loop of `scripts/state_load.ts`, ADR 0039). The next `commit()`
   * may only be called once it has resolved (earlier, it throws), and nothing may treat the
   * anchor as durable before then.
   * @returns What was written.
   * @throws {StateError} `STATE_ANCHOR_ORDER` when more than one anchor was applied since the
   *   last commit (nothing is written; reopen the store to recover).
   * @throws {Error} When called again before the previous commit finished, or after a failed
   *   commit (the database must then be reopened, which recovers).
   */
  async commit(): Promise<CommitStats> {
    if (this.#busy) throw new Error("StateDb.commit() is already running");
    if (this.#failed) throw new Error("StateDb failed earlier: reopen the store to recover");
    if (this.engine.anchor > this.#committed + 1) {
      // One log record set for several anchors would leave a gap that recovery refuses.
      throw new StateError("STATE_ANCHOR_ORDER", {
        anchor: this.engine.anchor,
        detail: `anchors ${this.#committed + 1} to ${this.engine.anchor} applied without a commit`,
      });
    }
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
    const delta = this.engine.takeDelta();
    const stats: CommitStats = {
      anchor,
      keys: delta.size,
      walChunks: 0,
      walBytes: 0,
      storeCommits: 0,
      checkpointBytes: 0,
      checkpointDone: false,
    };
    if (delta.size === 0 && anchor === this.#committed) return stats;
    const root = this.engine.root();
    const chunks = encodeChunks(delta, this.#chunkBytes);
    const muts: StoreMutation[] = chunks.map((value, i) => ({
      type: "set",
      key: [...WAL, BigInt(anchor), BigInt(i)],
      value,
    }));
    for (const ch of chunks) stats.walBytes += ch.length;
    stats.walChunks = chunks.length;
    this.#walChunks.set(anchor, chunks.length);
    // Policy checkpoint: start one at this anchor, or continue the one in progress, by writing
    // the next slice of buckets. Encoded now, before any await, so it is the state of `anchor`.
    if (
      this.#pending === null &&
      (this.#sinceBase + 1 >= this.#every ||
        this.#bytesSinceBase + stats.walBytes >= this.#everyBytes)
    ) {
      const generation = Math.max(this.#base?.generation ?? 0, this.#lastGeneration) + 1;
      this.#lastGeneration = generation;
      this.#pending = { generation, anchor, next: 0, chunks: 0 };
    }
    const p = this.#pending;
    let done: Base | null = null;
    if (p !== null) {
      const slice = encodeSlice(this.engine.commitment, p.next, this.#sliceBytes, this.#chunkBytes);
      for (const value of slice.chunks) {
        muts.push({ type: "set", key: [...SNAP, BigInt(p.generation), BigInt(p.chunks++)], value });
      }
      p.next = slice.next;
      stats.checkpointBytes = slice.bytes;
      if (p.next >= BUCKETS) {
        done = { version: 1, generation: p.generation, anchor: p.anchor, root, chunks: p.chunks };
      }
    }
    // The commit point: the pointer lands atomically with the last chunk; a completed base lands
    // with it or after it, never before (its slices hold only committed state).
    muts.push({ type: "set", key: K_COMMITTED, value: encCommitted({ anchor, root }) });
    if (done !== null) muts.push({ type: "set", key: K_BASE, value: encBase(done) });
    stats.storeCommits += await this.#write(muts);
    this.#committed = anchor;
    this.#sinceBase++;
    this.#bytesSinceBase += stats.walBytes;
    if (done !== null) {
      this.#pending = null;
      stats.storeCommits += await this.#installBase(done);
      stats.checkpointDone = true;
    }
    return stats;
  }

  /** After `base` landed: adopt it and delete older generations and the log up to its anchor. */
  async #installBase(base: Base): Promise<number> {
    const prev = this.#base;
    this.#base = base;
    this.#sinceBase = this.#committed - base.anchor;
    this.#bytesSinceBase = 0;
    // Keys to delete are known (chunk counts of the previous base, abandoned generations and
    // every log anchor): deleting by key avoids listing, i.e. reading back, ~100 MiB at 1M
    // entries. Anything else was garbage at open and deleted there.
    const old: StoreKey[] = [];
    const gens = new Map(this.#abandoned);
    this.#abandoned.clear();
    if (prev !== null && prev.generation !== base.generation) {
      gens.set(prev.generation, Math.max(prev.chunks, gens.get(prev.generation) ?? 0));
    }
    gens.delete(base.generation);
    for (const [g, n] of gens) {
      for (let i = 0; i < n; i++) old.push([...SNAP, BigInt(g), BigInt(i)]);
    }
    for (const [a, n] of this.#walChunks) {
      if (a > base.anchor) continue;
      for (let i = 0; i < n; i++) old.push([...WAL, BigInt(a), BigInt(i)]);
      this.#walChunks.delete(a);
    }
    return await this.#deleteKeys(old);
  }

  /**
   * Write a snapshot of the engine as the next base generation now.
   * @returns Store commits and snapshot bytes written.
   */
  async checkpoint(): Promise<[number, number]> {
    if (this.#busy) throw new Error("StateDb.commit() is already running");
    if (this.engine.anchor !== this.#committed) {
      throw new Error("StateDb.checkpoint() needs every applied anchor committed first");
    }
    this.#busy = true;
    try {
      return await this.#checkpoint();
    } finally {
      this.#busy = false;
    }
  }

  async #checkpoint(): Promise<[number, number]> {
    // A whole base at once (explicit checkpoint, import): every slice is encoded before the
    // first await, so it is the state of `anchor`; an abandoned policy checkpoint's chunks are
    // deleted with the other generations.
    if (this.#pending !== null) {
      this.#abandoned.set(this.#pending.generation, this.#pending.chunks);
      this.#pending = null;
    }
    const generation = Math.max(this.#base?.generation ?? 0, this.#lastGeneration) + 1;
    this.#lastGeneration = generation;
    const anchor = this.engine.anchor;
    const root = this.engine.root();
    const slice = encodeSlice(this.engine.commitment, 0, Infinity, this.#chunkBytes);
    let n = await this.#write(slice.chunks.map((value, i) => ({
      type: "set",
      key: [...SNAP, BigInt(generation), BigInt(i)],
      value,
    })));
    const base: Base = { version: 1, generation, anchor, root, chunks: slice.chunks.length };
    // Pointer and base in ONE atomic commit: an import has no committed pointer before it, and
    // a v1 base is only meaningful with the committed root that guards it.
    await this.store.commit([
      { type: "set", key: K_COMMITTED, value: encCommitted({ anchor, root }) },
      { type: "set", key: K_BASE, value: encBase(base) },
    ]);
    n++;
    this.#committed = anchor;
    n += await this.#installBase(base);
    return [n, slice.bytes];
  }

  /** Write mutations in order in as few atomic commits as the limits allow; the last one last. */
  async #write(muts: StoreMutation[]): Promise<number> {
    const lim = this.store.limits;
    let batch: StoreMutation[] = [];
    let bytes = 0, keyBytes = 0, n = 0;
    for (const m of muts) {
      const ks = keySize(m.key);
      const sz = ks + (m.type === "set" ? m.value.length : 0);
      if (
        batch.length > 0 &&
        (batch.length >= lim.maxMutations || bytes + sz > lim.maxBytes - 1024 ||
          keyBytes + ks > lim.maxKeyBytes - 256)
      ) {
        await this.store.commit(batch);
        n++;
        batch = [];
        bytes = 0;
        keyBytes = 0;
      }
      batch.push(m);
      bytes += sz;
      keyBytes += ks;
    }
    if (batch.length > 0) {
      await this.store.commit(batch);
      n++;
    }
    return n;
  }

  #deleteKeys(keys: StoreKey[]): Promise<number> {
    return this.#write(keys.map((key) => ({ type: "delete", key })));
  }
}
