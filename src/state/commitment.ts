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

interface Bucket {
  /** Keys (latin1) in ascending order. */
  keys: string[];
  /**
   * {@linkcode prefixOf} of each key, aligned with `keys`: a binary search compares these
   * unboxed doubles (one array, a cache line or two) and touches a key string only on a tie,
   * instead of chasing ~4 scattered strings per lookup.
   */
  fp: number[];
  /** Values (latin1), aligned with `keys`. */
  vals: string[];
  /** Whether the leaf at the same position is current (false until the next rehash). */
  known: boolean[];
  /** Leaf hashes packed 32 bytes each, aligned with `keys`; capacity may exceed the count. */
  leaves: Uint8Array;
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
 * In-memory authenticated map `key(37 bytes) -> value`, with a lazily, incrementally updated
 * root: `set`/`delete` only mark the bucket dirty; `root()` rehashes dirty buckets and their
 * ancestors, batching each level through `blake3Batch`.
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
   * Keys and values live only in their bucket, as latin1 strings (one heap object each, far
   * cheaper for the GC than typed arrays); a lookup is a binary search over ~15 keys at 1M
   * entries, cheaper than a separate 1M-entry Map (ADR 0033).
   */
  #buckets: (Bucket | undefined)[] = new Array(BUCKETS);
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
   * Value stored under `key`, or `undefined`.
   * @param key 37-byte key.
   * @returns The value (do not mutate it).
   */
  get(key: Uint8Array): Uint8Array | undefined {
    const v = this.getS(latin1(key));
    return v === undefined ? undefined : unlatin1(v);
  }

  /**
   * Value under a latin1 key, as a latin1 string (the engine's hot path: no typed arrays).
   * @param k 37-char latin1 key.
   * @returns The latin1 value, or `undefined`.
   */
  getS(k: string): string | undefined {
    const b = this.#buckets[bucketOfS(k)];
    if (b === undefined) return undefined;
    const i = lowerBound(b, k);
    return b.keys[i] === k ? b.vals[i] : undefined;
  }

