/**
 * Deterministic synthetic workload (seeded PRNG, no signatures): finalized anchors with mints,
 * 1-input/2-output transfers, merges and a share of invalid transactions. Shared by the state
 * tests, the crash test driver, the benchmark and the load script; never used by the node.
 * @module
 */
import { DEVNET, type NetworkParams } from "../params/mod.ts";
import type { FinalizedAnchor, FinalizedEvent, OutPoint, Predicate, StateTx } from "./types.ts";
import type { Witness } from "../codec/mod.ts";

/** Devnet with very short maturities so workloads spend mints quickly. */
export const WORKLOAD_NETWORK: NetworkParams = Object.freeze({
  ...DEVNET,
  maturityAnchors: Object.freeze([1n, 2n, 3n] as const),
  unbondingAnchors: 3n,
});

/** xorshift128+ style 32-bit PRNG (deterministic, seedable). */
export class Prng {
  #s = new Uint32Array(4);
  constructor(seed: number) {
    let x = (seed >>> 0) || 1;
    for (let i = 0; i < 4; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      this.#s[i] = x >>> 0;
    }
  }
  /** Next u32. */
  u32(): number {
    const s = this.#s;
    let t = s[3]!;
    const u = s[0]!;
    s[3] = s[2]!;
    s[2] = s[1]!;
    s[1] = u;
    t ^= t << 11;
    t ^= t >>> 8;
    s[0] = (t ^ u ^ (u >>> 19)) >>> 0;
    return s[0]!;
  }
  /** Integer in `[0, n)`. */
  int(n: number): number {
    return this.u32() % n;
  }
  /** `n` pseudo-random bytes. */
  bytes(n: number): Uint8Array {
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i += 4) {
      const v = this.u32();
      b[i] = v & 255;
      if (i + 1 < n) b[i + 1] = (v >>> 8) & 255;
      if (i + 2 < n) b[i + 2] = (v >>> 16) & 255;
      if (i + 3 < n) b[i + 3] = v >>> 24;
    }
    return b;
  }
}

/** Options of {@linkcode Workload}. */
export interface WorkloadOptions {
  /** PRNG seed. */
  seed: number;
  /** Transactions per anchor. */
  txsPerAnchor: number;
  /** Mints per anchor (amount `mintUnits` each). */
  mintsPerAnchor?: number;
  /** Units per mint (default 25 PC). */
  mintUnits?: bigint;
  /** Per-mille of deliberately invalid transactions (default 0). */
  invalidPerMille?: number;
  /** Events per anchor the txs are spread over (default 4). */
  eventsPerAnchor?: number;
  /** Mints in anchor 0, so later anchors have enough to spend (default 2 x txsPerAnchor). */
  genesisMints?: number;
  /** Only 1-input/2-output transfers (benchmark shape); default mixes in merges. */
  splitOnly?: boolean;
}

const DUMMY_SIG = new Uint8Array(64);
const WITNESS: Witness = { sigs: [DUMMY_SIG], signers: 0, preimage: null, reveal: null };

/** A transfer in codec shape with a given (not recomputed) txId. */
export function transferTx(
  txId: Uint8Array,
  networkId: number,
  inputs: OutPoint[],
  outputs: { amount: bigint; predicate: Predicate }[],
  fee: bigint,
  witness: Witness = WITNESS,
): StateTx {
  return {
    txId,
    tx: {
      version: 1,
      networkId,
      kind: { type: "transfer" },
      inputs: inputs.map((prevout) => ({ prevout })),
      outputs,
      fee,
      witnesses: inputs.map(() => witness),
    },
  };
}

/**
 * Generates anchors against its own model of the spendable outputs. Run with
 * `verifySignatures: false`: witnesses carry a dummy signature.
 */
export class Workload {
  readonly rng: Prng;
  #o: Required<WorkloadOptions>;
  #spendable: { op: OutPoint; amount: bigint; at: number }[] = [];
  #next = 0;
  /** Pubkeys used by outputs (dummy). */
  readonly pred: Predicate;

