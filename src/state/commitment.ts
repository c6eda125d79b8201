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
import { bytesEqual, latin1 } from "./_bytes.ts";

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
 * Layout of one entry inside its bucket's slab (ADR 0037): `vlen u32be | known u8 | key 37 |
 * value vlen`. A slab is append-only between compactions: an insert writes at its end, a delete
 * or a resized value leaves a hole, and the slab is compacted when it must grow. Key order lives
 * in the bucket's index (prefix and offset per entry) and in its leaf buffer (32 bytes per entry,
 * same order), so a bucket's message is one contiguous copy and an insert moves no entry bytes.
 */
const E_KNOWN = 4;
const E_KEY = 5;
const E_VAL = E_KEY + STATE_KEY_LEN;
/** First slab size: three typical UTXO entries (header, key and a 60-byte value). */
const SLAB_INITIAL = 320;
/** First index and leaf buffer size, in entries. */
const ENTRIES_INITIAL = 4;

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
   * Arena layout (ADR 0037): per bucket three typed buffers, the entry slab (keys, values, "leaf
   * is current" flags), the index and the leaf hashes, so the whole state is ~200,000 buffers
   * instead of ~1M key strings, ~1M value strings and per-bucket arrays: nothing per entry for
   * the GC to trace, and a bucket's lookup or rehash reads a few contiguous regions.
   */
  #slabs: (Uint8Array | undefined)[] = new Array(BUCKETS);
  /**
   * Per bucket, four u32 side by side (one cache line holds four buckets' worth, instead of one
   * miss per array): entries, bytes written to the slab (live entries and holes), bytes of holes
   * (deleted entries, replaced values), and entries whose leaf is not current. The last is exact
   * (a rewrite of a pending entry does not count twice, a delete of one subtracts), so the rehash
   * leaves a bucket once it has seen them all.
   */
  #meta = new Uint32Array(4 * BUCKETS);
  /**
   * Per bucket, two doubles per entry in key order: {@linkcode prefixOf} the key and the entry's
   * offset in the slab. A lookup binary-searches these (a cache line or two) and reads the slab
   * only on a prefix tie.
   */
  #ix: (Float64Array | undefined)[] = new Array(BUCKETS);
  /** Leaf hashes of each bucket, 32 bytes per entry in key order (capacity may exceed it). */
  #leaves: (Uint8Array | undefined)[] = new Array(BUCKETS);
  /** Set by {@linkcode #seek}: whether the entry at the returned offset has the key sought. */
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
   * Slab offset of the entry of bucket `bi` with key `k`, setting `#hit` (found) and `#at` (its
   * position in key order, or where it would be inserted; the offset is then meaningless).
   */
  #seek(bi: number, s: Uint8Array, k: string): number {
    const ix = this.#ix[bi]!, n = this.#meta[4 * bi]!, f = prefixOf(k);
    let lo = 0, hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ix[2 * mid]! < f) lo = mid + 1;
      else hi = mid;
    }
    // Equal prefixes (rare): the rest of the keys decides, read from the slab.
    while (lo < n && ix[2 * lo] === f) {
      const o = ix[2 * lo + 1]!, kb = o + E_KEY;
      let d = 0;
      for (let c = PREFIX_CHARS; c < STATE_KEY_LEN; c++) {
        d = s[kb + c]! - k.charCodeAt(c);
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
    const s = this.#slabs[bi];
    if (s === undefined) return undefined;
    const o = this.#seek(bi, s, latin1(key));
    if (!this.#hit) return undefined;
    return s.slice(o + E_VAL, o + E_VAL + vlenAt(s, o));
  }

  /**
   * Value under a latin1 key, as a latin1 string (the engine's hot path: no typed arrays).
   * @param k 37-char latin1 key.
   * @returns The latin1 value, or `undefined`.
   */
  getS(k: string): string | undefined {
    const bi = bucketOfS(k);
    const s = this.#slabs[bi];
    if (s === undefined) return undefined;
    const o = this.#seek(bi, s, k);
    return this.#hit ? strAt(s, o + E_VAL, vlenAt(s, o)) : undefined;
  }

  /**
   * Whether a latin1 key is present.
   * @param k 37-char latin1 key.
   * @returns Presence.
   */
  hasS(k: string): boolean {
    const bi = bucketOfS(k);
    const s = this.#slabs[bi];
    if (s === undefined) return false;
    this.#seek(bi, s, k);
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
   * Room for `add` more slab bytes in bucket `bi`: compacts (live entries in key order, holes
   * dropped, offsets in the index rewritten) into a new slab of twice the live size when the
   * current one is full. Returns the slab to write to.
   */
  #reserve(bi: number, add: number): Uint8Array {
    const s = this.#slabs[bi]!, used = this.#meta[4 * bi + 1]!;
    if (used + add <= s.length) return s;
    const live = used - this.#meta[4 * bi + 2]!;
    const cap = (Math.max(SLAB_INITIAL, 2 * (live + add)) + 63) & ~63;
    const ns = new Uint8Array(cap);
    const ix = this.#ix[bi]!, n = this.#meta[4 * bi]!;
    let o = 0;
    for (let i = 0; i < n; i++) {
      const from = ix[2 * i + 1]!, len = E_VAL + vlenAt(s, from);
      ns.set(s.subarray(from, from + len), o);
      ix[2 * i + 1] = o;
      o += len;
    }
    this.#slabs[bi] = ns;
    this.#meta[4 * bi + 1] = o;
    this.#meta[4 * bi + 2] = 0;
    return ns;
  }

  #setStr(k: string, v: string): void {
    const bi = bucketOfS(k);
    const vl = v.length;
    let s = this.#slabs[bi];
    if (s === undefined) {
      s = this.#slabs[bi] = new Uint8Array(Math.max(SLAB_INITIAL, (E_VAL + vl + 63) & ~63));
      this.#leaves[bi] = new Uint8Array(32 * ENTRIES_INITIAL);
      this.#ix[bi] = new Float64Array(2 * ENTRIES_INITIAL);
    }
    let o = this.#seek(bi, s, k);
    const at = this.#at;
    this.#pendingLeaves++;
    this.#pendingBytes += LEAF_PREFIX + vl;
    if (this.#hit) {
      if (s[o + E_KNOWN] !== 0) this.#meta[4 * bi + 3]!++;
      const old = vlenAt(s, o);
      if (old !== vl) {
        // A different length: the old entry becomes a hole and the entry is written anew.
        s = this.#reserve(bi, E_VAL + vl);
        const from = this.#ix[bi]![2 * at + 1]!; // (compaction may have moved it)
        this.#meta[4 * bi + 2]! += E_VAL + old;
        o = this.#meta[4 * bi + 1]!;
        s.copyWithin(o, from, from + E_VAL);
        s[o] = vl >>> 24;
        s[o + 1] = (vl >>> 16) & 255;
        s[o + 2] = (vl >>> 8) & 255;
        s[o + 3] = vl & 255;
        this.#meta[4 * bi + 1] = o + E_VAL + vl;
        this.#ix[bi]![2 * at + 1] = o;
      }
    } else {
      s = this.#reserve(bi, E_VAL + vl);
      o = this.#meta[4 * bi + 1]!;
      this.#meta[4 * bi + 1] = o + E_VAL + vl;
      const n = this.#meta[4 * bi]!;
      let lv = this.#leaves[bi]!;
      let ix = this.#ix[bi]!;
      if (32 * (n + 1) > lv.length) {
        const grown = new Uint8Array(lv.length * 2);
        grown.set(lv.subarray(0, 32 * n));
        lv = this.#leaves[bi] = grown;
        const gix = new Float64Array(ix.length * 2);
        gix.set(ix.subarray(0, 2 * n));
        ix = this.#ix[bi] = gix;
      }
      lv.copyWithin(32 * (at + 1), 32 * at, 32 * n);
      ix.copyWithin(2 * (at + 1), 2 * at, 2 * n);
      ix[2 * at] = prefixOf(k);
      ix[2 * at + 1] = o;
      this.#meta[4 * bi] = n + 1;
      this.#meta[4 * bi + 3]!++;
      this.#size++;
      s[o] = vl >>> 24;
      s[o + 1] = (vl >>> 16) & 255;
      s[o + 2] = (vl >>> 8) & 255;
      s[o + 3] = vl & 255;
      for (let c = 0, d = o + E_KEY; c < STATE_KEY_LEN; c++) s[d++] = k.charCodeAt(c);
    }
    s[o + E_KNOWN] = 0;
    for (let c = 0, d = o + E_VAL; c < vl; c++) s[d++] = v.charCodeAt(c);
    this.#markDirty(bi);
  }

  #deleteStr(k: string): boolean {
    const bi = bucketOfS(k);
    const s = this.#slabs[bi];
    if (s === undefined) return false;
    const o = this.#seek(bi, s, k);
    if (!this.#hit) return false;
    if (s[o + E_KNOWN] === 0) this.#meta[4 * bi + 3]!--;
    this.#meta[4 * bi + 2]! += E_VAL + vlenAt(s, o);
    const n = this.#meta[4 * bi]!, at = this.#at;
    this.#leaves[bi]!.copyWithin(32 * at, 32 * (at + 1), 32 * n);
    this.#ix[bi]!.copyWithin(2 * at, 2 * (at + 1), 2 * n);
    this.#meta[4 * bi] = n - 1;
    if (n === 1) {
      // Empty bucket: its slab restarts from the beginning.
      this.#meta[4 * bi + 1] = 0;
      this.#meta[4 * bi + 2] = 0;
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
    for (let j = 0; j < order.length; j++) {
      const bi = order[j]!;
      if (this.#meta[4 * bi + 3] === 0) continue;
      const s = this.#slabs[bi]!, ix = this.#ix[bi]!, cnt = this.#meta[4 * bi]!;
      for (let i = 0; i < cnt; i++) {
        const e = ix[2 * i + 1]!;
        if (s[e + E_KNOWN] === 0) {
          n++;
          bytes += LEAF_PREFIX + vlenAt(s, e);
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
    const slabs = this.#slabs, meta = this.#meta;
    // 1. Missing leaves: every message written once, straight into one packed buffer (sized by
    //    the pending upper bounds), hashed in one call (blake3BatchPacked: no per-message views).
    if (this.#pendingLeaves > this.#size) this.#exactPending(order); // loose after many rewrites
    const buf = new Uint8Array(this.#pendingBytes);
    const offs = new Uint32Array(this.#pendingLeaves + 1);
    this.#pendingLeaves = 0;
    this.#pendingBytes = 0;
    const tagLen = TAG_LEAF.length;
    // Walk 1 over the dirty buckets (index order = key order) writes the missing leaves' messages
    // (key and value are adjacent in the slab: one copy), records each one's position and marks
    // it current (its digest is stored below, in this same call); it leaves a bucket once its pending count
    // entries were found. Walk 2 touches only the leaf buffers.
    const pos = new Uint32Array(offs.length);
    const found = new Uint32Array(nd);
    let o = 0, count = 0, bytes = 0;
    for (let j = 0; j < nd; j++) {
      const bi = order[j]!;
      bytes += TAG_BUCKET.length + 32 * meta[4 * bi]!;
      let left = meta[4 * bi + 3]!;
      if (left === 0) continue;
      found[j] = left;
      meta[4 * bi + 3] = 0;
      const s = slabs[bi]!, ix = this.#ix[bi]!, n = meta[4 * bi]!;
      for (let i = 0; i < n; i++) {
        const e = ix[2 * i + 1]!;
        if (s[e + E_KNOWN] !== 0) continue;
        s[e + E_KNOWN] = 1;
        pos[count] = i;
        offs[count++] = o;
        for (let c = 0; c < tagLen; c++) buf[o++] = TAG_LEAF[c]!;
        const end = e + E_VAL + vlenAt(s, e);
        for (let c = e + E_KEY; c < end; c++) buf[o++] = s[c]!;
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
      const bi = order[j]!;
      this.#dirty[bi] = 0;
      boffs[j] = o;
      bbuf.set(TAG_BUCKET, o);
      o += TAG_BUCKET.length;
      const n = meta[4 * bi]!;
      if (n === 0) continue;
      const lv = this.#leaves[bi]!;
      // Walk 1 found this bucket's pending entries in order, right after the previous bucket's.
      for (let f = found[j]!; f > 0; f--) {
        for (let c = 0, d = 32 * pos[p++]!; c < 32; c++) lv[d++] = hashes[h++]!;
      }
      bbuf.set(32 * n === lv.length ? lv : lv.subarray(0, 32 * n), o);
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
    const s = this.#slabs[bi];
    const n = s === undefined ? 0 : this.#meta[4 * bi]!;
    const ix = this.#ix[bi], lv = this.#leaves[bi];
    const leaves: Uint8Array[] = [];
    const entries: { key: Uint8Array; value: Uint8Array }[] = [];
    let index = -1;
    for (let i = 0; i < n; i++) {
      const e = ix![2 * i + 1]!;
      if (strAt(s!, e + E_KEY, STATE_KEY_LEN) === k) index = i;
      leaves.push(lv!.slice(32 * i, 32 * i + 32));
      entries.push({
        key: s!.slice(e + E_KEY, e + E_VAL),
        value: s!.slice(e + E_VAL, e + E_VAL + vlenAt(s!, e)),
      });
    }
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
    const s = this.#slabs[bi];
    if (s === undefined) return undefined;
    const keys: string[] = [], vals: string[] = [];
    const ix = this.#ix[bi]!, n = this.#meta[4 * bi]!;
    for (let i = 0; i < n; i++) {
      const e = ix[2 * i + 1]!;
      keys.push(strAt(s, e + E_KEY, STATE_KEY_LEN));
      vals.push(strAt(s, e + E_VAL, vlenAt(s, e)));
    }
    return { keys, vals };
  }

  /**
   * Every entry in key order (bucket by bucket): used by snapshots.
   * @returns Iterator over `[key, value]` (fresh copies).
   */
  *entries(): IterableIterator<[Uint8Array, Uint8Array]> {
    for (let bi = 0; bi < BUCKETS; bi++) {
      const s = this.#slabs[bi];
      if (s === undefined) continue;
      const ix = this.#ix[bi]!, n = this.#meta[4 * bi]!;
      for (let i = 0; i < n; i++) {
        const e = ix[2 * i + 1]!;
        yield [s.slice(e + E_KEY, e + E_VAL), s.slice(e + E_VAL, e + E_VAL + vlenAt(s, e))];
      }
    }
  }

  /**
   * {@linkcode entries} as latin1 strings.
   * @returns Iterator over `[key, value]`.
   */
  *entriesS(): IterableIterator<[string, string]> {
    for (let bi = 0; bi < BUCKETS; bi++) {
      const s = this.#slabs[bi];
      if (s === undefined) continue;
      const ix = this.#ix[bi]!, n = this.#meta[4 * bi]!;
      for (let i = 0; i < n; i++) {
        const e = ix[2 * i + 1]!;
        yield [strAt(s, e + E_KEY, STATE_KEY_LEN), strAt(s, e + E_VAL, vlenAt(s, e))];
      }
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
