/**
 * Deterministic simnet: N full nodes (each its own consensus engine, real BIP-340 signatures, codec
 * encoding and its own UTXO {@linkcode UtxoState} from src/state) in one process over a simulated network with seeded
 * latency, loss, duplication, reordering, partitions, crash/restart and Byzantine seats.
 * Scenarios are TOML (schema in docs/simnet.md); the same scenario and seed give the same
 * summary byte for byte.
 * @module
 */
export { Prng } from "./prng.ts";
export {
  BYZANTINE_KINDS,
  type ByzantineKind,
  type Crash,
  type NetworkModel,
  parseScenario,
  type Partition,
  type Scenario,
  ScenarioError,
} from "./scenario.ts";
export { type Quantiles, runSimnet, type SimSummary, summaryOk } from "./simnet.ts";
export {
  clientTx,
  decodeSimPayload,
  encodeSimPayload,
  invalidTx,
  SIM_STATE_NETWORK,
  type SimPayload,
  type SimTx,
  UtxoState,
} from "./utxo_state.ts";
export { runJobs, runSeeds, type SimJob } from "./pool.ts";
export { aggregateSummaries, type AggregateSummary } from "./aggregate.ts";
