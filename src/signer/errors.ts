/**
 * Typed errors of the signer: one class per domain (keystore, slashing protection, signer
 * requests), each with a `code` string-literal union and data per code.
 * @module
 */

/** Data carried by each {@linkcode KeystoreError} code. */
export interface KeystoreErrorData {
  /** No keystore file at the path. */
  KEYSTORE_NOT_FOUND: { path: string };
  /** A keystore already exists where a new one would be written. */
  KEYSTORE_EXISTS: { path: string };
  /** The file is readable or writable by group or others (mode shown in octal). */
  KEYSTORE_PERMISSIONS: { path: string; mode: number };
  /** The passphrase does not decrypt the keystore (AEAD tag mismatch). */
  KEYSTORE_BAD_PASSPHRASE: { path: string };
  /** The file is not a well-formed keystore of a supported version; `field` names the culprit. */
  KEYSTORE_CORRUPT: { path: string; field: string };
}
/** Codes of {@linkcode KeystoreError}. */
export type KeystoreErrorCode = keyof KeystoreErrorData;

/**
 * Failure to create, open or decrypt an encrypted keystore.
 * @example
 * ```ts
 * import { KeystoreError } from "./errors.ts";
 * const e = new KeystoreError("KEYSTORE_NOT_FOUND", { path: "/x" }, "Cannot open keystore \"/x\": not found");
 * console.assert(e.code === "KEYSTORE_NOT_FOUND");
 * ```
 */
export class KeystoreError<C extends KeystoreErrorCode = KeystoreErrorCode> extends Error {
  override name = "KeystoreError";
  /** What went wrong. */
  readonly code: C;
  /** Details for this code. */
  readonly data: KeystoreErrorData[C];
  /**
   * @param code what went wrong
   * @param data details for the code
   * @param message human readable message (sentence case, no trailing period)
   */
  constructor(code: C, data: KeystoreErrorData[C], message: string) {
    super(message);
    this.code = code;
    this.data = data;
  }
}

/** Data carried by each {@linkcode SlashingError} code. */
export interface SlashingErrorData {
  /** The event's epoch is below the highest epoch signed for the slot. */
  SLASHING_EPOCH_BELOW_HWM: { creator: number; epoch: bigint; highEpoch: bigint };
  /** The event's sequence number is below the slot's high-water mark. */
  SLASHING_SEQ_BELOW_HWM: { creator: number; epoch: bigint; seq: bigint; highWater: bigint };
  /** A different event was already signed for this slot, epoch and sequence number. */
  SLASHING_CONFLICTING_EVENT: {
    creator: number;
    epoch: bigint;
    seq: bigint;
    signedId: string;
    requestedId: string;
  };
  /** The event's self-parent is not the last event this signer signed for the slot. */
  SLASHING_SELF_PARENT_CONFLICT: {
    creator: number;
    epoch: bigint;
    seq: bigint;
    expected: string | null;
    got: string | null;
  };
  /** The event skips sequence numbers above the high-water mark. */
  SLASHING_SEQ_GAP: { creator: number; epoch: bigint; seq: bigint; highWater: bigint };
  /** The slashing-protection file is unreadable or malformed. */
  SLASHING_STORE_CORRUPT: { path: string; field: string };
  /** An interchange document is malformed or for another genesis; `field` names the culprit. */
  SLASHING_INTERCHANGE_INVALID: { field: string };
}
/** Codes of {@linkcode SlashingError}. */
export type SlashingErrorCode = keyof SlashingErrorData;

/**
 * Refusal by slashing protection, or a broken protection store.
 * @example
 * ```ts
 * import { SlashingError } from "./errors.ts";
 * const e = new SlashingError("SLASHING_SEQ_GAP", { creator: 1, epoch: 0n, seq: 5n, highWater: 2n }, "Gap");
 * console.assert(e.data.highWater === 2n);
 * ```
 */
