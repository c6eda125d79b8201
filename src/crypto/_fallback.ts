/**
 * Pure-JavaScript back ends (@noble/hashes, @noble/curves): always available, used when the
 * native libraries are missing or PHANTOM_NATIVE=off.
 * @module
 */
import { blake3 as nobleBlake3 } from "@noble/hashes/blake3.js";
import { schnorr } from "@noble/curves/secp256k1.js";
import { randomBytes } from "./random.ts";
import type { Blake3Backend, BlsBackend, SchnorrBackend, SchnorrBatchItem } from "./_types.ts";
import {
  assertBytes,
  assertLength,
  assertMessageList,
  assertSchnorrItems,
  assertSchnorrSecretKey,
  checkPackedBatch,
  checkSchnorrSignArgs,
  checkSchnorrVerifyArgs,
  parseBlake3Call,
  parseBlake3Options,
} from "./_validate.ts";
import {
  assertBlsSecretKey,
  assertPointList,
  BLS_DST_SIG,
  BLS_PUBLIC_KEY_LENGTH,
  BLS_SIGNATURE_LENGTH,
  blsKeyGenIetf,
  blsPopProveNoble,
  blsPopVerifyNoble,
  nobleBls,
  nobleCoreVerify,
  nobleParsePublicKey,
  nobleParseSignature,
  parsePointList,
  PublicKeyCache,
} from "./_bls_common.ts";

const pkCache = new PublicKeyCache(nobleParsePublicKey);

/** BLAKE3 with @noble/hashes. */
export const fallbackBlake3: Blake3Backend = {
  blake3(data, opts) {
    const call = parseBlake3Call(data, opts);
    const o: { dkLen: number; key?: Uint8Array; context?: Uint8Array } = { dkLen: call.outLen };
    if (call.mode === 1 && call.aux !== undefined) o.key = call.aux;
    if (call.mode === 2 && call.aux !== undefined) o.context = call.aux;
    if (call.outLen === 0) return new Uint8Array(0);
    return nobleBlake3(data, o);
  },
  blake3Batch(messages, opts) {
    assertMessageList(messages, "blake3 batch");
    const call = parseBlake3Options(opts, false, "blake3Batch");
    const o: { key?: Uint8Array; context?: Uint8Array } = {};
    if (call.mode === 1 && call.aux !== undefined) o.key = call.aux;
    if (call.mode === 2 && call.aux !== undefined) o.context = call.aux;
    return messages.map((m) => nobleBlake3(m, o));
  },
  blake3BatchPacked(packed, offsets, opts) {
    const n = checkPackedBatch(packed, offsets, "blake3BatchPacked");
    const call = parseBlake3Options(opts, false, "blake3BatchPacked");
    const o: { key?: Uint8Array; context?: Uint8Array } = {};
    if (call.mode === 1 && call.aux !== undefined) o.key = call.aux;
    if (call.mode === 2 && call.aux !== undefined) o.context = call.aux;
    const out = new Uint8Array(32 * n);
    for (let i = 0; i < n; i++) {
      out.set(nobleBlake3(packed.subarray(offsets[i]!, offsets[i + 1]!), o), 32 * i);
    }
    return out;
  },
};

function verifyItems(items: readonly SchnorrBatchItem[]): boolean[] {
  return items.map((it) => schnorr.verify(it.signature, it.message, it.publicKey));
}

/** BIP-340 Schnorr with @noble/curves. */
export const fallbackSchnorr: SchnorrBackend = {
  schnorrSign(message, secretKey, auxRand) {
    const aux = checkSchnorrSignArgs(message, secretKey, auxRand, () => randomBytes(32));
    assertSchnorrSecretKey(secretKey);
    return schnorr.sign(message, secretKey, aux);
  },
  schnorrVerify(signature, message, publicKey) {
    checkSchnorrVerifyArgs(signature, message, publicKey);
    return schnorr.verify(signature, message, publicKey);
  },
  // `background` cannot be honoured without threads: the batch runs on the calling thread.
  schnorrVerifyBatch(items) {
    try {
      assertSchnorrItems(items);
      return Promise.resolve(verifyItems(items));
    } catch (e) {
      return Promise.reject(e);
    }
  },
  schnorrVerifyBatchSync(items) {
    assertSchnorrItems(items);
    return verifyItems(items);
  },
  schnorrPublicKey(secretKey) {
    assertLength(secretKey, 32, "schnorr secret key");
    assertSchnorrSecretKey(secretKey);
    return schnorr.getPublicKey(secretKey);
  },
};

/** BLS12-381 (min-pk, PoP ciphersuite) with @noble/curves. */
export const fallbackBls: BlsBackend = {
  blsKeyGen: blsKeyGenIetf,
  blsSecretKeyToPublicKey(secretKey) {
    assertBlsSecretKey(secretKey);
    return nobleBls.getPublicKey(secretKey).toBytes(true);
  },
  blsSign(message, secretKey) {
    assertBytes(message, "BLS message");
    assertBlsSecretKey(secretKey);
    return nobleBls.sign(nobleBls.hash(message, BLS_DST_SIG), secretKey).toBytes(true);
  },
  blsVerify(signature, message, publicKey) {
    assertLength(signature, BLS_SIGNATURE_LENGTH, "BLS signature");
    assertBytes(message, "BLS message");
    assertLength(publicKey, BLS_PUBLIC_KEY_LENGTH, "BLS public key");
    const pk = pkCache.get(publicKey);
    const sig = nobleParseSignature(signature);
    if (pk === undefined || sig === undefined) return false;
    return nobleCoreVerify(sig, message, pk, BLS_DST_SIG);
  },
  blsAggregateSignatures(signatures) {
    assertPointList(signatures, BLS_SIGNATURE_LENGTH, "BLS signatures");
    const points = parsePointList(signatures, "signature", nobleParseSignature);
    return nobleBls.aggregateSignatures(points).toBytes(true);
  },
  blsAggregatePublicKeys(publicKeys) {
    assertPointList(publicKeys, BLS_PUBLIC_KEY_LENGTH, "BLS public keys");
    const points = parsePointList(publicKeys, "publicKey", (k) => pkCache.get(k));
    return nobleBls.aggregatePublicKeys(points).toBytes(true);
  },
  blsFastAggregateVerify(signature, message, publicKeys) {
    assertLength(signature, BLS_SIGNATURE_LENGTH, "BLS signature");
    assertBytes(message, "BLS message");
    assertPointList(publicKeys, BLS_PUBLIC_KEY_LENGTH, "BLS public keys");
    const sig = nobleParseSignature(signature);
    if (sig === undefined) return false;
    const pks = [];
    for (const k of publicKeys) {
      const p = pkCache.get(k);
      if (p === undefined) return false;
      pks.push(p);
    }
    const agg = nobleBls.aggregatePublicKeys(pks);
    if (agg.is0()) return false;
    return nobleCoreVerify(sig, message, agg, BLS_DST_SIG);
  },
  blsPopProve: blsPopProveNoble,
  blsPopVerify: blsPopVerifyNoble,
};
