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
 * value vlen`. Entries are stored back to back in key order, so a lookup, an insert or a bucket
 * rehash touches one contiguous buffer instead of ~4 heap objects per entry. The leaf hashes live
 * in a second per-bucket buffer, 32 bytes per entry in the same order, so a bucket's message is
 * one contiguous copy.
 */
const E_KNOWN = 4;
const E_KEY = 5;
const E_VAL = E_KEY + STATE_KEY_LEN;
/** First slab size: three typical UTXO entries (header, key and a 60-byte value). */
const SLAB_INITIAL = 320;
/** First leaf buffer size, in entries. */
const LEAVES_INITIAL = 4;

function vlenAt(s: Uint8Array, o: number): number {
  return ((s[o]! << 24) | (s[o + 1]! << 16) | (s[o + 2]! << 8) | s[o + 3]!) >>> 0;
}

function setVlen(s: Uint8Array, o: number, n: number): void {
  s[o] = n >>> 24;
  s[o + 1] = (n >>> 16) & 255;
  s[o + 2] = (n >>> 8) & 255;
  s[o + 3] = n & 255;
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
   * Arena layout (ADR 0037): each bucket is one byte slab holding its entries (key, value, leaf
   * hash, a "leaf is current" flag) sorted by key, so the whole state is ~65,536 buffers instead
   * of ~1M key strings, ~1M value strings and per-bucket arrays: nothing per entry for the GC to
   * trace, and a bucket's lookup or rehash reads one contiguous region.
   */
  #slabs: (Uint8Array | undefined)[] = new Array(BUCKETS);
  /** Bytes in use of each slab. */
  #used = new Uint32Array(BUCKETS);
  /** Entries of each bucket. */
  #count = new Uint32Array(BUCKETS);
  /** Leaf hashes of each bucket, 32 bytes per entry in key order (capacity may exceed it). */
  #leaves: (Uint8Array | undefined)[] = new Array(BUCKETS);
  /**
   * Entries of each bucket whose leaf is not current (exact: a rewrite of a pending entry does not
   * count twice, a delete of one subtracts), so the rehash sizes its buffers and stops walking a
   * bucket once it has seen them all.
   */
  #pend = new Uint32Array(BUCKETS);
  /**
   * Per bucket, two doubles per entry in key order: {@linkcode prefixOf} the key and the entry's
   * offset in the slab. A lookup binary-searches these (a cache line or two) and reads the slab
   * only on a prefix tie, instead of scanning entries of ~100 bytes each.
   */
  #ix: (Float64Array | undefined)[] = new Array(BUCKETS);
  /** Set by {@linkcode #seek}: whether the entry at the returned offset has the key sought. */
  #hit = false;
  /** Set by {@linkcode #seek}: position (entry number) of the returned offset. */
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
   * Offset in slab `s` (of `used` bytes) of the first entry whose key is not below `k` (byte
   * order, which is the latin1 string order); sets `#hit` when that entry's key is `k`.
   */
  #seek(bi: number, s: Uint8Array, used: number, k: string): number {
    const ix = this.#ix[bi]!, n = this.#count[bi]!, f = prefixOf(k);
    let lo = 0, hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ix[2 * mid]! < f) lo = mid + 1;
      else hi = mid;
    }
    // Equal prefixes (rare): the rest of the keys decides, read from the slab.
    while (lo < n && ix[2 * lo] === f) {
      const kb = ix[2 * lo + 1]! + E_KEY;
      let d = 0;
      for (let c = PREFIX_CHARS; c < STATE_KEY_LEN; c++) {
        d = s[kb + c]! - k.charCodeAt(c);
        if (d !== 0) break;
      }
      if (d >= 0) {
        this.#hit = d === 0;
        this.#at = lo;
        return ix[2 * lo + 1]!;
      }
      lo++;
    }
    this.#hit = false;
    this.#at = lo;
    return lo < n ? ix[2 * lo + 1]! : used;
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
    const o = this.#seek(bi, s, this.#used[bi]!, latin1(key));
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
    const o = this.#seek(bi, s, this.#used[bi]!, k);
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
    this.#seek(bi, s, this.#used[bi]!, k);
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

  /** Replace slab `bi` by a larger one holding at least `need` bytes; returns it. */
  #grow(bi: number, need: number): Uint8Array {
    const old = this.#slabs[bi]!;
    const cap = (Math.max(need, old.length * 2) + 63) & ~63;
    const s = new Uint8Array(cap);
    s.set(old.subarray(0, this.#used[bi]!));
    this.#slabs[bi] = s;
    return s;
  }

  #setStr(k: string, v: string): void {
    const bi = bucketOfS(k);
    const vl = v.length;
    let s = this.#slabs[bi];
    const used = this.#used[bi]!;
    let o = 0;
    if (s === undefined) {
      s = this.#slabs[bi] = new Uint8Array(Math.max(SLAB_INITIAL, (E_VAL + vl + 63) & ~63));
      this.#leaves[bi] = new Uint8Array(32 * LEAVES_INITIAL);
      this.#ix[bi] = new Float64Array(2 * LEAVES_INITIAL);
      this.#hit = false;
      this.#at = 0;
    } else {
      o = this.#seek(bi, s, used, k);
    }
    this.#pendingLeaves++;
    this.#pendingBytes += LEAF_PREFIX + vl;
    if (this.#hit) {
      if (s[o + E_KNOWN] !== 0) this.#pend[bi]!++;
      const old = vlenAt(s, o);
      if (old !== vl) {
        const need = used + vl - old;
        if (need > s.length) s = this.#grow(bi, need);
        s.copyWithin(o + E_VAL + vl, o + E_VAL + old, used);
        this.#used[bi] = need;
        setVlen(s, o, vl);
        const ix = this.#ix[bi]!, n = this.#count[bi]!, delta = vl - old;
        for (let j = this.#at + 1; j < n; j++) ix[2 * j + 1]! += delta;
      }
    } else {
      const need = used + E_VAL + vl;
      if (need > s.length) s = this.#grow(bi, need);
      s.copyWithin(o + E_VAL + vl, o, used);
      const n = this.#count[bi]!;
      let lv = this.#leaves[bi]!;
      if (32 * (n + 1) > lv.length) {
        const grown = new Uint8Array(lv.length * 2);
        grown.set(lv.subarray(0, 32 * n));
        lv = this.#leaves[bi] = grown;
      }
      const at = this.#at, sz = E_VAL + vl;
      lv.copyWithin(32 * (at + 1), 32 * at, 32 * n);
      let ix = this.#ix[bi]!;
      if (2 * (n + 1) > ix.length) {
        const grown = new Float64Array(ix.length * 2);
        grown.set(ix.subarray(0, 2 * n));
        ix = this.#ix[bi] = grown;
      }
      for (let j = n; j > at; j--) {
        ix[2 * j] = ix[2 * j - 2]!;
        ix[2 * j + 1] = ix[2 * j - 1]! + sz;
      }
      ix[2 * at] = prefixOf(k);
      ix[2 * at + 1] = o;
      this.#used[bi] = need;
      this.#count[bi] = n + 1;
      this.#pend[bi]!++;
      this.#size++;
      setVlen(s, o, vl);
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
    const used = this.#used[bi]!;
    const o = this.#seek(bi, s, used, k);
    if (!this.#hit) return false;
    const n = E_VAL + vlenAt(s, o);
    if (s[o + E_KNOWN] === 0) this.#pend[bi]!--;
    s.copyWithin(o, o + n, used);
    const cnt = this.#count[bi]!, at = this.#at;
    this.#leaves[bi]!.copyWithin(32 * at, 32 * (at + 1), 32 * cnt);
    const ix = this.#ix[bi]!;
    for (let j = at; j < cnt - 1; j++) {
      ix[2 * j] = ix[2 * j + 2]!;
      ix[2 * j + 1] = ix[2 * j + 3]! - n;
    }
    this.#used[bi] = used - n;
    this.#count[bi] = cnt - 1;
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
      const s = this.#slabs[bi];
      if (s === undefined) continue;
      const used = this.#used[bi]!;
      for (let e = 0; e < used;) {
        const vl = vlenAt(s, e);
        if (s[e + E_KNOWN] === 0) {
          n++;
          bytes += LEAF_PREFIX + vl;
        }
        e += E_VAL + vl;
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
    const slabs = this.#slabs, usedOf = this.#used, countOf = this.#count;
    // 1. Missing leaves: every message written once, straight into one packed buffer (sized by
    //    the pending upper bounds), hashed in one call (blake3BatchPacked: no per-message views).
    if (this.#pendingLeaves > this.#size) this.#exactPending(order); // loose after many rewrites
    const buf = new Uint8Array(this.#pendingBytes);
    const offs = new Uint32Array(this.#pendingLeaves + 1);
    this.#pendingLeaves = 0;
    this.#pendingBytes = 0;
    const tagLen = TAG_LEAF.length;
    // Walk 1 over the dirty slabs writes the missing leaves' messages (key and value are
    // adjacent in the slab: one copy), records each one's position and marks it current (its
    // digest is stored below, in this same call); it stops in a bucket once `#pend` entries were
    // found. Walk 2 touches only the leaf buffers.
    const pend = this.#pend;
    const pos = new Uint32Array(offs.length);
    const found = new Uint32Array(nd);
    let o = 0, count = 0, bytes = 0;
    for (let j = 0; j < nd; j++) {
      const bi = order[j]!;
      bytes += TAG_BUCKET.length + 32 * countOf[bi]!;
      let left = pend[bi]!;
      if (left === 0) continue;
      found[j] = left;
      pend[bi] = 0;
      const s = slabs[bi]!;
      const used = usedOf[bi]!;
      for (let e = 0, i = 0; e < used; i++) {
        const end = e + E_VAL + vlenAt(s, e);
        if (s[e + E_KNOWN] === 0) {
          s[e + E_KNOWN] = 1;
          pos[count] = i;
          offs[count++] = o;
          for (let c = 0; c < tagLen; c++) buf[o++] = TAG_LEAF[c]!;
          for (let c = e + E_KEY; c < end; c++) buf[o++] = s[c]!;
          if (--left === 0) break;
        }
        e = end;
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
      const n = countOf[bi]!;
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
    const used = s === undefined ? 0 : this.#used[bi]!;
    const lv = this.#leaves[bi];
    const leaves: Uint8Array[] = [];
    const entries: { key: Uint8Array; value: Uint8Array }[] = [];
    let index = -1;
    for (let e = 0; e < used;) {
      const end = e + E_VAL + vlenAt(s!, e);
      if (strAt(s!, e + E_KEY, STATE_KEY_LEN) === k) index = leaves.length;
      leaves.push(lv!.slice(32 * leaves.length, 32 * leaves.length + 32));
      entries.push({ key: s!.slice(e + E_KEY, e + E_VAL), value: s!.slice(e + E_VAL, end) });
      e = end;
    }
    const siblings: Uint8Array[] = [];
    let pos = bi;
    for (let l = 0; l < TREE_LEVELS; l++) {
      const first = pos - (pos % RADIX);
      const lv = this.#levels[l]!;
      for (let j = 0; j < RADIX; j++) {
        if (first + j !== pos) siblings.push(lv.slice(32 * (first + j), 32 * (first + j + 1)));
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
    const used = this.#used[bi]!;
    for (let e = 0; e < used;) {
      const vl = vlenAt(s, e);
      keys.push(strAt(s, e + E_KEY, STATE_KEY_LEN));
      vals.push(strAt(s, e + E_VAL, vl));
      e += E_VAL + vl;
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
      const used = this.#used[bi]!;
      for (let e = 0; e < used;) {
        const end = e + E_VAL + vlenAt(s, e);
        yield [s.slice(e + E_KEY, e + E_VAL), s.slice(e + E_VAL, end)];
        e = end;
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
      const used = this.#used[bi]!;
      for (let e = 0; e < used;) {
        const vl = vlenAt(s, e);
        yield [strAt(s, e + E_KEY, STATE_KEY_LEN), strAt(s, e + E_VAL, vl)];
        e += E_VAL + vl;
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
