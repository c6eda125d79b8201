/**
 * Authenticated commitment over the state entries (UTXOs, bonds, globals): a bucketed radix-16
 * Merkle tree. See docs/spec/state.md §2 and docs/adr/0030-bucketed-state-commitment.md.
 *
 * - Each entry has a 37-byte key `tag(1) || id(32) || index(u32 BE)` and an opaque value.
 * - `bucket(key) = (u16be(id[0..2]) + index) mod 2^16`; the ids are BLAKE3 outputs, and adding
 *   the index spreads the outputs of one transaction over consecutive buckets.
 * - `leaf = H(TAG_LEAF || key || value)`; `bucketHash = H(TAG_BUCKET || leaves sorted by key)`.
 * - Four radix-16 levels above the 65,536 buckets: `node = H(TAG_NODE || 16 children)`; the
 *   top node is the state root.
 * @module
 */
import { blake3, blake3BatchPacked } from "../crypto/mod.ts";
import { TAG_BUCKET, TAG_LEAF, TAG_NODE } from "./_domains.ts";
import { bytesEqual, latin1, unlatin1 } from "./_bytes.ts";

/** Length in bytes of every state key. */
export const STATE_KEY_LEN = 37;
/** log2 of the number of buckets. */
export const BUCKET_BITS = 16;
/** Number of buckets. */
export const BUCKETS: number = 1 << BUCKET_BITS;
const RADIX = 16;
/** Number of radix-16 levels above the buckets. */
export const TREE_LEVELS = 4;

function checkKey(key: Uint8Array): void {
  if (!(key instanceof Uint8Array) || key.length !== STATE_KEY_LEN) {
    throw new TypeError(
      `Invalid state key: expected ${STATE_KEY_LEN} bytes, got ${String(key?.length)}`,
    );
  }
}

/**
 * Bucket index of a 37-byte state key.
 * @param key State key `tag || id32 || u32be index`.
 * @returns Bucket in `[0, 65536)`.
 * @throws {TypeError} When `key` is not 37 bytes.
 * @example
 * ```ts
 * import { bucketOf } from "./commitment.ts";
 * const k = new Uint8Array(37); k[1] = 0x12; k[2] = 0x34; k[36] = 1;
 * console.assert(bucketOf(k) === 0x1235);
 * ```
 */
export function bucketOf(key: Uint8Array): number {
  checkKey(key);
  const idx = ((key[33]! << 24) | (key[34]! << 16) | (key[35]! << 8) | key[36]!) >>> 0;
  return (((key[1]! << 8) | key[2]!) + idx) % BUCKETS;
}

/** {@linkcode bucketOf} of a latin1 key string (no checks: internal hot path). */
function bucketOfS(k: string): number {
  const idx = ((k.charCodeAt(33) << 24) | (k.charCodeAt(34) << 16) | (k.charCodeAt(35) << 8) |
    k.charCodeAt(36)) >>> 0;
  return (((k.charCodeAt(1) << 8) | k.charCodeAt(2)) + idx) % BUCKETS;
}

function checkKeyS(k: string): void {
  if (typeof k !== "string" || k.length !== STATE_KEY_LEN) {
    throw new TypeError(
      `Invalid state key: expected ${STATE_KEY_LEN} latin1 chars, got ${String(k?.length)}`,
    );
  }
}

/**
 * Leaf hash of one entry.
 * @param key 37-byte state key.
 * @param value Encoded entry.
 * @returns `H(TAG_LEAF || key || value)`.
 * @example
 * ```ts
 * import { leafHash } from "./commitment.ts";
 * console.assert(leafHash(new Uint8Array(37), new Uint8Array([1])).length === 32);
 * ```
 */
export function leafHash(key: Uint8Array, value: Uint8Array): Uint8Array {
  return blake3(leafMessage(key, value));
}

function leafMessage(key: Uint8Array, value: Uint8Array): Uint8Array {
  const m = new Uint8Array(TAG_LEAF.length + key.length + value.length);
  m.set(TAG_LEAF, 0);
  m.set(key, TAG_LEAF.length);
  m.set(value, TAG_LEAF.length + key.length);
  return m;
}

/** Bytes of a leaf message before the value: tag and key. */
const LEAF_PREFIX = TAG_LEAF.length + STATE_KEY_LEN;

function bucketMessage(leaves: readonly Uint8Array[]): Uint8Array {
  const m = new Uint8Array(TAG_BUCKET.length + 32 * leaves.length);
  m.set(TAG_BUCKET, 0);
  let o = TAG_BUCKET.length;
  for (const l of leaves) {
    m.set(l, o);
    o += 32;
  }
  return m;
}

function nodeMessage(level: Uint8Array, first: number): Uint8Array {
  const m = new Uint8Array(TAG_NODE.length + 32 * RADIX);
  m.set(TAG_NODE, 0);
  m.set(level.subarray(first * 32, (first + RADIX) * 32), TAG_NODE.length);
  return m;
}

/**
 * Proof that a key is (or is not) in the state committed by a root.
 * Inclusion: `leaves` of the key's bucket and the key's `index` among them.
 * Non-inclusion: every `entries` pair of the bucket (so the verifier sees the key is absent).
 */
