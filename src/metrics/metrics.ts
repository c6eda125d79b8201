/**
 * Prometheus metric factories, one per area. Names follow `pc_<area>_<what>_<unit>`.
 * @module
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, type Registry } from "prom-client";

/** Latency buckets (seconds) for local store reads: 10 µs .. 1 s. */
export const READ_BUCKETS_SECONDS: readonly number[] = [
  0.00001,
  0.000025,
  0.00005,
  0.0001,
  0.00025,
  0.0005,
  0.001,
  0.0025,
  0.005,
  0.01,
  0.025,
  0.05,
  0.1,
  0.25,
  1,
];

/** Finality latency buckets (seconds): 50 ms .. 2 min, dense enough for p50/p95. */
export const FINALITY_BUCKETS_SECONDS: readonly number[] = [
  0.05,
  0.1,
  0.25,
  0.5,
  0.75,
  1,
  1.5,
  2,
  3,
  5,
  7.5,
  10,
  20,
  30,
  60,
  120,
];

/** Node runtime metrics: caches, store reads, KV flushes, queues. */
export interface NodeMetrics {
  /** `pc_node_cache_hits_total{cache="header|payload"}` */
  readonly cacheHits: Counter<"cache">;
  /** `pc_node_cache_misses_total{cache="header|payload"}` */
  readonly cacheMisses: Counter<"cache">;
  /** `pc_node_cache_evictions_total{cache}` */
  readonly cacheEvictions: Counter<"cache">;
  /** `pc_node_cache_entries{cache}` current entries. */
  readonly cacheEntries: Gauge<"cache">;
  /** `pc_node_cache_bytes{cache}` current accounted size in bytes (entries when count-bounded). */
  readonly cacheBytes: Gauge<"cache">;
  /** `pc_node_store_header_read_seconds` store (KV) read latency of one event header. */
  readonly storeHeaderRead: Histogram;
  /** `pc_node_store_payload_read_seconds` store (KV) read latency of one event payload. */
  readonly storePayloadRead: Histogram;
  /** `pc_node_kv_flush_seconds` duration of one durable KV commit (per finalized anchor). */
  readonly kvFlush: Histogram;
  /** `pc_node_queue_items{queue}` depth of internal queues (intake, gossip out, flush). */
  readonly queueDepth: Gauge<"queue">;
  /** `pc_node_info{network,version}` constant 1. */
  readonly info: Gauge<"network" | "version">;
}

/** Consensus metrics (observed by the node around the pure engine). */
export interface ConsensusMetrics {
  /** `pc_consensus_events_total` events inserted into the DAG (rate = EPS). */
  readonly events: Counter;
  /** `pc_consensus_anchors_finalized_total` */
  readonly anchorsFinalized: Counter;
  /** `pc_consensus_finality_seconds` from event receipt to finality (p50/p95 via buckets). */
  readonly finality: Histogram;
  /** `pc_consensus_pending_events` events waiting on parents or payloads (DA gate). */
  readonly pendingEvents: Gauge;
  /** `pc_consensus_latest_anchor_height` height of the latest finalized anchor. */
  readonly latestAnchorHeight: Gauge;
}

/** State machine metrics. */
export interface StateMetrics {
  /** `pc_state_txs_applied_total` transactions applied (rate = tx/s). */
  readonly txsApplied: Counter;
  /** `pc_state_txs_rejected_total{code}` transactions refused at apply. */
  readonly txsRejected: Counter<"code">;
  /** `pc_state_apply_seconds` time to apply one finalized anchor. */
  readonly applySeconds: Histogram;
  /** `pc_state_mempool_txs` transactions waiting in the mempool. */
  readonly mempoolTxs: Gauge;
  /** `pc_state_mempool_bytes` */
  readonly mempoolBytes: Gauge;
}

/** Crypto metrics. */
export interface CryptoMetrics {
  /** `pc_crypto_sig_verify_cpu_seconds_total{scheme}` CPU time spent verifying signatures. */
  readonly sigVerifySeconds: Counter<"scheme">;
  /** `pc_crypto_sigs_verified_total{scheme,result}` */
  readonly sigsVerified: Counter<"scheme" | "result">;
}

/** RPC server metrics. */
export interface RpcMetrics {
  /** `pc_rpc_requests_total{method,outcome}` JSON-RPC calls by outcome (ok or error code). */
  readonly requests: Counter<"method" | "outcome">;
  /** `pc_rpc_request_seconds{method}` */
  readonly requestSeconds: Histogram<"method">;
  /** `pc_rpc_http_rejected_total{reason}` HTTP requests refused before dispatch. */
  readonly httpRejected: Counter<"reason">;
}

