/**
 * Per-address history of finalized credits and debits, for the `get_history` RPC
 * (docs/spec/wallet.md §3). Fed in finalization order by the validator (genesis allocations,
 * accepted mints, applied transactions); rebuilt on start by the same DAG replay that rebuilds the
 * other RPC indexes, so it is in memory only.
 *
 * Memory is bounded per address and in total: the newest {@linkcode MAX_HISTORY_PER_ADDRESS}
 * entries of each address are kept, and at most {@linkcode MAX_HISTORY_ENTRIES} over all addresses
 * (the oldest of the whole index go first); a page that reaches dropped entries says so with
 * `truncated`. The owner map
 * that turns a spent outpoint into a debit holds one entry per unspent output paying a
 * predicate, i.e. it is as large as the UTXO set, which the state engine holds anyway.
 * @module
 */
import { bytesToHex } from "@noble/hashes/utils.js";
import { type Predicate, predicateCommitment, type Tx } from "../codec/mod.ts";
import { MAX_HISTORY_PAGE } from "../rpc/limits.ts";

export { MAX_HISTORY_PAGE };

/** Newest entries kept per address; older ones are dropped (ADR 0056). */
export const MAX_HISTORY_PER_ADDRESS = 1000;
/**
 * Entries kept over all addresses (about 0.34 GB at the measured ~340 bytes per entry); above it
 * the oldest entries of the whole index are dropped first (ADR 0056).
 */
export const MAX_HISTORY_ENTRIES = 1_000_000;
/** `limit` when the caller gives none. */
export const DEFAULT_HISTORY_PAGE = 50;

/** What produced an entry. */
export type HistoryKind = "genesis" | "mint" | "tx";

/** One finalized change of an address's balance by one transaction, mint or allocation. */
export interface HistoryEntry {
  /** Position in the node's finalization order (cursor material). */
  readonly seq: number;
  /** Transaction id, mint id or genesis allocation id (hex). */
  readonly txid: string;
  /** Index of the anchor that finalized it (0 for genesis allocations). */
  readonly anchor: number;
  /** What produced it. */
  readonly kind: HistoryKind;
  /** Units paid to the address. */
  readonly credit: bigint;
  /** Units of the address's outputs spent. */
  readonly debit: bigint;
}

/** One page of an address's history, newest first. */
export interface HistoryPage {
  /** Entries, newest first. */
  readonly entries: readonly HistoryEntry[];
  /** Cursor of the next (older) page, or null at the end of what is kept. */
  readonly nextCursor: string | null;
  /** Older entries of this address were dropped by the per-address cap. */
  readonly truncated: boolean;
}

/**
 * The keys an output predicate is indexed under: the commitment of the predicate itself and,
 * for `commit(c)`, `c` (what an address decodes to). Same rule as the node's UTXO index.
 * @param pr output predicate
 * @returns hex keys
 */
export function historyKeys(pr: Predicate): string[] {
  const keys = [bytesToHex(predicateCommitment(pr))];
  if (pr.type === "commit") keys.push(bytesToHex(pr.commitment));
  return keys;
}

interface Owned {
  readonly keys: readonly string[];
  readonly amount: bigint;
}

interface AddressLog {
  entries: HistoryEntry[];
  dropped: number;
}

const CURSOR = /^(0|[1-9][0-9]{0,14})$/;

function outKey(txId: string, index: number): string {
  return `${txId}:${index}`;
}

/**
 * In-memory history index.
 * @example
 * ```ts
 * import { HistoryIndex } from "./history.ts";
 * const h = new HistoryIndex();
 * const pr = { type: "commit" as const, commitment: new Uint8Array(32).fill(1) };
 * h.addMint(7, new Uint8Array(32).fill(2), 500n, pr, "mint");
 * const page = h.page("01".repeat(32), 10, null);
 * console.assert(page.entries[0]!.credit === 500n && page.entries[0]!.anchor === 7);
 * ```
 */