export interface StateProof {
  /** 37-byte key the proof is about. */
  key: Uint8Array;
  /** Bucket of the key. */
  bucket: number;
  /** Inclusion: leaf hashes of the bucket in key order; empty for non-inclusion. */
  leaves: Uint8Array[];
  /** Inclusion: index of the key's leaf in `leaves`; -1 for non-inclusion. */
  index: number;
  /** Non-inclusion: every (key, value) of the bucket in key order; empty for inclusion. */
  entries: { key: Uint8Array; value: Uint8Array }[];
  /** Four levels, bottom up, of the 15 sibling hashes each (60 hashes). */
  siblings: Uint8Array[];
}

/**
 * Verify a {@linkcode StateProof} against a state root (pure; needs no state).
 * @param root 32-byte state root.
 * @param key 37-byte key.
 * @param value Expected encoded value for inclusion, or `null` to check non-inclusion.
 * @param proof The proof.
 * @returns `true` when the proof shows `key -> value` (or absence of `key`) under `root`.
 * @example
 * ```ts
 * import { StateCommitment, verifyStateProof } from "./commitment.ts";
 * const c = new StateCommitment();
 * const k = new Uint8Array(37); k[5] = 9;
 * c.set(k, new Uint8Array([7]));
 * console.assert(verifyStateProof(c.root(), k, new Uint8Array([7]), c.prove(k)));
 * ```
 */
export function verifyStateProof(
  root: Uint8Array,
  key: Uint8Array,
  value: Uint8Array | null,
  proof: StateProof,
): boolean {
  checkKey(key);
  if (!bytesEqual(proof.key, key) || proof.bucket !== bucketOf(key)) return false;
  if (proof.siblings.length !== TREE_LEVELS * (RADIX - 1)) return false;
  let leaves: Uint8Array[];
  if (value !== null) {
    if (proof.index < 0 || proof.index >= proof.leaves.length) return false;
    const want = leafHash(key, value);
    const got = proof.leaves[proof.index]!;
    if (!bytesEqual(want, got)) return false;
    leaves = proof.leaves;
  } else {
    // Non-inclusion: recompute every leaf from the full bucket, keys strictly increasing,
    // each in this bucket, none equal to `key`.
    leaves = [];
    let prev = "";
    const k = latin1(key);
    for (const e of proof.entries) {
      if (e.key.length !== STATE_KEY_LEN || bucketOf(e.key) !== proof.bucket) return false;
      const s = latin1(e.key);
      if (s === k || (leaves.length > 0 && s <= prev)) return false;
      prev = s;
      leaves.push(leafHash(e.key, e.value));
    }
  }
  for (const l of leaves) if (l.length !== 32) return false;
  let h = blake3(bucketMessage(leaves));
  let pos = proof.bucket;
  let s = 0;
  for (let lvl = 0; lvl < TREE_LEVELS; lvl++) {
    const slot = pos % RADIX;
    const m = new Uint8Array(TAG_NODE.length + 32 * RADIX);
    m.set(TAG_NODE, 0);
    for (let i = 0; i < RADIX; i++) {
      const child = i === slot ? h : proof.siblings[s++]!;
      if (child.length !== 32) return false;
      m.set(child, TAG_NODE.length + 32 * i);
    }
    h = blake3(m);
    pos = Math.floor(pos / RADIX);
  }
  return bytesEqual(h, root);
}

/** Precomputed hashes of empty subtrees, per level (0 = bucket). */
const EMPTY: Uint8Array[] = (() => {
  const out = [blake3(bucketMessage([]))];
  for (let l = 1; l <= TREE_LEVELS; l++) {
    const level = new Uint8Array(32 * RADIX);
    for (let i = 0; i < RADIX; i++) level.set(out[l - 1]!, 32 * i);
    out.push(blake3(nodeMessage(level, 0)));
  }
  return out;
})();

/**
 * Arena layout (ADR 0037). All buckets live in ONE growable buffer: each bucket owns a block
 * `index | leaves | heap`, located by its row of `#meta`. The index holds, per entry in key
 * order, two doubles ({@linkcode prefixOf} the key, the entry's offset in the heap); the leaves
 * 32 bytes per entry in the same order (a bucket's message is one contiguous copy); the heap
 * the entries `vlen u32be | known u8 | key 37 | value`, append-only between compactions (an
 * insert writes at its end, a delete or a resized value leaves a hole). Offsets inside a block
 * are relative, so a block moves with one copy. A bucket that outgrows its block gets a larger
 * one at the arena's end (the old one becomes garbage); when the arena is full it is rebuilt,
 * twice the live size, with every block copied in bucket order and the garbage dropped.
 */
const E_KNOWN = 4;
const E_KEY = 5;
const E_VAL = E_KEY + STATE_KEY_LEN;
/** Index bytes per entry (two doubles) and index + leaf bytes per entry. */
const IX_BYTES = 16;
const ROW_BYTES = IX_BYTES + 32;
/** Smallest block: entries, heap bytes (three typical UTXO entries). */
const MIN_ENTRIES = 4;
const MIN_HEAP = 512 - ROW_BYTES * MIN_ENTRIES;
/** First arena size. */
const ARENA_INITIAL = 1 << 20;
/** Largest arena: block offsets are stored divided by 8 in a u32. */
const ARENA_MAX = 2 ** 35;
/** `#meta` row: block offset / 8, entry capacity, heap capacity, entries, heap bytes used, holes, pending leaves. */
const M_OFF = 0, M_CAPE = 1, M_CAPB = 2, M_N = 3, M_USED = 4, M_HOLES = 5, M_PEND = 6;
const M_ROW = 8;

