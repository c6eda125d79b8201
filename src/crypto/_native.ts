/**
 * Native back ends: our C wrappers in native/build/ (BLAKE3 C with SIMD, libsecp256k1) loaded
 * with Deno.dlopen, and @chainsafe/blst (N-API) for BLS. Each loader throws when its library is
 * unavailable; src/crypto/_select.ts decides what to use. Every argument is validated in
 * TypeScript before it crosses FFI.
 * @module
 */
import { bytesToHex } from "@noble/hashes/utils.js";
import { CryptoError } from "./errors.ts";
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
  MAX_PACKED_BYTES,
  parseBlake3Call,
  parseBlake3Options,
} from "./_validate.ts";
import {
  assertBlsSecretKey,
  assertPointList,
  BLS_PUBLIC_KEY_LENGTH,
  BLS_SIGNATURE_LENGTH,
  blsKeyGenIetf,
  blsPopProveNoble,
  blsPopVerifyNoble,
  parsePointList,
  PublicKeyCache,
} from "./_bls_common.ts";

/** SIMD back end the BLAKE3 dispatcher picked on this CPU. */
export type Blake3Simd = "portable" | "sse2" | "sse41" | "avx2" | "avx512" | "neon";
const SIMD_NAMES: readonly Blake3Simd[] = ["portable", "sse2", "sse41", "avx2", "avx512", "neon"];

/** File names of the native libraries inside the build directory. */
export const NATIVE_LIBS = {
  blake3: "libphantom_blake3.so",
  secp256k1: "libphantom_secp256k1.so",
} as const;

/** Default build directory: native/build/ at the repository root. */
export function defaultNativeDir(): string {
  return new URL("../../native/build/", import.meta.url).pathname;
}

const BLAKE3_SYMBOLS = {
  pb3_hash: {
    parameters: ["buffer", "u32", "u32", "buffer", "u32", "buffer", "u32"],
    result: "i32",
  },
  pb3_hash_batch: {
    parameters: ["buffer", "buffer", "u32", "u32", "buffer", "u32", "buffer"],
    result: "i32",
  },
  pb3_backend: { parameters: [], result: "i32" },
} as const;

const EMPTY = new Uint8Array(1);

function total(messages: readonly Uint8Array[], name: string): number {
  let sum = 0;
  for (const m of messages) sum += m.length;
  if (sum > MAX_PACKED_BYTES) {
    throw new RangeError(`Invalid ${name}: ${sum} bytes in total exceeds ${MAX_PACKED_BYTES}`);
  }
  return sum;
}

/** Packs messages into one buffer plus n+1 offsets (what the C batch functions take). */
function pack(messages: readonly Uint8Array[], name: string): [Uint8Array, Uint32Array] {
  const n = messages.length;
  const packed = new Uint8Array(Math.max(1, total(messages, name)));
  const offsets = new Uint32Array(n + 1);
  let pos = 0;
  for (let i = 0; i < n; i++) {
    const m = messages[i] as Uint8Array;
    offsets[i] = pos;
    packed.set(m, pos);
    pos += m.length;
  }
  offsets[n] = pos;
  return [packed, offsets];
}

/**
 * Loads native/build/libphantom_blake3.so.
 * @param dir Directory holding the library.
 * @returns The back end and the SIMD implementation the dispatcher chose.
 * @throws When the library cannot be opened or fails its self-test.
 */
