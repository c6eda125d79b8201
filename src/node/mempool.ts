/**
 * The node's bounded mempool and the payload inclusion rule (docs/adr/0073-tx-gossip-and-
 * inclusion-rule.md). Entries are keyed by txid (hex) and also indexed by wtxid, the id gossip
 * announces (a txid does not commit to witnesses). Bounds: a transaction count, a byte budget and
 * a per-peer quota, so one peer's flood cannot fill the pool. The inclusion rule makes each
 * transaction the job of one seat, `owner = u32be(txid[0..4]) mod k`; any other seat proposes it
 * only after it waited `fallbackAnchors` finalized anchors, so seats do not all carry the same
 * transactions. Local policy only: nothing here enters consensus or state.
 * @module
 */
import { bytesToHex } from "@noble/hashes/utils.js";
import type { Tx } from "../codec/mod.ts";
import type { StateTx } from "../state/mod.ts";

const hex = bytesToHex;

/** Codes of {@linkcode MempoolError}. */
export type MempoolErrorCode = "MEMPOOL_FULL" | "MEMPOOL_PEER_QUOTA" | "TX_DOUBLE_SPEND";

/** Per-code data of {@linkcode MempoolError}. */
export interface MempoolErrorData {
  /** The pool holds its most transactions or bytes. */
  MEMPOOL_FULL: { txs: number; bytes: number };
  /** The peer the transaction came from holds its whole quota of pool entries. */
  MEMPOOL_PEER_QUOTA: { peer: string; quota: number };
  /** An input is already spent by another pool transaction. */
  TX_DOUBLE_SPEND: { outpoint: string; other: string };
}

/**
 * A transaction the mempool refuses. Nothing changed in the pool.
 * @example
 * ```ts
 * import { MempoolError } from "./mempool.ts";
 * const e = new MempoolError("MEMPOOL_FULL", { txs: 10, bytes: 100 });
 * console.assert(e.code === "MEMPOOL_FULL");
 * ```
 */
export class MempoolError<C extends MempoolErrorCode = MempoolErrorCode> extends Error {
  /** Error code. */
  readonly code: C;
  /** Data of this code. */
  readonly data: MempoolErrorData[C];

  /**
   * @param code error code
   * @param data per-code data
   */
  constructor(code: C, data: MempoolErrorData[C]) {
    super(message(code, data as unknown as Record<string, unknown>));
    this.name = "MempoolError";
    this.code = code;
    this.data = data;
  }
}

function message(code: MempoolErrorCode, d: Record<string, unknown>): string {
  switch (code) {
    case "MEMPOOL_FULL":
      return `Mempool full: ${String(d.txs)} transactions, ${String(d.bytes)} bytes`;
    case "MEMPOOL_PEER_QUOTA":
      return `Mempool quota of peer "${String(d.peer)}" used up: ${String(d.quota)} transactions`;
    default:
      return `Input already spent by mempool transaction ${String(d.other)}: ${String(d.outpoint)}`;
  }
}

/** One pool transaction. */
export interface MempoolEntry {
  /** The decoded transaction with its txid. */
  readonly st: StateTx;
  /** Its encoding (the body gossip serves). */
  readonly bytes: Uint8Array;
  /** wtxid hex: the id gossip announces and pulls by. */
  readonly wtxid: string;
  /** Fee in units. */
  readonly fee: bigint;
  /** Local receipt time, ms (finality metrics only). */
  readonly t0: number;
  /** Local finalized anchor index when admitted (fallback rule). */
  readonly anchor: number;
  /** Peer id it came from, `null` when submitted over RPC. */
  readonly from: string | null;
  /** Whether an event carrying it is in our DAG (ours or another seat's): not proposed again. */
  carried: boolean;
}

/** Bounds of {@linkcode Mempool}. */
export interface MempoolLimits {
  /** Most transactions. */
  readonly maxTxs: number;
  /** Most encoded bytes. */
  readonly maxBytes: number;
  /** Most entries admitted from one peer (RPC submissions are not counted). */
  readonly perPeerTxs: number;
}

/** What {@linkcode Mempool.select} takes for one own event. */
export interface SelectOptions {
  /** Our seat. */
  readonly seat: number;
  /** Committee size k. */
  readonly k: number;
  /** Current local anchor index. */
  readonly anchor: number;
  /** Anchors after admission from which any seat may propose a transaction. */
  readonly fallbackAnchors: number;
  /** Most transactions. */
  readonly maxTxs: number;
  /** Most encoded bytes. */
  readonly maxBytes: number;
}

