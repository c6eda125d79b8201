/**
 * Typed errors of the state engine.
 * @module
 */

/** Codes of {@linkcode TxError}: why a transaction was refused; the state is left unchanged. */
export type TxErrorCode =
  | "TX_UNKNOWN_INPUT"
  | "TX_DOUBLE_SPEND"
  | "TX_DUPLICATE"
  | "TX_IMMATURE"
  | "TX_LOCKED"
  | "TX_BAD_SIGNATURE"
  | "TX_BAD_WITNESS"
  | "TX_VALUE_OVERFLOW"
  | "TX_FEE_MISMATCH"
  | "TX_EMPTY"
  | "TX_UNKNOWN_BOND"
  | "TX_CAP_EXCEEDED"
  | "TX_MALFORMED"
  | "TX_WRONG_NETWORK"
  | "TX_UNSUPPORTED"
  | "TX_BAD_POP"
  | "TX_BOND_CONFLICT"
  | "TX_BOND_TOO_SMALL"
  | "TX_COOLDOWN";

/** Per-code data carried by a {@linkcode TxError}. */
export interface TxErrorData {
  /** Id of the refused transaction (hex). */
  txid: string;
  /** The outpoint concerned, `txidhex:vout`, when the failure is about one input. */
  outpoint?: string;
  /**
   * Anchor index from which the input becomes spendable (TX_IMMATURE / TX_LOCKED), or from which
   * the seat may bond again (TX_COOLDOWN).
   */
  spendableAt?: number;
  /** Extra context (amounts, counts). */
  detail?: string;
}

/**
 * A transaction (or mint) was refused by validation; the state is unchanged.
 *
 * @example
 * ```ts
 * import { TxError } from "./errors.ts";
 * const e = new TxError("TX_DOUBLE_SPEND", { txid: "ab", outpoint: "cd:0" });
 * console.assert(e.code === "TX_DOUBLE_SPEND");
 * ```
 */
export class TxError extends Error {
  override readonly name = "TxError";
  /**
   * @param code Machine-readable reason.
   * @param data Per-code data.
   */
  constructor(readonly code: TxErrorCode, readonly data: TxErrorData) {
    super(
      `Transaction "${data.txid.slice(0, 16)}" refused: ${code}` +
        (data.outpoint !== undefined ? ` at "${data.outpoint}"` : "") +
        (data.detail !== undefined ? `: ${data.detail}` : ""),
    );
  }
}

/** Codes of {@linkcode StateError}. */
export type StateErrorCode =
  | "STATE_ROOT_MISMATCH"
  | "STATE_STORE_CORRUPT"
  | "STATE_ANCHOR_ORDER"
  | "STATE_BATCH_TOO_LARGE"
  | "SNAPSHOT_CORRUPT"
  | "SNAPSHOT_ROOT_MISMATCH";

/** Per-code data of a {@linkcode StateError}. */
export interface StateErrorData {
  /** Root the caller or the store expected (hex). */
  expectedRoot?: string;
  /** Root actually recomputed (hex). */
  actualRoot?: string;
  /** Anchor index concerned. */
  anchor?: number;
  /** Extra context. */
  detail?: string;
}

/**
 * The store, a snapshot or the order of anchors is not what the state engine can accept.
 * `STATE_ROOT_MISMATCH` and `SNAPSHOT_ROOT_MISMATCH` are the root guard: a store or snapshot
 * whose recomputed root differs from its recorded (or the expected) root is refused.
 *
 * @example
 * ```ts
 * import { StateError } from "./errors.ts";
 * const e = new StateError("SNAPSHOT_ROOT_MISMATCH", { expectedRoot: "aa", actualRoot: "bb" });
 * console.assert(e.code === "SNAPSHOT_ROOT_MISMATCH");
 * ```
 */
export class StateError extends Error {
  override readonly name = "StateError";
  /**
   * @param code Machine-readable reason.
   * @param data Per-code data.
   */
  constructor(readonly code: StateErrorCode, readonly data: StateErrorData = {}) {
    const parts: string[] = [];
    if (data.anchor !== undefined) parts.push(`anchor ${data.anchor}`);
    if (data.expectedRoot !== undefined) parts.push(`expected root "${data.expectedRoot}"`);
    if (data.actualRoot !== undefined) parts.push(`actual root "${data.actualRoot}"`);
    if (data.detail !== undefined) parts.push(data.detail);
    super(`State refused: ${code}${parts.length > 0 ? `: ${parts.join(", ")}` : ""}`);
  }
}
