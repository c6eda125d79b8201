/**
 * Typed errors of the p2p layer. Validation failures carry the gossip verdict they imply.
 * @module
 */

/** Gossip verdict of a message: relay it, drop it silently, or drop it and penalise the sender. */
export type Verdict = "accept" | "ignore" | "reject";

/** Per-code data of {@linkcode P2pError}. */
export interface P2pErrorData {
  /** Announcement bytes do not follow docs/spec/p2p.md §3. */
  ANNOUNCE_MALFORMED: { detail: string };
  /** A gossip message or announcement above its size limit. */
  MESSAGE_TOO_LARGE: { size: number; max: number };
  /** A pull request frame that does not follow docs/spec/p2p.md §4. */
  PULL_MALFORMED: { detail: string };
  /** A pull response above the frame limit (refused before it is buffered). */
  PULL_RESPONSE_TOO_LARGE: { max: number };
  /** A pull body whose id does not match the requested id. */
  PULL_BODY_MISMATCH: { id: string };
  /** The remote refused the request (rate limit or bad request). */
  PULL_REFUSED: { reason: "rate_limited" | "bad_request" | "unknown" };
  /** The pull stream failed or timed out. */
  PULL_FAILED: { peer: string; detail: string };
  /** The node identity key file is unreadable, malformed or readable by others. */
  IDENTITY_KEY: { path: string; detail: string };
  /** The service is not started (or already stopped). */
  NOT_STARTED: Record<never, never>;
}

/** Codes of {@linkcode P2pError}. */
export type P2pErrorCode = keyof P2pErrorData;

const VERDICTS: { [C in P2pErrorCode]: Verdict } = {
  ANNOUNCE_MALFORMED: "reject",
  MESSAGE_TOO_LARGE: "reject",
  PULL_MALFORMED: "reject",
  PULL_RESPONSE_TOO_LARGE: "reject",
  PULL_BODY_MISMATCH: "reject",
  PULL_REFUSED: "ignore",
  PULL_FAILED: "ignore",
  IDENTITY_KEY: "ignore",
  NOT_STARTED: "ignore",
};

/**
 * A p2p failure a caller handles: a `code`, per-code `data`, and the gossip `verdict` it implies
 * for the message or peer that caused it.
 *
 * @example
 * ```ts
 * import { P2pError } from "./errors.ts";
 * const e = new P2pError("MESSAGE_TOO_LARGE", { size: 9000, max: 4096 });
 * console.assert(e.verdict === "reject");
 * ```
 */
export class P2pError<C extends P2pErrorCode = P2pErrorCode> extends Error {
  /** Error code. */
  readonly code: C;
  /** Data of this code. */
  readonly data: P2pErrorData[C];
  /** The gossip verdict this failure implies. */
  readonly verdict: Verdict;

  /**
   * @param code error code
   * @param data per-code data
   * @param message override of the default message
   */
  constructor(code: C, data: P2pErrorData[C], message?: string) {
    super(message ?? defaultMessage(code, data));
    this.name = "P2pError";
    this.code = code;
    this.data = data;
    this.verdict = VERDICTS[code];
  }
}

function defaultMessage<C extends P2pErrorCode>(code: C, data: P2pErrorData[C]): string {
  const d = data as Record<string, unknown>;
  switch (code) {
    case "ANNOUNCE_MALFORMED":
      return `Cannot decode announcement: ${String(d.detail)}`;
    case "MESSAGE_TOO_LARGE":
      return `Message too large: ${String(d.size)} bytes exceeds ${String(d.max)}`;
    case "PULL_MALFORMED":
      return `Cannot decode pull frame: ${String(d.detail)}`;
    case "PULL_RESPONSE_TOO_LARGE":
      return `Pull response refused: frame exceeds ${String(d.max)} bytes`;
    case "PULL_BODY_MISMATCH":
      return `Pull body does not match its id: "${String(d.id)}"`;
    case "PULL_REFUSED":
      return `Pull refused by peer: ${String(d.reason)}`;
    case "PULL_FAILED":
      return `Pull from peer "${String(d.peer)}" failed: ${String(d.detail)}`;
    case "IDENTITY_KEY":
      return `Cannot use node identity key "${String(d.path)}": ${String(d.detail)}`;
    default:
      return "P2p service is not started";
  }
}