/** Anchors a non-owner seat waits before proposing a transaction (ADR 0073). */
export const DEFAULT_FALLBACK_ANCHORS = 4;

/** Default byte budget of the pool. */
export const DEFAULT_MEMPOOL_BYTES = 64 * 1024 * 1024;

/**
 * The seat whose events carry a transaction first: `u32be(txid[0..4]) mod k`. The txid is already
 * a BLAKE3 output, so its prefix is uniform over seats.
 * @param txid 32-byte transaction id
 * @param k committee size (>= 1)
 * @returns seat index in 0..k-1
 * @throws {RangeError} on a bad txid or committee size
 * @example
 * ```ts
 * import { ownerSeat } from "./mempool.ts";
 * console.assert(ownerSeat(new Uint8Array(32).fill(1), 4) === 0x01010101 % 4);
 * ```
 */
export function ownerSeat(txid: Uint8Array, k: number): number {
  if (!(txid instanceof Uint8Array) || txid.length !== 32) {
    throw new RangeError("Owner seat needs a 32-byte txid");
  }
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`Committee size out of range: ${k}`);
  const v = ((txid[0]! << 24) | (txid[1]! << 16) | (txid[2]! << 8) | txid[3]!) >>> 0;
  return v % k;
}

/** Outpoint key shared with the validator's indexes: `txidhex:index(10 digits)`. */
export function outpointKey(txId: Uint8Array, index: number): string {
  return `${hex(txId)}:${index.toString().padStart(10, "0")}`;
}

/**
 * Bounded mempool with conflict, wtxid and per-peer indexes (see the module doc).
 * @example
 * ```ts ignore
 * const pool = new Mempool({ maxTxs: 1000, maxBytes: 1 << 20, perPeerTxs: 250 });
 * pool.add(entry);
 * const mine = pool.select({ seat: 0, k: 4, anchor: 10, fallbackAnchors: 4, maxTxs: 100, maxBytes: 1e5 });
 * ```
 */
export class Mempool {
  /** Effective bounds. */
  readonly limits: MempoolLimits;
  readonly #byId = new Map<string, MempoolEntry>();
  readonly #byWtxid = new Map<string, string>();
  readonly #spent = new Map<string, string>();
  readonly #perPeer = new Map<string, number>();
  #bytes = 0;

  /**
   * @param limits count, byte and per-peer bounds
   * @throws {RangeError} on a bound below 1
   */
  constructor(limits: MempoolLimits) {
    for (const [k, v] of Object.entries(limits)) {
      if (!Number.isInteger(v) || v < 1) throw new RangeError(`Mempool ${k} out of range: ${v}`);
    }
    this.limits = { ...limits };
  }

  /** Transactions held. */
  get size(): number {
    return this.#byId.size;
  }

  /** Encoded bytes held. */
  get bytes(): number {
    return this.#bytes;
  }

  /** @param txid txid hex @returns whether it is held */
  has(txid: string): boolean {
    return this.#byId.has(txid);
  }

  /** @param txid txid hex @returns the entry or `undefined` */
  get(txid: string): MempoolEntry | undefined {
    return this.#byId.get(txid);
  }

  /** @param wtxid wtxid hex @returns the entry or `undefined` */
  byWtxid(wtxid: string): MempoolEntry | undefined {
    const id = this.#byWtxid.get(wtxid);
    return id === undefined ? undefined : this.#byId.get(id);
  }

  /** @returns entries in admission order */
  values(): IterableIterator<MempoolEntry> {
    return this.#byId.values();
  }

  /** @returns `[txid hex, entry]` pairs in admission order */
  [Symbol.iterator](): IterableIterator<[string, MempoolEntry]> {
    return this.#byId.entries();
  }

  /** @param tx a transaction @returns the first conflicting pool entry's outpoint and txid */
  conflict(tx: Tx): { outpoint: string; other: string } | undefined {
    for (const i of tx.inputs) {
      const k = outpointKey(i.prevout.txId, i.prevout.index);
      const other = this.#spent.get(k);
      if (other !== undefined) return { outpoint: k, other };
    }
    return undefined;
  }

