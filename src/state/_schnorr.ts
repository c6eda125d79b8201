/**
 * Signature verification seam of the state engine: the batch verifier type and its default,
 * the crypto module's native (multi-threaded) BIP-340 batch verifier.
 * @module
 */
import {
  type SchnorrBatchItem,
  type SchnorrBatchOptions,
  schnorrVerifyBatch,
  schnorrVerifyBatchSync,
} from "../crypto/mod.ts";

/** One signature to check (crypto's `SchnorrBatchItem`). */
export type SigItem = SchnorrBatchItem;

/**
 * Batch verifier: one verdict per item, in order. `opts.background` marks a batch verified ahead
 * while the engine's caller keeps working (crypto's `SchnorrBatchOptions`); a verifier may ignore it.
 */
export type BatchVerifier = (
  items: readonly SigItem[],
  opts?: SchnorrBatchOptions,
) => Promise<boolean[]> | boolean[];

/** Default verifier: crypto's `schnorrVerifyBatch` (native threads when available). */
export const defaultVerifier: BatchVerifier = (items, opts) => schnorrVerifyBatch(items, opts);

/** Synchronous single-thread verifier (fallback for items missing from a batch). */
export const syncVerifier = (items: readonly SigItem[]): boolean[] => schnorrVerifyBatchSync(items);
