/**
 * HTTP server of the node (Deno.serve): JSON-RPC 2.0 at `/rpc`, Prometheus text at `/metrics`,
 * JSON health at `/status/node`.
 *
 * Hostile input is cheap to refuse: the rate limit is taken before the body is read, the body is
 * read with a byte bound (Content-Length is checked first, a streamed body is cut off at the
 * limit), batches are bounded before any call runs, and unknown method names are never used as
 * metric labels.
 * @module
 */
import { bytesToHex } from "@noble/hashes/utils.js";
import type { Registry } from "prom-client";
import type { Logger } from "@logtape/logtape";
import type { RpcMetrics } from "../metrics/mod.ts";
import { type AppErrorCode, RPC_ERROR, RpcError, type RpcErrorCode } from "./errors.ts";
import { ParamError } from "./params.ts";
import { RateLimiter } from "./ratelimit.ts";
import type { MethodRegistry } from "./registry.ts";

/** Options of {@linkcode RpcServer}. */
export interface RpcServerOptions {
  /** Listen address; keep it on loopback. */
  readonly hostname: string;
  /** TCP port; 0 picks a free one (see {@linkcode RpcServer.port}). */
  readonly port: number;
  /** Largest accepted request body in bytes. */
  readonly maxBodyBytes: number;
  /** Most calls in one batch. */
  readonly maxBatch: number;
  /** Per-client tokens per second (0 = no limit). */
  readonly rateLimitRps: number;
  /** Per-client bucket size. */
  readonly rateLimitBurst: number;
  /** Monotonic clock in milliseconds (rate limiter, latency); default performance.now. */
  readonly now?: () => number;
}

/** Dependencies of {@linkcode RpcServer}. */
export interface RpcServerModules {
  /** The JSON-RPC methods. */
  readonly registry: MethodRegistry;
  /** Produces the `/status/node` document. */
  readonly status: () => unknown;
  /** Registry rendered at `/metrics`; absent: `/metrics` answers 404. */
  readonly metricsRegistry?: Registry;
  /** RPC metrics to record into. */
  readonly metrics?: RpcMetrics;
  /** Logger (category ["phantom", "rpc"]). */
  readonly logger?: Logger;
}

type JsonRpcId = string | number | null;

interface JsonRpcErrorBody {
  jsonrpc: "2.0";
  id: JsonRpcId;
  error: { code: number; message: string; data?: unknown };
}

interface JsonRpcResultBody {
  jsonrpc: "2.0";
  id: JsonRpcId;
  result: unknown;
}

type JsonRpcResponse = JsonRpcErrorBody | JsonRpcResultBody;

function errorBody(
  id: JsonRpcId,
  code: RpcErrorCode | AppErrorCode,
  message: string,
  data?: unknown,
): JsonRpcErrorBody {
  return {
    jsonrpc: "2.0",
    id,
    error: data === undefined ? { code, message } : { code, message, data },
  };
}

function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) => {
    if (typeof v === "bigint") return v.toString();
    if (v instanceof Uint8Array) {
      return bytesToHex(v);
    }
    return v;
  });
}

