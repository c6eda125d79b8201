/**
 * Data shapes the consensus engine consumes and produces (docs/spec/consensus.md §2, §3).
 *
 * {@linkcode EventHeader} is the minimal view of a codec `Event` that ordering needs; the codec's
 * Event maps onto it field for field (an adapter in the caller builds it once per event).
 * @module
 */
import type { ConsensusCheckpoint } from "./checkpoint.ts";

/** The consensus-relevant fields of one DAG event. */
export interface EventHeader {
  /** 32-byte BLAKE3 event id (computed by the codec over the domain-separated encoding). */
  readonly id: Uint8Array;
  /** Network id (params). */
  readonly network: number;
  /** Shard number in [0, SHARDS). */
  readonly shard: number;
  /** Committee seat of the creator, in [0, k). */
  readonly creator: number;
  /** Per-creator sequence number; 0 for the creator's first event. */
  readonly seq: number;
  /** Id of the creator's previous event; null exactly when seq is 0. */
  readonly selfParent: Uint8Array | null;
  /** Other parents (at most MAX_PARENTS - 1), each by another creator. */
  readonly parents: readonly Uint8Array[];
  /** u64 vote mask: bit i set when this event strongly sees seat i's witness (§3.2). */
  readonly voteMask: bigint;
  /** Merkle root of the payload (txs, mints, evidence) the event carries. */
  readonly payloadRoot: Uint8Array;
  /** BIP-340 signature over the event id by the creator's seat key. */
  readonly signature: Uint8Array;
  /**
   * The signed header bytes as received (codec `SignedEventHeader`), when known: evidence carries
   * them so the node can build codec `Evidence` without re-encoding.
   */
  readonly raw?: Uint8Array;
}

/** Kinds of misbehaviour evidence the engine produces. */
export type EvidenceKind = "equivocation" | "forged_vote_mask";

/** Self-contained proof of misbehaviour by one seat (docs/spec/consensus.md §7). */
export interface ConsensusEvidence {
  /** What was proven. */
  readonly kind: EvidenceKind;
  /** The misbehaving seat. */
  readonly creator: number;
  /** The signed events that prove it (two for equivocation, one for a forged mask). */
  readonly events: readonly EventHeader[];
}

/** A finalized anchor: one decided round and the events it orders (§3.4). */
export interface FinalizedAnchor {
  /** Anchor height: 0 is genesis A0, round r is finalized as height r + 1. */
  readonly height: number;
  /** Consensus round (consensus_time) of every event listed. */
  readonly round: number;
  /** Ids of the famous witnesses of the round, ordered by seat. */
  readonly famous: readonly Uint8Array[];
  /** Events received in this round, in total order (consensus_time, event_id). */
  readonly events: readonly EventHeader[];
  /** BLAKE3 anchor id chaining the previous anchor id (domain "PC/anchor/v0"). */
  readonly id: Uint8Array;
}

/** Configuration of one {@linkcode ConsensusEngine} instance (one node, one shard). */
export interface ConsensusConfig {
  /** Network id events must carry. */
  readonly network: number;
  /** Shard this engine orders. */
  readonly shard: number;
  /** Committee size k, 1 <= k <= 64. */
  readonly committeeSize: number;
  /** Id of genesis anchor A0 (chained into anchor ids). */
  readonly genesisId: Uint8Array;
  /** Checks an event's signature; the caller may memoize per event id. */
  readonly verifySignature: (ev: EventHeader) => boolean;
  /** Coin-round period C of the fame election (default 10, must be >= 3). */
  readonly coinPeriod?: number;
  /** Received events an incomplete event may wait for parents or payload (default 4096). */
  readonly maxPendingSteps?: number;
  /** Most events buffered while waiting (default 65536). */
  readonly maxPending?: number;
  /**
   * Most refused event ids remembered, oldest forgotten first (default 16384, ADR 0025); each is
   * also forgotten REFUSED_ROUNDS decided rounds after its refusal. 0 remembers none.
   */
  readonly maxRefused?: number;
  /**
   * Resume right after a finalized anchor from a checkpoint instead of genesis (ADR 0076); the
   * constructor throws `CheckpointError` when it is inconsistent.
   */
  readonly checkpoint?: ConsensusCheckpoint;
}
