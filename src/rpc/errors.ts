/**
 * JSON-RPC 2.0 error codes and the error class handlers throw.
 * @module
 */

/** Standard and application JSON-RPC error codes (see docs/operations.md, "RPC errors"). */
export const RPC_ERROR = {
  /** Invalid JSON was received. */
  PARSE_ERROR: -32700,
  /** The JSON is not a valid request object, or the batch is empty or too large. */
  INVALID_REQUEST: -32600,
  /** No such method. */
  METHOD_NOT_FOUND: -32601,
  /** Invalid method parameters; `data.path` names the bad parameter. */
  INVALID_PARAMS: -32602,
  /** Unexpected failure inside the node (details are logged, not returned). */
  INTERNAL_ERROR: -32603,
  /** Per-client rate limit exceeded; `data.retry_after_ms` says when to retry (HTTP 429). */
  RATE_LIMITED: -32000,
  /** Request body above rpc.max_body_bytes (HTTP 413). */
  REQUEST_TOO_LARGE: -32001,
  /** The node cannot answer yet (starting, syncing, engine not wired). */
  NOT_READY: -32002,
  /** The requested object (tx, event, anchor, ...) is unknown to this node. */
  NOT_FOUND: -32003,
  /** The submitted object was rejected by validation; `data.code` is the domain error code. */
  REJECTED: -32004,
  /** The node is shutting down and accepts no new work. */
  SHUTTING_DOWN: -32005,
} as const;

/** A JSON-RPC error code value. */
export type RpcErrorCode = typeof RPC_ERROR[keyof typeof RPC_ERROR];

/**
 * An application error code of another module in the JSON-RPC server-error range
 * (-32099..-32000), e.g. the mint's `MINT_RPC_ERROR_CODES` (-32040..-32050).
 */
export type AppErrorCode = number;

/**
 * An error with a JSON-RPC code, thrown by method handlers (or the server) and returned to the
 * client as `{ code, message, data }`.
 *
 * @example
 * ```ts
 * import { RPC_ERROR, RpcError } from "./errors.ts";
 * const e = new RpcError(RPC_ERROR.NOT_FOUND, "Unknown transaction: \"ab12\"");
 * console.assert(e.code === -32003);
 * ```
 */
export class RpcError extends Error {
  /** JSON-RPC error code. */
  readonly code: RpcErrorCode | AppErrorCode;
  /** Optional structured detail returned as `error.data`. */
  readonly data: Readonly<Record<string, unknown>> | undefined;

  /**
   * @param code JSON-RPC error code ({@linkcode RPC_ERROR} or a module's application code)
   * @param message client-facing message (sentence case, no trailing period)
   * @param data structured detail
   * @param options standard error options (cause)
   */
  constructor(
    code: RpcErrorCode | AppErrorCode,
    message: string,
    data?: Readonly<Record<string, unknown>>,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "RpcError";
    this.code = code;
    this.data = data;
  }
}
