/**
 * The node's anti-entropy round (docs/spec/p2p.md §4.1, ADR 0078): ask every connected peer what
 * it holds (HAVE), the ids of each creator's events we lack (RANGE), and pull those (GET).
 *
 * Two rules keep a catching-up node from flooding itself and its peers (issue #8: a restarted
 * node that fell further behind while it "caught up"):
 * - one round at a time: a round on a busy node can take longer than the period, and overlapping
 *   rounds asked every peer for the same ids again, each adding pulls that time out;
 * - an id is pulled once per round: bodies go through the node's intake queue after the pull, so
 *   the DAG does not show them yet when the next peer is asked and every peer would be asked for
 *   the same gap.
 * @module
 */
import { bytesToHex } from "@noble/hashes/utils.js";
import type { FetchResult, HaveEntry } from "../p2p/mod.ts";

/** The p2p calls a round uses (P2pService implements them). */
export interface SyncNet {
  /** Connected peer ids. */
  peers(): string[];
  /** HAVE: per-creator latest sequence a peer holds. */
  fetchHave(peer: string): Promise<HaveEntry[]>;
  /** RANGE: ids of a creator's events from `fromSeq` on. */
  fetchRange(
    peer: string,
    creator: Uint8Array,
    fromSeq: bigint,
    limit: number,
  ): Promise<Uint8Array[]>;
  /** GET: pulls bodies (delivered to the node's intake) and says what stayed missing. */
  fetchIds(kind: "events", ids: readonly Uint8Array[], peer?: string): Promise<FetchResult>;
}

/** What the node knows locally. */
export interface SyncLocal {
  /** Committee seat of a creator id, -1 when not a member. */
  seatOf(creator: Uint8Array): number;
  /** Per seat: highest sequence in the DAG, -1 when none. */
  knownSeqs(): ArrayLike<number>;
  /** Whether the node already holds this event's body (in its DAG, buffered, or queued). */
  holds(id: Uint8Array): boolean;
  /** Ids buffered events wait for (missing parents), at most `limit`. */
  wanted(limit: number): Uint8Array[];
}

/** Most ids asked per RANGE (the wire limit, MAX_RANGE_IDS). */
export const RANGE_LIMIT = 512;
/** Most missing parents asked per peer and round. */
export const WANTED_LIMIT = 128;

/** Counters of the rounds run so far. */
export interface AntiEntropyStats {
  /** Rounds started. */
  rounds: number;
  /** Ticks skipped because the previous round was still running. */
  skipped: number;
  /** Ids asked for with GET. */
  requested: number;
}

/**
 * Runs anti-entropy rounds, one at a time.
 * @example
 * ```ts
 * import { AntiEntropy } from "./anti_entropy.ts";
 * const ae = new AntiEntropy(
 *   { peers: () => [], fetchHave: async () => [], fetchRange: async () => [],
 *     fetchIds: async () => ({ bodies: [], missing: [] }) },
 *   { seatOf: () => -1, knownSeqs: () => [], holds: () => false, wanted: () => [] },
 * );
 * await ae.tick();
 * console.assert(ae.stats.rounds === 1);
 * ```
 */
export class AntiEntropy {
  readonly #net: SyncNet;
  readonly #local: SyncLocal;
  readonly #onError: (peer: string, e: Error) => void;
  #running: Promise<void> | null = null;
  /** Counters (rounds, skipped ticks, ids requested). */
  readonly stats: AntiEntropyStats = { rounds: 0, skipped: 0, requested: 0 };

  /**
   * @param net the p2p calls
   * @param local the node's view
   * @param onError called when a round with one peer fails (the round goes on with the next)
   */
  constructor(
    net: SyncNet,
    local: SyncLocal,
    onError: (peer: string, e: Error) => void = () => {},
  ) {
    this.#net = net;
    this.#local = local;
    this.#onError = onError;
  }

  /**
   * Starts a round unless one is running (then the tick is skipped and counted).
   * @returns when the round (or the one still running) ends
   */
  tick(): Promise<void> {
    if (this.#running !== null) {
      this.stats.skipped++;
      return this.#running;
    }
    this.stats.rounds++;
    this.#running = this.#round().finally(() => (this.#running = null));
    return this.#running;
  }

  async #round(): Promise<void> {
    let peers: string[];
    try {
      peers = this.#net.peers();
    } catch {
      // Stopped between the tick and the call.
      return;
    }
    // Ids pulled in this round (accepted, so queued to the intake): not asked of the next peer.
    const got = new Set<string>();
    const fresh = (ids: readonly Uint8Array[]) =>
      ids.filter((id) => {
        const k = bytesToHex(id);
        return !got.has(k) && !this.#local.holds(id);
      });
    const pull = async (ids: Uint8Array[], peer: string) => {
      if (ids.length === 0) return;
      this.stats.requested += ids.length;
      const r = await this.#net.fetchIds("events", ids, peer);
      for (const b of r.bodies) got.add(bytesToHex(b.id));
    };
    for (const peer of peers) {
      try {
        const have = await this.#net.fetchHave(peer);
        for (const h of have) {
          const seat = this.#local.seatOf(h.creator);
          if (seat < 0) continue;
          const known = this.#local.knownSeqs()[seat] ?? -1;
          if (h.seq <= BigInt(known)) continue;
          const ids = await this.#net.fetchRange(peer, h.creator, BigInt(known + 1), RANGE_LIMIT);
          await pull(fresh(ids), peer);
        }
        await pull(fresh(this.#local.wanted(WANTED_LIMIT)), peer);
      } catch (e) {
        this.#onError(peer, e as Error);
      }
    }
  }
}
