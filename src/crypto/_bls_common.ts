/**
 * BLS12-381 pieces shared by both back ends: ciphersuite constants, argument checks, IETF KeyGen
 * and the proof-of-possession functions (always computed with noble: @chainsafe/blst has no
 * custom-DST API, and a PoP is checked once per key registration, so speed does not matter).
 * @module
 */
import { bls12_381 } from "@noble/curves/bls12-381.js";
import { expand, extract } from "@noble/hashes/hkdf.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { CryptoError } from "./errors.ts";
import {
  assertArray,
  assertBytes,
  assertLength,
  BLS12_381_R,
  bytesToBigInt,
  isScalarInRange,
} from "./_validate.ts";

/** Signature DST of the minimal-pubkey-size proof-of-possession ciphersuite. */
export const BLS_DST_SIG = "BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_";
/** Proof-of-possession DST of the same ciphersuite. */
export const BLS_DST_POP = "BLS_POP_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_";
/** Compressed G1 public key length. */
export const BLS_PUBLIC_KEY_LENGTH = 48;
/** Compressed G2 signature length. */
export const BLS_SIGNATURE_LENGTH = 96;
/** Secret key length (big-endian scalar). */
export const BLS_SECRET_KEY_LENGTH = 32;
/** Most keys or signatures accepted by one aggregate call (DoS bound). */
export const BLS_MAX_AGGREGATE = 1 << 16;

/** noble BLS in the min-pk layout (public keys in G1, signatures in G2). */
export const nobleBls = bls12_381.longSignatures;
const G1 = bls12_381.G1.Point;
const G2 = bls12_381.G2.Point;
type G1Point = ReturnType<typeof G1.fromBytes>;
type G2Point = ReturnType<typeof G2.fromBytes>;

/** Checks a BLS secret key: 32 bytes, scalar in [1, r). */
export function assertBlsSecretKey(secretKey: unknown): asserts secretKey is Uint8Array {
  assertLength(secretKey, BLS_SECRET_KEY_LENGTH, "BLS secret key");
  if (!isScalarInRange(secretKey, BLS12_381_R)) {
    throw new CryptoError(
      "INVALID_SECRET_KEY",
      { scheme: "bls" },
      "Invalid BLS secret key: not in [1, r)",
    );
  }
}

/** Checks a non-empty list of fixed-length byte strings for an aggregate call. */
export function assertPointList(
  list: unknown,
  len: number,
  name: string,
): asserts list is readonly Uint8Array[] {
  assertArray(list, name);
  if (list.length === 0 || list.length > BLS_MAX_AGGREGATE) {
    throw new RangeError(
      `Invalid ${name}: expected 1 to ${BLS_MAX_AGGREGATE} entries, got ${list.length}`,
    );
  }
  for (let i = 0; i < list.length; i++) assertLength(list[i], len, `${name}[${i}]`);
}

/**
 * Decodes every entry of an aggregate input list with `parse`.
 * @throws {CryptoError} `BLS_INVALID_POINT` naming the first entry `parse` rejects
 */
export function parsePointList<P>(
  list: readonly Uint8Array[],
  what: "signature" | "publicKey",
  parse: (bytes: Uint8Array) => P | undefined,
): P[] {
  return list.map((b, index) => {
    const p = parse(b);
    if (p === undefined) {
      throw new CryptoError(
        "BLS_INVALID_POINT",
        { what, index },
        what === "signature"
          ? `Invalid BLS signature: entry ${index} is not a valid G2 subgroup point`
          : `Invalid BLS public key: entry ${index} is not a valid G1 subgroup point`,
      );
    }
    return p;
  });
}

/** Decodes a public key with KeyValidate (on curve, in subgroup, not infinity); undefined if not. */
export function nobleParsePublicKey(bytes: Uint8Array): G1Point | undefined {
  try {
    const p = G1.fromBytes(bytes);
    p.assertValidity();
    if (p.is0() || !p.isTorsionFree()) return undefined;
    return p;
  } catch (_e) {
    // A malformed encoding is an invalid key, reported as undefined by contract.
    return undefined;
  }
}