function vlenAt(s: Uint8Array, o: number): number {
  return ((s[o]! << 24) | (s[o + 1]! << 16) | (s[o + 2]! << 8) | s[o + 3]!) >>> 0;
}

/** latin1 string of `s[a, a + n)` (chunked: `apply` has an argument limit). */
function strAt(s: Uint8Array, a: number, n: number): string {
  if (n <= 4096) {
    return String.fromCharCode.apply(null, s.subarray(a, a + n) as unknown as number[]);
  }
  let out = "";
  for (let i = 0; i < n; i += 4096) {
    out += String.fromCharCode.apply(
      null,
      s.subarray(a + i, a + Math.min(n, i + 4096)) as unknown as number[],
    );
  }
  return out;
}

const align8 = (n: number): number => (n + 7) & ~7;

/**
 * Block size classes: 2^k and 1.5 * 2^k (at most a third of a block is rounding), from 512 bytes.
 * @returns The smallest class size holding `n` bytes.
 */
function classSize(n: number): number {
  if (n <= 512) return 512;
  const p = 1 << (31 - Math.clz32(n)); // largest power of two <= n
  return n === p ? p : n <= p + (p >>> 1) ? p + (p >>> 1) : 2 * p;
}

/** Free-list index of a class size. */
function classOf(len: number): number {
  const k = 31 - Math.clz32(len);
  return 2 * k + (len === 1 << k ? 0 : 1);
}

/**
 * In-memory authenticated map `key(37 bytes) -> value`, with a lazily, incrementally updated
 * root: `set`/`delete` only mark the bucket dirty; `root()` rehashes dirty buckets and their
 * ancestors, batching each level through `blake3BatchPacked`.
 *
 * @example
 * ```ts
 * import { StateCommitment } from "./commitment.ts";
 * const a = new StateCommitment(), b = new StateCommitment();
 * const k1 = new Uint8Array(37), k2 = new Uint8Array(37); k2[3] = 1;
 * a.set(k1, new Uint8Array([1])); a.set(k2, new Uint8Array([2]));
 * b.set(k2, new Uint8Array([2])); b.set(k1, new Uint8Array([1]));
 * console.assert(a.root().join() === b.root().join());
 * ```
 */
export class StateCommitment {
  /**
   * The arena (ADR 0037) as bytes and as doubles (same buffer): no per-entry or per-bucket heap
   * object for the GC to trace, and an operation on a bucket touches its `#meta` row and its
   * block instead of chasing several objects.
   */
  #u8 = new Uint8Array(new ArrayBuffer(ARENA_INITIAL, { maxByteLength: 4 * ARENA_INITIAL }));
  #f64 = new Float64Array(this.#u8.buffer);
  /** End of the last block (bytes); offset 0 is never a block (it marks "no block"). */
  #top = 8;
  /** Bytes of abandoned blocks (free-listed or not). */
  #garbage = 0;
  /**
   * Abandoned blocks by size class ({@linkcode classOf}), as offsets / 8: reused before the arena
   * grows.
   */
  #free: number[][] = [];
  /** Per bucket, one row of `M_ROW` u32 (see `M_*`): a bucket's bookkeeping in one cache line. */
  #meta = new Uint32Array(M_ROW * BUCKETS);
  /** Set by {@linkcode #seek}: whether the key was found. */
  #hit = false;
  /** Set by {@linkcode #seek}: position (entry number in key order) of the result. */
  #at = 0;
  /** levels[0] = bucket hashes, levels[4] = root. */
  #levels: Uint8Array[] = [];
  #dirty = new Uint8Array(BUCKETS);
  #dirtyList: number[] = [];
  /**
   * Upper bounds, since the last rehash, of the leaves to recompute and of their message bytes
   * (every write adds; a rewrite or delete of a pending leaf only over-counts), so the rehash
   * sizes its buffer without a counting walk over the dirty buckets.
   */
  #pendingLeaves = 0;
  #pendingBytes = 0;
  #size = 0;

  constructor() {
    for (let l = 0; l <= TREE_LEVELS; l++) {
      const n = BUCKETS / RADIX ** l;
      const a = new Uint8Array(32 * n);
      for (let i = 0; i < n; i++) a.set(EMPTY[l]!, 32 * i);
      this.#levels.push(a);
    }
  }

  /** Number of entries. */
  get size(): number {
    return this.#size;
  }

