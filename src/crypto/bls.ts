/**
 * BLS12-381 signatures for committee votes, in the IETF proof-of-possession ciphersuite with
 * minimal public-key size: public keys are 48-byte compressed G1 points, signatures 96-byte
 * compressed G2 points, messages hashed with DST `BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_`
 * (the Ethereum consensus choice; see docs/adr/0002-bls-signature-group.md). @chainsafe/blst when
 * its prebuilt binary loads, else @noble/curves; both give identical bytes.
 *
 * Same-message aggregation ({@linkcode blsFastAggregateVerify}) is only safe for keys whose proof
 * of possession was checked with {@linkcode blsPopVerify} when they were registered.
 * @module
 */
import { selected } from "./_select.ts";

const impl = selected.bls;

/**
 * Derives a secret key from input keying material (IETF KeyGen, HKDF-SHA256, empty key_info).
 *
 * @param ikm At least 32 bytes of secret randomness.
 * @returns 32-byte big-endian secret key in [1, r).
 * @throws {TypeError} When `ikm` is not a Uint8Array.
 * @throws {RangeError} When `ikm` is shorter than 32 bytes.
 * @example
 * ```ts
 * import { blsKeyGen } from "./bls.ts";
 * console.assert(blsKeyGen(new Uint8Array(32)).length === 32);
 * ```
 */
export function blsKeyGen(ikm: Uint8Array): Uint8Array {
  return impl.blsKeyGen(ikm);
}

/**
 * Public key (SkToPk) of a secret key.
 *
 * @param secretKey 32-byte big-endian scalar in [1, r).
 * @returns 48-byte compressed G1 public key.
 * @throws {TypeError} When `secretKey` is not a Uint8Array.
 * @throws {RangeError} When `secretKey` is not 32 bytes.
 * @throws {CryptoError} `INVALID_SECRET_KEY` when the scalar is zero or not below r.
 * @example
 * ```ts
 * import { blsKeyGen, blsSecretKeyToPublicKey } from "./bls.ts";
 * console.assert(blsSecretKeyToPublicKey(blsKeyGen(new Uint8Array(32))).length === 48);
 * ```
 */
export function blsSecretKeyToPublicKey(secretKey: Uint8Array): Uint8Array {
  return impl.blsSecretKeyToPublicKey(secretKey);
}

/**
 * Signs a message.
 *
 * @param message Message bytes.
 * @param secretKey 32-byte secret key.
 * @returns 96-byte compressed G2 signature.
 * @throws {TypeError} When an argument is not a Uint8Array.
 * @throws {RangeError} When `secretKey` is not 32 bytes.
 * @throws {CryptoError} `INVALID_SECRET_KEY` when the scalar is zero or not below r.
 * @example
 * ```ts
 * import { blsKeyGen, blsSecretKeyToPublicKey, blsSign, blsVerify } from "./bls.ts";
 * const sk = blsKeyGen(new Uint8Array(32).fill(1));
 * const msg = new Uint8Array([1]);
 * console.assert(blsVerify(blsSign(msg, sk), msg, blsSecretKeyToPublicKey(sk)));
 * ```
 */
export function blsSign(message: Uint8Array, secretKey: Uint8Array): Uint8Array {
  return impl.blsSign(message, secretKey);
}

/**
 * Verifies one signature. Encodings that are not valid subgroup points, and the identity public
 * key, give `false`.
 *
 * @param signature 96-byte signature.
 * @param message Message bytes.
 * @param publicKey 48-byte public key.
 * @returns Whether the signature is valid.
 * @throws {TypeError} When an argument is not a Uint8Array.
 * @throws {RangeError} When `signature` or `publicKey` has the wrong length.
 * @example
 * ```ts
 * import { blsVerify } from "./bls.ts";
 * console.assert(!blsVerify(new Uint8Array(96), new Uint8Array(0), new Uint8Array(48)));
 * ```
 */
export function blsVerify(
  signature: Uint8Array,
  message: Uint8Array,
  publicKey: Uint8Array,
): boolean {
  return impl.blsVerify(signature, message, publicKey);
}

/**
 * Adds signatures into one aggregate signature.
 *
 * @param signatures 1 to 65536 signatures of 96 bytes.
 * @returns 96-byte aggregate signature.
 * @throws {TypeError} When `signatures` is not an array of Uint8Array.
 * @throws {RangeError} When the list is empty, too long, or an entry is not 96 bytes.
 * @throws {CryptoError} `BLS_INVALID_POINT` (with the index) for an invalid signature.
 * @example
 * ```ts
 * import { blsAggregateSignatures, blsKeyGen, blsSign } from "./bls.ts";
 * const msg = new Uint8Array([1]);
 * const sigs = [1, 2].map((i) => blsSign(msg, blsKeyGen(new Uint8Array(32).fill(i))));
 * console.assert(blsAggregateSignatures(sigs).length === 96);
 * ```
 */