  /**
   * Checks the bounds and conflicts an admission would meet, without adding.
   * @param tx the transaction
   * @param bytes its encoded size
   * @param from peer id or `null` (RPC)
   * @throws {MempoolError} on a conflict, a full pool or a used-up peer quota
   */
  check(tx: Tx, bytes: number, from: string | null): void {
    const c = this.conflict(tx);
    if (c !== undefined) throw new MempoolError("TX_DOUBLE_SPEND", c);
    if (this.#byId.size >= this.limits.maxTxs || this.#bytes + bytes > this.limits.maxBytes) {
      throw new MempoolError("MEMPOOL_FULL", { txs: this.#byId.size, bytes: this.#bytes });
    }
    if (from !== null && (this.#perPeer.get(from) ?? 0) >= this.limits.perPeerTxs) {
      throw new MempoolError("MEMPOOL_PEER_QUOTA", { peer: from, quota: this.limits.perPeerTxs });
    }
  }

  /**
   * Adds an entry (a txid already held is left as it is).
   * @param e the entry
   * @returns `false` when the txid was already held
   * @throws {MempoolError} as {@linkcode Mempool.check}; nothing changes then
   */
  add(e: MempoolEntry): boolean {
    const id = hex(e.st.txId);
    if (this.#byId.has(id)) return false;
    this.check(e.st.tx, e.bytes.length, e.from);
    this.#byId.set(id, e);
    this.#byWtxid.set(e.wtxid, id);
    this.#bytes += e.bytes.length;
    for (const i of e.st.tx.inputs) {
      this.#spent.set(outpointKey(i.prevout.txId, i.prevout.index), id);
    }
    if (e.from !== null) this.#perPeer.set(e.from, (this.#perPeer.get(e.from) ?? 0) + 1);
    return true;
  }

  /**
   * Removes a transaction and its indexes.
   * @param txid txid hex
   * @returns the removed entry, or `undefined` when not held
   */
  delete(txid: string): MempoolEntry | undefined {
    const e = this.#byId.get(txid);
    if (e === undefined) return undefined;
    this.#byId.delete(txid);
    this.#byWtxid.delete(e.wtxid);
    this.#bytes -= e.bytes.length;
    for (const i of e.st.tx.inputs) {
      const k = outpointKey(i.prevout.txId, i.prevout.index);
      if (this.#spent.get(k) === txid) this.#spent.delete(k);
    }
    if (e.from !== null) {
      const n = (this.#perPeer.get(e.from) ?? 1) - 1;
      if (n <= 0) this.#perPeer.delete(e.from);
      else this.#perPeer.set(e.from, n);
    }
    return e;
  }

  /**
   * Marks a transaction as carried by an event in the DAG, so no seat of ours proposes it again.
   * @param txid txid hex
   */
  markCarried(txid: string): void {
    const e = this.#byId.get(txid);
    if (e !== undefined) e.carried = true;
  }

  /** @param o seat, committee, anchor and fallback @returns whether work waits for this seat */
  hasWork(o: Pick<SelectOptions, "seat" | "k" | "anchor" | "fallbackAnchors">): boolean {
    for (const e of this.#byId.values()) if (this.#mine(e, o)) return true;
    return false;
  }

  /**
   * The transactions an own event of `seat` carries: not yet carried, and submitted here over RPC,
   * owned by the seat or past the fallback wait, in admission order, within the count and byte
   * budgets.
   * @param o seat, committee size, anchor, fallback and budgets
   * @returns the entries (not marked; the caller marks them once the event exists)
   */
  select(o: SelectOptions): MempoolEntry[] {
    const out: MempoolEntry[] = [];
    let bytes = 0;
    for (const e of this.#byId.values()) {
      if (out.length >= o.maxTxs) break;
      if (!this.#mine(e, o) || bytes + e.bytes.length > o.maxBytes) continue;
      out.push(e);
      bytes += e.bytes.length;
    }
    return out;
  }

  #mine(e: MempoolEntry, o: Pick<SelectOptions, "seat" | "k" | "anchor" | "fallbackAnchors">) {
    if (e.carried) return false;
    // A transaction submitted to this seat over RPC is carried by it at once: the client chose
    // this seat, and waiting for the owner would add a gossip round trip (announce, pull, the
    // owner's next event) to its latency. Copies that still race into the order are skipped
    // deterministically by the state (ADR 0073).
    if (e.from === null) return true;
    return ownerSeat(e.st.txId, o.k) === o.seat || o.anchor - e.anchor >= o.fallbackAnchors;
  }

  /**
   * Drops entries admitted `maxAge` or more anchors ago that are still not finalized (a carrying
   * event that never finalizes, or a transaction no seat will carry), so the pool cannot silt up.
   * @param anchor current anchor index
   * @param maxAge anchors
   * @returns the dropped txids
   */
  expire(anchor: number, maxAge: number): string[] {
    const out: string[] = [];
    for (const [id, e] of this.#byId) {
      // Admission order is anchor order: the first young entry ends the scan.
      if (anchor - e.anchor < maxAge) break;
      this.delete(id);
      out.push(id);
    }
    return out;
  }
}