export class HistoryIndex {
  readonly #cap: number;
  readonly #maxEntries: number;
  readonly #logs = new Map<string, AddressLog>();
  /**
   * Every kept entry as (key, seq) in insertion order, for the total bound, in two parallel arrays
   * (no object per entry); may hold stale items, compacted below.
   */
  #orderKeys: string[] = [];
  #orderSeqs: number[] = [];
  #head = 0;
  #total = 0;
  /** Whether the total bound ever dropped entries (then any address may miss old ones). */
  #evicted = false;
  readonly #owned = new Map<string, Owned>();
  #seq = 0;

  /**
   * @param opts per-address cap (default {@linkcode MAX_HISTORY_PER_ADDRESS}) and total cap
   *   (default {@linkcode MAX_HISTORY_ENTRIES}); tests lower them
   * @throws {RangeError} on a cap below 1
   */
  constructor(opts: { perAddress?: number; total?: number } = {}) {
    this.#cap = opts.perAddress ?? MAX_HISTORY_PER_ADDRESS;
    this.#maxEntries = opts.total ?? MAX_HISTORY_ENTRIES;
    if (!Number.isInteger(this.#cap) || this.#cap < 1) {
      throw new RangeError(`Invalid history cap: ${opts.perAddress}`);
    }
    if (!Number.isInteger(this.#maxEntries) || this.#maxEntries < 1) {
      throw new RangeError(`Invalid history total cap: ${opts.total}`);
    }
  }

  /** Number of entries kept over all addresses. */
  get entries(): number {
    return this.#total;
  }

  /** Number of addresses (index keys) with at least one entry. */
  get addresses(): number {
    return this.#logs.size;
  }

  /** Number of unspent outputs tracked for debits. */
  get trackedOutputs(): number {
    return this.#owned.size;
  }

  /**
   * Records a finalized mint or genesis allocation paying `payout` at output 0 of `mintId`.
   * @param anchor finalizing anchor index (0 for genesis)
   * @param mintId mint id or allocation id
   * @param amount units
   * @param payout output predicate
   * @param kind "mint" or "genesis"
   */
  addMint(
    anchor: number,
    mintId: Uint8Array,
    amount: bigint,
    payout: Predicate,
    kind: "mint" | "genesis",
  ): void {
    const id = bytesToHex(mintId);
    const keys = historyKeys(payout);
    this.#owned.set(outKey(id, 0), { keys, amount });
    const seq = this.#seq++;
    for (const k of keys) {
      this.#push(k, { seq, txid: id, anchor, kind, credit: amount, debit: 0n });
    }
  }

  /**
   * Tracks an unspent output for debits without recording a credit: the node calls it for the
   * UTXO set it opens with, so a spend of an output created before the replayable history (an
   * imported snapshot) still shows as a debit. Idempotent with the replay, which tracks the same
   * outpoints with the same values.
   * @param txId creating transaction or mint id
   * @param index output index
   * @param amount units
   * @param predicate output predicate
   */
  trackOutput(txId: Uint8Array, index: number, amount: bigint, predicate: Predicate): void {
    this.#owned.set(outKey(bytesToHex(txId), index), { keys: historyKeys(predicate), amount });
  }

  /**
   * Records an applied transaction: one entry per address it pays or spends from, with the
   * credit and debit summed over its outputs and inputs.
   * @param anchor finalizing anchor index
   * @param txId transaction id
   * @param tx the transaction
   */
  addTx(anchor: number, txId: Uint8Array, tx: Tx): void {
    const id = bytesToHex(txId);
    const sums = new Map<string, { credit: bigint; debit: bigint }>();
    const at = (k: string) => {
      let s = sums.get(k);
      if (s === undefined) sums.set(k, s = { credit: 0n, debit: 0n });
      return s;
    };
    for (const i of tx.inputs) {
      const ok = outKey(bytesToHex(i.prevout.txId), i.prevout.index);
      const o = this.#owned.get(ok);
      if (o === undefined) continue;
      this.#owned.delete(ok);
      for (const k of o.keys) at(k).debit += o.amount;
    }
    tx.outputs.forEach((o, index) => {
      const keys = historyKeys(o.predicate);
      this.#owned.set(outKey(id, index), { keys, amount: o.amount });
      for (const k of keys) at(k).credit += o.amount;
    });
    const seq = this.#seq++;
    // Map order is insertion order, itself a function of the transaction: deterministic.
    for (const [k, s] of sums) {
      this.#push(k, { seq, txid: id, anchor, kind: "tx", credit: s.credit, debit: s.debit });
    }
  }

  #push(key: string, e: HistoryEntry): void {
    let log = this.#logs.get(key);
    if (log === undefined) this.#logs.set(key, log = { entries: [], dropped: 0 });
    log.entries.push(e);
    this.#orderKeys.push(key);
    this.#orderSeqs.push(e.seq);
    this.#total++;
    if (log.entries.length > this.#cap) {
      // The address's oldest entry goes; its item in #order turns stale (skipped below).
      log.entries.shift();
      log.dropped++;
      this.#total--;
    }
    while (this.#total > this.#maxEntries && this.#head < this.#orderKeys.length) {
      const k = this.#orderKeys[this.#head]!;
      const seq = this.#orderSeqs[this.#head++]!;
      const l = this.#logs.get(k);
      if (l === undefined || l.entries[0]?.seq !== seq) continue; // stale: already dropped
      l.entries.shift();
      l.dropped++;
      this.#total--;
      // An emptied address is forgotten so that the number of addresses stays bounded too.
      if (l.entries.length === 0) this.#logs.delete(k);
      this.#evicted = true;
    }
    // Compact once stale and consumed items outnumber the live ones, so #order stays O(total).
    const n = this.#orderKeys.length;
    if (n > 1024 && n > 2 * this.#total) {
      const keys: string[] = [];
      const seqs: number[] = [];
      for (let i = this.#head; i < n; i++) {
        const first = this.#logs.get(this.#orderKeys[i]!)?.entries[0]?.seq;
        if (first !== undefined && first <= this.#orderSeqs[i]!) {
          keys.push(this.#orderKeys[i]!);
          seqs.push(this.#orderSeqs[i]!);
        }
      }
      this.#orderKeys = keys;
      this.#orderSeqs = seqs;
      this.#head = 0;
    }
  }

  /**
   * One page of the history of an index key (an address's 32-byte program, hex), newest first.
   * @param key commitment hex
   * @param limit entries at most, 1..{@linkcode MAX_HISTORY_PAGE}
   * @param cursor `nextCursor` of the previous page, or null for the newest
   * @returns the page
   * @throws {RangeError} on a bad limit or a malformed cursor
   */
  page(key: string, limit: number, cursor: string | null): HistoryPage {
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_HISTORY_PAGE) {
      throw new RangeError(`Invalid history limit: ${limit} is outside 1..${MAX_HISTORY_PAGE}`);
    }
    if (cursor !== null && !CURSOR.test(cursor)) {
      throw new RangeError(`Invalid history cursor: "${String(cursor).slice(0, 40)}"`);
    }
    const log = this.#logs.get(key);
    if (log === undefined) return { entries: [], nextCursor: null, truncated: this.#evicted };
    const before = cursor === null ? Infinity : Number(cursor);
    // Entries are in ascending seq: find the newest one below the cursor by binary search.
    let lo = 0;
    let hi = log.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (log.entries[mid]!.seq < before) lo = mid + 1;
      else hi = mid;
    }
    const end = lo;
    const start = Math.max(0, end - limit);
    const entries = log.entries.slice(start, end).reverse();
    const more = start > 0;
    return {
      entries,
      nextCursor: more ? String(entries[entries.length - 1]!.seq) : null,
      truncated: !more && (log.dropped > 0 || this.#evicted),
    };
  }
}

/**
 * The JSON form of a page (docs/spec/wallet.md §3): u64 and i64 as decimal strings.
 * @param page the page
 * @returns the `get_history` result
 */
export function historyPageToJson(page: HistoryPage): Record<string, unknown> {
  return {
    entries: page.entries.map((e) => ({
      txid: e.txid,
      anchor: String(e.anchor),
      kind: e.kind,
      credit: e.credit.toString(),
      debit: e.debit.toString(),
      delta: (e.credit - e.debit).toString(),
    })),
    next_cursor: page.nextCursor,
    truncated: page.truncated,
  };
}