/**
 * Creates the node runtime metrics on a registry.
 * @param registry the prom-client registry to register on
 * @returns the metric objects
 * @throws {Error} when the names are already registered on this registry
 * @example
 * ```ts
 * import { Registry } from "prom-client";
 * import { createNodeMetrics } from "./metrics.ts";
 * const m = createNodeMetrics(new Registry());
 * m.cacheHits.inc({ cache: "header" });
 * ```
 */
export function createNodeMetrics(registry: Registry): NodeMetrics {
  const registers = [registry];
  return {
    cacheHits: new Counter({
      name: "pc_node_cache_hits_total",
      help: "Event cache hits",
      labelNames: ["cache"] as const,
      registers,
    }),
    cacheMisses: new Counter({
      name: "pc_node_cache_misses_total",
      help: "Event cache misses",
      labelNames: ["cache"] as const,
      registers,
    }),
    cacheEvictions: new Counter({
      name: "pc_node_cache_evictions_total",
      help: "Event cache evictions (capacity pressure)",
      labelNames: ["cache"] as const,
      registers,
    }),
    cacheEntries: new Gauge({
      name: "pc_node_cache_entries",
      help: "Entries currently held by the event cache",
      labelNames: ["cache"] as const,
      registers,
    }),
    cacheBytes: new Gauge({
      name: "pc_node_cache_bytes",
      help: "Accounted size of the event cache (bytes for payloads, entries for headers)",
      labelNames: ["cache"] as const,
      registers,
    }),
    storeHeaderRead: new Histogram({
      name: "pc_node_store_header_read_seconds",
      help: "Latency of one event header read from the store (cache misses only)",
      buckets: [...READ_BUCKETS_SECONDS],
      registers,
    }),
    storePayloadRead: new Histogram({
      name: "pc_node_store_payload_read_seconds",
      help: "Latency of one event payload read from the store (cache misses only)",
      buckets: [...READ_BUCKETS_SECONDS],
      registers,
    }),
    kvFlush: new Histogram({
      name: "pc_node_kv_flush_seconds",
      help: "Duration of one durable KV commit",
      buckets: [...READ_BUCKETS_SECONDS, 2.5, 5],
      registers,
    }),
    queueDepth: new Gauge({
      name: "pc_node_queue_items",
      help: "Items waiting in an internal node queue",
      labelNames: ["queue"] as const,
      registers,
    }),
    info: new Gauge({
      name: "pc_node_info",
      help: "Constant 1, labelled with the node's network and version",
      labelNames: ["network", "version"] as const,
      registers,
    }),
  };
}

/**
 * Creates consensus metrics on a registry.
 * @param registry the prom-client registry to register on
 * @returns the metric objects
 * @throws {Error} when the names are already registered on this registry
 * @example
 * ```ts
 * import { Registry } from "prom-client";
 * import { createConsensusMetrics } from "./metrics.ts";
 * createConsensusMetrics(new Registry()).events.inc();
 * ```
 */
export function createConsensusMetrics(registry: Registry): ConsensusMetrics {
  const registers = [registry];
  return {
    events: new Counter({
      name: "pc_consensus_events_total",
      help: "Events inserted into the DAG (rate gives events per second)",
      registers,
    }),
    anchorsFinalized: new Counter({
      name: "pc_consensus_anchors_finalized_total",
      help: "Anchors finalized",
      registers,
    }),
    finality: new Histogram({
      name: "pc_consensus_finality_seconds",
      help: "Local time from receiving an event to its finality",
      buckets: [...FINALITY_BUCKETS_SECONDS],
      registers,
    }),
    pendingEvents: new Gauge({
      name: "pc_consensus_pending_events",
      help: "Events waiting for parents or payloads",
      registers,
    }),
    latestAnchorHeight: new Gauge({
      name: "pc_consensus_latest_anchor_height",
      help: "Height of the latest finalized anchor",
      registers,
    }),
  };
}

/**
 * Creates state metrics on a registry.
 * @param registry the prom-client registry to register on
 * @returns the metric objects
 * @throws {Error} when the names are already registered on this registry
 * @example
 * ```ts
 * import { Registry } from "prom-client";
 * import { createStateMetrics } from "./metrics.ts";
 * createStateMetrics(new Registry()).txsApplied.inc(3);
 * ```
 */
