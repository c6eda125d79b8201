/**
 * Chain metrics of the validator service (docs/operations.md "Metrics"): finalized anchor, DAG
 * size, finalized transactions and mints, mempool depth and local finality latency.
 * @module
 */
import { Counter, Gauge, Histogram, type Registry } from "prom-client";

/** The chain metric objects. */
export interface ChainMetrics {
  /** Last durable finalized anchor index. */
  readonly anchor: Gauge;
  /** Events held in the local DAG. */
  readonly dagEvents: Gauge;
  /** Transactions finalized and applied. */
  readonly txsFinalized: Counter;
  /** Mints accepted by the mint chain. */
  readonly mintsAccepted: Counter;
  /** Transactions in the mempool. */
  readonly mempoolTxs: Gauge;
  /** Admission-to-durable-anchor latency of transactions in this node's mempool (RPC or gossip). */
  readonly finality: Histogram;
  /** Connected p2p peers. */
  readonly peers: Gauge;
  /**
   * `pc_node_anchor_commit_seconds` durable commit of one finalized anchor (new DAG events,
   * anchor record and state, through the node's flush queue, waiting included).
   */
  readonly anchorCommit: Histogram;
}

/**
 * Creates and registers the chain metrics.
 * @param registry prom-client registry
 * @param sources read at scrape time for the gauges of live sizes
 * @returns the metrics
 * @throws {Error} when they are already registered in `registry`
 * @example
 * ```ts
 * import { Registry } from "prom-client";
 * import { createChainMetrics } from "./chain_metrics.ts";
 * const m = createChainMetrics(new Registry());
 * m.anchor.set(3);
 * ```
 */
export function createChainMetrics(
  registry: Registry,
  sources: { peers?: () => number; mempool?: () => number; dagEvents?: () => number } = {},
): ChainMetrics {
  const r = [registry];
  return {
    anchor: new Gauge({
      name: "pc_node_finalized_anchor",
      help: "Last durable finalized anchor index",
      registers: r,
    }),
    dagEvents: new Gauge({
      name: "pc_node_dag_events",
      help: "Events held in the local DAG",
      registers: r,
      collect() {
        if (sources.dagEvents) this.set(sources.dagEvents());
      },
    }),
    txsFinalized: new Counter({
      name: "pc_node_txs_finalized_total",
      help: "Transactions finalized and applied by the state",
      registers: r,
    }),
    mintsAccepted: new Counter({
      name: "pc_node_mints_accepted_total",
      help: "Mints accepted by the mint chain",
      registers: r,
    }),
    mempoolTxs: new Gauge({
      name: "pc_node_mempool_txs",
      help: "Transactions in the mempool",
      registers: r,
      collect() {
        if (sources.mempool) this.set(sources.mempool());
      },
    }),
    finality: new Histogram({
      name: "pc_node_tx_finality_seconds",
      help: "Mempool admission (RPC or gossip) to durable finalized anchor latency of transactions",
      buckets: [0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32],
      registers: r,
    }),
    anchorCommit: new Histogram({
      name: "pc_node_anchor_commit_seconds",
      help:
        "Durable commit of one finalized anchor (events, anchor record, state), queue wait included",
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: r,
    }),
    peers: new Gauge({
      name: "pc_node_peers",
      help: "Connected p2p peers",
      registers: r,
      collect() {
        if (sources.peers) this.set(sources.peers());
      },
    }),
  };
}
