/**
 * A pool of Deno Workers that search nonces for a mint template (docs/spec/mint.md §9).
 * @module
 */
import type { PowJob } from "../mint/mod.ts";
import type { HasherKind, InitMessage, JobMessage, WorkerReply } from "./_protocol.ts";

export type { HasherKind } from "./_protocol.ts";

/** Options of a {@linkcode MinerPool}. */
export interface MinerPoolOptions {
  /** Number of hashing workers (1..256). */
  readonly threads: number;
  /** Nonces hashed per batch (1..65536); larger amortises FFI crossings, smaller cancels faster. */
  readonly batchSize?: number;
  /** `auto` uses the crypto module's BLAKE3 (native when it loads); `js` forces @noble/hashes. */
  readonly hasher?: HasherKind;
}

/** A nonce that meets the job's target. */
export interface PoolSolution {
  /** The winning nonce. */
  readonly nonce: bigint;
  /** Its PoW hash. */
  readonly hash: Uint8Array;
}

interface Pending {
  readonly generation: number;
  readonly resolve: (s: PoolSolution | null) => void;
  readonly reject: (e: Error) => void;
  exhausted: number;
}

/**
 * Worker pool searching nonces in parallel: worker `i` of `n` tries `start+i, start+i+n, …`.
 * A new {@linkcode MinerPool.search} (a refreshed template) cancels the running one within one
 * batch per worker.
 *
 * @example
 * ```ts
 * import { MinerPool } from "./mod.ts";
 * const pool = new MinerPool({ threads: 1 });
 * await pool.start();
 * const target = new Uint8Array(32).fill(0xff);
 * const s = await pool.search({
 *   preimage: new Uint8Array(16), nonceOffset: 8, nonceLittleEndian: true, target,
 * });
 * console.assert(s !== null);
 * await pool.stop();
 * ```
 */
export class MinerPool {
  readonly #threads: number;
  readonly #batchSize: number;
  readonly #hasherKind: HasherKind;
  readonly #control = new Int32Array(new SharedArrayBuffer(4));
  #counters: BigInt64Array;
  #workers: Worker[] = [];
  #pending: Pending | undefined;
  #generation = 0;
  #hasher: "native" | "fallback" | undefined;