export function loadNativeBlake3(dir: string): { backend: Blake3Backend; simd: Blake3Simd } {
  const lib = Deno.dlopen(`${dir}/${NATIVE_LIBS.blake3}`, BLAKE3_SYMBOLS);
  const s = lib.symbols;
  const simd = SIMD_NAMES[s.pb3_backend()] ?? "portable";
  const backend: Blake3Backend = {
    blake3(data, opts) {
      const call = parseBlake3Call(data, opts);
      const out = new Uint8Array(call.outLen);
      const aux = call.aux ?? EMPTY;
      const auxLen = call.aux === undefined ? 0 : call.aux.length;
      const rc = s.pb3_hash(data, data.length, call.mode, aux, auxLen, out, call.outLen);
      if (rc !== 0) {
        throw new CryptoError(
          "NATIVE_FAILURE",
          { operation: "blake3", status: rc },
          `Native blake3 failed: status ${rc}`,
        );
      }
      return out;
    },
    blake3Batch(messages, opts) {
      assertMessageList(messages, "blake3 batch");
      const call = parseBlake3Options(opts, false, "blake3Batch");
      const n = messages.length;
      if (n === 0) return [];
      const [packed, offsets] = pack(messages, "blake3 batch");
      const out = new Uint8Array(32 * n);
      const aux = call.aux ?? EMPTY;
      const auxLen = call.aux === undefined ? 0 : call.aux.length;
      const rc = s.pb3_hash_batch(packed, offsets, n, call.mode, aux, auxLen, out);
      if (rc !== 0) {
        throw new CryptoError(
          "NATIVE_FAILURE",
          { operation: "blake3Batch", status: rc },
          `Native blake3 batch failed: status ${rc}`,
        );
      }
      const res = new Array<Uint8Array>(n);
      for (let i = 0; i < n; i++) res[i] = out.subarray(32 * i, 32 * i + 32);
      return res;
    },
    blake3BatchPacked(packed, offsets, opts) {
      const n = checkPackedBatch(packed, offsets, "blake3BatchPacked");
      const call = parseBlake3Options(opts, false, "blake3BatchPacked");
      const out = new Uint8Array(32 * n);
      if (n === 0) return out;
      const aux = call.aux ?? EMPTY;
      const auxLen = call.aux === undefined ? 0 : call.aux.length;
      // The C side reads packed[offsets[i] .. offsets[i+1]), checked above to lie inside.
      const rc = s.pb3_hash_batch(
        packed.length === 0 ? EMPTY : packed,
        offsets,
        n,
        call.mode,
        aux,
        auxLen,
        out,
      );
      if (rc !== 0) {
        throw new CryptoError(
          "NATIVE_FAILURE",
          { operation: "blake3BatchPacked", status: rc },
          `Native blake3 batch failed: status ${rc}`,
        );
      }
      return out;
    },
  };
  // Known answer: BLAKE3("") from the official vectors; refuses a miscompiled library.
  const empty = backend.blake3(new Uint8Array(0));
  if (bytesToHex(empty) !== "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262") {
    lib.close();
    throw new Error(`Native BLAKE3 self-test failed: got ${bytesToHex(empty)}`);
  }
  return { backend, simd };
}

const VERIFY_RANGE = {
  parameters: ["buffer", "buffer", "buffer", "buffer", "u32", "u32", "buffer"],
  result: "u32",
} as const;

const SECP_SYMBOLS = {
  ps_init: { parameters: ["buffer"], result: "i32" },
  ps_pubkey: { parameters: ["buffer", "buffer"], result: "i32" },
  ps_sign: { parameters: ["buffer", "u32", "buffer", "buffer", "buffer"], result: "i32" },
  ps_verify: { parameters: ["buffer", "buffer", "u32", "buffer"], result: "i32" },
  ps_verify_range: VERIFY_RANGE,
  ps_verify_range_async: { ...VERIFY_RANGE, name: "ps_verify_range", nonblocking: true },
} as const;

/** Smallest batch split across threads, and smallest slice per thread. */
const PARALLEL_MIN_ITEMS = 64;
const PARALLEL_MIN_SLICE = 32;

/**
 * Loads native/build/libphantom_secp256k1.so (libsecp256k1).
 * @param dir Directory holding the library.
 * @param threads Threads a batch verification may use (Deno's blocking pool runs them).
 * @returns The back end.
 * @throws When the library cannot be opened or initialized.
 */
