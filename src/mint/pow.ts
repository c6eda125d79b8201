/**
 * Proof of work (docs/spec/mint.md §2, docs/adr/0040-pow-function.md): the unkeyed BLAKE3-256 of
 * the mint's canonical encoding (nonce = last 8 bytes, u64 LE), read as a big-endian integer, must
 * not exceed the target. Every id of the protocol is keyed BLAKE3, so the unkeyed hash is a domain
 * of its own.
 * @module
 */
import { encodeMint, type Mint } from "../codec/mod.ts";
import { blake3 } from "../crypto/mod.ts";
import { MAX_TARGET } from "./params.ts";

/** How a nonce search patches the nonce into a fixed preimage. */
export interface PowJob {
  /** PoW preimage (the mint's encoding) with nonce 0. */
  readonly preimage: Uint8Array;
  /** Byte offset of the 8-byte nonce inside `preimage`. */
  readonly nonceOffset: number;
  /** Byte order of the nonce field. */
  readonly nonceLittleEndian: boolean;
  /** Target the hash must not exceed, as 32 big-endian bytes. */
  readonly target: Uint8Array;
}

/**
 * The PoW hash of a mint.
 * @param m mint
 * @returns 32-byte BLAKE3 hash of its encoding
 * @throws {RangeError|TypeError} when the mint is not encodable
 * @example
 * ```ts
 * import { buildTemplate, DEVNET_MINT_PARAMS, MintChain, powHash, templateMint } from "./mod.ts";
 * const t = buildTemplate(new MintChain(DEVNET_MINT_PARAMS), {
 *   payout: { type: "key", pubkey: new Uint8Array(32) },
 *   tier: 2,
 * });
 * console.assert(powHash(templateMint(t, 1n)).length === 32);
 * ```
 */
export function powHash(m: Mint): Uint8Array {
  return blake3(encodeMint(m));
}

/**
 * Read 32 bytes as a big-endian unsigned integer.
 * @param hash 32 bytes
 * @returns integer in `0..MAX_TARGET`
 * @throws {RangeError} when `hash` is not 32 bytes
 * @example
 * ```ts
 * import { hashToBigInt } from "./mod.ts";
 * console.assert(hashToBigInt(new Uint8Array(32).fill(255)) === (1n << 256n) - 1n);
 * ```
 */
export function hashToBigInt(hash: Uint8Array): bigint {
  if (hash.length !== 32) throw new RangeError(`Hash must be 32 bytes: got ${hash.length}`);
  let x = 0n;
  for (const b of hash) x = (x << 8n) | BigInt(b);
  return x;
}

/**
 * Write a 256-bit integer as 32 big-endian bytes.
 * @param x integer in `0..MAX_TARGET`
 * @returns 32 bytes
 * @throws {RangeError} when `x` is out of range
 * @example
 * ```ts
 * import { bigIntToHash } from "./mod.ts";
 * console.assert(bigIntToHash(1n)[31] === 1);
 * ```
 */
export function bigIntToHash(x: bigint): Uint8Array {
  if (x < 0n || x > MAX_TARGET) throw new RangeError(`Value out of 256-bit range: ${x}`);
  const out = new Uint8Array(32);
  for (let i = 31; i >= 0; i--) {
    out[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  return out;
}

/**
 * Whether a hash meets a target (hash <= target, both big-endian 256-bit).
 * @param hash 32-byte hash
 * @param target 256-bit target, as a bigint or 32 big-endian bytes
 * @returns true when the hash is at or below the target
 * @throws {RangeError} when a byte string is not 32 bytes
 * @example
 * ```ts
 * import { meetsTarget } from "./mod.ts";
 * console.assert(meetsTarget(new Uint8Array(32), 0n));
 * ```
 */
export function meetsTarget(hash: Uint8Array, target: bigint | Uint8Array): boolean {
  return hashToBigInt(hash) <= (typeof target === "bigint" ? target : hashToBigInt(target));
}

/**
 * Locate the nonce inside a mint's PoW preimage so a search can patch it in place instead of
 * re-encoding the mint for every try.
 * @param m mint (its nonce is ignored)
 * @returns preimage with nonce 0, nonce offset, byte order and target bytes
 * @throws {Error} when the preimage does not carry the nonce as 8 fixed bytes
 * @example
 * ```ts
 * import { buildTemplate, DEVNET_MINT_PARAMS, MintChain, powJob, templateMint } from "./mod.ts";
 * const t = buildTemplate(new MintChain(DEVNET_MINT_PARAMS), {
 *   payout: { type: "key", pubkey: new Uint8Array(32) },
 *   tier: 2,
 * });
 * const job = powJob(templateMint(t, 0n));
 * console.assert(job.nonceOffset === job.preimage.length - 8 && job.nonceLittleEndian);
 * ```
 */
export function powJob(m: Mint): PowJob {
  const p0 = encodeMint({ ...m, nonce: 0n });
  const p1 = encodeMint({ ...m, nonce: 0x0807060504030201n });
  let off = -1;
  if (p0.length === p1.length) {
    for (let i = 0; i < p0.length; i++) {
      if (p0[i] !== p1[i]) {
        off = i;
        break;
      }
    }
  }
  if (off < 0 || off + 8 > p1.length) {
    throw new Error("Cannot build PoW job: preimage has no fixed-width nonce");
  }
  const le = p1[off] === 1;
  for (let i = 0; i < 8; i++) {
    if (p1[off + i] !== (le ? i + 1 : 8 - i) || p0[off + i] !== 0) {
      throw new Error("Cannot build PoW job: nonce is not 8 contiguous bytes");
    }
  }
  for (let i = off + 8; i < p0.length; i++) {
    if (p0[i] !== p1[i]) throw new Error("Cannot build PoW job: nonce is not 8 contiguous bytes");
  }
  return { preimage: p0, nonceOffset: off, nonceLittleEndian: le, target: m.target.slice() };
}
