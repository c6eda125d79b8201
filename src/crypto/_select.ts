/**
 * The loader: picks native or fallback per primitive, once, at module load. Environment reads,
 * permission checks and Deno.dlopen happen here and nowhere else in the code base.
 *
 * - `PHANTOM_NATIVE=off` forces every fallback.
 * - `PHANTOM_NATIVE_DIR` overrides the directory of the built libraries (default native/build/).
 * @module
 */
import type { Blake3Backend, BlsBackend, SchnorrBackend } from "./_types.ts";
import { fallbackBlake3, fallbackBls, fallbackSchnorr } from "./_fallback.ts";
import {
  type Blake3Simd,
  defaultNativeDir,
  loadNativeBlake3,
  loadNativeBls,
  loadNativeSchnorr,
} from "./_native.ts";

/** Which implementation serves each primitive. */
export interface NativeStatus {
  /** BLAKE3: official C implementation via FFI, or @noble/hashes. */
  blake3: "native" | "fallback";
  /** SIMD back end of the native BLAKE3 (absent on the fallback). */
  blake3Backend?: Blake3Simd;
  /** BIP-340 Schnorr: libsecp256k1 via FFI, or @noble/curves. */
  secp256k1: "native" | "fallback";
  /** BLS12-381: @chainsafe/blst (N-API), or @noble/curves. */
  bls: "native" | "fallback";
  /** Why one or more primitives use the fallback. */
  reason?: string;
}

/** Native back ends that loaded, and why the others did not. */
export interface NativeBackends {
  blake3?: Blake3Backend;
  blake3Simd?: Blake3Simd;
  schnorr?: SchnorrBackend;
  bls?: BlsBackend;
  /** Reason per primitive that did not load. */
  errors: { blake3?: string; secp256k1?: string; bls?: string };
}

function envGet(name: string): string | undefined {
  // Query first so that a run without --allow-env neither throws nor prompts.
  const state = Deno.permissions.querySync({ name: "env", variable: name }).state;
  return state === "granted" ? Deno.env.get(name) : undefined;
}

function message(e: unknown): string {
  const first = e instanceof Error ? e.message.split("\n")[0] ?? e.name : String(e);
  // Deno repeats the dlopen prefix ("Could not open library: Could not open library: ...").
  return first.replace(/^(Could not open library: )+/, "Could not open library: ");
}

async function loadAll(): Promise<NativeBackends> {
  const errors: NativeBackends["errors"] = {};
  const mode = envGet("PHANTOM_NATIVE");
  if (mode === "off" || mode === "0" || mode === "false") {
    const why = `PHANTOM_NATIVE=${mode}`;
    return { errors: { blake3: why, secp256k1: why, bls: why } };
  }
  const out: NativeBackends = { errors };
  if (Deno.permissions.querySync({ name: "ffi" }).state !== "granted") {
    const why = "no --allow-ffi permission";
    return { errors: { blake3: why, secp256k1: why, bls: why } };
  }
  const dir = envGet("PHANTOM_NATIVE_DIR") ?? defaultNativeDir();
  try {
    const b = loadNativeBlake3(dir);
    out.blake3 = b.backend;
    out.blake3Simd = b.simd;
  } catch (e) {
    errors.blake3 = `${message(e)} (run: deno task native)`;
  }
  try {
    const threads = Math.max(1, Math.min(16, navigator.hardwareConcurrency || 1));
    out.schnorr = loadNativeSchnorr(dir, threads);
  } catch (e) {
    errors.secp256k1 = `${message(e)} (run: deno task native)`;
  }
  try {
    out.bls = await loadNativeBls();
  } catch (e) {
    errors.bls = `@chainsafe/blst: ${message(e)}`;
  }
  return out;
}

/** Native back ends of this process (loaded once). Tests use it to run both paths. */
export const native: NativeBackends = await loadAll();

/** Back ends in use. */
export const selected = {
  blake3: native.blake3 ?? fallbackBlake3,
  schnorr: native.schnorr ?? fallbackSchnorr,
  bls: native.bls ?? fallbackBls,
} as const;

function computeStatus(): NativeStatus {
  const s: NativeStatus = {
    blake3: native.blake3 ? "native" : "fallback",
    secp256k1: native.schnorr ? "native" : "fallback",
    bls: native.bls ? "native" : "fallback",
  };
  if (native.blake3Simd !== undefined) s.blake3Backend = native.blake3Simd;
  const reasons = Object.entries(native.errors).map(([k, v]) => `${k}: ${v}`);
  if (reasons.length > 0) s.reason = reasons.join("; ");
  return s;
}

const status: Readonly<NativeStatus> = Object.freeze(computeStatus());

/**
 * Reports which implementation serves each primitive.
 *
 * @returns A frozen status object.
 * @example
 * ```ts
 * import { nativeStatus } from "./mod.ts";
 * const s = nativeStatus();
 * console.assert(s.blake3 === "native" || s.blake3 === "fallback");
 * ```
 */
export function nativeStatus(): Readonly<NativeStatus> {
  return status;
}

/** Receives the one-time back-end selection report. */
export type CryptoLogger = (message: string, fields: Readonly<NativeStatus>) => void;

/**
 * Registers a logger and reports the back-end selection to it once, immediately, as
 * `"Crypto back ends selected"` with the {@linkcode NativeStatus} as fields.
 *
 * @param logger Callback, e.g. `(m, f) => log.info(m, { ...f })`.
 * @returns Nothing.
 * @throws {TypeError} When `logger` is not a function.
 * @example
 * ```ts
 * import { setCryptoLogger } from "./mod.ts";
 * setCryptoLogger((message, fields) => console.log(message, fields.blake3));
 * ```
 */
export function setCryptoLogger(logger: CryptoLogger): void {
  if (typeof logger !== "function") {
    throw new TypeError(`Invalid crypto logger: expected a function, got ${typeof logger}`);
  }
  logger("Crypto back ends selected", status);
}