  constructor(options: WorkloadOptions) {
    this.#o = {
      mintsPerAnchor: 4,
      mintUnits: 25n * 100_000_000n,
      invalidPerMille: 0,
      eventsPerAnchor: 4,
      genesisMints: 2 * options.txsPerAnchor,
      splitOnly: false,
      ...options,
    };
    this.rng = new Prng(options.seed);
    this.pred = { type: "key", pubkey: this.rng.bytes(32) };
  }

  /** Index of the next anchor. */
  get nextIndex(): number {
    return this.#next;
  }

  /**
   * The next anchor.
   * @returns A finalized anchor with index {@linkcode nextIndex}.
   */
  anchor(): FinalizedAnchor {
    const idx = this.#next++;
    const o = this.#o;
    const events: FinalizedEvent[] = [];
    for (let e = 0; e < o.eventsPerAnchor; e++) {
      events.push({ eventId: this.rng.bytes(32), mints: [], txs: [] });
    }
    for (let m = 0; m < (idx === 0 ? o.genesisMints : o.mintsPerAnchor); m++) {
      const mintId = this.rng.bytes(32);
      events[m % events.length]!.mints.push({
        mintId,
        amount: o.mintUnits,
        tier: 0,
        payout: this.pred,
      });
      // Tier 0 of WORKLOAD_NETWORK: spendable one anchor later.
      this.#spendable.push({ op: { txId: mintId, index: 0 }, amount: o.mintUnits, at: idx + 1 });
    }
    for (let t = 0; t < o.txsPerAnchor; t++) {
      const tx = this.#tx(idx);
      // Contiguous blocks keep generation order = total order (children after parents).
      if (tx !== null) events[Math.floor((t * events.length) / o.txsPerAnchor)]!.txs.push(tx);
    }
    return { index: idx, events };
  }

  #pick(idx: number): { op: OutPoint; amount: bigint; at: number } | null {
    // Swap-remove a random spendable entry that is mature at `idx`.
    for (let tries = 0; tries < 8 && this.#spendable.length > 0; tries++) {
      const i = this.rng.int(this.#spendable.length);
      const e = this.#spendable[i]!;
      if (e.at > idx) continue;
      this.#spendable[i] = this.#spendable[this.#spendable.length - 1]!;
      this.#spendable.pop();
      return e;
    }
    return null;
  }

  #tx(idx: number): StateTx | null {
    const invalid = this.rng.int(1000) < this.#o.invalidPerMille;
    const a = this.#pick(idx);
    if (a === null) return null;
    const txid = this.rng.bytes(32);
    const net = WORKLOAD_NETWORK.networkId;
    if (invalid) {
      // Put the input back: the invalid tx must not consume it in our model.
      this.#spendable.push(a);
      const kind = this.rng.int(3);
      const prevout = kind === 0 ? { txId: this.rng.bytes(32), index: 0 } : a.op;
      const fee = kind === 1 ? a.amount : 1n; // kind 1: fee mismatch (outputs + fee > inputs)
      const amount = a.amount > 2n ? a.amount - 1n : a.amount;
      return transferTx(txid, net, kind === 2 ? [prevout, prevout] : [prevout], [{
        amount,
        predicate: this.pred,
      }], fee);
    }
    const fee = a.amount > 1000n ? 10n : 0n;
    const rest = a.amount - fee;
    if (rest >= 2n && (this.#o.splitOnly || this.rng.int(4) !== 0)) {
      const x = 1n + BigInt(this.rng.u32()) % (rest - 1n);
      this.#spendable.push({ op: { txId: txid, index: 0 }, amount: x, at: idx });
      this.#spendable.push({ op: { txId: txid, index: 1 }, amount: rest - x, at: idx });
      return transferTx(txid, net, [a.op], [{ amount: x, predicate: this.pred }, {
        amount: rest - x,
        predicate: this.pred,
      }], fee);
    }
    // Merge two inputs when possible, else a 1-in/1-out move.
    const b = this.#pick(idx);
    const inputs = [a.op];
    let total = rest;
    if (b !== null) {
      inputs.push(b.op);
      total += b.amount;
    }
    this.#spendable.push({ op: { txId: txid, index: 0 }, amount: total, at: idx });
    return transferTx(txid, net, inputs, [{ amount: total, predicate: this.pred }], fee);
  }
}
