/**
 * Messages between the {@linkcode MinerPool} and its hashing workers. Private to the miner module.
 * @module
 */

/** Which BLAKE3 implementation a worker hashes with. */
export type HasherKind = "auto" | "js";

/** Sent once to each worker after it starts. */
export interface InitMessage {
  readonly type: "init";
  /** Int32Array over it: slot 0 holds the generation of the current job. */
  readonly control: SharedArrayBuffer;
  /** BigInt64Array over it: slot `workerIndex` counts hashes done by that worker. */
  readonly counters: SharedArrayBuffer;
  /** Index of this worker. */
  readonly workerIndex: number;
  /** Hasher to use. */
  readonly hasher: HasherKind;
  /** Messages hashed per batch (one FFI crossing per batch on the native path). */
  readonly batchSize: number;
}

/** A nonce search: worker searches `start, start+stride, …` until the generation changes. */
export interface JobMessage {
  readonly type: "job";
  readonly generation: number;
  readonly preimage: Uint8Array;
  readonly nonceOffset: number;
  readonly nonceLittleEndian: boolean;
  readonly target: Uint8Array;
  readonly start: bigint;
  readonly stride: bigint;
}

/** Worker → pool. */
export type WorkerReply =
  | { readonly type: "ready"; readonly hasher: "native" | "fallback" }
  | {
    readonly type: "found";
    readonly generation: number;
    readonly nonce: bigint;
    readonly hash: Uint8Array;
  }
  | { readonly type: "exhausted"; readonly generation: number }
  | { readonly type: "error"; readonly message: string };
