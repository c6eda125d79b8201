/**
 * Argument checks shared by the native and fallback back ends. They run before any FFI call so
 * that C code never sees a wrong type or a short buffer.
 * @module
 */
import { CryptoError } from "./errors.ts";

/** Largest BLAKE3 output we produce in one call (extended output). */
export const MAX_BLAKE3_OUTPUT = 1 << 24;
/** Largest single input (and packed batch) for FFI calls that pass 32-bit lengths and offsets. */
export const MAX_PACKED_BYTES = 0xffff_ffff;

/**
 * Throws TypeError unless `value` is a Uint8Array, RangeError when it is longer than the 32-bit
 * lengths our FFI wrappers take.
 */
export function assertBytes(value: unknown, name: string): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new TypeError(`Invalid ${name}: expected a Uint8Array, got ${describe(value)}`);
  }
  if (value.length > MAX_PACKED_BYTES) {
    throw new RangeError(`Invalid ${name}: ${value.length} bytes exceeds ${MAX_PACKED_BYTES}`);
  }
}

/** Throws TypeError / RangeError unless `value` is a Uint8Array of exactly `len` bytes. */
export function assertLength(
  value: unknown,
  len: number,
  name: string,
): asserts value is Uint8Array {
  assertBytes(value, name);
  if (value.length !== len) {
    throw new RangeError(`Invalid ${name}: expected ${len} bytes, got ${value.length}`);
  }
}

/** Throws TypeError unless `value` is an array; returns it typed. */
export function assertArray(value: unknown, name: string): asserts value is readonly unknown[] {
  if (!Array.isArray(value)) {
    throw new TypeError(`Invalid ${name}: expected an array, got ${describe(value)}`);
  }
}

/** Short description of a value for error messages. */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") {
    const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
    return typeof name === "string" ? `a ${name}` : "an object";
  }
  return `${typeof value} "${String(value)}"`;
}

/** BLAKE3 mode numbers shared with native/phantom_blake3.c. */
export const BLAKE3_MODE = { hash: 0, keyed: 1, derive: 2 } as const;

/** Validated BLAKE3 call: mode, key or context bytes, output length. */
export interface Blake3Call {
  mode: 0 | 1 | 2;
  aux: Uint8Array | undefined;
  outLen: number;
}

const utf8 = new TextEncoder();

/** Checks `data` and `opts` of a blake3() call and normalizes them. */
export function parseBlake3Call(data: unknown, opts: unknown): Blake3Call {
  assertBytes(data, "blake3 input");
  return parseBlake3Options(opts, true, "blake3");
}

/**
 * Checks the options of blake3() (`allowDkLen`) or blake3Batch() (32-byte output only) and
 * normalizes them.
 */
export function parseBlake3Options(opts: unknown, allowDkLen: boolean, name: string): Blake3Call {
  if (opts === undefined) return { mode: 0, aux: undefined, outLen: 32 };
  if (opts === null || typeof opts !== "object") {
    throw new TypeError(`Invalid ${name} options: expected an object, got ${describe(opts)}`);
  }
  const { dkLen, key, context } = opts as Record<string, unknown>;
  let outLen = 32;
  if (dkLen !== undefined) {
    if (!allowDkLen) {
      throw new TypeError(`Invalid ${name} options: dkLen is not supported, outputs are 32 bytes`);
    }
    if (typeof dkLen !== "number" || !Number.isSafeInteger(dkLen)) {
      throw new TypeError(`Invalid ${name} dkLen: expected an integer, got ${describe(dkLen)}`);
    }
    if (dkLen < 0 || dkLen > MAX_BLAKE3_OUTPUT) {
      throw new RangeError(`Invalid ${name} dkLen "${dkLen}": expected 0 to ${MAX_BLAKE3_OUTPUT}`);
    }
    outLen = dkLen;
  }
  if (key !== undefined && context !== undefined) {
    throw new TypeError(`Invalid ${name} options: key and context are mutually exclusive`);
  }
  if (key !== undefined) {
    assertLength(key, 32, `${name} key`);
    return { mode: 1, aux: key, outLen };
  }
  if (context !== undefined) {
    if (typeof context === "string") return { mode: 2, aux: utf8.encode(context), outLen };
    assertBytes(context, `${name} context`);
    return { mode: 2, aux: context, outLen };
  }
  return { mode: 0, aux: undefined, outLen };
}

