/**
 * UTXO state engine: deterministic application of finalized anchors (eUTXO predicates v0,
 * value conservation with explicit fees, mint maturity tiers, bond/unbond with clock-free
 * windows), an authenticated bucketed-Merkle state root with inclusion and non-inclusion proofs,
 * durable crash-safe commits over a small {@linkcode Store} interface (Deno KV by default,
 * in-memory for tests), and root-guarded snapshots. Everything except `KvStore` is pure.
 * Spec: docs/spec/state.md, docs/spec/transactions.md, docs/spec/maturity.md.
 * @module
 */
export {
  StateError,
  type StateErrorCode,
  type StateErrorData,
  TxError,
  type TxErrorCode,
  type TxErrorData,
} from "./errors.ts";
export type {
  AnchorReceipt,
  Bond,
  FinalizedAnchor,
  FinalizedEvent,
  OutPoint,
  Predicate,
  SeatExit,
  SkippedItem,
  StateMint,
  StateTx,
  Tx,
  Utxo,
} from "./types.ts";
export {
  bucketOf,
  BUCKETS,
  leafHash,
  StateCommitment,
  type StateProof,
  verifyStateProof,
} from "./commitment.ts";
export { StateEngine, type StateEngineOptions, type SupplyInfo } from "./engine.ts";
export { bondKey, stateKey, utxoKey } from "./_entry.ts";
export type { BatchVerifier, SigItem } from "./_schnorr.ts";
export {
  checkBatch,
  keySize,
  KV_LIMITS,
  MemoryStore,
  type Store,
  type StoreKey,
  type StoreKeyPart,
  type StoreLimits,
  type StoreMutation,
} from "./store.ts";
export { type CommitStats, StateDb, type StateDbOptions } from "./db.ts";
export { KvStore, readSnapshotFile, writeSnapshotFile } from "./kv_store.ts";
export {
  type DecodedSnapshot,
  decodeSnapshot,
  restoreSnapshot,
  snapshotChunks,
} from "./snapshot.ts";