export class SlashingError<C extends SlashingErrorCode = SlashingErrorCode> extends Error {
  override name = "SlashingError";
  /** What went wrong. */
  readonly code: C;
  /** Details for this code. */
  readonly data: SlashingErrorData[C];
  /**
   * @param code what went wrong
   * @param data details for the code
   * @param message human readable message (sentence case, no trailing period)
   */
  constructor(code: C, data: SlashingErrorData[C], message: string) {
    super(message);
    this.code = code;
    this.data = data;
  }
}

/** Data carried by each {@linkcode SignerError} code. */
export interface SignerErrorData {
  /** The request line exceeds {@linkcode MAX_REQUEST_BYTES}. */
  REQUEST_TOO_LARGE: { bytes: number; limit: number };
  /** The request is not valid JSON or breaks the schema; `field` is the JSON path. */
  REQUEST_MALFORMED: { field: string };
  /** The request names a protocol version this signer does not speak. */
  REQUEST_UNSUPPORTED_VERSION: { version: unknown };
  /** The method is not part of the protocol. */
  REQUEST_UNKNOWN_METHOD: { method: string };
  /** Missing or wrong bearer token. */
  UNAUTHORIZED: Record<string, never>;
  /** A key of one role was asked to sign a request of another role. */
  ROLE_MISMATCH: { method: string; role: string; allowed: readonly string[] };
  /** The signing back end does not hold or serve the requested key. */
  KEY_UNAVAILABLE: { role: string; path: string };
  /** A MuSig2 secret nonce was already consumed (or never existed for this session). */
  NONCE_REUSED: { session: string };
  /** The MuSig2 session id is unknown to this signer. */
  NONCE_UNKNOWN: { session: string };
  /** MuSig2 inputs were rejected (bad key, nonce or tweak); `reason` says which. */
  MUSIG_INVALID: { reason: string };
  /** A slashing-protection refusal, forwarded over the wire with its code. */
  SLASHING_REFUSED: { slashingCode: string };
  /** The event bytes cannot be decoded by the event inspector. */
  EVENT_INVALID: { reason: string };
  /** A transaction given to sign_seat_tx is malformed or not the seat's bond/unbond. */
  TX_INVALID: { reason: string };
  /** Client side: the connection to the signer failed or closed. */
  TRANSPORT_FAILED: { reason: string };
  /** The signer failed for a reason not covered above. */
  INTERNAL: { reason: string };
}
/** Codes of {@linkcode SignerError}. */
export type SignerErrorCode = keyof SignerErrorData;

/**
 * Refusal of a signer request (bad request, wrong role, nonce reuse, ...).
 * @example
 * ```ts
 * import { SignerError } from "./errors.ts";
 * const e = new SignerError("UNAUTHORIZED", {}, "Request refused: missing bearer token");
 * console.assert(e.code === "UNAUTHORIZED");
 * ```
 */
export class SignerError<C extends SignerErrorCode = SignerErrorCode> extends Error {
  override name = "SignerError";
  /** What went wrong. */
  readonly code: C;
  /** Details for this code. */
  readonly data: SignerErrorData[C];
  /**
   * @param code what went wrong
   * @param data details for the code
   * @param message human readable message (sentence case, no trailing period)
   */
  constructor(code: C, data: SignerErrorData[C], message: string) {
    super(message);
    this.code = code;
    this.data = data;
  }
}

/** Every code of {@linkcode SignerError}, for validating codes that arrive over the wire. */
export const SIGNER_ERROR_CODES: readonly SignerErrorCode[] = [
  "REQUEST_TOO_LARGE",
  "REQUEST_MALFORMED",
  "REQUEST_UNSUPPORTED_VERSION",
  "REQUEST_UNKNOWN_METHOD",
  "UNAUTHORIZED",
  "ROLE_MISMATCH",
  "KEY_UNAVAILABLE",
  "NONCE_REUSED",
  "NONCE_UNKNOWN",
  "MUSIG_INVALID",
  "SLASHING_REFUSED",
  "EVENT_INVALID",
  "TX_INVALID",
  "TRANSPORT_FAILED",
  "INTERNAL",
];