export function blsAggregateSignatures(signatures: readonly Uint8Array[]): Uint8Array {
  return impl.blsAggregateSignatures(signatures);
}

/**
 * Adds public keys into one aggregate public key (each key validated first).
 *
 * @param publicKeys 1 to 65536 public keys of 48 bytes.
 * @returns 48-byte aggregate public key.
 * @throws {TypeError} When `publicKeys` is not an array of Uint8Array.
 * @throws {RangeError} When the list is empty, too long, or an entry is not 48 bytes.
 * @throws {CryptoError} `BLS_INVALID_POINT` (with the index) for an invalid key.
 * @example
 * ```ts
 * import { blsAggregatePublicKeys, blsKeyGen, blsSecretKeyToPublicKey } from "./bls.ts";
 * const pks = [1, 2].map((i) => blsSecretKeyToPublicKey(blsKeyGen(new Uint8Array(32).fill(i))));
 * console.assert(blsAggregatePublicKeys(pks).length === 48);
 * ```
 */
export function blsAggregatePublicKeys(publicKeys: readonly Uint8Array[]): Uint8Array {
  return impl.blsAggregatePublicKeys(publicKeys);
}

/**
 * FastAggregateVerify: checks an aggregate signature of ONE message by all `publicKeys`. Keys
 * must have passed {@linkcode blsPopVerify} (rogue-key defence). Any invalid key or signature
 * encoding gives `false`.
 *
 * @param signature 96-byte aggregate signature.
 * @param message The message every signer signed.
 * @param publicKeys 1 to 65536 public keys of 48 bytes.
 * @returns Whether the aggregate signature is valid.
 * @throws {TypeError} When an argument has the wrong type.
 * @throws {RangeError} When the key list is empty or too long, or a length is wrong.
 * @example
 * ```ts
 * import * as b from "./bls.ts";
 * const msg = new Uint8Array([9]);
 * const sks = [1, 2].map((i) => b.blsKeyGen(new Uint8Array(32).fill(i)));
 * const agg = b.blsAggregateSignatures(sks.map((sk) => b.blsSign(msg, sk)));
 * console.assert(b.blsFastAggregateVerify(agg, msg, sks.map(b.blsSecretKeyToPublicKey)));
 * ```
 */
export function blsFastAggregateVerify(
  signature: Uint8Array,
  message: Uint8Array,
  publicKeys: readonly Uint8Array[],
): boolean {
  return impl.blsFastAggregateVerify(signature, message, publicKeys);
}

/**
 * PopProve: proof of possession of a secret key (a signature over the public key bytes under
 * DST `BLS_POP_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_`). Computed with noble on both paths.
 *
 * @param secretKey 32-byte secret key.
 * @returns 96-byte proof.
 * @throws {TypeError} When `secretKey` is not a Uint8Array.
 * @throws {RangeError} When `secretKey` is not 32 bytes.
 * @throws {CryptoError} `INVALID_SECRET_KEY` when the scalar is zero or not below r.
 * @example
 * ```ts
 * import { blsKeyGen, blsPopProve, blsPopVerify, blsSecretKeyToPublicKey } from "./bls.ts";
 * const sk = blsKeyGen(new Uint8Array(32).fill(5));
 * console.assert(blsPopVerify(blsSecretKeyToPublicKey(sk), blsPopProve(sk)));
 * ```
 */
export function blsPopProve(secretKey: Uint8Array): Uint8Array {
  return impl.blsPopProve(secretKey);
}

/**
 * PopVerify: checks a proof of possession, including KeyValidate of the public key.
 *
 * @param publicKey 48-byte public key.
 * @param proof 96-byte proof from {@linkcode blsPopProve}.
 * @returns Whether the proof is valid.
 * @throws {TypeError} When an argument is not a Uint8Array.
 * @throws {RangeError} When a length is wrong.
 * @example
 * ```ts
 * import { blsPopVerify } from "./bls.ts";
 * console.assert(!blsPopVerify(new Uint8Array(48), new Uint8Array(96)));
 * ```
 */
export function blsPopVerify(publicKey: Uint8Array, proof: Uint8Array): boolean {
  return impl.blsPopVerify(publicKey, proof);
}