  /**
   * @param options thread count, batch size and hasher
   * @throws {RangeError} when `threads` or `batchSize` is out of range
   */
  constructor(options: MinerPoolOptions) {
    const { threads, batchSize = 256, hasher = "auto" } = options;
    if (!Number.isInteger(threads) || threads < 1 || threads > 256) {
      throw new RangeError(`Thread count out of range 1..256: ${threads}`);
    }
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 65_536) {
      throw new RangeError(`Batch size out of range 1..65536: ${batchSize}`);
    }
    this.#threads = threads;
    this.#batchSize = batchSize;
    this.#hasherKind = hasher;
    this.#counters = new BigInt64Array(new SharedArrayBuffer(8 * threads));
  }

  /** Number of workers. */
  get threads(): number {
    return this.#threads;
  }

  /** BLAKE3 path the workers use, known after {@linkcode MinerPool.start}. */
  get hasher(): "native" | "fallback" | undefined {
    return this.#hasher;
  }

  /** Whether a search is running. */
  get searching(): boolean {
    return this.#pending !== undefined;
  }

  /**
   * Start the workers and wait until each has loaded its hasher.
   * @returns when all workers are ready
   * @throws {Error} when a worker fails to start
   */
  async start(): Promise<void> {
    if (this.#workers.length > 0) return;
    const ready: Promise<void>[] = [];
    for (let i = 0; i < this.#threads; i++) {
      const w = new Worker(new URL("./_worker.ts", import.meta.url), { type: "module" });
      this.#workers.push(w);
      ready.push(
        new Promise<void>((resolve, reject) => {
          w.onmessage = (ev: MessageEvent<WorkerReply>) => {
            const m = ev.data;
            if (m.type === "ready") {
              this.#hasher = m.hasher;
              w.onmessage = (e: MessageEvent<WorkerReply>) => this.#onReply(e.data);
              resolve();
            } else if (m.type === "error") {
              reject(new Error(`Miner worker ${i} failed to start: ${m.message}`));
            }
          };
          w.onerror = (e: ErrorEvent) => {
            e.preventDefault();
            const err = new Error(`Miner worker ${i} crashed: ${e.message}`);
            reject(err);
            this.#fail(err);
          };
        }),
      );
      const init: InitMessage = {
        type: "init",
        control: this.#control.buffer as SharedArrayBuffer,
        counters: this.#counters.buffer as SharedArrayBuffer,
        workerIndex: i,
        hasher: this.#hasherKind,
        batchSize: this.#batchSize,
      };
      w.postMessage(init);
    }
    try {
      await Promise.all(ready);
    } catch (e) {
      this.#terminate();
      throw e;
    }
  }

  /**
   * Search nonces for a job. Cancels (resolves with `null`) any search still running.
   * @param job PoW preimage, nonce position and target (see `powJob` in src/mint)
   * @param startNonce first nonce to try
   * @returns the first solution found, or `null` when cancelled or the nonce space ran out
   * @throws {Error} when the pool is not started or a worker fails
   */
  search(job: PowJob, startNonce = 0n): Promise<PoolSolution | null> {
    if (this.#workers.length === 0) throw new Error("Miner pool is not started");
    if (job.target.length !== 32) {
      throw new RangeError(`Target must be 32 bytes: got ${job.target.length}`);
    }
    if (job.nonceOffset < 0 || job.nonceOffset + 8 > job.preimage.length) {
      throw new RangeError(`Nonce offset out of range: ${job.nonceOffset}`);
    }
    this.cancel();
    const generation = ++this.#generation;
    Atomics.store(this.#control, 0, generation);
    const p = new Promise<PoolSolution | null>((resolve, reject) => {
      this.#pending = { generation, resolve, reject, exhausted: 0 };
    });
    const stride = BigInt(this.#threads);
    this.#workers.forEach((w, i) => {
      const m: JobMessage = {
        type: "job",
        generation,
        preimage: job.preimage,
        nonceOffset: job.nonceOffset,
        nonceLittleEndian: job.nonceLittleEndian,
        target: job.target,
        start: startNonce + BigInt(i),
        stride,
      };
      w.postMessage(m);
    });
    return p;
  }

  /** Stop the running search, if any; its promise resolves with `null`. */
  cancel(): void {
    // Bumping the generation stops every worker after its current batch.
    Atomics.store(this.#control, 0, ++this.#generation);
    const p = this.#pending;
    this.#pending = undefined;
    p?.resolve(null);
  }

  /**
   * Total hashes computed by all workers since the pool started.
   * @returns hash count
   */
  hashes(): bigint {
    let s = 0n;
    for (let i = 0; i < this.#threads; i++) s += Atomics.load(this.#counters, i);
    return s;
  }

  /**
   * Cancel any search and terminate the workers.
   * @returns when stopped
   */
  stop(): Promise<void> {
    this.cancel();
    this.#terminate();
    return Promise.resolve();
  }

  #terminate(): void {
    for (const w of this.#workers) w.terminate();
    this.#workers = [];
  }

  #fail(e: Error): void {
    const p = this.#pending;
    this.#pending = undefined;
    p?.reject(e);
  }

  #onReply(m: WorkerReply): void {
    const p = this.#pending;
    if (m.type === "error") {
      this.#fail(new Error(`Miner worker failed: ${m.message}`));
      return;
    }
    if (m.type === "ready" || p === undefined || m.generation !== p.generation) return;
    if (m.type === "found") {
      this.#finish(p);
      p.resolve({ nonce: m.nonce, hash: m.hash });
    } else if (m.type === "exhausted" && ++p.exhausted === this.#threads) {
      this.#finish(p);
      p.resolve(null);
    }
  }

  #finish(p: Pending): void {
    if (this.#pending === p) this.#pending = undefined;
    Atomics.store(this.#control, 0, ++this.#generation);
  }
}