export function loadNativeSchnorr(dir: string, threads: number): SchnorrBackend {
  const lib = Deno.dlopen(`${dir}/${NATIVE_LIBS.secp256k1}`, SECP_SYMBOLS);
  const s = lib.symbols;
  if (s.ps_init(randomBytes(32)) !== 1) {
    lib.close();
    throw new Error("Native secp256k1 context creation failed");
  }
  const packBatch = (items: readonly SchnorrBatchItem[]) => {
    const n = items.length;
    const sigs = new Uint8Array(64 * n);
    const pks = new Uint8Array(32 * n);
    for (let i = 0; i < n; i++) {
      const it = items[i] as SchnorrBatchItem;
      sigs.set(it.signature, 64 * i);
      pks.set(it.publicKey, 32 * i);
    }
    const [msgs, offsets] = pack(items.map((it) => it.message), "schnorr batch messages");
    return { sigs, pks, msgs, offsets, results: new Uint8Array(n) };
  };
  const toBools = (r: Uint8Array): boolean[] => Array.from(r, (v) => v === 1);
  return {
    schnorrSign(message, secretKey, auxRand) {
      const aux = checkSchnorrSignArgs(message, secretKey, auxRand, () => randomBytes(32));
      assertSchnorrSecretKey(secretKey);
      const sig = new Uint8Array(64);
      const rc = s.ps_sign(message, message.length, secretKey, aux, sig);
      if (rc !== 1) {
        throw new CryptoError(
          "NATIVE_FAILURE",
          { operation: "schnorrSign", status: rc },
          `Native schnorr signing failed: status ${rc}`,
        );
      }
      return sig;
    },
    schnorrVerify(signature, message, publicKey) {
      checkSchnorrVerifyArgs(signature, message, publicKey);
      return s.ps_verify(signature, message, message.length, publicKey) === 1;
    },
    async schnorrVerifyBatch(items, opts) {
      assertSchnorrItems(items);
      const background = opts?.background === true;
      const n = items.length;
      if (n === 0) return [];
      const b = packBatch(items);
      // In the background the caller keeps one core: its own thread stays busy meanwhile, and a
      // slice per core would leave it a fraction of one (ADR 0039).
      const cores = background ? Math.max(1, threads - 1) : threads;
      const parts = n < PARALLEL_MIN_ITEMS
        ? 1
        : Math.max(1, Math.min(cores, Math.floor(n / PARALLEL_MIN_SLICE)));
      if (parts === 1 && !background) {
        s.ps_verify_range(b.sigs, b.msgs, b.offsets, b.pks, 0, n, b.results);
        return toBools(b.results);
      }
      // Disjoint [start, end) slices write disjoint bytes of `results`; the buffers stay
      // referenced by `b` until every promise settles.
      const jobs: Promise<number>[] = [];
      for (let p = 0; p < parts; p++) {
        const start = Math.floor((n * p) / parts);
        const end = Math.floor((n * (p + 1)) / parts);
        jobs.push(s.ps_verify_range_async(b.sigs, b.msgs, b.offsets, b.pks, start, end, b.results));
      }
      await Promise.all(jobs);
      return toBools(b.results);
    },
    schnorrVerifyBatchSync(items) {
      assertSchnorrItems(items);
      const n = items.length;
      if (n === 0) return [];
      const b = packBatch(items);
      s.ps_verify_range(b.sigs, b.msgs, b.offsets, b.pks, 0, n, b.results);
      return toBools(b.results);
    },
    schnorrPublicKey(secretKey) {
      assertLength(secretKey, 32, "schnorr secret key");
      assertSchnorrSecretKey(secretKey);
      const out = new Uint8Array(32);
      const rc = s.ps_pubkey(secretKey, out);
      if (rc !== 1) {
        throw new CryptoError(
          "NATIVE_FAILURE",
          { operation: "schnorrPublicKey", status: rc },
          `Native schnorr public key failed: status ${rc}`,
        );
      }
      return out;
    },
  };
}

