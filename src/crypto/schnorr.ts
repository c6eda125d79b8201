/**
 * BIP-340 Schnorr signatures over secp256k1: libsecp256k1 through FFI when
 * native/build/libphantom_secp256k1.so loads, else @noble/curves. Both give identical bytes.
 * @module
 */
import { selected } from "./_select.ts";
import type { SchnorrBatchItem, SchnorrBatchOptions } from "./_types.ts";

export type { SchnorrBatchItem, SchnorrBatchOptions } from "./_types.ts";

const impl = selected.schnorr;

/**
 * Signs a message of any length (BIP-340).
 *
 * @param message Message bytes.
 * @param secretKey 32-byte secret key, in [1, n).
 * @param auxRand 32 bytes of auxiliary randomness; fresh random bytes when omitted (BIP-340's
 *   recommendation). Pass it explicitly to get deterministic signatures (tests, vectors).
 * @returns 64-byte signature.
 * @throws {TypeError} When an argument is not a Uint8Array.
 * @throws {RangeError} When `secretKey` or `auxRand` is not 32 bytes.
 * @throws {CryptoError} `INVALID_SECRET_KEY` when the key is zero or not below n.
 * @example
 * ```ts
 * import { schnorrPublicKey, schnorrSign, schnorrVerify } from "./schnorr.ts";
 * const sk = new Uint8Array(32).fill(7);
 * const msg = new TextEncoder().encode("hello");
 * const sig = schnorrSign(msg, sk);
 * console.assert(schnorrVerify(sig, msg, schnorrPublicKey(sk)));
 * ```
 */
export function schnorrSign(
  message: Uint8Array,
  secretKey: Uint8Array,
  auxRand?: Uint8Array,
): Uint8Array {
  return impl.schnorrSign(message, secretKey, auxRand);
}

/**
 * Verifies a BIP-340 signature. Invalid signatures and public keys that are not on the curve
 * give `false`; only wrong types or lengths throw.
 *
 * @param signature 64-byte signature.
 * @param message Message bytes (any length).
 * @param publicKey 32-byte x-only public key.
 * @returns Whether the signature is valid.
 * @throws {TypeError} When an argument is not a Uint8Array.
 * @throws {RangeError} When `signature` is not 64 bytes or `publicKey` not 32.
 * @example
 * ```ts
 * import { schnorrVerify } from "./schnorr.ts";
 * console.assert(!schnorrVerify(new Uint8Array(64), new Uint8Array(0), new Uint8Array(32)));
 * ```
 */
export function schnorrVerify(
  signature: Uint8Array,
  message: Uint8Array,
  publicKey: Uint8Array,
): boolean {
  return impl.schnorrVerify(signature, message, publicKey);
}

/**
 * Verifies many signatures, split over the CPU cores on the native path (each slice runs as a
 * nonblocking FFI call on Deno's blocking thread pool). Every item is checked on its own, so the
 * result says which ones failed.
 *
 * With `{ background: true }` the native path leaves the calling thread a core: the batch runs
 * off that thread even when small, on one core less than the machine has (at least one). For a
 * caller that verifies ahead while it works (the state engine's `prepareAnchor`). The pure-JS
 * fallback runs every batch on the calling thread.
 *
 * @param items Signature, message and public key per item.
 * @param opts Batch options.
 * @returns A promise of one boolean per item, in order.
 * @throws {TypeError} When `items` or a field has the wrong type (the promise rejects).
 * @throws {RangeError} When a signature or key has the wrong length (the promise rejects).
 * @example
 * ```ts
 * import { schnorrPublicKey, schnorrSign, schnorrVerifyBatch } from "./schnorr.ts";
 * const sk = new Uint8Array(32).fill(1);
 * const message = new Uint8Array([1, 2, 3]);
 * const item = { signature: schnorrSign(message, sk), message, publicKey: schnorrPublicKey(sk) };
 * const ok = await schnorrVerifyBatch([item, item]);
 * console.assert(ok.every((v) => v));
 * ```
 */
export function schnorrVerifyBatch(
  items: readonly SchnorrBatchItem[],
  opts?: SchnorrBatchOptions,
): Promise<boolean[]> {
  return impl.schnorrVerifyBatch(items, opts);
}

/**
 * Like {@linkcode schnorrVerifyBatch} but on the calling thread only (one FFI crossing on the
 * native path); for small batches or synchronous callers.
 *
 * @param items Signature, message and public key per item.
 * @returns One boolean per item, in order.
 * @throws {TypeError} When `items` or a field has the wrong type.
 * @throws {RangeError} When a signature or key has the wrong length.
 * @example
 * ```ts
 * import { schnorrVerifyBatchSync } from "./schnorr.ts";
 * console.assert(schnorrVerifyBatchSync([]).length === 0);
 * ```
 */
export function schnorrVerifyBatchSync(items: readonly SchnorrBatchItem[]): boolean[] {
  return impl.schnorrVerifyBatchSync(items);
}

/**
 * The 32-byte x-only public key of a secret key (BIP-340).
 *
 * @param secretKey 32-byte secret key, in [1, n).
 * @returns 32-byte x-only public key.
 * @throws {TypeError} When `secretKey` is not a Uint8Array.
 * @throws {RangeError} When `secretKey` is not 32 bytes.
 * @throws {CryptoError} `INVALID_SECRET_KEY` when the key is zero or not below n.
 * @example
 * ```ts
 * import { schnorrPublicKey } from "./schnorr.ts";
 * const sk = new Uint8Array(32);
 * sk[31] = 3;
 * console.assert(schnorrPublicKey(sk)[0] === 0xf9);
 * ```
 */
export function schnorrPublicKey(secretKey: Uint8Array): Uint8Array {
  return impl.schnorrPublicKey(secretKey);
}
