/**
 * Consensus core: a per-shard leaderless event DAG ordered by asynchronous BFT virtual voting
 * (Hashgraph, Baird 2016) with a u64 `vote_mask` per event (bit i = seat i), deterministic coin
 * rounds, data-availability gating (pull-then-vote), equivocation evidence and finalized anchors
 * in total order (consensus_time = round received, then event_id). Pure and deterministic: no
 * clocks, randomness or I/O. Protocol: docs/spec/consensus.md.
 * @module
 */
export {
  ConsensusEngine,
  faultBound,
  hexToBytes,
  popcount,
  type PreparedEvent,
  quorum,
  type ReceiveResult,
  REFUSED_ROUNDS,
  STALE_ROUNDS,
  toHex,
} from "./engine.ts";
export {
  buildCodecHeader,
  decodeWireEvent,
  encodeWireEvent,
  fromSignedHeader,
  type NewEventFields,
} from "./codec_adapter.ts";
export {
  buildCheckpoint,
  type BuildCheckpointOptions,
  CHECKPOINT_WINDOW_STALE_PERIODS,
  CheckpointError,
  type CheckpointErrorCode,
  type CheckpointEvent,
  type ConsensusCheckpoint,
} from "./checkpoint.ts";
export { ConsensusError, type ConsensusErrorCode, type ConsensusErrorData } from "./errors.ts";
export { type GenesisAnchor, genesisAnchor } from "./genesis.ts";
export type {
  ConsensusConfig,
  ConsensusEvidence,
  EventHeader,
  EvidenceKind,
  FinalizedAnchor,
} from "./types.ts";
