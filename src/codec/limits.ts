/**
 * Named size limits of the wire formats (docs/spec/codec.md §6). Every decoder checks a length
 * against one of these before allocating.
 * @module
 */
import { MAX_COMMITTEE_SIZE, MAX_PARENTS, MAX_PAYLOAD_TXS as B, SHARDS } from "../params/mod.ts";

/** Inputs per transaction (claim transactions may have zero). */
export const MAX_INPUTS = 64;
/** Outputs per transaction. */
export const MAX_OUTPUTS = 64;
/** Public keys of a `multi` predicate (n). */
export const MAX_MULTI_KEYS = 16;
/** Informative signer count of a `musig` predicate. */
export const MAX_MUSIG_SIGNERS = 64;
/** Signatures in one witness. */
export const MAX_WITNESS_SIGS = 16;
/** Hashlock preimage bytes. */
export const MAX_PREIMAGE_BYTES = 64;
/** Encoded transaction bytes. */
export const MAX_TX_BYTES = 100_000;
/** Transactions in one event payload (B). */
export const MAX_PAYLOAD_TXS = B;
/** Encoded event payload bytes. */
export const MAX_PAYLOAD_BYTES = 2_097_152;
/** Other parents of an event (P - 1; the self-parent is separate). */
export const MAX_OTHER_PARENTS = MAX_PARENTS - 1;
/** Mints carried by one event. */
export const MAX_EVENT_MINTS = 4;
/** Evidence items carried by one event. */
export const MAX_EVENT_EVIDENCE = 4;
/** Bytes of the invalidity proof inside vote-for-invalid evidence. */
export const MAX_INVALIDITY_PROOF_BYTES = 65_536;
/** Encoded event bytes (header, mints, evidence, signature). */
export const MAX_EVENT_BYTES = 600_000;
/** Encoded mint bytes. */
export const MAX_MINT_BYTES = 1_024;
/** Encoded evidence bytes. */
export const MAX_EVIDENCE_BYTES = 140_000;
/** Merkle proof depth (2^32 leaves). */
export const MAX_MERKLE_PROOF = 32;
/** Encoded claim bytes. */
export const MAX_CLAIM_BYTES = 2_048;
/** Encoded anchor bytes. */
export const MAX_ANCHOR_BYTES = 512;
/** Encoded predicate bytes. */
export const MAX_PREDICATE_BYTES = 1_024;
/** Number of shards (shard ids are 0..SHARDS-1). */
export const MAX_SHARDS = SHARDS;
/** Seats per committee (seat ids are 0..MAX_SEATS-1, bit i of a vote mask). */
export const MAX_SEATS = MAX_COMMITTEE_SIZE;
