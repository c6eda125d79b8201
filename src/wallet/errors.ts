/**
 * Typed errors of the wallet: {@linkcode WalletError} (building, RPC) and {@linkcode PsptError}
 * (partially signed transactions), each with a code union and data per code.
 * @module
 */

/** Data carried by each {@linkcode WalletError} code. */
export interface WalletErrorData {
  /** The spendable coins do not cover amount plus fee. */
  INSUFFICIENT_FUNDS: { needed: bigint; available: bigint };
  /** More inputs would be needed than a transaction may carry. */
  TOO_MANY_INPUTS: { needed: number; limit: number };
  /** A payment amount is zero, negative or above the supply cap. */
  BAD_AMOUNT: { amount: bigint };
  /** An address does not parse or is for another network. */
  BAD_ADDRESS: { address: string; reason: string };
  /**
   * The node answered with a JSON-RPC error. `rpcData` is the error's `data` member as sent
   * (e.g. `{code: "TX_IMMATURE", spendableAt: 57, ...}` for a refused transaction), `null` when
   * absent; `reason` is its `code` string when there is one (the domain code callers branch on).
   */
  RPC_ERROR: {
    method: string;
    rpcCode: number;
    rpcMessage: string;
    rpcData: Readonly<Record<string, unknown>> | null;
    reason: string | null;
  };
  /** Signing was asked of a watch-only wallet (no signer). */
  NO_SIGNER: Record<string, never>;
  /** The node could not be reached or answered something that is not JSON-RPC. */
  RPC_TRANSPORT: { method: string; reason: string };
  /** The node's result does not match the method's schema; `field` names the culprit. */
  RPC_BAD_RESPONSE: { method: string; field: string };
}
/** Codes of {@linkcode WalletError}. */
export type WalletErrorCode = keyof WalletErrorData;

/**
 * Wallet failure a caller can handle.
 * @example
 * ```ts
 * import { WalletError } from "./errors.ts";
 * const e = new WalletError("BAD_AMOUNT", { amount: 0n }, "Invalid amount: 0");
 * console.assert(e.code === "BAD_AMOUNT");
 * ```
 */
export class WalletError<C extends WalletErrorCode = WalletErrorCode> extends Error {
  override name = "WalletError";
  /** What went wrong. */
  readonly code: C;
  /** Details for the code. */
  readonly data: WalletErrorData[C];
  /**
   * @param code what went wrong
   * @param data details for the code
   * @param message sentence case, no trailing period
   */
  constructor(code: C, data: WalletErrorData[C], message: string) {
    super(message);
    this.code = code;
    this.data = data;
  }
}

/** Codes of {@linkcode PsptError}. */
export type PsptErrorCode =
  /** Input is not a PSPT: bad magic, bad base64. */
  | "PSPT_BAD_MAGIC"
  /** The encoding ends in the middle of a field. */
  | "PSPT_TRUNCATED"
  /** Bytes follow the last map. */
  | "PSPT_TRAILING_BYTES"
  /** Non-minimal varint, keys out of order or duplicated. */
  | "PSPT_NOT_CANONICAL"
  /** A key type this version does not define. */
  | "PSPT_UNKNOWN_KEY"
  /** A length above its limit. */
  | "PSPT_TOO_LARGE"
  /** A value of the wrong size or content. */
  | "PSPT_BAD_VALUE"
  /** A required field is missing. */
  | "PSPT_MISSING"
  /** Two PSPTs disagree (combine) or a field contradicts the transaction. */
  | "PSPT_CONFLICT"
  /** An input cannot be finalized or the PSPT is not final when extracting. */
  | "PSPT_NOT_FINAL";

/**
 * Malformed or inconsistent PSPT; `field` is the path, e.g. `inputs/2/partial_sig`.
 * @example
 * ```ts
 * import { PsptError } from "./errors.ts";
 * const e = new PsptError("PSPT_MISSING", "global/unsigned_tx", "missing");
 * console.assert(e.field === "global/unsigned_tx");
 * ```
 */
export class PsptError extends Error {
  override name = "PsptError";
  /** What went wrong. */
  readonly code: PsptErrorCode;
  /** Path of the field at fault. */
  readonly field: string;
  /**
   * @param code what went wrong
   * @param field path of the field
   * @param detail what exactly
   */
  constructor(code: PsptErrorCode, field: string, detail: string) {
    super(`Invalid PSPT field "${field}": ${detail}`);
    this.code = code;
    this.field = field;
  }
}