/** Decodes a signature (on curve, in subgroup, not infinity); undefined if not. */
export function nobleParseSignature(bytes: Uint8Array): G2Point | undefined {
  try {
    const p = G2.fromBytes(bytes);
    p.assertValidity();
    if (p.is0() || !p.isTorsionFree()) return undefined;
    return p;
  } catch (_e) {
    // A malformed encoding is an invalid signature, reported as undefined by contract.
    return undefined;
  }
}

/** Pairing check e(pk, H(msg)) == e(G1, sig) with noble. */
export function nobleCoreVerify(
  sig: G2Point,
  message: Uint8Array,
  pk: G1Point,
  dst: string,
): boolean {
  return nobleBls.verify(sig, nobleBls.hash(message, dst), pk);
}

/** IETF draft-irtf-cfrg-bls-signature KeyGen (salted HKDF-SHA256, retry while zero). */
export function blsKeyGenIetf(ikm: unknown): Uint8Array {
  assertBytes(ikm, "BLS key material");
  if (ikm.length < 32) {
    throw new RangeError(`Invalid BLS key material: expected at least 32 bytes, got ${ikm.length}`);
  }
  let salt: Uint8Array = new TextEncoder().encode("BLS-SIG-KEYGEN-SALT-");
  const ikm0 = new Uint8Array(ikm.length + 1);
  ikm0.set(ikm);
  const info = new Uint8Array([0, 48]);
  for (;;) {
    salt = sha256(salt);
    const okm = expand(sha256, extract(sha256, ikm0, salt), info, 48);
    const sk = bytesToBigInt(okm) % BLS12_381_R;
    if (sk !== 0n) {
      const out = new Uint8Array(32);
      let v = sk;
      for (let i = 31; i >= 0; i--) {
        out[i] = Number(v & 0xffn);
        v >>= 8n;
      }
      return out;
    }
  }
}

/** PopProve: signature over the public key bytes under the PoP DST. */
export function blsPopProveNoble(secretKey: Uint8Array): Uint8Array {
  assertBlsSecretKey(secretKey);
  const pk = nobleBls.getPublicKey(secretKey).toBytes(true);
  return nobleBls.sign(nobleBls.hash(pk, BLS_DST_POP), secretKey).toBytes(true);
}

/** PopVerify: KeyValidate(pk) and the PoP signature check. */
export function blsPopVerifyNoble(publicKey: Uint8Array, proof: Uint8Array): boolean {
  assertLength(publicKey, BLS_PUBLIC_KEY_LENGTH, "BLS public key");
  assertLength(proof, BLS_SIGNATURE_LENGTH, "BLS proof of possession");
  const pk = nobleParsePublicKey(publicKey);
  const sig = nobleParseSignature(proof);
  if (pk === undefined || sig === undefined) return false;
  return nobleCoreVerify(sig, publicKey, pk, BLS_DST_POP);
}

/** Most decoded public keys kept by a {@linkcode PublicKeyCache}. */
export const BLS_PUBLIC_KEY_CACHE_SIZE = 4096;

/**
 * Remembers public keys that already passed KeyValidate (decompression plus subgroup check is
 * about half the cost of a 21-signer fast aggregate verify, and committee keys repeat every
 * vote). Only valid keys are stored; the cache changes speed, never results. Bounded: it starts
 * over when full.
 */
export class PublicKeyCache<P> {
  readonly #map = new Map<string, P>();
  readonly #parse: (bytes: Uint8Array) => P | undefined;

  /** @param parse Decoder returning undefined for an invalid key. */
  constructor(parse: (bytes: Uint8Array) => P | undefined) {
    this.#parse = parse;
  }

  /** Decoded key, or undefined when the encoding is not a valid public key. */
  get(bytes: Uint8Array): P | undefined {
    const id = String.fromCharCode.apply(null, bytes as unknown as number[]);
    const hit = this.#map.get(id);
    if (hit !== undefined) return hit;
    const p = this.#parse(bytes);
    if (p === undefined) return undefined;
    if (this.#map.size >= BLS_PUBLIC_KEY_CACHE_SIZE) this.#map.clear();
    this.#map.set(id, p);
    return p;
  }
}