  /**
   * Arena bookkeeping (ADR 0037), for metrics and benchmarks.
   * @returns Arena size, bytes in use (blocks, garbage included) and garbage, all in bytes.
   */
  get arena(): { bytes: number; used: number; garbage: number } {
    return { bytes: this.#u8.length, used: this.#top, garbage: this.#garbage };
  }

  /**
   * Absolute arena offset of the entry of bucket `bi` (which has a block) with key `k`, setting
   * `#hit` (found) and `#at` (its position in key order, or where it would be inserted; the
   * offset is then -1).
   */
  #seek(bi: number, k: string): number {
    const m = this.#meta, r = M_ROW * bi, n = m[r + M_N]!;
    const base = 8 * m[r + M_OFF]!, heap = base + ROW_BYTES * m[r + M_CAPE]!;
    const f64 = this.#f64, u8 = this.#u8, ix = base >>> 3, f = prefixOf(k);
    let lo = 0, hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (f64[ix + 2 * mid]! < f) lo = mid + 1;
      else hi = mid;
    }
    // Equal prefixes (rare): the rest of the keys decides.
    while (lo < n && f64[ix + 2 * lo] === f) {
      const o = heap + f64[ix + 2 * lo + 1]!, kb = o + E_KEY;
      let d = 0;
      for (let c = PREFIX_CHARS; c < STATE_KEY_LEN; c++) {
        d = u8[kb + c]! - k.charCodeAt(c);
        if (d !== 0) break;
      }
      if (d >= 0) {
        this.#hit = d === 0;
        this.#at = lo;
        return o;
      }
      lo++;
    }
    this.#hit = false;
    this.#at = lo;
    return -1;
  }

  /**
   * Value stored under `key`, or `undefined`.
   * @param key 37-byte key.
   * @returns A copy of the value.
   */
  get(key: Uint8Array): Uint8Array | undefined {
    checkKey(key);
    const bi = bucketOf(key);
    if (this.#meta[M_ROW * bi + M_OFF] === 0) return undefined;
    const o = this.#seek(bi, latin1(key));
    if (!this.#hit) return undefined;
    return this.#u8.slice(o + E_VAL, o + E_VAL + vlenAt(this.#u8, o));
  }

  /**
   * Value under a latin1 key, as a latin1 string (the engine's hot path: no typed arrays).
   * @param k 37-char latin1 key.
   * @returns The latin1 value, or `undefined`.
   */
  getS(k: string): string | undefined {
    const bi = bucketOfS(k);
    if (this.#meta[M_ROW * bi + M_OFF] === 0) return undefined;
    const o = this.#seek(bi, k);
    return this.#hit ? strAt(this.#u8, o + E_VAL, vlenAt(this.#u8, o)) : undefined;
  }

  /**
   * Whether a latin1 key is present.
   * @param k 37-char latin1 key.
   * @returns Presence.
   */
  hasS(k: string): boolean {
    const bi = bucketOfS(k);
    if (this.#meta[M_ROW * bi + M_OFF] === 0) return false;
    this.#seek(bi, k);
    return this.#hit;
  }

  /**
   * {@linkcode set} with latin1 key and value strings.
   * @param k 37-char latin1 key.
   * @param v latin1 value.
   * @throws {TypeError} When `k` is not 37 chars.
   */
  setS(k: string, v: string): void {
    checkKeyS(k);
    this.#setStr(k, v);
  }

  /**
   * {@linkcode delete} with a latin1 key.
   * @param k 37-char latin1 key.
   * @returns Whether it was present.
   */
  deleteS(k: string): boolean {
    checkKeyS(k);
    return this.#deleteStr(k);
  }

  /**
   * Insert or replace `key -> value`.
   * @param key 37-byte key.
   * @param value Encoded value (copied).
   * @throws {TypeError} When `key` is not 37 bytes.
   */
  set(key: Uint8Array, value: Uint8Array): void {
    checkKey(key);
    this.#setStr(latin1(key), strAt(value, 0, value.length));
  }

  /**
   * Remove `key`.
   * @param key 37-byte key.
   * @returns Whether it was present.
   */
  delete(key: Uint8Array): boolean {
    checkKey(key);
    return this.#deleteStr(latin1(key));
  }

  /**
   * `bytes` free bytes at the arena's end. The arena is a resizable `ArrayBuffer` whose views track
   * its length: growing within its reservation commits pages and copies nothing. Only when the
   * reservation is used up (the state quadrupled since the last time) or when abandoned blocks
   * are half of it is the arena rebuilt: blocks copied in bucket order into a new buffer reserving
   * four times the new size, garbage dropped.
   */
  #room(bytes: number): void {
    const len = this.#u8.length;
    if (this.#top + bytes <= len) return;
    if (this.#top + bytes > ARENA_MAX) {
      throw new RangeError(`State arena full: ${this.#top + bytes} bytes needed, ${ARENA_MAX} max`);
    }
    const buf = this.#u8.buffer as ArrayBuffer;
    const want = align8(Math.min(ARENA_MAX, Math.max(2 * len, this.#top + bytes)));
    if (want <= buf.maxByteLength && 2 * this.#garbage <= this.#top) {
      buf.resize(want);
      return;
    }
    const m = this.#meta, old = this.#u8;
    const size = align8(
      Math.min(ARENA_MAX, Math.max(ARENA_INITIAL, 2 * (this.#top - this.#garbage + bytes))),
    );
    const u8 = new Uint8Array(
      new ArrayBuffer(size, { maxByteLength: Math.min(ARENA_MAX, 4 * size) }),
    );
    let top = 8;
    for (let bi = 0; bi < BUCKETS; bi++) {
      const r = M_ROW * bi, off = m[r + M_OFF]!;
      if (off === 0) continue;
      const blen = ROW_BYTES * m[r + M_CAPE]! + m[r + M_CAPB]!;
      u8.set(old.subarray(8 * off, 8 * off + blen), top);
      m[r + M_OFF] = top / 8;
      top += blen;
    }
    this.#u8 = u8;
    this.#f64 = new Float64Array(u8.buffer);
    this.#top = top;
    this.#garbage = 0;
    this.#free = [];
    // Release the old arena now (detaching it) instead of whenever the GC collects it: it is
    // hundreds of MiB at 1M entries, invisible to the JS heap's own accounting.
    buf.transfer(0);
  }

  /**
   * Make room in bucket `bi` for one more entry (`entry`) and `bytes` more heap bytes: when its
   * block is too small, move it to a new, larger block at the arena's end, compacting the heap
   * (live entries in key order, index offsets rewritten).
   */
  #reserve(bi: number, entry: number, bytes: number): void {
    const m = this.#meta, r = M_ROW * bi;
    const capE = m[r + M_CAPE]!, capB = m[r + M_CAPB]!, n = m[r + M_N]!, used = m[r + M_USED]!;
    if (m[r + M_OFF] !== 0 && n + entry <= capE && used + bytes <= capB) return;
    const live = used - m[r + M_HOLES]!;
    if (m[r + M_OFF] !== 0 && n + entry <= capE && 4 * (live + bytes) <= 3 * capB) {
      // Mostly holes (deletes and inserts churn a bucket of stable size): compact the heap in
      // place, through a scratch copy, instead of abandoning the block.
      this.#compactInPlace(r, n, used);
      return;
    }
    // Grow by 1.5x (in-place compaction absorbs churn, so the heap needs little slack).
    const ncapE = n + entry <= capE ? capE : Math.max(MIN_ENTRIES, capE + (capE >>> 1));
    const ncapB = live + bytes <= capB && m[r + M_OFF] !== 0
      ? capB
      : align8(Math.max(MIN_HEAP, live + bytes + ((live + bytes) >>> 1)));
    // Blocks come in size classes (the slack goes to the heap), so an abandoned block is reused
    // by the next bucket that needs one of its class instead of waiting for an arena rebuild.
    const len = classSize(ROW_BYTES * ncapE + ncapB);
    const free = this.#free[classOf(len)];
    let nb: number;
    if (free !== undefined && free.length > 0) {
      nb = 8 * free.pop()!;
      this.#garbage -= len;
    } else {
      this.#room(len);
      nb = this.#top;
      this.#top += len;
    }
    const u8 = this.#u8, f64 = this.#f64;
    const off = m[r + M_OFF]!, base = 8 * off;
    let o = 0;
    if (off !== 0) {
      const heap = base + ROW_BYTES * capE, nheap = nb + ROW_BYTES * ncapE;
      // Leaves, then index with compacted heap offsets, then the entries.
      u8.copyWithin(nb + IX_BYTES * ncapE, base + IX_BYTES * capE, base + IX_BYTES * capE + 32 * n);
      const ix = base >>> 3, nix = nb >>> 3;
      for (let i = 0; i < n; i++) {
        const from = heap + f64[ix + 2 * i + 1]!, size = E_VAL + vlenAt(u8, from);
        u8.copyWithin(nheap + o, from, from + size);
        f64[nix + 2 * i] = f64[ix + 2 * i]!;
        f64[nix + 2 * i + 1] = o;
        o += size;
      }
      const oldLen = ROW_BYTES * capE + capB;
      (this.#free[classOf(oldLen)] ??= []).push(off);
      this.#garbage += oldLen;
    }
    m[r + M_OFF] = nb / 8;
    m[r + M_CAPE] = ncapE;
    m[r + M_CAPB] = len - ROW_BYTES * ncapE;
    m[r + M_USED] = o;
    m[r + M_HOLES] = 0;
  }

  /** Scratch copy of one heap for {@linkcode #compactInPlace}. */
  #scratch = new Uint8Array(4096);

  /** Rewrite the heap of the bucket at meta row `r` in key order without its holes. */
  #compactInPlace(r: number, n: number, used: number): void {
    const m = this.#meta, u8 = this.#u8, f64 = this.#f64;
    const base = 8 * m[r + M_OFF]!, heap = base + ROW_BYTES * m[r + M_CAPE]!, ix = base >>> 3;
    if (this.#scratch.length < used) this.#scratch = new Uint8Array(2 * used);
    const tmp = this.#scratch;
    tmp.set(u8.subarray(heap, heap + used));
    let o = 0;
    for (let i = 0; i < n; i++) {
      const from = f64[ix + 2 * i + 1]!, size = E_VAL + vlenAt(tmp, from);
      u8.set(tmp.subarray(from, from + size), heap + o);
      f64[ix + 2 * i + 1] = o;
      o += size;
    }
    m[r + M_USED] = o;
    m[r + M_HOLES] = 0;
  }

  #setStr(k: string, v: string): void {
    const bi = bucketOfS(k);
    const vl = v.length, size = E_VAL + vl;
    const m = this.#meta, r = M_ROW * bi;
    if (m[r + M_OFF] === 0) this.#reserve(bi, 1, size);
    let o = this.#seek(bi, k);
    const at = this.#at;
    this.#pendingLeaves++;
    this.#pendingBytes += LEAF_PREFIX + vl;
    let u8 = this.#u8;
    if (this.#hit) {
      if (u8[o + E_KNOWN] !== 0) m[r + M_PEND]!++;
      const old = vlenAt(u8, o);
      if (old !== vl) {
        // A different length: the entry is written anew at the heap's end, the old one is a hole.
        this.#reserve(bi, 0, size);
        u8 = this.#u8;
        const base = 8 * m[r + M_OFF]!, heap = base + ROW_BYTES * m[r + M_CAPE]!;
        const ixAt = (base >>> 3) + 2 * at + 1;
        const from = heap + this.#f64[ixAt]!, used = m[r + M_USED]!; // (the block may have moved)
        o = heap + used;
        u8.copyWithin(o, from, from + E_VAL);
        this.#f64[ixAt] = used;
        m[r + M_USED] = used + size;
        m[r + M_HOLES]! += E_VAL + old;
        u8[o] = vl >>> 24;
        u8[o + 1] = (vl >>> 16) & 255;
        u8[o + 2] = (vl >>> 8) & 255;
        u8[o + 3] = vl & 255;
      }
    } else {
      this.#reserve(bi, 1, size);
      u8 = this.#u8;
      const f64 = this.#f64;
      const n = m[r + M_N]!, capE = m[r + M_CAPE]!, base = 8 * m[r + M_OFF]!;
      const heap = base + ROW_BYTES * capE, used = m[r + M_USED]!;
      const ix = base >>> 3, leaves = base + IX_BYTES * capE;
      u8.copyWithin(leaves + 32 * (at + 1), leaves + 32 * at, leaves + 32 * n);
      f64.copyWithin(ix + 2 * (at + 1), ix + 2 * at, ix + 2 * n);
      f64[ix + 2 * at] = prefixOf(k);
      f64[ix + 2 * at + 1] = used;
      o = heap + used;
      m[r + M_USED] = used + size;
      m[r + M_N] = n + 1;
      m[r + M_PEND]!++;
      this.#size++;
      u8[o] = vl >>> 24;
      u8[o + 1] = (vl >>> 16) & 255;
      u8[o + 2] = (vl >>> 8) & 255;
      u8[o + 3] = vl & 255;
      for (let c = 0, d = o + E_KEY; c < STATE_KEY_LEN; c++) u8[d++] = k.charCodeAt(c);
    }
    u8[o + E_KNOWN] = 0;
    for (let c = 0, d = o + E_VAL; c < vl; c++) u8[d++] = v.charCodeAt(c);
    this.#markDirty(bi);
  }

  #deleteStr(k: string): boolean {
    const bi = bucketOfS(k);
    const m = this.#meta, r = M_ROW * bi;
    if (m[r + M_OFF] === 0) return false;
    const o = this.#seek(bi, k);
    if (!this.#hit) return false;
    const u8 = this.#u8, f64 = this.#f64;
    if (u8[o + E_KNOWN] === 0) m[r + M_PEND]!--;
    m[r + M_HOLES]! += E_VAL + vlenAt(u8, o);
    const n = m[r + M_N]!, at = this.#at, base = 8 * m[r + M_OFF]!;
    const ix = base >>> 3, leaves = base + IX_BYTES * m[r + M_CAPE]!;
    u8.copyWithin(leaves + 32 * at, leaves + 32 * (at + 1), leaves + 32 * n);
    f64.copyWithin(ix + 2 * at, ix + 2 * (at + 1), ix + 2 * n);
    m[r + M_N] = n - 1;
    if (n === 1) {
      // Empty bucket: its heap restarts from the beginning.
      m[r + M_USED] = 0;
      m[r + M_HOLES] = 0;
    }
    this.#size--;
    this.#markDirty(bi);
    return true;
  }

  #markDirty(bi: number): void {
    if (this.#dirty[bi] === 0) {
      this.#dirty[bi] = 1;
      this.#dirtyList.push(bi);
    }
  }

  /**
   * The state root, recomputing only what changed since the last call.
   * @returns 32-byte root (a fresh copy).
   */
  root(): Uint8Array {
    if (this.#dirtyList.length > 0) this.#rehash();
    return this.#levels[TREE_LEVELS]!.slice(0, 32);
  }

  /** Recount the pending leaves exactly (a walk over the dirty buckets). */
  #exactPending(order: Uint32Array): void {
    let n = 0, bytes = 0;
    const m = this.#meta, u8 = this.#u8, f64 = this.#f64;
    for (let j = 0; j < order.length; j++) {
      const r = M_ROW * order[j]!;
      if (m[r + M_PEND] === 0) continue;
      const base = 8 * m[r + M_OFF]!, heap = base + ROW_BYTES * m[r + M_CAPE]!, ix = base >>> 3;
      for (let i = 0; i < m[r + M_N]!; i++) {
        const e = heap + f64[ix + 2 * i + 1]!;
        if (u8[e + E_KNOWN] === 0) {
          n++;
          bytes += LEAF_PREFIX + vlenAt(u8, e);
        }
      }
    }
    this.#pendingLeaves = n;
    this.#pendingBytes = bytes;
  }

  #rehash(): void {
    const dirty = this.#dirtyList;
    this.#dirtyList = [];
    // Integer sort (a typed array sorts numerically without a comparator call per pair).
    const order = Uint32Array.from(dirty).sort();
    const nd = order.length;
    const m = this.#meta, u8 = this.#u8, f64 = this.#f64;
    // 1. Missing leaves: every message written once, straight into one packed buffer (sized by
    //    the pending upper bounds), hashed in one call (blake3BatchPacked: no per-message views).
    if (this.#pendingLeaves > this.#size) this.#exactPending(order); // loose after many rewrites
    const buf = new Uint8Array(this.#pendingBytes);
    const offs = new Uint32Array(this.#pendingLeaves + 1);
    this.#pendingLeaves = 0;
    this.#pendingBytes = 0;
    const tagLen = TAG_LEAF.length;
    // Walk 1 over the dirty buckets (index order = key order) writes the missing leaves' messages
    // (key and value are adjacent in the heap: one copy), records each one's position and marks
    // it current (its digest is stored below, in this same call); it leaves a bucket once its
    // pending count is reached. Walk 2 touches only the leaves.
    const pos = new Uint32Array(offs.length);
    const found = new Uint32Array(nd);
    let o = 0, count = 0, bytes = 0;
    for (let j = 0; j < nd; j++) {
      const r = M_ROW * order[j]!;
      bytes += TAG_BUCKET.length + 32 * m[r + M_N]!;
      let left = m[r + M_PEND]!;
      if (left === 0) continue;
      found[j] = left;
      m[r + M_PEND] = 0;
      const n = m[r + M_N]!;
      const base = 8 * m[r + M_OFF]!, heap = base + ROW_BYTES * m[r + M_CAPE]!, ix = base >>> 3;
      for (let i = 0; i < n; i++) {
        const e = heap + f64[ix + 2 * i + 1]!;
        if (u8[e + E_KNOWN] !== 0) continue;
        u8[e + E_KNOWN] = 1;
        pos[count] = i;
        offs[count++] = o;
        for (let c = 0; c < tagLen; c++) buf[o++] = TAG_LEAF[c]!;
        const end = e + E_VAL + vlenAt(u8, e);
        for (let c = e + E_KEY; c < end; c++) buf[o++] = u8[c]!;
        if (--left === 0) break;
      }
    }
    offs[count] = o;
    const hashes = count === 0 ? buf : blake3BatchPacked(buf, offs.subarray(0, count + 1));
    // 2. Buckets: the j-th digest goes to the j-th missing leaf (same order as walk 1), then the
    //    bucket's message TAG_BUCKET || leaves is written, packed like the leaves.
    const bbuf = new Uint8Array(bytes);
    const boffs = new Uint32Array(nd + 1);
    o = 0;
    for (let j = 0, h = 0, p = 0; j < nd; j++) {
      const bi = order[j]!, r = M_ROW * bi;
      this.#dirty[bi] = 0;
      boffs[j] = o;
      bbuf.set(TAG_BUCKET, o);
      o += TAG_BUCKET.length;
      const n = m[r + M_N]!;
      if (n === 0) continue;
      const leaves = 8 * m[r + M_OFF]! + IX_BYTES * m[r + M_CAPE]!;
      for (let f = found[j]!; f > 0; f--) {
        for (let c = 0, d = leaves + 32 * pos[p++]!; c < 32; c++) u8[d++] = hashes[h++]!;
      }
      bbuf.set(u8.subarray(leaves, leaves + 32 * n), o);
      o += 32 * n;
    }
    boffs[nd] = o;
    const bh = blake3BatchPacked(bbuf, boffs);
    const l0 = this.#levels[0]!;
    for (let j = 0; j < nd; j++) l0.set(bh.subarray(32 * j, 32 * j + 32), 32 * order[j]!);
    // 3. Levels above: parents of the (sorted) dirty positions, deduplicated in place.
    let cur = order, ncur = nd;
    const nodeLen = TAG_NODE.length + 32 * RADIX;
    for (let l = 1; l <= TREE_LEVELS; l++) {
      const parents = new Uint32Array(ncur);
      let np = 0;
      for (let j = 0; j < ncur; j++) {
        const p = cur[j]! >>> 4;
        if (np === 0 || parents[np - 1] !== p) parents[np++] = p;
      }
      const below = this.#levels[l - 1]!;
      const nbuf = new Uint8Array(nodeLen * np);
      const noffs = new Uint32Array(np + 1);
      for (let j = 0; j < np; j++) {
        const at = nodeLen * j, first = parents[j]! * RADIX;
        noffs[j] = at;
        nbuf.set(TAG_NODE, at);
        nbuf.set(below.subarray(first * 32, (first + RADIX) * 32), at + TAG_NODE.length);
      }
      noffs[np] = nodeLen * np;
      const hs = blake3BatchPacked(nbuf, noffs);
      const lv = this.#levels[l]!;
      for (let j = 0; j < np; j++) lv.set(hs.subarray(32 * j, 32 * j + 32), 32 * parents[j]!);
      cur = parents;
      ncur = np;
    }
  }

  /** Visit the entries of bucket `bi` in key order: `fn(keyAt, valueAt, valueLen, i)`. */
  #each(bi: number, fn: (key: number, val: number, vlen: number, i: number) => void): void {
    const m = this.#meta, r = M_ROW * bi;
    if (m[r + M_OFF] === 0) return;
    const base = 8 * m[r + M_OFF]!, heap = base + ROW_BYTES * m[r + M_CAPE]!, ix = base >>> 3;
    const n = m[r + M_N]!;
    for (let i = 0; i < n; i++) {
      const e = heap + this.#f64[ix + 2 * i + 1]!;
      fn(e + E_KEY, e + E_VAL, vlenAt(this.#u8, e), i);
    }
  }

  /**
   * Inclusion proof for a present key, non-inclusion proof for an absent one.
   * @param key 37-byte key.
   * @returns A proof for {@linkcode verifyStateProof} against {@linkcode root}.
   */
  prove(key: Uint8Array): StateProof {
    checkKey(key);
    this.root();
    const bi = bucketOf(key);
    const k = latin1(key);
    const u8 = this.#u8, r = M_ROW * bi;
    const leavesAt = 8 * this.#meta[r + M_OFF]! + IX_BYTES * this.#meta[r + M_CAPE]!;
    const leaves: Uint8Array[] = [];
    const entries: { key: Uint8Array; value: Uint8Array }[] = [];
    let index = -1;
    this.#each(bi, (ka, va, vl, i) => {
      if (strAt(u8, ka, STATE_KEY_LEN) === k) index = i;
      leaves.push(u8.slice(leavesAt + 32 * i, leavesAt + 32 * i + 32));
      entries.push({ key: u8.slice(ka, ka + STATE_KEY_LEN), value: u8.slice(va, va + vl) });
    });
    const siblings: Uint8Array[] = [];
    let pos = bi;
    for (let l = 0; l < TREE_LEVELS; l++) {
      const first = pos - (pos % RADIX);
      const lvl = this.#levels[l]!;
      for (let j = 0; j < RADIX; j++) {
        if (first + j !== pos) siblings.push(lvl.slice(32 * (first + j), 32 * (first + j + 1)));
      }
      pos = Math.floor(pos / RADIX);
    }
    if (index >= 0) {
      return { key: key.slice(), bucket: bi, leaves, index, entries: [], siblings };
    }
    return { key: key.slice(), bucket: bi, leaves: [], index: -1, entries, siblings };
  }

  /**
   * The entries of one bucket in key order, as latin1 strings (fresh arrays: a copy of the
   * bucket at this instant).
   * @param bi Bucket index.
   * @returns Keys and values, or `undefined` for a bucket that never held an entry.
   */
  bucketS(
    bi: number,
  ): { readonly keys: readonly string[]; readonly vals: readonly string[] } | undefined {
    if (this.#meta[M_ROW * bi + M_OFF] === 0) return undefined;
    const keys: string[] = [], vals: string[] = [], u8 = this.#u8;
    this.#each(bi, (ka, va, vl) => {
      keys.push(strAt(u8, ka, STATE_KEY_LEN));
      vals.push(strAt(u8, va, vl));
    });
    return { keys, vals };
  }

  /**
   * Size of bucket `bi` as `key 37 | len u32be | value` records (the base-slice format of
   * `_slices.ts`).
   * @param bi Bucket index.
   * @returns Bytes {@linkcode writeRecords} would write.
   */
  recordBytes(bi: number): number {
    let bytes = 0;
    this.#each(bi, (_k, _v, vl) => {
      bytes += STATE_KEY_LEN + 4 + vl;
    });
    return bytes;
  }

  /**
   * Write bucket `bi` as `key 37 | len u32be | value` records in key order, straight from the
   * arena (no strings).
   * @param bi Bucket index.
   * @param out Destination, with {@linkcode recordBytes} free bytes at `at`.
   * @param at Offset in `out`.
   * @returns Offset after the last record.
   */
  writeRecords(bi: number, out: Uint8Array, at: number): number {
    const u8 = this.#u8;
    let o = at;
    this.#each(bi, (ka, va, vl) => {
      out.set(u8.subarray(ka, ka + STATE_KEY_LEN), o);
      o += STATE_KEY_LEN;
      out[o++] = vl >>> 24;
      out[o++] = (vl >>> 16) & 255;
      out[o++] = (vl >>> 8) & 255;
      out[o++] = vl & 255;
      out.set(u8.subarray(va, va + vl), o);
      o += vl;
    });
    return o;
  }

  /**
   * Every entry in key order (bucket by bucket): used by snapshots.
   * @returns Iterator over `[key, value]` (fresh copies).
   */
  *entries(): IterableIterator<[Uint8Array, Uint8Array]> {
    for (const [k, v] of this.entriesS()) yield [unlatin1(k), unlatin1(v)];
  }

  /**
   * {@linkcode entries} as latin1 strings (a bucket is read whole before its entries are
   * yielded, so a change between two steps does not tear a bucket).
   * @returns Iterator over `[key, value]`.
   */
  *entriesS(): IterableIterator<[string, string]> {
    for (let bi = 0; bi < BUCKETS; bi++) {
      const b = this.bucketS(bi);
      if (b === undefined) continue;
      for (let i = 0; i < b.keys.length; i++) yield [b.keys[i]!, b.vals[i]!];
    }
  }
}

/** Key chars covered by {@linkcode prefixOf}. */
const PREFIX_CHARS = 6;

/**
 * The first 6 chars of a latin1 key as one exact double (48 bits): `prefixOf(a) < prefixOf(b)`
 * implies `a < b`, and equal prefixes leave the order to the rest of the keys.
 */
function prefixOf(k: string): number {
  const hi = k.charCodeAt(0) * 256 + k.charCodeAt(1);
  const lo = ((k.charCodeAt(2) << 24) | (k.charCodeAt(3) << 16) | (k.charCodeAt(4) << 8) |
    k.charCodeAt(5)) >>> 0;
  return hi * 4294967296 + lo;
}