  /**
   * Whether a latin1 key is present.
   * @param k 37-char latin1 key.
   * @returns Presence.
   */
  hasS(k: string): boolean {
    const b = this.#buckets[bucketOfS(k)];
    return b !== undefined && b.keys[lowerBound(b, k)] === k;
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
    this.#setStr(latin1(key), latin1(value));
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

  #setStr(k: string, value: string): void {
    const bi = bucketOfS(k);
    let b = this.#buckets[bi];
    if (b === undefined) {
      b = this.#buckets[bi] = {
        keys: [],
        fp: [],
        vals: [],
        known: [],
        leaves: new Uint8Array(32 * 8),
      };
    }
    const i = lowerBound(b, k);
    this.#pendingLeaves++;
    this.#pendingBytes += LEAF_PREFIX + value.length;
    if (b.keys[i] === k) {
      b.vals[i] = value;
      b.known[i] = false;
    } else {
      const n = b.keys.length;
      if (32 * (n + 1) > b.leaves.length) {
        const grown = new Uint8Array(b.leaves.length * 2);
        grown.set(b.leaves.subarray(0, 32 * n));
        b.leaves = grown;
      }
      b.leaves.copyWithin(32 * (i + 1), 32 * i, 32 * n);
      // Shift by hand: buckets hold ~15 entries, where a loop beats the splice builtin.
      const { keys, fp, vals, known } = b;
      keys.push(k);
      fp.push(0);
      vals.push(value);
      known.push(false);
      for (let j = n; j > i; j--) {
        keys[j] = keys[j - 1]!;
        fp[j] = fp[j - 1]!;
        vals[j] = vals[j - 1]!;
        known[j] = known[j - 1]!;
      }
      keys[i] = k;
      fp[i] = prefixOf(k);
      vals[i] = value;
      known[i] = false;
      this.#size++;
    }
    this.#markDirty(bi);
  }

  #deleteStr(k: string): boolean {
    const bi = bucketOfS(k);
    const b = this.#buckets[bi];
    if (b === undefined) return false;
    const i = lowerBound(b, k);
    if (b.keys[i] !== k) return false;
    const n = b.keys.length;
    b.leaves.copyWithin(32 * i, 32 * (i + 1), 32 * n);
    const { keys, fp, vals, known } = b;
    for (let j = i + 1; j < n; j++) {
      keys[j - 1] = keys[j]!;
      fp[j - 1] = fp[j]!;
      vals[j - 1] = vals[j]!;
      known[j - 1] = known[j]!;
    }
    keys.pop();
    fp.pop();
    vals.pop();
    known.pop();
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
      const b = this.#buckets[order[j]!];
      if (b === undefined) continue;
      for (let i = 0; i < b.known.length; i++) {
        if (!b.known[i]) {
          n++;
          bytes += LEAF_PREFIX + b.vals[i]!.length;
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
    const buckets = this.#buckets;
    // 1. Missing leaves: every message written once, straight into one packed buffer (sized by
    //    the pending upper bounds), hashed in one call (blake3BatchPacked: no per-message views).
    if (this.#pendingLeaves > this.#size) this.#exactPending(order); // loose after many rewrites
    const buf = new Uint8Array(this.#pendingBytes);
    const offs = new Uint32Array(this.#pendingLeaves + 1);
    this.#pendingLeaves = 0;
    this.#pendingBytes = 0;
    const tagLen = TAG_LEAF.length;
    // Two walks over the dirty buckets, not three: each walk over ~3,000 buckets scattered over a
    // 1 GiB+ heap costs mostly cache and TLB misses. Walk 1 writes the missing leaves' messages
    // and sizes the bucket level; walk 2 stores the digests and writes each bucket's message.
    let o = 0, count = 0, bytes = 0;
    for (let j = 0; j < nd; j++) {
      const b = buckets[order[j]!];
      bytes += TAG_BUCKET.length;
      if (b === undefined) continue;
      const { keys, vals, known } = b;
      bytes += 32 * known.length;
      for (let i = 0; i < known.length; i++) {
        if (known[i]) continue;
        offs[count++] = o;
        for (let c = 0; c < tagLen; c++) buf[o++] = TAG_LEAF[c]!;
        const k = keys[i]!, v = vals[i]!;
        for (let c = 0; c < STATE_KEY_LEN; c++) buf[o++] = k.charCodeAt(c);
        for (let c = 0; c < v.length; c++) buf[o++] = v.charCodeAt(c);
      }
    }
    offs[count] = o;
    const hashes = count === 0 ? buf : blake3BatchPacked(buf, offs.subarray(0, count + 1));
    // 2. Buckets: the j-th digest goes to the j-th missing leaf (same order as walk 1), then the
    //    bucket's message TAG_BUCKET || leaves is written, packed like the leaves.
    const bbuf = new Uint8Array(bytes);
    const boffs = new Uint32Array(nd + 1);
    o = 0;
    for (let j = 0, h = 0; j < nd; j++) {
      const bi = order[j]!;
      this.#dirty[bi] = 0;
      boffs[j] = o;
      bbuf.set(TAG_BUCKET, o);
      o += TAG_BUCKET.length;
      const b = buckets[bi];
      if (b === undefined) continue;
      const { known, leaves } = b;
      const n = known.length;
      for (let i = 0; i < n; i++) {
        if (known[i]) continue;
        for (let c = 0, d = 32 * i; c < 32; c++) leaves[d++] = hashes[h++]!;
        known[i] = true;
      }
      if (n > 0) {
        bbuf.set(32 * n === leaves.length ? leaves : leaves.subarray(0, 32 * n), o);
        o += 32 * n;
      }
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
    const b = this.#buckets[bi];
    const keys = b?.keys ?? [];
    const i = b === undefined ? 0 : lowerBound(b, k);
    const present = i < keys.length && keys[i] === k;
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
    if (present) {
      return {
        key: key.slice(),
        bucket: bi,
        leaves: b!.keys.map((_, j) => b!.leaves.slice(32 * j, 32 * j + 32)),
        index: i,
        entries: [],
        siblings,
      };
    }
    return {
      key: key.slice(),
      bucket: bi,
      leaves: [],
      index: -1,
      entries: keys.map((s, j) => ({ key: unlatin1(s), value: unlatin1(b!.vals[j]!) })),
      siblings,
    };
  }

  /**
   * The entries of one bucket in key order, as latin1 strings (read-only views of the internal
   * arrays: valid until the next change).
   * @param bi Bucket index.
   * @returns Keys and values, or `undefined` for a bucket that never held an entry.
   */
  bucketS(
    bi: number,
  ): { readonly keys: readonly string[]; readonly vals: readonly string[] } | undefined {
    return this.#buckets[bi];
  }

  /**
   * Every entry in key order (bucket by bucket): used by snapshots.
   * @returns Iterator over `[key, value]`.
   */
  *entries(): IterableIterator<[Uint8Array, Uint8Array]> {
    for (const [k, v] of this.entriesS()) yield [unlatin1(k), unlatin1(v)];
  }

  /**
   * {@linkcode entries} as latin1 strings.
   * @returns Iterator over `[key, value]`.
   */
  *entriesS(): IterableIterator<[string, string]> {
    for (let bi = 0; bi < BUCKETS; bi++) {
      const b = this.#buckets[bi];
      if (b === undefined) continue;
      for (let i = 0; i < b.keys.length; i++) yield [b.keys[i]!, b.vals[i]!];
    }
  }
}

/**
 * The first 6 chars of a latin1 key as one exact double (48 bits): `prefixOf(a) < prefixOf(b)`
 * implies `a < b`, and equal prefixes leave the order to the strings.
 */
function prefixOf(k: string): number {
  const hi = k.charCodeAt(0) * 256 + k.charCodeAt(1);
  const lo = ((k.charCodeAt(2) << 24) | (k.charCodeAt(3) << 16) | (k.charCodeAt(4) << 8) |
    k.charCodeAt(5)) >>> 0;
  return hi * 4294967296 + lo;
}

/** Position of the first key of `b` not below `k` (string order, via the prefixes). */
function lowerBound(b: Bucket, k: string): number {
  const fp = b.fp, keys = b.keys, f = prefixOf(k);
  let lo = 0, hi = fp.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const x = fp[mid]!;
    if (x < f || (x === f && keys[mid]! < k)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
