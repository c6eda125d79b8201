/**
 * Minimal JSON-RPC 2.0 client over HTTP for phantom-miner (`get_mint_template`,
 * `submit_mint_solution`, `mint_status`; docs/spec/mint.md §8).
 * @module
 */

/** Why an RPC call failed. */
export type MinerRpcErrorCode =
  /** The HTTP request failed or returned a non-2xx status. */
  | "RPC_TRANSPORT"
  /** The body is not a JSON-RPC 2.0 response. */
  | "RPC_BAD_RESPONSE"
  /** The node answered with a JSON-RPC error object. */
  | "RPC_ERROR";

/** Details of a {@linkcode MinerRpcError}. */
export interface MinerRpcErrorData {
  /** RPC method called. */
  readonly method: string;
  /** HTTP status, when there was a response. */
  readonly status?: number;
  /** JSON-RPC error code, for RPC_ERROR. */
  readonly rpcCode?: number;
  /** `error.data.reason` (e.g. a MintError code such as MINT_STALE), when present. */
  readonly reason?: string;
}

/**
 * A JSON-RPC call failed.
 * @example
 * ```ts
 * import { MinerRpcError } from "./rpc.ts";
 * const e = new MinerRpcError("RPC_ERROR", { method: "m", rpcCode: -32043, reason: "MINT_STALE" }, "x");
 * console.assert(e.data.reason === "MINT_STALE");
 * ```
 */
export class MinerRpcError extends Error {
  /** What failed. */
  readonly code: MinerRpcErrorCode;
  /** Details. */
  readonly data: MinerRpcErrorData;
  /**
   * @param code what failed
   * @param data details
   * @param detail human detail
   * @param options error options (cause)
   */
  constructor(
    code: MinerRpcErrorCode,
    data: MinerRpcErrorData,
    detail: string,
    options?: ErrorOptions,
  ) {
    super(`RPC call "${data.method}" failed: ${detail}`, options);
    this.name = "MinerRpcError";
    this.code = code;
    this.data = data;
  }
}

/** Something that performs JSON-RPC calls (HTTP in production, an in-process fake in tests). */
export interface JsonRpcTransport {
  /**
   * Call a method with named parameters.
   * @throws {MinerRpcError} on any failure
   */
  call(method: string, params: Record<string, unknown>): Promise<unknown>;
}

/**
 * JSON-RPC 2.0 over HTTP POST.
 * @param url node RPC endpoint, e.g. `http://127.0.0.1:8645`
 * @param fetchFn fetch implementation (injected in tests)
 * @returns transport
 * @throws {TypeError} when `url` is not a valid http(s) URL
 * @example
 * ```ts
 * import { httpJsonRpc } from "./rpc.ts";
 * const rpc = httpJsonRpc("http://127.0.0.1:8645");
 * console.assert(typeof rpc.call === "function");
 * ```
 */
export function httpJsonRpc(url: string, fetchFn: typeof fetch = fetch): JsonRpcTransport {
  const u = new URL(url);
  if (u.protocol !== "http:" && u.protocol !== "https:") {
    throw new TypeError(`RPC URL must be http or https: "${url}"`);
  }
  let nextId = 1;
  return {
    async call(method, params) {
      const id = nextId++;
      let res: Response;
      try {
        res = await fetchFn(u, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ jsonrpc: "2.0", id, method, params }),
        });
      } catch (e) {
        throw new MinerRpcError("RPC_TRANSPORT", { method }, (e as Error).message, { cause: e });
      }
      const text = await res.text();
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch (e) {
        if (!res.ok) {
          throw new MinerRpcError(
            "RPC_TRANSPORT",
            { method, status: res.status },
            `HTTP ${res.status}`,
          );
        }
        throw new MinerRpcError(
          "RPC_BAD_RESPONSE",
          { method, status: res.status },
          "body is not JSON",
          {
            cause: e,
          },
        );
      }
      if (typeof body !== "object" || body === null || (body as { id?: unknown }).id !== id) {
        throw new MinerRpcError(
          "RPC_BAD_RESPONSE",
          { method, status: res.status },
          "not a response to this call",
        );
      }
      const b = body as {
        result?: unknown;
        error?: { code?: unknown; message?: unknown; data?: unknown };
      };
      if (b.error !== undefined) {
        const err = b.error;
        const reason = typeof err.data === "object" && err.data !== null &&
            typeof (err.data as { reason?: unknown }).reason === "string"
          ? (err.data as { reason: string }).reason
          : undefined;
        const data: MinerRpcErrorData = {
          method,
          status: res.status,
          ...(typeof err.code === "number" ? { rpcCode: err.code } : {}),
          ...(reason !== undefined ? { reason } : {}),
        };
        throw new MinerRpcError("RPC_ERROR", data, String(err.message ?? "error"));
      }
      if (!res.ok) {
        throw new MinerRpcError(
          "RPC_TRANSPORT",
          { method, status: res.status },
          `HTTP ${res.status}`,
        );
      }
      if (!("result" in b)) {
        throw new MinerRpcError("RPC_BAD_RESPONSE", { method, status: res.status }, "no result");
      }
      return b.result;
    },
  };
}
