/**
 * Binary Merkle trees over 32-byte items (docs/spec/codec.md §8): the RFC 6962 / RFC 9162 shape
 * (split at the largest power of two below n, so a lone right node is carried up, never
 * duplicated) with domain-separated leaf, node and empty-tree hashes. Two different lists never
 * share a root (no CVE-2012-2459 duplication ambiguity).
 * @module
 */
import { blake3 } from "../crypto/mod.ts";
import { domainKey, taggedHash } from "./domains.ts";

const LEAF_KEY = domainKey("merkleLeaf");
const NODE_KEY = domainKey("merkleNode");

/** Root of the empty tree: BLAKE3 under the merkle-empty domain of zero bytes. */
export const EMPTY_MERKLE_ROOT: Uint8Array = taggedHash("merkleEmpty", new Uint8Array(0));

function checkItems(items: readonly Uint8Array[]): void {
  if (!Array.isArray(items)) throw new TypeError(`Merkle items must be an array: ${typeof items}`);
  for (let i = 0; i < items.length; i++) {
    const it = items[i];
    if (!(it instanceof Uint8Array) || it.length !== 32) {
      throw new TypeError(`Merkle item ${i} must be a 32-byte Uint8Array`);
    }
  }
}

/**
 * Leaf hash of a 32-byte item.
 *
 * @param item 32-byte item (an id).
 * @returns BLAKE3 of the item under the merkle-leaf domain.
 * @example
 * ```ts
 * import { merkleLeaf } from "./mod.ts";
 * merkleLeaf(new Uint8Array(32)).length; // 32
 * ```
 */
export function merkleLeaf(item: Uint8Array): Uint8Array {
  return blake3(item, { key: LEAF_KEY });
}

const pair = new Uint8Array(64);
/**
 * Inner node hash.
 *
 * @param left Left child hash.
 * @param right Right child hash.
 * @returns BLAKE3 of left || right under the merkle-node domain.
 * @example
 * ```ts
 * import { merkleNode } from "./mod.ts";
 * merkleNode(new Uint8Array(32), new Uint8Array(32)).length; // 32
 * ```
 */
export function merkleNode(left: Uint8Array, right: Uint8Array): Uint8Array {
  pair.set(left, 0);
  pair.set(right, 32);
  return blake3(pair, { key: NODE_KEY });
}

/**
 * Merkle root of a list of 32-byte items (transaction ids, event ids, claim-leaf hashes).
 *
 * @param items The items, in order.
 * @returns The 32-byte root; {@linkcode EMPTY_MERKLE_ROOT} for an empty list.
 * @throws {TypeError} If an item is not a 32-byte Uint8Array.
 * @example
 * ```ts
 * import { merkleLeaf, merkleRoot } from "./mod.ts";
 * const a = new Uint8Array(32).fill(1);
 * merkleRoot([a]); // equals merkleLeaf(a)
 * ```
 */
export function merkleRoot(items: readonly Uint8Array[]): Uint8Array {
  checkItems(items);
  if (items.length === 0) return EMPTY_MERKLE_ROOT.slice();
  // Bottom-up with the lone last node carried up unchanged: the same tree as RFC 6962's split.
  let level = items.map(merkleLeaf);
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) {
      next.push(merkleNode(level[i] as Uint8Array, level[i + 1] as Uint8Array));
    }
    if (level.length % 2 === 1) next.push(level[level.length - 1] as Uint8Array);
    level = next;
  }
  return level[0] as Uint8Array;
}

function subtreeRoot(leaves: readonly Uint8Array[], lo: number, hi: number): Uint8Array {
  if (hi - lo === 1) return leaves[lo] as Uint8Array;
  const k = largestPow2Below(hi - lo);
  return merkleNode(subtreeRoot(leaves, lo, lo + k), subtreeRoot(leaves, lo + k, hi));
}

function largestPow2Below(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/**
 * Audit path of item `index` (RFC 6962 PATH), ordered from the leaf upwards.
 *
 * @param items All items of the tree.
 * @param index Position of the item to prove.
 * @returns Sibling hashes from the leaf level up (empty for a one-item tree).
 * @throws {TypeError} If an item is not a 32-byte Uint8Array.
 * @throws {RangeError} If `index` is not in [0, items.length).
 * @example
 * ```ts
 * import { merkleProof, merkleRoot, verifyMerkleProof } from "./mod.ts";
 * const items = [1, 2, 3].map((b) => new Uint8Array(32).fill(b));
 * const proof = merkleProof(items, 2);
 * verifyMerkleProof(items[2]!, 2, 3, proof, merkleRoot(items)); // true
 * ```
 */
export function merkleProof(items: readonly Uint8Array[], index: number): Uint8Array[] {
  checkItems(items);
  if (!Number.isInteger(index) || index < 0 || index >= items.length) {
    throw new RangeError(`Merkle proof index ${index} out of range 0..${items.length - 1}`);
  }
  const leaves = items.map(merkleLeaf);
  const path: Uint8Array[] = [];
  let lo = 0;
  let hi = leaves.length;
  const stack: Uint8Array[] = [];
  while (hi - lo > 1) {
    const k = largestPow2Below(hi - lo);
    if (index < lo + k) {
      stack.push(subtreeRoot(leaves, lo + k, hi));
      hi = lo + k;
    } else {
      stack.push(subtreeRoot(leaves, lo, lo + k));
      lo = lo + k;
    }
  }
  for (let i = stack.length - 1; i >= 0; i--) path.push(stack[i] as Uint8Array);
  return path;
}

/**
 * Verifies an audit path (RFC 9162 §2.1.3.2).
 *
 * @param item The 32-byte item claimed at `index`.
 * @param index Its position.
 * @param size Number of items in the tree.
 * @param proof Sibling hashes from the leaf upwards.
 * @param root Expected root.
 * @returns Whether the proof shows `item` at `index` in a tree of `size` items with `root`.
 * @example
 * ```ts
 * import { merkleRoot, verifyMerkleProof } from "./mod.ts";
 * const a = new Uint8Array(32);
 * verifyMerkleProof(a, 0, 1, [], merkleRoot([a])); // true
 * ```
 */
export function verifyMerkleProof(
  item: Uint8Array,
  index: number,
  size: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  if (!(item instanceof Uint8Array) || item.length !== 32) return false;
  if (!(root instanceof Uint8Array) || root.length !== 32) return false;
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) {
    return false;
  }
  let fn = index;
  let sn = size - 1;
  let r = merkleLeaf(item);
  for (const p of proof) {
    if (!(p instanceof Uint8Array) || p.length !== 32 || sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = merkleNode(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      r = merkleNode(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (sn !== 0) return false;
  let diff = 0;
  for (let i = 0; i < 32; i++) diff |= (r[i] as number) ^ (root[i] as number);
  return diff === 0;
}