export function createStateMetrics(registry: Registry): StateMetrics {
  const registers = [registry];
  return {
    txsApplied: new Counter({
      name: "pc_state_txs_applied_total",
      help: "Transactions applied (rate gives tx per second)",
      registers,
    }),
    txsRejected: new Counter({
      name: "pc_state_txs_rejected_total",
      help: "Transactions refused at apply, by error code",
      labelNames: ["code"] as const,
      registers,
    }),
    applySeconds: new Histogram({
      name: "pc_state_apply_seconds",
      help: "Time to apply one finalized anchor",
      buckets: [...READ_BUCKETS_SECONDS, 2.5, 5],
      registers,
    }),
    mempoolTxs: new Gauge({
      name: "pc_state_mempool_txs",
      help: "Transactions waiting in the mempool",
      registers,
    }),
    mempoolBytes: new Gauge({
      name: "pc_state_mempool_bytes",
      help: "Encoded size of the transactions in the mempool",
      registers,
    }),
  };
}

/**
 * Creates crypto metrics on a registry.
 * @param registry the prom-client registry to register on
 * @returns the metric objects
 * @throws {Error} when the names are already registered on this registry
 * @example
 * ```ts
 * import { Registry } from "prom-client";
 * import { createCryptoMetrics } from "./metrics.ts";
 * createCryptoMetrics(new Registry()).sigVerifySeconds.inc({ scheme: "schnorr" }, 0.001);
 * ```
 */
export function createCryptoMetrics(registry: Registry): CryptoMetrics {
  const registers = [registry];
  return {
    sigVerifySeconds: new Counter({
      name: "pc_crypto_sig_verify_cpu_seconds_total",
      help: "Time spent verifying signatures, by scheme (schnorr, musig2, bls)",
      labelNames: ["scheme"] as const,
      registers,
    }),
    sigsVerified: new Counter({
      name: "pc_crypto_sigs_verified_total",
      help: "Signatures verified, by scheme and result (valid, invalid)",
      labelNames: ["scheme", "result"] as const,
      registers,
    }),
  };
}

/**
 * Creates RPC metrics on a registry.
 * @param registry the prom-client registry to register on
 * @returns the metric objects
 * @throws {Error} when the names are already registered on this registry
 * @example
 * ```ts
 * import { Registry } from "prom-client";
 * import { createRpcMetrics } from "./metrics.ts";
 * createRpcMetrics(new Registry()).requests.inc({ method: "status", outcome: "ok" });
 * ```
 */
export function createRpcMetrics(registry: Registry): RpcMetrics {
  const registers = [registry];
  return {
    requests: new Counter({
      name: "pc_rpc_requests_total",
      help: "JSON-RPC calls by method and outcome (ok or the JSON-RPC error code)",
      labelNames: ["method", "outcome"] as const,
      registers,
    }),
    requestSeconds: new Histogram({
      name: "pc_rpc_request_seconds",
      help: "Time to answer one JSON-RPC call",
      labelNames: ["method"] as const,
      buckets: [...READ_BUCKETS_SECONDS],
      registers,
    }),
    httpRejected: new Counter({
      name: "pc_rpc_http_rejected_total",
      help: "HTTP requests refused before dispatch, by reason",
      labelNames: ["reason"] as const,
      registers,
    }),
  };
}

/**
 * Registers prom-client's process and runtime default collectors (process_*, nodejs_*). All of
 * them were checked to run under Deno 2.9 (CPU, memory, fds, heap, event-loop lag); none is
 * skipped. Call once per registry.
 * @param registry the registry to register on
 * @example
 * ```ts
 * import { Registry } from "prom-client";
 * import { registerProcessMetrics } from "./metrics.ts";
 * registerProcessMetrics(new Registry());
 * ```
 */
export function registerProcessMetrics(registry: Registry): void {
  collectDefaultMetrics({ register: registry });
}

/** Every area's metrics on one registry. */
export interface AllMetrics {
  readonly node: NodeMetrics;
  readonly consensus: ConsensusMetrics;
  readonly state: StateMetrics;
  readonly crypto: CryptoMetrics;
  readonly rpc: RpcMetrics;
}

/**
 * Creates every area's metrics and, optionally, the process defaults on one registry.
 * @param registry the registry
 * @param options `process: false` skips the default process collectors (tests)
 * @returns the metric objects by area
 * @throws {Error} when called twice on the same registry
 * @example
 * ```ts
 * import { Registry } from "prom-client";
 * import { createAllMetrics } from "./metrics.ts";
 * const m = createAllMetrics(new Registry(), { process: false });
 * m.state.txsApplied.inc();
 * ```
 */
export function createAllMetrics(
  registry: Registry,
  options: { process?: boolean } = {},
): AllMetrics {
  if (options.process ?? true) registerProcessMetrics(registry);
  return {
    node: createNodeMetrics(registry),
    consensus: createConsensusMetrics(registry),
    state: createStateMetrics(registry),
    crypto: createCryptoMetrics(registry),
    rpc: createRpcMetrics(registry),
  };
}