/**
 * Loads @chainsafe/blst (supranational blst through N-API) as the BLS back end. Proofs of
 * possession use noble on this path as well (blst's binding has no custom-DST API).
 * @returns The back end.
 * @throws When the package or its prebuilt binary for this platform cannot be loaded.
 */
export async function loadNativeBls(): Promise<BlsBackend> {
  const blst = await import("@chainsafe/blst");
  const { SecretKey, PublicKey, Signature } = blst;
  type Pk = InstanceType<typeof PublicKey>;
  const parsePk = (bytes: Uint8Array): Pk | undefined => {
    try {
      return PublicKey.fromBytes(bytes, true);
    } catch (_e) {
      // blst throws on any invalid encoding; callers treat undefined as an invalid key.
      return undefined;
    }
  };
  const pkCache = new PublicKeyCache<Pk>(parsePk);
  const parseSig = (bytes: Uint8Array) => {
    try {
      return Signature.fromBytes(bytes, true);
    } catch (_e) {
      // blst throws on any invalid encoding; callers treat undefined as an invalid signature.
      return undefined;
    }
  };
  const backend: BlsBackend = {
    blsKeyGen: blsKeyGenIetf,
    blsSecretKeyToPublicKey(secretKey) {
      assertBlsSecretKey(secretKey);
      return SecretKey.fromBytes(secretKey).toPublicKey().toBytes(true);
    },
    blsSign(message, secretKey) {
      assertBytes(message, "BLS message");
      assertBlsSecretKey(secretKey);
      return SecretKey.fromBytes(secretKey).sign(message).toBytes(true);
    },
    blsVerify(signature, message, publicKey) {
      assertLength(signature, BLS_SIGNATURE_LENGTH, "BLS signature");
      assertBytes(message, "BLS message");
      assertLength(publicKey, BLS_PUBLIC_KEY_LENGTH, "BLS public key");
      const pk = pkCache.get(publicKey);
      const sig = parseSig(signature);
      if (pk === undefined || sig === undefined) return false;
      return blst.verify(message, pk, sig, false, false);
    },
    blsAggregateSignatures(signatures) {
      assertPointList(signatures, BLS_SIGNATURE_LENGTH, "BLS signatures");
      const sigs = parsePointList(signatures, "signature", parseSig);
      return blst.aggregateSignatures(sigs, false).toBytes(true);
    },
    blsAggregatePublicKeys(publicKeys) {
      assertPointList(publicKeys, BLS_PUBLIC_KEY_LENGTH, "BLS public keys");
      const pks = parsePointList(publicKeys, "publicKey", (b) => pkCache.get(b));
      return blst.aggregatePublicKeys(pks, false).toBytes(true);
    },
    blsFastAggregateVerify(signature, message, publicKeys) {
      assertLength(signature, BLS_SIGNATURE_LENGTH, "BLS signature");
      assertBytes(message, "BLS message");
      assertPointList(publicKeys, BLS_PUBLIC_KEY_LENGTH, "BLS public keys");
      const sig = parseSig(signature);
      if (sig === undefined) return false;
      const pks: Pk[] = [];
      for (const k of publicKeys) {
        const p = pkCache.get(k);
        if (p === undefined) return false;
        pks.push(p);
      }
      return blst.fastAggregateVerify(message, pks, sig, false);
    },
    blsPopProve: blsPopProveNoble,
    blsPopVerify: blsPopVerifyNoble,
  };
  // Known answer shared with noble: refuses a binding that signs under another DST.
  const sk = new Uint8Array(32);
  sk[31] = 1;
  const sig = backend.blsSign(new Uint8Array(0), sk);
  if (!backend.blsVerify(sig, new Uint8Array(0), backend.blsSecretKeyToPublicKey(sk))) {
    throw new Error("Native BLS self-test failed");
  }
  return backend;
}
