/**
 * Test helpers: the list of back ends to run every vector on, with native entries ignored (and
 * the reason in the test name) when the library is missing, unless PHANTOM_NATIVE_REQUIRED=1,
 * in which case a missing native library fails the test.
 * @module
 */
import { bytesToHex } from "@noble/hashes/utils.js";
import { fallbackBlake3, fallbackBls, fallbackSchnorr } from "./_fallback.ts";
import { native } from "./_select.ts";
import type { Blake3Backend, BlsBackend, SchnorrBackend } from "./_types.ts";

/** One back end under test. */
export interface BackendCase<T> {
  /** "native" or "fallback". */
  path: "native" | "fallback";
  /** The implementation, absent when the native library did not load. */
  impl: T | undefined;
  /** Why the native implementation is absent. */
  missing?: string;
}

function required(): boolean {
  const q = Deno.permissions.querySync({ name: "env", variable: "PHANTOM_NATIVE_REQUIRED" });
  return q.state === "granted" && Deno.env.get("PHANTOM_NATIVE_REQUIRED") === "1";
}

function cases<T>(fallback: T, nat: T | undefined, missing: string | undefined): BackendCase<T>[] {
  const n: BackendCase<T> = { path: "native", impl: nat };
  if (nat === undefined) n.missing = missing ?? "not loaded";
  return [{ path: "fallback", impl: fallback }, n];
}

/** BLAKE3 back ends. */
export const blake3Backends = cases<Blake3Backend>(
  fallbackBlake3,
  native.blake3,
  native.errors.blake3,
);
/** Schnorr back ends. */
export const schnorrBackends = cases<SchnorrBackend>(
  fallbackSchnorr,
  native.schnorr,
  native.errors.secp256k1,
);
/** BLS back ends. */
export const blsBackends = cases<BlsBackend>(fallbackBls, native.bls, native.errors.bls);

/**
 * Registers `fn` as a test for back end `c`: ignored with the reason in its name when the native
 * library is missing, failing instead when PHANTOM_NATIVE_REQUIRED=1.
 */
export function testOn<T>(
  c: BackendCase<T>,
  name: string,
  fn: (impl: T) => void | Promise<void>,
): void {
  const impl = c.impl;
  if (impl !== undefined) {
    Deno.test(`${name} [${c.path}]`, () => fn(impl));
    return;
  }
  if (required()) {
    Deno.test(`${name} [${c.path}]`, () => {
      throw new Error(
        `Native library required (PHANTOM_NATIVE_REQUIRED=1) but missing: ${c.missing}`,
      );
    });
    return;
  }
  Deno.test({
    name: `${name} [${c.path}: ignored, native library missing: ${c.missing}]`,
    ignore: true,
    fn: () => {},
  });
}

/** Hex to bytes. */
export function hex(s: string): Uint8Array {
  if (s.length % 2 !== 0) throw new RangeError(`Invalid hex length: ${s.length}`);
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Bytes to lower-case hex. */
export function toHex(b: Uint8Array): string {
  return bytesToHex(b);
}