function jsonResponse(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): Response {
  return new Response(toJson(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
  });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function shortName(s: string): string {
  return s.length > 64 ? `${s.slice(0, 64)}…` : s;
}

/**
 * The node's HTTP/JSON-RPC server, a lifecycle component.
 *
 * @example
 * ```ts
 * import { MethodRegistry, p, RpcServer } from "./mod.ts";
 * const registry = new MethodRegistry();
 * registry.register("ping", "Answers pong", p.none(), () => "pong");
 * const server = new RpcServer(
 *   { hostname: "127.0.0.1", port: 0, maxBodyBytes: 65536, maxBatch: 10, rateLimitRps: 0, rateLimitBurst: 1 },
 *   { registry, status: () => ({ ok: true }) },
 * );
 * await server.start();
 * const res = await fetch(`http://127.0.0.1:${server.port}/rpc`, {
 *   method: "POST",
 *   body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }),
 * });
 * console.assert((await res.json()).result === "pong");
 * await server.stop();
 * ```
 */
export class RpcServer {
  /** Component name. */
  readonly name = "rpc";
  readonly #opts: RpcServerOptions;
  readonly #mods: RpcServerModules;
  readonly #limiter: RateLimiter;
  readonly #now: () => number;
  #server: Deno.HttpServer<Deno.NetAddr> | null = null;
  #closing = false;

  /**
   * @param options listen address, limits
   * @param modules registry, status provider, metrics, logger
   * @throws {RangeError} when a limit is out of range
   */
  constructor(options: RpcServerOptions, modules: RpcServerModules) {
    if (!Number.isSafeInteger(options.maxBodyBytes) || options.maxBodyBytes < 2) {
      throw new RangeError(`maxBodyBytes must be an integer >= 2: got ${options.maxBodyBytes}`);
    }
    if (!Number.isSafeInteger(options.maxBatch) || options.maxBatch < 1) {
      throw new RangeError(`maxBatch must be an integer >= 1: got ${options.maxBatch}`);
    }
    this.#opts = options;
    this.#mods = modules;
    this.#now = options.now ?? (() => performance.now());
    this.#limiter = new RateLimiter({
      ratePerSecond: options.rateLimitRps,
      burst: options.rateLimitBurst,
      now: this.#now,
    });
  }

  /** The bound port (after start), else the configured one. */
  get port(): number {
    return this.#server?.addr.port ?? this.#opts.port;
  }

  /** The bound address (after start), e.g. `127.0.0.1`. */
  get hostname(): string {
    return this.#server?.addr.hostname ?? this.#opts.hostname;
  }

  /**
   * Binds and serves.
   * @throws {Deno.errors.AddrInUse} when the port is taken
   * @throws {Error} when already started
   */
  start(): Promise<void> {
    if (this.#server !== null) throw new Error("RPC server already started");
    this.#closing = false;
    const { promise, resolve } = Promise.withResolvers<void>();
    this.#server = Deno.serve({
      hostname: this.#opts.hostname,
      port: this.#opts.port,
      onListen: () => resolve(),
      onError: (e) => {
        this.#mods.logger?.error("RPC request failed unexpectedly", { error: String(e) });
        return jsonResponse(500, errorBody(null, RPC_ERROR.INTERNAL_ERROR, "Internal error"));
      },
    }, (req, info) => this.handle(req, info.remoteAddr.hostname));
    return promise;
  }

  /** Refuses new requests, then waits for in-flight ones and closes the listener. */
  async stop(): Promise<void> {
    const s = this.#server;
    if (s === null) return;
    this.#closing = true;
    await s.shutdown();
    this.#server = null;
  }

  #reject(reason: string): void {
    this.#mods.metrics?.httpRejected.inc({ reason });
  }

  /**
   * Handles one HTTP request (exposed so tests can call it without a socket).
   * @param req the request
   * @param client the client's address, the rate-limit key
   * @returns the response
   */
  async handle(req: Request, client: string): Promise<Response> {
    if (this.#closing) {
      this.#reject("shutting_down");
      return jsonResponse(
        503,
        errorBody(null, RPC_ERROR.SHUTTING_DOWN, "Node is shutting down"),
        { connection: "close" },
      );
    }
    const path = new URL(req.url).pathname;
    const wait = this.#limiter.take(client, 1);
    if (wait > 0) return this.#rateLimited(wait);
    if (path === "/rpc") {
      if (req.method !== "POST") {
        this.#reject("method_not_allowed");
        return jsonResponse(
          405,
          errorBody(null, RPC_ERROR.INVALID_REQUEST, "Invalid request: use POST"),
          {
            allow: "POST",
          },
        );
      }
      return await this.#rpc(req, client);
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      this.#reject("method_not_allowed");
      return jsonResponse(405, { error: "Method not allowed: use GET" }, { allow: "GET, HEAD" });
    }
    if (path === "/metrics" && this.#mods.metricsRegistry !== undefined) {
      const reg = this.#mods.metricsRegistry;
      return new Response(await reg.metrics(), { headers: { "content-type": reg.contentType } });
    }
    if (path === "/status/node") {
      try {
        return jsonResponse(200, await this.#mods.status());
      } catch (e) {
        this.#mods.logger?.error("Status provider failed", { error: String(e) });
        return jsonResponse(503, { error: "Status unavailable" });
      }
    }
    this.#reject("not_found");
    return jsonResponse(404, { error: `Not found: "${shortName(path)}"` });
  }

  #rateLimited(waitMs: number): Response {
    this.#reject("rate_limited");
    const retry = Number.isFinite(waitMs) ? waitMs : null;
    return jsonResponse(
      429,
      errorBody(null, RPC_ERROR.RATE_LIMITED, "Rate limit exceeded: retry later", {
        retry_after_ms: retry,
      }),
      retry === null ? {} : { "retry-after": String(Math.max(1, Math.ceil(retry / 1000))) },
    );
  }

  async #readBody(req: Request): Promise<Uint8Array | null> {
    const max = this.#opts.maxBodyBytes;
    const declared = req.headers.get("content-length");
    if (declared !== null && !(Number(declared) <= max)) return null;
    if (req.body === null) return new Uint8Array(0);
    const reader = req.body.getReader();
    const parts: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > max) {
        await reader.cancel("body too large");
        return null;
      }
      parts.push(value);
    }
    const out = new Uint8Array(total);
    let off = 0;
    for (const part of parts) {
      out.set(part, off);
      off += part.byteLength;
    }
    return out;
  }

  async #rpc(req: Request, client: string): Promise<Response> {
    const body = await this.#readBody(req);
    if (body === null) {
      this.#reject("too_large");
      return jsonResponse(
        413,
        errorBody(
          null,
          RPC_ERROR.REQUEST_TOO_LARGE,
          `Request too large: body exceeds ${this.#opts.maxBodyBytes} bytes`,
          { max_body_bytes: this.#opts.maxBodyBytes },
        ),
      );
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(body));
    } catch (e) {
      const detail = e instanceof Error ? e.message : String(e);
      this.#count("invalid", RPC_ERROR.PARSE_ERROR);
      return jsonResponse(200, errorBody(null, RPC_ERROR.PARSE_ERROR, `Parse error: ${detail}`));
    }
    if (!Array.isArray(parsed)) {
      const r = await this.#call(parsed, client);
      return r === null ? new Response(null, { status: 204 }) : jsonResponse(200, r);
    }
    if (parsed.length === 0) {
      this.#count("invalid", RPC_ERROR.INVALID_REQUEST);
      return jsonResponse(
        200,
        errorBody(null, RPC_ERROR.INVALID_REQUEST, "Invalid request: empty batch"),
      );
    }
    if (parsed.length > this.#opts.maxBatch) {
      this.#count("invalid", RPC_ERROR.INVALID_REQUEST);
      return jsonResponse(
        200,
        errorBody(
          null,
          RPC_ERROR.INVALID_REQUEST,
          `Invalid request: batch of ${parsed.length} calls exceeds the limit of ${this.#opts.maxBatch}`,
          { max_batch: this.#opts.maxBatch },
        ),
      );
    }
    // The first call was paid for before the body was read; the rest of the batch pays now.
    if (parsed.length > 1) {
      const wait = this.#limiter.take(client, parsed.length - 1);
      if (wait > 0) return this.#rateLimited(wait);
    }
    const out: JsonRpcResponse[] = [];
    // Sequential on purpose: a batch must not multiply the node's concurrency.
    for (const item of parsed) {
      const r = await this.#call(item, client);
      if (r !== null) out.push(r);
    }
    return out.length === 0 ? new Response(null, { status: 204 }) : jsonResponse(200, out);
  }

  #count(method: string, outcome: number | "ok"): void {
    this.#mods.metrics?.requests.inc({ method, outcome: String(outcome) });
  }

  async #call(req: unknown, client: string): Promise<JsonRpcResponse | null> {
    if (!isRecord(req)) {
      this.#count("invalid", RPC_ERROR.INVALID_REQUEST);
      return errorBody(
        null,
        RPC_ERROR.INVALID_REQUEST,
        "Invalid request: expected a JSON-RPC 2.0 request object",
      );
    }
    const rawId = req["id"];
    const idOk = rawId === undefined || rawId === null || typeof rawId === "string" ||
      (typeof rawId === "number" && Number.isFinite(rawId));
    const id: JsonRpcId = idOk && rawId !== undefined ? rawId as JsonRpcId : null;
    const invalid = (why: string) => {
      this.#count("invalid", RPC_ERROR.INVALID_REQUEST);
      return errorBody(id, RPC_ERROR.INVALID_REQUEST, `Invalid request: ${why}`);
    };
    if (!idOk) return invalid("id must be a string, a number or null");
    if (req["jsonrpc"] !== "2.0") return invalid('jsonrpc must be "2.0"');
    const method = req["method"];
    if (typeof method !== "string") return invalid("method must be a string");
    const params = req["params"];
    if (params !== undefined && (typeof params !== "object" || params === null)) {
      return invalid("params must be an object or an array");
    }
    const notification = !Object.hasOwn(req, "id");
    const spec = this.#mods.registry.get(method);
    if (spec === undefined) {
      this.#count("unknown", RPC_ERROR.METHOD_NOT_FOUND);
      return notification
        ? null
        : errorBody(id, RPC_ERROR.METHOD_NOT_FOUND, `Method not found: "${shortName(method)}"`);
    }
    const t0 = this.#now();
    let outcome: number | "ok" = "ok";
    try {
      const typed = spec.params(params, "");
      const result = await spec.handler(typed, { client });
      return notification ? null : { jsonrpc: "2.0", id, result: result ?? null };
    } catch (e) {
      let body: JsonRpcErrorBody;
      if (e instanceof ParamError) {
        body = errorBody(id, RPC_ERROR.INVALID_PARAMS, e.message, {
          path: e.path,
          expected: e.expected,
        });
      } else if (e instanceof RpcError) {
        body = errorBody(id, e.code, e.message, e.data);
      } else {
        // Internal details stay in the log: they may name files or keys.
        this.#mods.logger?.error("RPC method failed", {
          method,
          error: e instanceof Error ? (e.stack ?? e.message) : String(e),
        });
        body = errorBody(id, RPC_ERROR.INTERNAL_ERROR, "Internal error");
      }
      outcome = body.error.code;
      return notification ? null : body;
    } finally {
      this.#count(method, outcome);
      this.#mods.metrics?.requestSeconds.observe({ method }, (this.#now() - t0) / 1000);
    }
  }
}
