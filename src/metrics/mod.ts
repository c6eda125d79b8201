/**
 * Prometheus metrics for the node: one `createXMetrics(registry)` factory per area (node, consensus,
 * state, crypto, rpc) returning prom-client objects named `pc_<area>_<what>_<unit>`, plus the
 * process defaults. Consensus and state stay pure: the node observes them and records these.
 * @module
 */
export {
  type AllMetrics,
  type ConsensusMetrics,
  createAllMetrics,
  createConsensusMetrics,
  createCryptoMetrics,
  createNodeMetrics,
  createRpcMetrics,
  createStateMetrics,
  type CryptoMetrics,
  FINALITY_BUCKETS_SECONDS,
  type NodeMetrics,
  READ_BUCKETS_SECONDS,
  registerProcessMetrics,
  type RpcMetrics,
  type StateMetrics,
} from "./metrics.ts";
export { Registry } from "prom-client";
