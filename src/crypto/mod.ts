/**
 * Cryptographic primitives of PhantomCoin: BLAKE3 (ids, hashing), BIP-340 Schnorr (transaction
 * and event signatures), BLS12-381 (committee votes, proof-of-possession ciphersuite) and a CSPRNG
 * helper. Each primitive runs natively when its library loads (BLAKE3 C with SIMD and
 * libsecp256k1 through Deno FFI from native/build/, built by `deno task native`; @chainsafe/blst
 * for BLS) and otherwise on the audited pure-JavaScript noble libraries, with byte-identical
 * results. {@linkcode nativeStatus} tells which path is active; `PHANTOM_NATIVE=off` forces the
 * fallbacks. Only this module reads the environment or opens native libraries, so consensus and
 * state stay deterministic when they call it.
 *
 * @example
 * ```ts
 * import { blake3, nativeStatus } from "./mod.ts";
 * console.assert(blake3(new Uint8Array(0)).length === 32);
 * console.log(nativeStatus());
 * ```
 * @module
 */
export {
  blake3,
  blake3Batch,
  type Blake3BatchOptions,
  blake3BatchPacked,
  type Blake3Options,
} from "./blake3.ts";
export {
  type SchnorrBatchItem,
  type SchnorrBatchOptions,
  schnorrPublicKey,
  schnorrSign,
  schnorrVerify,
  schnorrVerifyBatch,
  schnorrVerifyBatchSync,
} from "./schnorr.ts";
export {
  blsAggregatePublicKeys,
  blsAggregateSignatures,
  blsFastAggregateVerify,
  blsKeyGen,
  blsPopProve,
  blsPopVerify,
  blsSecretKeyToPublicKey,
  blsSign,
  blsVerify,
} from "./bls.ts";
export { type CryptoLogger, type NativeStatus, nativeStatus, setCryptoLogger } from "./_select.ts";
export { CryptoError, type CryptoErrorCode, type CryptoErrorData } from "./errors.ts";
export { randomBytes } from "./random.ts";
