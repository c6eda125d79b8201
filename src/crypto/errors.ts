/**
 * Typed errors of the crypto module.
 * @module
 */

/** Per-code data carried by a {@linkcode CryptoError}. */
export interface CryptoErrorData {
  /** A BLS public key or signature did not decode to a valid subgroup point. */
  BLS_INVALID_POINT: { what: "publicKey" | "signature"; index: number };
  /** A secret key is zero or not below the curve order. */
  INVALID_SECRET_KEY: { scheme: "schnorr" | "bls" };
  /** The native library returned a failure that the argument checks did not predict. */
  NATIVE_FAILURE: { operation: string; status: number };
}

/** Machine-readable failure code of a {@linkcode CryptoError}. */
export type CryptoErrorCode = keyof CryptoErrorData;

/**
 * A cryptographic operation failed for a reason callers can handle (bad key material, a point
 * that is not on the curve); wrong argument types and lengths throw TypeError / RangeError
 * instead.
 *
 * @example
 * ```ts
 * import { CryptoError } from "./errors.ts";
 * const e = new CryptoError("INVALID_SECRET_KEY", { scheme: "schnorr" }, "Invalid secret key");
 * console.assert(e.code === "INVALID_SECRET_KEY");
 * ```
 */
export class CryptoError<C extends CryptoErrorCode = CryptoErrorCode> extends Error {
  /** Failure code. */
  readonly code: C;
  /** Data specific to the code. */
  readonly data: CryptoErrorData[C];

  /**
   * @param code Failure code.
   * @param data Data specific to the code.
   * @param message Sentence-case message without a trailing period.
   */
  constructor(code: C, data: CryptoErrorData[C], message: string) {
    super(message);
    this.name = "CryptoError";
    this.code = code;
    this.data = data;
  }
}