/**
 * Checks the arguments of blake3BatchPacked(): `offsets` is a Uint32Array of n+1 non-decreasing
 * entries ending inside `packed`. Returns n.
 */
export function checkPackedBatch(packed: unknown, offsets: unknown, name: string): number {
  assertBytes(packed, `${name} packed`);
  if (!(offsets instanceof Uint32Array)) {
    throw new TypeError(
      `Invalid ${name} offsets: expected a Uint32Array, got ${describe(offsets)}`,
    );
  }
  if (offsets.length === 0) {
    throw new RangeError(`Invalid ${name} offsets: expected at least one entry (n + 1)`);
  }
  const n = offsets.length - 1;
  for (let i = 0; i < n; i++) {
    if (offsets[i]! > offsets[i + 1]!) {
      throw new RangeError(`Invalid ${name} offsets: entry ${i + 1} is below entry ${i}`);
    }
  }
  if (offsets[n]! > packed.length) {
    throw new RangeError(
      `Invalid ${name} offsets: last offset ${offsets[n]} exceeds ${packed.length} packed bytes`,
    );
  }
  return n;
}

/** Checks the argument of blake3Batch(). */
export function assertMessageList(
  messages: unknown,
  name: string,
): asserts messages is readonly Uint8Array[] {
  assertArray(messages, name);
  for (let i = 0; i < messages.length; i++) assertBytes(messages[i], `${name}[${i}]`);
}

/** Checks the items of a Schnorr batch verification. */
export function assertSchnorrItems(items: unknown): asserts items is readonly {
  signature: Uint8Array;
  message: Uint8Array;
  publicKey: Uint8Array;
}[] {
  assertArray(items, "schnorr batch");
  for (let i = 0; i < items.length; i++) {
    const it = items[i];
    if (it === null || typeof it !== "object") {
      throw new TypeError(`Invalid schnorr batch[${i}]: expected an object, got ${describe(it)}`);
    }
    const { signature, message, publicKey } = it as Record<string, unknown>;
    assertLength(signature, 64, `schnorr batch[${i}].signature`);
    assertBytes(message, `schnorr batch[${i}].message`);
    assertLength(publicKey, 32, `schnorr batch[${i}].publicKey`);
  }
}

/** secp256k1 group order n. */
export const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
/** BLS12-381 scalar field order r. */
export const BLS12_381_R = 0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001n;

/** Big-endian bytes to bigint. */
export function bytesToBigInt(bytes: Uint8Array): bigint {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v;
}

/** True when a 32-byte big-endian scalar is in [1, order). */
export function isScalarInRange(bytes: Uint8Array, order: bigint): boolean {
  const v = bytesToBigInt(bytes);
  return v > 0n && v < order;
}

/**
 * Checks that a 32-byte schnorr secret key is in [1, n).
 * @throws {CryptoError} `INVALID_SECRET_KEY` when it is not
 */
export function assertSchnorrSecretKey(secretKey: Uint8Array): void {
  if (!isScalarInRange(secretKey, SECP256K1_N)) {
    throw new CryptoError(
      "INVALID_SECRET_KEY",
      { scheme: "schnorr" },
      "Invalid schnorr secret key: not in [1, n)",
    );
  }
}

/** Checks the arguments of schnorrSign(); returns the aux randomness to use. */
export function checkSchnorrSignArgs(
  message: unknown,
  secretKey: unknown,
  auxRand: unknown,
  fresh: () => Uint8Array,
): Uint8Array {
  assertBytes(message, "schnorr message");
  assertLength(secretKey, 32, "schnorr secret key");
  if (auxRand === undefined) return fresh();
  assertLength(auxRand, 32, "schnorr aux randomness");
  return auxRand;
}

/** Checks the arguments of schnorrVerify(). */
export function checkSchnorrVerifyArgs(
  signature: unknown,
  message: unknown,
  publicKey: unknown,
): void {
  assertLength(signature, 64, "schnorr signature");
  assertBytes(message, "schnorr message");
  assertLength(publicKey, 32, "schnorr public key");
}
