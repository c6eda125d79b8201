/**
 * Typed errors of the consensus engine (docs/spec/consensus.md §8).
 * @module
 */

/** Every reason an event can be refused by {@linkcode ConsensusEngine}. */
export type ConsensusErrorCode =
  | "WRONG_NETWORK"
  | "WRONG_SHARD"
  | "UNKNOWN_CREATOR"
  | "TOO_MANY_PARENTS"
  | "MALFORMED_PARENTS"
  | "NO_CROSS_LINK"
  | "BAD_SEQ"
  | "BAD_SIGNATURE"
  | "FORGED_VOTE_MASK"
  | "MISSING_PARENTS"
  | "PAYLOAD_UNAVAILABLE"
  | "PRE_WINDOW_FORK"
  | "MALFORMED";

/** Per-code data carried by a {@linkcode ConsensusError}. */
export interface ConsensusErrorData {
  /** Hex id of the offending event, when known. */
  readonly event?: string;
  /** Seat of the creator, when known. */
  readonly creator?: number;
  /** Free-form numeric detail: expected/actual values. */
  readonly expected?: string;
  /** What the event actually carried. */
  readonly actual?: string;
}

/**
 * A consensus-domain failure: an event that is refused, with a machine-readable code.
 *
 * @example
 * ```ts
 * import { ConsensusError } from "./errors.ts";
 * const e = new ConsensusError("BAD_SEQ", "Event has a wrong sequence number: 7", { creator: 3 });
 * console.assert(e.code === "BAD_SEQ");
 * ```
 */
export class ConsensusError extends Error {
  /** Machine-readable reason. */
  readonly code: ConsensusErrorCode;
  /** Per-code detail. */
  readonly data: ConsensusErrorData;
  /**
   * @param code the reason
   * @param message sentence-case message, detail after a colon
   * @param data per-code detail
   */
  constructor(code: ConsensusErrorCode, message: string, data: ConsensusErrorData = {}) {
    super(message);
    this.name = "ConsensusError";
    this.code = code;
    this.data = data;
  }
}
