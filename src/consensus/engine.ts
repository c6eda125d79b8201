/**
 * Leaderless DAG + asynchronous BFT ordering: Hashgraph virtual voting (Baird 2016, Swirlds
 * TR-2016-01) with per-seat fame elections, a u64 vote mask carried in every event, deterministic
 * coin rounds and "round received" total order. See docs/spec/consensus.md for the protocol and
 * its mapping onto the paper; section numbers in comments refer to that file.
 *
 * The engine is a pure state machine: no clocks, randomness or I/O. Everything enters through
 * {@linkcode ConsensusEngine.receive} and {@linkcode ConsensusEngine.payloadArrived}.
 * @module
 */
import { bytesToHex, concatBytes, hexToBytes } from "@noble/hashes/utils.js";
import { blake3 } from "../crypto/mod.ts";
import { CROSS_LINK_MIN_COMMITTEE, MAX_COMMITTEE_SIZE, MAX_PARENTS } from "../params/mod.ts";
import { CheckpointError, type ConsensusCheckpoint } from "./checkpoint.ts";
import { ConsensusError, type ConsensusErrorCode } from "./errors.ts";
import { FifoSet } from "./fifo_set.ts";
import type { ConsensusConfig, ConsensusEvidence, EventHeader, FinalizedAnchor } from "./types.ts";

const BIT: readonly bigint[] = Array.from({ length: 64 }, (_, i) => 1n << BigInt(i));
const NONE = -1;
/**
 * An event not received within this many rounds after its own round is never ordered (§3.4).
 * A pure function of (round(x), r), so every node drops the same events whatever it holds.
 */
export const STALE_ROUNDS = 16;
/**
 * A refused event id is remembered for this many decided rounds after its refusal (ADR 0025), and
 * at most `maxRefused` of them at all. Forgetting one makes the node like one that never saw it.
 */
export const REFUSED_ROUNDS = 2 * STALE_ROUNDS;
const UNDECIDED = -2;
const ANCHOR_DOMAIN = new TextEncoder().encode("PC/anchor/v0");

/** Lowercase hex of bytes (the engine's map key for ids; byte order = string order). */
export function toHex(b: Uint8Array): string {
  // Ids are immutable by contract, so the hex of one id object is computed once.
  const c = hexCache.get(b);
  if (c !== undefined) return c;
  const s = bytesToHex(b);
  if (b.length === 32) hexCache.set(b, s);
  return s;
}
const hexCache = new WeakMap<Uint8Array, string>();

/**
 * Byzantine fault bound f = floor((k - 1) / 3) of a committee of k seats.
 * @param k committee size, 1..64
 * @returns f
 * @throws {RangeError} when k is outside 1..64
 * @example
 * ```ts
 * import { faultBound } from "./engine.ts";
 * console.assert(faultBound(21) === 6);
 * ```
 */
export function faultBound(k: number): number {
  if (!Number.isInteger(k) || k < 1 || k > MAX_COMMITTEE_SIZE) {
    throw new RangeError(`Committee size out of range: ${k}`);
  }
  return Math.floor((k - 1) / 3);
}

/**
 * Quorum of a committee of k seats: the smallest integer above 2k/3, i.e. floor(2k/3) + 1
 * (docs/spec/consensus.md §3.1, ADR 0021). It equals 2f + 1 when k = 3f + 1 (k = 4, 64); for other
 * k plain 2f + 1 would not intersect in an honest seat (k = 21: two sets of 13 share only 5 <= f).
 * @param k committee size, 1..64
 * @returns the quorum size
 * @throws {RangeError} when k is outside 1..64
 * @example
 * ```ts
 * import { quorum } from "./engine.ts";
 * console.assert(quorum(21) === 15 && quorum(4) === 3);
 * ```
 */
export function quorum(k: number): number {
  faultBound(k);
  return Math.floor((2 * k) / 3) + 1;
}

/**
 * Number of set bits of a u64 mask.
 * @param m mask
 * @returns popcount
 * @example
 * ```ts
 * import { popcount } from "./engine.ts";
 * console.assert(popcount(0b1011n) === 3);
 * ```
 */
export function popcount(m: bigint): number {
  let n = 0;
  let x = BigInt.asUintN(64, m);
  while (x !== 0n) {
    x &= x - 1n;
    n++;
  }
  return n;
}

interface Rec {
  readonly idx: number;
  readonly key: string;
  readonly h: EventHeader;
  readonly creator: number;
  readonly seq: number;
  /** Self-parent index or -1. */
  readonly self: number;
  /** All parent indices (self-parent first). */
  readonly parents: readonly number[];
  /** Per seat: index of the highest event by that seat in this event's ancestry (incl. itself). */
  readonly hbIdx: Int32Array;
  /** Per seat: its sequence number, -1 when none. */
  readonly hbSeq: Int32Array;
  /** Seats with a fork visible in this event's ancestry. */
  readonly forkMask: bigint;
  readonly parentRound: number;
  round: number;
  witness: boolean;
  voteMask: bigint;
}

interface Pending {
  readonly h: EventHeader;
  readonly key: string;
  readonly since: number;
  payload: boolean;
  readonly missing: Set<string>;
}

/** Outcome of {@linkcode ConsensusEngine.receive}. */
export interface ReceiveResult {
  /** inserted: in the DAG; pending: waiting for parents or payload; duplicate; rejected. */
  readonly status: "inserted" | "pending" | "duplicate" | "rejected";
  /** The refusal, when status is "rejected". */
  readonly error?: ConsensusError;
  /** Parents not held yet, when status is "pending" (pull them from the sender). */
  readonly missing?: readonly Uint8Array[];
}

/** Fields of a new own event computed by {@linkcode ConsensusEngine.prepareEvent}. */
export interface PreparedEvent {
  /** Sequence number. */
  readonly seq: number;
  /** Self-parent id or null. */
  readonly selfParent: Uint8Array | null;
  /** Other parents. */
  readonly parents: readonly Uint8Array[];
  /** The vote mask every receiver will recompute. */
  readonly voteMask: bigint;
  /** Round the event will have. */
  readonly round: number;
}

/**
 * One node's consensus state for one shard: DAG, rounds, votes, fame decisions, finalized anchors.
 *
 * @example
 * ```ts
 * import { ConsensusEngine } from "./engine.ts";
 * const e = new ConsensusEngine({
 *   network: 1, shard: 0, committeeSize: 1, genesisId: new Uint8Array(32),
 *   verifySignature: () => true,
 * });
 * console.assert(e.finalizedHeight === 0);
 * ```
 */
export class ConsensusEngine {
  /** Committee size k. */
  readonly k: number;
  /** Quorum 2f + 1. */
  readonly q: number;
  readonly #cfg: ConsensusConfig;
  readonly #coin: number;
  readonly #maxPendingSteps: number;
  readonly #maxPending: number;
  readonly #recs: Rec[] = [];
  readonly #byKey = new Map<string, number>();
  /** Per seat: seq -> indices of events at that seq (more than one means a fork). */
  readonly #chain: Map<number, number[]>[];
  /** Per seat: index of its highest-seq event (first seen), -1 none. */
  readonly #tip: Int32Array;
  /** round -> per seat -> witness indices. */
  readonly #witnesses = new Map<number, number[][]>();
  /** witness idx -> subject (round * 64 + seat) -> vote (NONE or witness idx). */
  readonly #votes = new Map<number, Map<number, number>>();
  /** round -> per seat decision (UNDECIDED, NONE or famous witness idx). */
  readonly #decided = new Map<number, Int32Array>();
  /** Seats with at least one known fork (slow ancestry path only for these). */
  #forkSeats = 0n;
  #lowestUndecided = 0;
  readonly #decidedAt = new Map<number, number>();
  #unordered: number[] = [];
  #anchorOut: FinalizedAnchor[] = [];
  #evidenceOut: ConsensusEvidence[] = [];
  /** Evidence tags already reported (grows with the DAG only: equivocating pairs, pre-window slots). */
  readonly #evidenceSeen = new Set<string>();
  #prevAnchorId: Uint8Array;
  #height = 0;
  #orderedCount = 0;
  #staleCount = 0;
  readonly #pending = new Map<string, Pending>();
  /** Missing parent key -> keys of buffered events waiting for it (no empty sets kept). */
  readonly #waiters = new Map<string, Set<string>>();
  /**
   * Keys whose payload arrived before their header ({@linkcode payloadArrived}); at most
   * `maxPending`, oldest forgotten first. A received event's payload flag lives in its Pending.
   */
  readonly #payloads: FifoSet;
  /**
   * Refused-for-good keys tagged with #lowestUndecided when refused, in refusal order (so tags
   * never decrease): forgotten after REFUSED_ROUNDS decided rounds or beyond `maxRefused` (ADR 0025).
   */
  #failedBuffered = 0;
  readonly #rejectedKeys: FifoSet;
  #step = 0;
  readonly #rejected = new Map<ConsensusErrorCode, number>();
  readonly #roundOfOrdered = new Map<string, number>();

  /**
   * @param cfg engine configuration
   * @throws {RangeError} when the committee size or coin period is out of range
   */
  constructor(cfg: ConsensusConfig) {
    this.k = cfg.committeeSize;
    this.q = quorum(this.k);
    this.#cfg = cfg;
    this.#coin = cfg.coinPeriod ?? 10;
    if (!Number.isInteger(this.#coin) || this.#coin < 3) {
      throw new RangeError(`Coin period out of range: ${this.#coin}`);
    }
    this.#maxPendingSteps = cfg.maxPendingSteps ?? 4096;
    this.#maxPending = cfg.maxPending ?? 65536;
    const maxRefused = cfg.maxRefused ?? 16384;
    if (!Number.isInteger(maxRefused) || maxRefused < 0) {
      throw new RangeError(`Refused-id cap out of range: ${maxRefused}`);
    }
    this.#rejectedKeys = new FifoSet(maxRefused);
    // An unbounded or odd maxPending (never validated) must not make early payload marks unbounded.
    this.#payloads = new FifoSet(
      Number.isInteger(this.#maxPending) && this.#maxPending >= 0 ? this.#maxPending : 65536,
    );
    this.#chain = Array.from({ length: this.k }, () => new Map<number, number[]>());
    this.#tip = new Int32Array(this.k).fill(-1);
    this.#prevAnchorId = cfg.genesisId;
    if (cfg.checkpoint !== undefined) this.#restore(cfg.checkpoint);
  }

  /** Height of the last finalized anchor (0 = genesis A0 only). */
  get finalizedHeight(): number {
    return this.#height;
  }
  /** Id of the last finalized anchor (genesis id before the first). */
  get lastAnchorId(): Uint8Array {
    return this.#prevAnchorId;
  }
  /** Number of events in the DAG. */
  get size(): number {
    return this.#recs.length;
  }
  /** Events dropped as stale: not received within STALE_ROUNDS rounds of their own (§3.4). */
  get staleCount(): number {
    return this.#staleCount;
  }
  /** Number of events ordered so far. */
  get orderedCount(): number {
    return this.#orderedCount;
  }
  /** Highest round of any event in the DAG (-1 when empty). */
  get maxRound(): number {
    let m = -1;
    for (let v = 0; v < this.k; v++) {
      const t = this.#tip[v]!;
      if (t >= 0) m = Math.max(m, this.#recs[t]!.round);
    }
    return m;
  }
  /** Number of events buffered waiting for parents or payload. */
  get pendingCount(): number {
    return this.#pending.size;
  }

  /**
   * Buffered events refused for good so far (a parent refused, or invalid once their parents
   * came). A caller that holds buffered events drops the refused ones when this changes; events
   * refused on arrival were never buffered and do not count, so junk alone never triggers that.
   */
  get failedBuffered(): number {
    return this.#failedBuffered;
  }

  /**
   * Sizes of the engine's bookkeeping outside the DAG, each bounded (ADR 0025): refused ids
   * remembered (at most `maxRefused`), buffered events (at most `maxPending`), parent ids they
   * wait for, payloads announced before their header (at most `maxPending`), pre-checkpoint ids
   * awaiting insertion, evidence tags reported.
   */
  bookkeeping(): {
    refused: number;
    pending: number;
    waitedFor: number;
    earlyPayloads: number;
    ancient: number;
    evidenceTags: number;
  } {
    return {
      refused: this.#rejectedKeys.size,
      pending: this.#pending.size,
      waitedFor: this.#waiters.size,
      earlyPayloads: this.#payloads.size,
      ancient: this.#ancient.size,
      evidenceTags: this.#evidenceSeen.size,
    };
  }

  /** Fame decisions by election depth d (rounds between subject and deciding witness). */
  decisionDepths(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [d, n] of [...this.#decidedAt].sort((a, b) => a[0] - b[0])) out[String(d)] = n;
    return out;
  }

  /** Rejection counts by code since construction. */
  rejectedCounts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [c, n] of [...this.#rejected].sort((a, b) => a[0] < b[0] ? -1 : 1)) out[c] = n;
    return out;
  }

  /**
   * Counts a refusal made outside the engine (e.g. bytes that did not decode) under `code`.
   * @param code the reason
   */
  countRejected(code: ConsensusErrorCode): void {
    this.#rejected.set(code, (this.#rejected.get(code) ?? 0) + 1);
  }

  /** Whether the event is in the DAG. */
  has(id: Uint8Array): boolean {
    return this.#byKey.has(toHex(id));
  }
  /** Whether the event is in the DAG or buffered. */
  knows(id: Uint8Array): boolean {
    const k = toHex(id);
    return this.#byKey.has(k) || this.#pending.has(k);
  }
  /**
   * Whether the event was refused for good (it or an ancestor is invalid) and is still remembered:
   * a resend is answered as a duplicate. A refusal that may pass later (a full pending buffer) is
   * not one. Remembered for REFUSED_ROUNDS decided rounds and at most `maxRefused` ids (ADR 0025);
   * a forgotten one is judged again when resent, and refused again.
   */
  refused(id: Uint8Array): boolean {
    return this.#rejectedKeys.has(toHex(id));
  }
  /** Header of an event in the DAG, or undefined. */
  get(id: Uint8Array): EventHeader | undefined {
    const i = this.#byKey.get(toHex(id));
    return i === undefined ? undefined : this.#recs[i]!.h;
  }
  /** Round of an event in the DAG, or undefined. */
  roundOf(id: Uint8Array): number | undefined {
    const i = this.#byKey.get(toHex(id));
    return i === undefined ? undefined : this.#recs[i]!.round;
  }
  /** consensus_time (round received) of an ordered event, or undefined. */
  consensusTimeOf(id: Uint8Array): number | undefined {
    return this.#roundOfOrdered.get(toHex(id));
  }
  /** Highest-seq event of a seat in the DAG (first seen on forks), or undefined. */
  tip(seat: number): EventHeader | undefined {
    const t = this.#tip[seat];
    return t === undefined || t < 0 ? undefined : this.#recs[t]!.h;
  }
  /** Per seat: highest sequence number held in the DAG, -1 when none. */
  knownSeqs(): Int32Array {
    const out = new Int32Array(this.k).fill(-1);
    for (let v = 0; v < this.k; v++) {
      const t = this.#tip[v]!;
      if (t >= 0) out[v] = this.#recs[t]!.seq;
    }
    return out;
  }
  /**
   * Events of the DAG a peer with `known` per-seat sequence numbers lacks, in insertion (hence
   * topological) order, at most `limit`.
   */
  eventsAfter(known: ArrayLike<number>, limit: number): EventHeader[] {
    const out: EventHeader[] = [];
    for (const r of this.#recs) {
      if (r.seq > (known[r.creator] ?? -1)) {
        out.push(r.h);
        if (out.length >= limit) break;
      }
    }
    return out;
  }
  /** Events of a seat at one sequence number (more than one means equivocation). */
  eventsAt(seat: number, seq: number): EventHeader[] {
    return (this.#chain[seat]?.get(seq) ?? []).map((i) => this.#recs[i]!.h);
  }
  /** Ids buffered events are waiting for (missing parents, not yet known at all). */
  wanted(limit: number): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (const p of this.#pending.values()) {
      for (const m of p.missing) {
        if (!this.#pending.has(m)) out.push(hexToBytes(m));
        if (out.length >= limit) return out;
      }
    }
    return out;
  }
  /** Ids of buffered events whose payload has not arrived. */
  wantedPayloads(limit: number): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (const p of this.#pending.values()) {
      if (!p.payload) out.push(p.h.id);
      if (out.length >= limit) break;
    }
    return out;
  }

  /** Takes the anchors finalized since the last call, in order. */
  takeAnchors(): FinalizedAnchor[] {
    const a = this.#anchorOut;
    this.#anchorOut = [];
    return a;
  }
  /** Takes the evidence produced since the last call. */
  takeEvidence(): ConsensusEvidence[] {
    const e = this.#evidenceOut;
    this.#evidenceOut = [];
    return e;
  }

  #reject(code: ConsensusErrorCode, msg: string, h: EventHeader | undefined): ReceiveResult {
    this.countRejected(code);
    const data = h === undefined ? {} : { event: toHex(h.id), creator: h.creator };
    return { status: "rejected", error: new ConsensusError(code, msg, data) };
  }

  /**
   * Feeds one event (§8 validation, §6 data-availability gate). Events whose parents or payload
   * are not held wait in a bounded buffer; the wait is counted in received events, not time.
   * @param h the event
   * @param payloadAvailable whether this node holds the event's payload locally
   * @returns what happened to it
   * @example
   * ```ts
   * import { ConsensusEngine } from "./engine.ts";
   * const e = new ConsensusEngine({ network: 1, shard: 0, committeeSize: 1,
   *   genesisId: new Uint8Array(32), verifySignature: () => true });
   * const r = e.receive({ id: new Uint8Array(32).fill(1), network: 1, shard: 0, creator: 0,
   *   seq: 0, selfParent: null, parents: [], voteMask: 0n, payloadRoot: new Uint8Array(32),
   *   signature: new Uint8Array(64) }, true);
   * console.assert(r.status === "inserted");
   * ```
   */
  receive(h: EventHeader, payloadAvailable: boolean): ReceiveResult {
    this.#step++;
    // Forgetting happens here, between calls, never inside one: a refusal made during this
    // call's cascade stays visible to the caller (`refused(id)`) until the next call.
    this.#forgetRefused();
    this.#expire();
    const bad = this.#staticCheck(h);
    if (bad !== undefined) return bad;
    const key = toHex(h.id);
    if (this.#byKey.has(key)) return { status: "duplicate" };
    const pend = this.#pending.get(key);
    if (pend !== undefined) {
      if (payloadAvailable && !pend.payload) return this.payloadArrived(h.id);
      return { status: "duplicate" };
    }
    if (this.#rejectedKeys.has(key)) return { status: "duplicate" };
    if (!this.#cfg.verifySignature(h)) {
      // Not blacklisted: the id does not commit to the signature, so a corrupted copy must not
      // shadow the genuine event.
      return this.#reject("BAD_SIGNATURE", `Event has a bad signature: ${key}`, h);
    }
    const fork = this.#preWindowFork(h, key);
    if (fork !== undefined) return fork;
    const payload = payloadAvailable || this.#payloads.has(key);
    const missing = new Set<string>();
    for (const p of h.selfParent === null ? h.parents : [h.selfParent, ...h.parents]) {
      const pk = toHex(p);
      if (this.#rejectedKeys.has(pk)) {
        this.#payloads.delete(key);
        this.#refuse(key);
        return this.#reject("MISSING_PARENTS", `Event has an invalid parent: ${pk}`, h);
      }
      if (!this.#byKey.has(pk)) missing.add(pk);
    }
    if (missing.size > 0 && this.#isAncient(h)) {
      // History below a checkpoint's window: its parents may never come (ADR 0076).
      this.#ancient.add(key);
      missing.clear();
    }
    if (missing.size === 0 && payload) {
      this.#payloads.delete(key);
      return this.#insertCascade(h, key);
    }
    if (this.#pending.size >= this.#maxPending) {
      // No verdict (the node hands it back later): nothing about it is kept.
      this.#ancient.delete(key);
      return this.#reject("MISSING_PARENTS", `Pending buffer full: ${this.#pending.size}`, h);
    }
    // From here the payload flag lives in the Pending record.
    this.#payloads.delete(key);
    this.#pending.set(key, {
      h,
      key,
      since: this.#step,
      payload,
      missing,
    });
    for (const m of missing) {
      let w = this.#waiters.get(m);
      if (w === undefined) this.#waiters.set(m, w = new Set());
      w.add(key);
    }
    if (missing.size === 0) return { status: "pending" };
    return { status: "pending", missing: [...missing].map(hexToBytes) };
  }

  /**
   * Tells the engine the payload of an event is now held locally (late delivery, §6).
   * @param id event id
   * @returns the status of the event afterwards
   */
  payloadArrived(id: Uint8Array): ReceiveResult {
    this.#forgetRefused(); // (between calls, as in receive)
    const key = toHex(id);
    if (this.#byKey.has(key) || this.#rejectedKeys.has(key)) return { status: "duplicate" };
    const p = this.#pending.get(key);
    if (p === undefined) {
      // Header not received yet: remembered for it, oldest forgotten first beyond maxPending.
      this.#payloads.add(key, 0);
      return { status: "pending" };
    }
    p.payload = true;
    if (p.missing.size === 0) {
      this.#pending.delete(key);
      const r = this.#insertCascade(p.h, key);
      if (r.status === "rejected") this.#failedBuffered++; // it was buffered
      return r;
    }
    return { status: "pending" };
  }

  #staticCheck(h: EventHeader): ReceiveResult | undefined {
    if (h.network !== this.#cfg.network) {
      return this.#reject("WRONG_NETWORK", `Event is for another network: ${h.network}`, h);
    }
    if (h.shard !== this.#cfg.shard) {
      return this.#reject("WRONG_SHARD", `Event is for another shard: ${h.shard}`, h);
    }
    if (!Number.isInteger(h.creator) || h.creator < 0 || h.creator >= this.k) {
      return this.#reject("UNKNOWN_CREATOR", `Event has an unknown creator: ${h.creator}`, h);
    }
    if (h.id.length !== 32 || h.payloadRoot.length !== 32) {
      return this.#reject("MALFORMED", "Event has a malformed id or payload root", h);
    }
    if (h.parents.length > MAX_PARENTS - 1) {
      return this.#reject(
        "TOO_MANY_PARENTS",
        `Event has too many parents: ${h.parents.length + 1} exceeds ${MAX_PARENTS}`,
        h,
      );
    }
    if (!Number.isInteger(h.seq) || h.seq < 0 || (h.seq === 0) !== (h.selfParent === null)) {
      return this.#reject("BAD_SEQ", `Event has an inconsistent sequence number: ${h.seq}`, h);
    }
    const seen = new Set<string>();
    for (const p of h.selfParent === null ? h.parents : [h.selfParent, ...h.parents]) {
      const pk = toHex(p);
      if (p.length !== 32 || seen.has(pk)) {
        return this.#reject("MALFORMED_PARENTS", `Event lists a parent twice: ${pk}`, h);
      }
      seen.add(pk);
    }
    if (this.k >= CROSS_LINK_MIN_COMMITTEE && h.seq > 0 && h.parents.length === 0) {
      return this.#reject("NO_CROSS_LINK", `Event has no cross-link: seq ${h.seq}`, h);
    }
    if (BigInt.asUintN(64, h.voteMask) !== h.voteMask || h.voteMask >> BigInt(this.k) !== 0n) {
      return this.#reject("FORGED_VOTE_MASK", "Event vote mask has bits outside the committee", h);
    }
    return undefined;
  }

  #expire(): void {
    for (const p of this.#pending.values()) {
      if (this.#step - p.since <= this.#maxPendingSteps) break;
      this.#dropPending(p, p.missing.size > 0 ? "MISSING_PARENTS" : "PAYLOAD_UNAVAILABLE", false);
    }
  }

  #dropPending(p: Pending, code: ConsensusErrorCode, invalid: boolean): void {
    this.#pending.delete(p.key);
    for (const m of p.missing) {
      const w = this.#waiters.get(m);
      if (w === undefined) continue;
      w.delete(p.key);
      // An empty set would outlive the event: ids no one will send must not accumulate.
      if (w.size === 0) this.#waiters.delete(m);
    }
    this.#ancient.delete(p.key);
    this.countRejected(code);
    if (invalid) {
      this.#failedBuffered++;
      this.#refuse(p.key);
    }
  }

  /**
   * Records a refusal for good and fails the buffered events waiting for it. Bounded (ADR 0025):
   * beyond `maxRefused` ids the oldest is forgotten, and {@linkcode #forgetRefused} drops ids
   * refused REFUSED_ROUNDS decided rounds ago. Forgetting is safe: a resend is judged again by the
   * same checks (refused again), and a child of a forgotten id waits for it like a child of an id
   * never seen, then expires; neither enters the DAG, so no verdict depends on what is remembered.
   */
  #refuse(key: string): void {
    this.#rejectedKeys.add(key, this.#lowestUndecided);
    this.#failWaiters(key);
  }

  /** Forgets refused ids recorded REFUSED_ROUNDS or more decided rounds ago (oldest first). */
  #forgetRefused(): void {
    const now = this.#lowestUndecided;
    this.#rejectedKeys.forgetWhile((at) => at + REFUSED_ROUNDS <= now);
  }

  #failWaiters(key: string): void {
    const w = this.#waiters.get(key);
    if (w === undefined) return;
    this.#waiters.delete(key);
    for (const ck of w) {
      const c = this.#pending.get(ck);
      if (c !== undefined) this.#dropPending(c, "MISSING_PARENTS", true);
    }
  }

  #insertCascade(h0: EventHeader, key0: string): ReceiveResult {
    const first = this.#insert(h0, key0);
    const work: string[] = first.status === "inserted" ? [key0] : [];
    if (first.status === "rejected") this.#refuse(key0);
    while (work.length > 0) {
      const k = work.pop()!;
      const w = this.#waiters.get(k);
      if (w === undefined) continue;
      this.#waiters.delete(k);
      for (const ck of [...w].sort()) {
        const c = this.#pending.get(ck);
        if (c === undefined) continue;
        c.missing.delete(k);
        if (c.missing.size === 0 && c.payload) {
          this.#pending.delete(ck);
          const r = this.#insert(c.h, ck);
          if (r.status === "inserted") work.push(ck);
          else if (r.status === "rejected") {
            this.#failedBuffered++;
            this.#refuse(ck);
          }
        }
      }
    }
    return first;
  }

  // ---- DAG relations (§2.2, §2.3) ----

  /** Whether a (same creator as b) is on b's self-parent chain. */
  #selfAncestor(a: Rec, b: Rec): boolean {
    if (a.seq > b.seq) return false;
    if (a.seq === b.seq) return a.idx === b.idx;
    // No known fork by this seat: b's chain is the only chain, so a is on it.
    if (this.#forkSeats === 0n || (this.#forkSeats & BIT[a.creator]!) === 0n) return true;
    const at = this.#chain[a.creator]!.get(a.seq);
    // One known event at that seq: b's contiguous chain holds exactly that one.
    if (at !== undefined && at.length === 1) return at[0] === a.idx;
    let z = b;
    while (z.seq > a.seq) {
      // Below a restored checkpoint's window the chain is pruned (ADR 0076): take it as linked.
      if (z.self < 0) return true;
      z = this.#recs[z.self]!;
    }
    return z.idx === a.idx;
  }

  /** Hashgraph "sees": w is an ancestor of z and z's ancestry holds no fork by w's creator. */
  #sees(z: Rec, w: Rec): boolean {
    const c = w.creator;
    if (z.forkMask !== 0n && (z.forkMask & BIT[c]!) !== 0n) return false;
    if (z.hbSeq[c]! < w.seq) return false;
    return this.#selfAncestor(w, this.#recs[z.hbIdx[c]!]!);
  }

  /** Exact ancestry (forks included), used for round received (§3.4). */
  #isAncestor(x: Rec, f: Rec): boolean {
    const c = x.creator;
    const stack = [f.idx];
    const seen = new Set<number>();
    while (stack.length > 0) {
      const zi = stack.pop()!;
      if (zi === x.idx) return true;
      if (seen.has(zi)) continue;
      seen.add(zi);
      const z = this.#recs[zi]!;
      if (z.round < x.round) continue;
      if (z.forkMask === 0n || (z.forkMask & BIT[c]!) === 0n) {
        if (z.hbSeq[c]! >= x.seq && this.#selfAncestor(x, this.#recs[z.hbIdx[c]!]!)) return true;
        continue;
      }
      for (const p of z.parents) stack.push(p);
    }
    return false;
  }

  /** Per seat, the round-r witness x strongly sees (or -1), and the mask of those seats (§2.3, §3.2). */
  #stronglySeen(x: Rec, r: number): { mask: bigint; ws: Int32Array } {
    const ws = new Int32Array(this.k).fill(-1);
    let mask = 0n;
    const byRound = this.#witnesses.get(r);
    if (byRound === undefined) return { mask, ws };
    const k = this.k;
    const q = this.q;
    // Seats whose highest event in x's view can serve as the intermediate set S.
    const inter: Rec[] = [];
    for (let v = 0; v < k; v++) {
      if (x.forkMask !== 0n && (x.forkMask & BIT[v]!) !== 0n) continue;
      const hi = x.hbIdx[v]!;
      if (hi >= 0) inter.push(this.#recs[hi]!);
    }
    if (inter.length < q) return { mask, ws };
    for (let s = 0; s < k; s++) {
      const list = byRound[s];
      if (list === undefined) continue;
      for (const wi of list) {
        const w = this.#recs[wi]!;
        if (!this.#sees(x, w)) continue;
        if (this.#forkSeats === 0n) {
          // No known fork: "z sees w" is a vector-clock comparison.
          let n = 0;
          for (const z of inter) if (z.hbSeq[s]! >= w.seq) n++;
          if (n >= q) {
            mask |= BIT[s]!;
            ws[s] = wi;
          }
          break;
        }
        let cnt = 0;
        let left = inter.length;
        for (const z of inter) {
          left--;
          if (this.#sees(z, w)) cnt++;
          if (cnt >= q || cnt + left < q) break;
        }
        if (cnt >= q) {
          mask |= BIT[s]!;
          ws[s] = wi;
        }
        break; // x sees at most one round-r witness of seat s
      }
    }
    return { mask, ws };
  }

  /** Builds the record of a new event whose parents are all in the DAG; not yet stored. */
  #build(h: EventHeader, key: string, selfIdx: number, otherIdx: readonly number[]): Rec {
    const k = this.k;
    const idx = this.#recs.length;
    const parents = selfIdx >= 0 ? [selfIdx, ...otherIdx] : [...otherIdx];
    const hbIdx = new Int32Array(k).fill(-1);
    const hbSeq = new Int32Array(k).fill(-1);
    let forkMask = 0n;
    let parentRound = 0;
    for (const pi of parents) {
      const p = this.#recs[pi]!;
      forkMask |= p.forkMask;
      if (p.round > parentRound) parentRound = p.round;
    }
    if (this.#forkSeats === 0n) {
      // No known fork anywhere: every seat has one chain, the highest seq is the merge.
      for (const pi of parents) {
        const p = this.#recs[pi]!;
        const ps = p.hbSeq;
        for (let v = 0; v < k; v++) {
          if (ps[v]! > hbSeq[v]!) {
            hbSeq[v] = ps[v]!;
            hbIdx[v] = p.hbIdx[v]!;
          }
        }
      }
    } else {
      this.#mergeSlow(parents, hbIdx, hbSeq, forkMask);
      forkMask = this.#mergedForkMask;
    }
    const c = h.creator;
    const inherited = hbIdx[c]!;
    if (inherited >= 0) {
      const sp = selfIdx >= 0 ? this.#recs[selfIdx]! : undefined;
      if (sp === undefined || !this.#selfAncestor(this.#recs[inherited]!, sp)) forkMask |= BIT[c]!;
    }
    hbIdx[c] = idx;
    hbSeq[c] = h.seq;
    // Provisional record so relations can treat x as its own highest event.
    const tmp: Rec = {
      idx,
      key,
      h,
      creator: c,
      seq: h.seq,
      self: selfIdx,
      parents,
      hbIdx,
      hbSeq,
      forkMask,
      parentRound,
      round: parentRound,
      witness: false,
      voteMask: 0n,
    };
    this.#recs.push(tmp);
    let voteMask = 0n;
    try {
      if (parents.length > 0) voteMask = this.#stronglySeen(tmp, parentRound).mask;
    } finally {
      this.#recs.pop();
    }
    const round = parents.length > 0 && popcount(voteMask) >= this.q
      ? parentRound + 1
      : parentRound;
    tmp.round = round;
    tmp.witness = selfIdx < 0 || this.#recs[selfIdx]!.round < round;
    tmp.voteMask = voteMask;
    return tmp;
  }

  #mergedForkMask = 0n;

  #mergeSlow(parents: readonly number[], hbIdx: Int32Array, hbSeq: Int32Array, fm: bigint): void {
    const k = this.k;
    let forkMask = fm;
    for (const pi of parents) {
      const p = this.#recs[pi]!;
      for (let v = 0; v < k; v++) {
        const a = p.hbIdx[v]!;
        if (a < 0) continue;
        const cur = hbIdx[v]!;
        if (cur === a) continue;
        if (cur < 0) {
          hbIdx[v] = a;
          hbSeq[v] = p.hbSeq[v]!;
          continue;
        }
        const ra = this.#recs[a]!;
        const rc = this.#recs[cur]!;
        const [hi, lo] = ra.seq > rc.seq || (ra.seq === rc.seq && a < cur) ? [ra, rc] : [rc, ra];
        if ((forkMask === 0n || (forkMask & BIT[v]!) === 0n) && !this.#selfAncestor(lo, hi)) {
          forkMask |= BIT[v]!;
        }
        hbIdx[v] = hi.idx;
        hbSeq[v] = hi.seq;
      }
    }
    this.#mergedForkMask = forkMask;
  }

  #insert(h: EventHeader, key: string): ReceiveResult {
    // Again at insertion: the slot may have been filled while this event waited for its payload.
    const fork = this.#preWindowFork(h, key);
    if (fork !== undefined) return fork;
    if (this.#ancient.delete(key)) return this.#insertAncient(h, key);
    const selfIdx = h.selfParent === null ? -1 : this.#byKey.get(toHex(h.selfParent))!;
    if (selfIdx >= 0) {
      const sp = this.#recs[selfIdx]!;
      if (sp.creator !== h.creator || sp.seq + 1 !== h.seq) {
        return this.#reject("BAD_SEQ", `Event self-parent mismatch: seq ${h.seq}`, h);
      }
    }
    const otherIdx: number[] = [];
    for (const p of h.parents) {
      const pi = this.#byKey.get(toHex(p))!;
      if (this.#recs[pi]!.creator === h.creator) {
        return this.#reject("MALFORMED_PARENTS", "Event lists its own creator as other parent", h);
      }
      otherIdx.push(pi);
    }
    const rec = this.#build(h, key, selfIdx, otherIdx);
    if (rec.voteMask !== h.voteMask && rec.parentRound < this.#cpBase) {
      // Below a checkpoint's window the witnesses are gone: the creator's vote mask is taken as
      // is; such an event is stale for ordering on every node alike (ADR 0076).
      this.#trustMask(rec, h);
    }
    if (rec.voteMask !== h.voteMask) {
      // Not tagged in #evidenceSeen (one tag per forged event would grow without bound): the
      // refused id stops resends while remembered, so evidence repeats only after it is forgotten.
      this.#evidenceOut.push({ kind: "forged_vote_mask", creator: h.creator, events: [h] });
      return this.#reject(
        "FORGED_VOTE_MASK",
        `Event vote mask is forged: expected ${rec.voteMask.toString(16)}, got ${
          h.voteMask.toString(16)
        }`,
        h,
      );
    }
    const atSeq = this.#chain[h.creator]!.get(h.seq);
    if (atSeq !== undefined && atSeq.length > 0) {
      const other = this.#recs[atSeq[0]!]!;
      const a = other.key < key ? other.h : h;
      const b = other.key < key ? h : other.h;
      this.#addEvidence("equivocation", h.creator, [a, b], `e:${toHex(a.id)}:${toHex(b.id)}`);
    }
    this.#recs.push(rec);
    this.#byKey.set(key, rec.idx);
    if (atSeq === undefined) this.#chain[h.creator]!.set(h.seq, [rec.idx]);
    else {
      atSeq.push(rec.idx);
      this.#forkSeats |= BIT[h.creator]!;
    }
    const t = this.#tip[h.creator]!;
    if (t < 0 || this.#recs[t]!.seq < h.seq) this.#tip[h.creator] = rec.idx;
    this.#unordered.push(rec.idx);
    if (rec.witness) {
      let byRound = this.#witnesses.get(rec.round);
      if (byRound === undefined) {
        byRound = Array.from({ length: this.k }, () => []);
        this.#witnesses.set(rec.round, byRound);
      }
      byRound[h.creator]!.push(rec.idx);
      if (rec.round >= this.#lowestUndecided) this.#vote(rec);
      this.#finalizeReady();
    }
    return { status: "inserted" };
  }

  #addEvidence(
    kind: ConsensusEvidence["kind"],
    creator: number,
    events: EventHeader[],
    tag: string,
  ) {
    if (this.#evidenceSeen.has(tag)) return;
    this.#evidenceSeen.add(tag);
    this.#evidenceOut.push({ kind, creator, events });
  }

  // ---- Fame elections (§3.3) ----

  #vote(y: Rec): void {
    const R = y.round;
    const mine = new Map<number, number>();
    this.#votes.set(y.idx, mine);
    let S: Int32Array | undefined;
    for (let r = this.#lowestUndecided; r < R; r++) {
      let dec = this.#decided.get(r);
      if (dec === undefined) this.#decided.set(r, dec = new Int32Array(this.k).fill(UNDECIDED));
      const d = R - r;
      const byRound = this.#witnesses.get(r);
      for (let c = 0; c < this.k; c++) {
        if (dec[c] !== UNDECIDED) continue;
        const subject = r * 64 + c;
        if (d === 1) {
          let v = NONE;
          for (const wi of byRound?.[c] ?? []) {
            if (this.#sees(y, this.#recs[wi]!)) {
              v = wi;
              break;
            }
          }
          mine.set(subject, v);
          continue;
        }
        if (S === undefined) S = this.#stronglySeen(y, R - 1).ws;
        const counts = new Map<number, number>();
        for (let s = 0; s < this.k; s++) {
          const wi = S[s]!;
          if (wi < 0) continue;
          const v = this.#votes.get(wi)?.get(subject) ?? NONE;
          counts.set(v, (counts.get(v) ?? 0) + 1);
        }
        let best = NONE;
        let bestN = -1;
        let bestYes = NONE;
        let bestYesN = 0;
        for (const [v, n] of counts) {
          if (n > bestN || (n === bestN && this.#prefer(v, best))) {
            best = v;
            bestN = n;
          }
          if (v !== NONE && (n > bestYesN || (n === bestYesN && this.#prefer(v, bestYes)))) {
            bestYes = v;
            bestYesN = n;
          }
        }
        if (d % this.#coin !== 0) {
          if (bestN >= this.q) {
            dec[c] = best;
            this.#decidedAt.set(d, (this.#decidedAt.get(d) ?? 0) + 1);
          }
          mine.set(subject, best);
        } else {
          // Coin round: deterministic coin from the voter's signature (Baird 2016 §3, "middle bit").
          const sig = y.h.signature;
          const coin = sig.length === 0 ? 0 : (sig[sig.length >> 1]! & 1);
          mine.set(subject, bestN >= this.q ? best : coin === 1 ? bestYes : NONE);
        }
      }
    }
  }

  /** Tie-break between two vote values: a witness beats NONE, then the lower event id. */
  #prefer(a: number, b: number): boolean {
    if (b === NONE) return a !== NONE;
    if (a === NONE) return false;
    return this.#recs[a]!.key < this.#recs[b]!.key;
  }

  #finalizeReady(): void {
    for (;;) {
      const r = this.#lowestUndecided;
      const dec = this.#decided.get(r);
      if (dec === undefined || dec.some((v) => v === UNDECIDED)) return;
      this.#finalizeRound(r, dec);
      this.#lowestUndecided++;
    }
  }

  /**
   * Round-received rule (§3.4, ADR 0024): x is an ancestor of at least one famous witness of the
   * round. Monotone in ancestry (a parent of x is an ancestor of every witness x is), so no event
   * is ordered before its parents.
   */
  #receivedBy(x: Rec, famous: readonly Rec[]): boolean {
    // The creator's own famous witness first: it descends from every earlier event of its chain,
    // so this one check decides almost every event.
    for (const f of famous) if (f.creator === x.creator && this.#isAncestor(x, f)) return true;
    for (const f of famous) if (f.creator !== x.creator && this.#isAncestor(x, f)) return true;
    return false;
  }

  #finalizeRound(r: number, dec: Int32Array): void {
    const famous: Rec[] = [];
    for (const v of dec) if (v >= 0) famous.push(this.#recs[v]!);
    const received: Rec[] = [];
    const keep: number[] = [];
    for (const xi of this.#unordered) {
      const x = this.#recs[xi]!;
      // §3.4: staleness is checked first, so the outcome never depends on when x arrived.
      if (x.round + STALE_ROUNDS <= r) this.#staleCount++;
      else if (famous.length > 0 && x.round <= r && this.#receivedBy(x, famous)) received.push(x);
      else keep.push(xi);
    }
    this.#unordered = keep;
    received.sort((a, b) => a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
    for (const x of received) this.#roundOfOrdered.set(x.key, r);
    this.#orderedCount += received.length;
    this.#height = r + 1;
    const parts: Uint8Array[] = [ANCHOR_DOMAIN, this.#prevAnchorId, u64(this.#height)];
    parts.push(u64(famous.length));
    for (const f of famous) parts.push(f.h.id);
    parts.push(u64(received.length));
    for (const x of received) parts.push(x.h.id);
    const id = blake3(concatBytes(...parts));
    this.#prevAnchorId = id;
    this.#anchorOut.push({
      height: this.#height,
      round: r,
      famous: famous.map((f) => f.h.id),
      events: received.map((x) => x.h),
      id,
    });
    // Votes of witnesses of rounds <= r + 1 only concern decided rounds now.
    for (const rr of [r, r + 1]) {
      for (const list of this.#witnesses.get(rr) ?? []) {
        for (const wi of list) this.#votes.delete(wi);
      }
    }
    this.#decided.delete(r - 1);
  }

  // ---- Own events (§3.2) ----

  /**
   * Chooses up to MAX_PARENTS - 1 other parents for a new event of `creator` (a node policy: any
   * choice is valid, docs/spec/consensus.md §2.1, §3.9). Greedy per slot, the tip whose addition
   * ranks best by: the new event's round (a higher-round parent makes it a witness at once), then
   * how many round witnesses it would strongly see (its vote mask), then the progress towards
   * strongly seeing more of them (per witness, the seats whose highest event in view sees it,
   * capped at the quorum), then the number of seats it adds to the view. This targets round
   * advancement directly instead of view size alone. Only events in the DAG (hence with payload
   * held, §6) are candidates; known equivocators are skipped.
   * @param creator own seat
   * @returns ids of the chosen other parents (possibly empty)
   * @example
   * ```ts ignore
   * const parents = engine.selectParents(seat);
   * const fields = engine.prepareEvent(seat, parents);
   * ```
   */
  selectParents(creator: number): Uint8Array[] {
    const k = this.k;
    const own = this.#tip[creator]!;
    const curSeq = new Int32Array(k).fill(-1);
    const curIdx = new Int32Array(k).fill(-1);
    let curRound = 0;
    if (own >= 0) {
      const o = this.#recs[own]!;
      curSeq.set(o.hbSeq);
      curIdx.set(o.hbIdx);
      curRound = o.round;
    }
    const chosen: Uint8Array[] = [];
    const used = new Set<number>([creator]);
    const trySeq = new Int32Array(k);
    const tryIdx = new Int32Array(k);
    for (let n = 0; n < MAX_PARENTS - 1; n++) {
      let best = -1;
      let bestKey: readonly number[] = [];
      for (let off = 1; off < k; off++) {
        const v = (creator + off) % k;
        if (used.has(v)) continue;
        // Known equivocators add nothing to strongly-seeing (forked seats are not counted).
        if (this.#forkSeats !== 0n && (this.#forkSeats & BIT[v]!) !== 0n) continue;
        const t = this.#tip[v]!;
        if (t < 0) continue;
        const r = this.#recs[t]!;
        let gain = 0;
        for (let u = 0; u < k; u++) {
          if (r.hbSeq[u]! > curSeq[u]!) {
            gain++;
            trySeq[u] = r.hbSeq[u]!;
            tryIdx[u] = r.hbIdx[u]!;
          } else {
            trySeq[u] = curSeq[u]!;
            tryIdx[u] = curIdx[u]!;
          }
        }
        if (gain === 0) continue;
        const round = Math.max(curRound, r.round);
        const [seen, progress] = this.#progress(trySeq, tryIdx, round, creator);
        const key = [round, seen, progress, gain];
        if (best < 0 || lexGreater(key, bestKey)) {
          best = v;
          bestKey = key;
        }
      }
      if (best < 0) break;
      used.add(best);
      const r = this.#recs[this.#tip[best]!]!;
      for (let u = 0; u < k; u++) {
        if (r.hbSeq[u]! > curSeq[u]!) {
          curSeq[u] = r.hbSeq[u]!;
          curIdx[u] = r.hbIdx[u]!;
        }
      }
      if (r.round > curRound) curRound = r.round;
      chosen.push(r.h.id);
    }
    return chosen;
  }

  /**
   * Cheap necessary condition for `creator`'s next event to open a new round by its own vote
   * mask: the union of every seat's tip (all parents at once, ignoring MAX_PARENTS) would
   * strongly see a quorum of witnesses of the creator's current round (vector-clock estimate).
   * When false, no parent choice advances the round now; when true, {@linkcode prepareEvent}
   * with {@linkcode selectParents} says whether this choice does. A node policy helper (when to
   * create an event), never a validity rule.
   * @param creator own seat
   * @returns whether advancing the round may be possible now
   * @throws {RangeError} when creator is out of range
   * @example
   * ```ts ignore
   * if (engine.mayAdvanceRound(seat)) createEventNow();
   * ```
   */
  mayAdvanceRound(creator: number): boolean {
    if (!Number.isInteger(creator) || creator < 0 || creator >= this.k) {
      throw new RangeError(`Creator out of range: ${creator}`);
    }
    const own = this.#tip[creator]!;
    if (own < 0) return false;
    const k = this.k;
    const seq = new Int32Array(k).fill(-1);
    const idx = new Int32Array(k).fill(-1);
    for (let v = 0; v < k; v++) {
      if (v !== creator && this.#forkSeats !== 0n && (this.#forkSeats & BIT[v]!) !== 0n) continue;
      const t = this.#tip[v]!;
      if (t < 0) continue;
      const r = this.#recs[t]!;
      for (let u = 0; u < k; u++) {
        if (r.hbSeq[u]! > seq[u]!) {
          seq[u] = r.hbSeq[u]!;
          idx[u] = r.hbIdx[u]!;
        }
      }
    }
    return this.#progress(seq, idx, this.#recs[own]!.round, creator)[0] >= this.q;
  }

  /**
   * Parent-selection score of a hypothetical view (highest seq and index per seat) in round r:
   * the round-r witnesses it would strongly see, and the sum over witnesses of the seats seeing
   * them (the new event of `self` counting for its own seat), capped at q. An estimate by vector clocks (forked seats are skipped); it only steers
   * parent choice, never validity.
   */
  #progress(seq: Int32Array, idx: Int32Array, r: number, self: number): [number, number] {
    const byRound = this.#witnesses.get(r);
    if (byRound === undefined) return [0, 0];
    const k = this.k;
    const q = this.q;
    const fork = this.#forkSeats;
    // Highest event per seat in view (the new event of `self` sees its whole view: counted as 1).
    const inter: Int32Array[] = [];
    for (let z = 0; z < k; z++) {
      const zi = idx[z]!;
      if (z === self || zi < 0 || (fork !== 0n && (fork & BIT[z]!) !== 0n)) continue;
      inter.push(this.#recs[zi]!.hbSeq);
    }
    let seen = 0;
    let progress = 0;
    for (let s = 0; s < k; s++) {
      if (fork !== 0n && (fork & BIT[s]!) !== 0n) continue;
      const list = byRound[s];
      if (list === undefined || list.length === 0) continue;
      const ws = this.#recs[list[0]!]!.seq;
      if (seq[s]! < ws) continue;
      let cnt = 1;
      for (let i = 0; i < inter.length; i++) if (inter[i]![s]! >= ws) cnt++;
      if (cnt >= q) {
        seen++;
        progress += q;
      } else progress += cnt;
    }
    return [seen, progress];
  }

  /**
   * Computes seq, self-parent and vote mask of a new own event with the given other parents.
   * @param creator own seat
   * @param parents other parents (in the DAG)
   * @returns the fields to sign
   * @throws {RangeError} when a parent is not in the DAG or the creator is out of range
   */
  prepareEvent(creator: number, parents: readonly Uint8Array[]): PreparedEvent {
    if (!Number.isInteger(creator) || creator < 0 || creator >= this.k) {
      throw new RangeError(`Creator out of range: ${creator}`);
    }
    const own = this.#tip[creator]!;
    const otherIdx = parents.map((p) => {
      const i = this.#byKey.get(toHex(p));
      if (i === undefined) throw new RangeError(`Parent is not in the DAG: ${toHex(p)}`);
      return i;
    });
    const seq = own >= 0 ? this.#recs[own]!.seq + 1 : 0;
    const probe: EventHeader = {
      id: new Uint8Array(32),
      network: this.#cfg.network,
      shard: this.#cfg.shard,
      creator,
      seq,
      selfParent: own >= 0 ? this.#recs[own]!.h.id : null,
      parents,
      voteMask: 0n,
      payloadRoot: new Uint8Array(32),
      signature: new Uint8Array(0),
    };
    const rec = this.#build(probe, "", own, otherIdx);
    return {
      seq,
      selfParent: probe.selfParent,
      parents: [...parents],
      voteMask: rec.voteMask,
      round: rec.round,
    };
  }

  // ---- Checkpoints (src/consensus/checkpoint.ts, ADR 0076) ----

  /** First round of the restored checkpoint's full window (-1: not restored). */
  #cpBase = -1;
  /** Per seat: lowest seq among the checkpoint's full-window events (MAX when none). */
  #firstFull: Int32Array | null = null;
  /** Per seat: highest seq listed in the checkpoint (-1 when none). */
  #maxListed: Int32Array | null = null;
  /** Keys of events taken as pre-checkpoint history (inserted without their missing parents). */
  readonly #ancient = new Set<string>();
  /** Pre-window slot ("creator:seq") -> key of the one second variant a buffered event needed. */
  readonly #preWindowSecond = new Map<string, string>();

  /**
   * Whether an unknown event lies in the history before a restored checkpoint's window: a seq
   * below the seat's first full-window event (or, for a seat without one, at most its highest
   * listed seq). Its ancestry was complete on the exporting node, so it has a round below the
   * window and can never be ordered; inserting it without its missing parents keeps later events
   * that reference it (a validator catching up after a long absence) from waiting forever.
   */
  #isAncient(h: EventHeader): boolean {
    if (this.#cpBase < 0) return false;
    const first = this.#firstFull![h.creator]!;
    return first === 0x7fffffff ? h.seq <= this.#maxListed![h.creator]! : h.seq < first;
  }

  /**
   * Bounds what a restored engine accepts below its checkpoint's window (ADR 0076, "Bounds"): at
   * most one event per (creator, seq) there. A second, distinct signed event at a held pre-window
   * slot is an equivocation: its evidence is reported once per slot and the event is refused with
   * `PRE_WINDOW_FORK` (counted, not kept), so a Byzantine seat cannot grow the DAG with forks of old
   * sequence numbers. Exception: one second variant per slot that a buffered event names as its
   * parent is inserted (evidence still reported), so that an honest validator that built on the
   * other side of an old fork can still be followed; a slot never holds more than two events.
   * Engines not built from a checkpoint never take this path.
   */
  #preWindowFork(h: EventHeader, key: string): ReceiveResult | undefined {
    if (!this.#isAncient(h)) return undefined;
    const at = this.#chain[h.creator]!.get(h.seq);
    if (at === undefined || at.length === 0) return undefined;
    // Needed by a buffered event: inserted (one such variant per slot, so a slot never holds more
    // than two events), and reported as a fork by the insertion path.
    const slot = `${h.creator}:${h.seq}`;
    const second = this.#preWindowSecond.get(slot);
    if (second === key) return undefined;
    if (second === undefined && (this.#waiters.get(key)?.size ?? 0) > 0) {
      this.#preWindowSecond.set(slot, key);
      return undefined;
    }
    const other = this.#recs[at[0]!]!;
    const [a, b] = other.key < key ? [other.h, h] : [h, other.h];
    this.#addEvidence("equivocation", h.creator, [a, b], `p:${h.creator}:${h.seq}`);
    this.#ancient.delete(key);
    this.#payloads.delete(key);
    return this.#reject(
      "PRE_WINDOW_FORK",
      `Event forks a pre-window sequence number: seat ${h.creator} seq ${h.seq}`,
      h,
    );
  }

  /** Takes the creator's vote mask for an event whose parent round is below the window. */
  #trustMask(rec: Rec, h: EventHeader): void {
    rec.voteMask = h.voteMask;
    rec.round = rec.parentRound + (popcount(h.voteMask) >= this.q ? 1 : 0);
    rec.witness = rec.self < 0 || this.#recs[rec.self]!.round < rec.round;
  }

  /** Inserts a pre-window event with the parents present, never to be ordered. */
  #insertAncient(h: EventHeader, key: string): ReceiveResult {
    let selfIdx = h.selfParent === null ? -1 : this.#byKey.get(toHex(h.selfParent)) ?? -1;
    if (selfIdx >= 0) {
      const sp = this.#recs[selfIdx]!;
      if (sp.creator !== h.creator || sp.seq + 1 !== h.seq) selfIdx = -1;
    }
    const otherIdx: number[] = [];
    for (const p of h.parents) {
      const pi = this.#byKey.get(toHex(p));
      if (pi !== undefined && this.#recs[pi]!.creator !== h.creator) otherIdx.push(pi);
    }
    const rec = this.#build(h, key, selfIdx, otherIdx);
    this.#trustMask(rec, h);
    rec.witness = false;
    this.#recs.push(rec);
    this.#byKey.set(key, rec.idx);
    const atSeq = this.#chain[h.creator]!.get(h.seq);
    if (atSeq === undefined) this.#chain[h.creator]!.set(h.seq, [rec.idx]);
    else {
      // A second variant a buffered event needed (#preWindowFork): kept out of the chain index.
      const other = this.#recs[atSeq[0]!]!;
      const [a, b] = other.key < key ? [other.h, h] : [h, other.h];
      this.#addEvidence("equivocation", h.creator, [a, b], `p:${h.creator}:${h.seq}`);
    }
    const t = this.#tip[h.creator]!;
    if (t < 0 || this.#recs[t]!.seq < h.seq) this.#tip[h.creator] = rec.idx;
    return { status: "inserted" };
  }

  /** Seats with a known equivocation in the DAG (bit i = seat i). */
  get forkedSeats(): bigint {
    return this.#forkSeats;
  }

  /**
   * Ordering metadata of an event in the DAG, as a checkpoint carries it.
   * @param id event id
   * @returns round, witness flag and per-seat highest sequence number in its ancestry, or
   *   undefined when the event is not in the DAG
   */
  meta(id: Uint8Array): { round: number; witness: boolean; hbSeq: number[] } | undefined {
    const i = this.#byKey.get(toHex(id));
    if (i === undefined) return undefined;
    const r = this.#recs[i]!;
    return { round: r.round, witness: r.witness, hbSeq: Array.from(r.hbSeq) };
  }

  /**
   * Rebuilds the DAG window of a checkpoint (constructor option): boundary targets that are not
   * listed become "ghost" records (creator and seq only, never in the id index), listed events are
   * checked and, where all parents are listed and the parent round is in the full window,
   * recomputed; witnesses of undecided rounds vote again, which may finalize rounds at once.
   */
  #restore(cp: ConsensusCheckpoint): void {
    const bad = (msg: string, h?: EventHeader): never => {
      throw new CheckpointError(
        "CHECKPOINT_INVALID",
        `Checkpoint refused: ${msg}`,
        h === undefined ? undefined : toHex(h.id),
      );
    };
    const L = cp.height;
    if (!Number.isInteger(L) || L < 1) bad(`height ${L}`);
    if (!Number.isInteger(cp.base) || cp.base < 0 || cp.base > L) bad(`base round ${cp.base}`);
    if (cp.anchorId.length !== 32) bad("anchor id is not 32 bytes");
    const k = this.k;
    const at: Map<number, number>[] = Array.from({ length: k }, () => new Map());
    const listed = new Set<string>();
    cp.events.forEach((e, i) => {
      const h = e.header;
      const st = this.#staticCheck(h);
      if (st !== undefined) bad(st.error!.message, h);
      const key = toHex(h.id);
      if (listed.has(key)) bad("event listed twice", h);
      listed.add(key);
      if (at[h.creator]!.has(h.seq)) bad(`two events of seat ${h.creator} at seq ${h.seq}`, h);
      at[h.creator]!.set(h.seq, i);
      if (
        e.hbSeq.length !== k || e.hbSeq[h.creator] !== h.seq ||
        e.hbSeq.some((s) => !Number.isInteger(s) || s < -1)
      ) bad("malformed vector clock", h);
      if (!Number.isInteger(e.round) || e.round < 0) bad(`round ${e.round}`, h);
      if (e.ordered && e.round >= L) bad("event ordered above the anchor round", h);
      if (!this.#cfg.verifySignature(h)) bad("bad event signature", h);
    });
    const ghosts: Map<number, number>[] = Array.from({ length: k }, () => new Map());
    for (const e of cp.events) {
      for (let v = 0; v < k; v++) {
        const s = e.hbSeq[v]!;
        if (s < 0 || at[v]!.has(s) || ghosts[v]!.has(s)) continue;
        if (e.round >= cp.base) bad("vector clock points outside the checkpoint", e.header);
        const idx = this.#recs.length;
        const hbIdx = new Int32Array(k).fill(-1);
        const hbSeq = new Int32Array(k).fill(-1);
        hbIdx[v] = idx;
        hbSeq[v] = s;
        const h: EventHeader = {
          id: new Uint8Array(32),
          network: this.#cfg.network,
          shard: this.#cfg.shard,
          creator: v,
          seq: s,
          selfParent: null,
          parents: [],
          voteMask: 0n,
          payloadRoot: new Uint8Array(32),
          signature: new Uint8Array(0),
        };
        this.#recs.push({
          idx,
          key: `ghost:${v}:${s}`,
          h,
          creator: v,
          seq: s,
          self: -1,
          parents: [],
          hbIdx,
          hbSeq,
          forkMask: 0n,
          parentRound: 0,
          round: 0,
          witness: false,
          voteMask: 0n,
        });
        ghosts[v]!.set(s, idx);
      }
    }
    this.#height = L;
    this.#lowestUndecided = L;
    this.#prevAnchorId = cp.anchorId.slice();
    this.#cpBase = cp.base;
    this.#firstFull = new Int32Array(k).fill(0x7fffffff);
    this.#maxListed = new Int32Array(k).fill(-1);
    for (const e of cp.events) {
      const c = e.header.creator;
      if (e.round >= cp.base && e.header.seq < this.#firstFull[c]!) {
        this.#firstFull[c] = e.header.seq;
      }
      if (e.header.seq > this.#maxListed[c]!) this.#maxListed[c] = e.header.seq;
    }
    for (const e of cp.events) {
      const h = e.header;
      const key = toHex(h.id);
      let selfIdx = -1;
      let pruned = false;
      if (h.selfParent !== null) {
        const si = this.#byKey.get(toHex(h.selfParent));
        if (si === undefined) {
          if (at[h.creator]!.has(h.seq - 1)) bad("self-parent is not the listed event", h);
          pruned = true;
        } else {
          const sp = this.#recs[si]!;
          if (sp.creator !== h.creator || sp.seq + 1 !== h.seq) bad("self-parent mismatch", h);
          selfIdx = si;
        }
      }
      const otherIdx: number[] = [];
      for (const p of h.parents) {
        const pi = this.#byKey.get(toHex(p));
        if (pi === undefined) {
          if (listed.has(toHex(p))) bad("parent listed after its child", h);
          pruned = true;
          continue;
        }
        if (this.#recs[pi]!.creator === h.creator) bad("own creator as other parent", h);
        otherIdx.push(pi);
      }
      const parents = selfIdx >= 0 ? [selfIdx, ...otherIdx] : otherIdx;
      const idx = this.#recs.length;
      const hbSeq = Int32Array.from(e.hbSeq);
      const hbIdx = new Int32Array(k).fill(-1);
      for (let v = 0; v < k; v++) {
        const s = hbSeq[v]!;
        if (s < 0) continue;
        if (v === h.creator) {
          hbIdx[v] = idx;
          continue;
        }
        const li = at[v]!.get(s);
        const ti = li === undefined
          ? ghosts[v]!.get(s)
          : this.#byKey.get(toHex(cp.events[li]!.header.id));
        if (ti === undefined) bad("vector clock points at a later event", h);
        hbIdx[v] = ti!;
      }
      let parentRound = 0;
      const merged = new Int32Array(k).fill(-1);
      for (const pi of parents) {
        const p = this.#recs[pi]!;
        if (p.round > parentRound) parentRound = p.round;
        for (let v = 0; v < k; v++) if (p.hbSeq[v]! > merged[v]!) merged[v] = p.hbSeq[v]!;
      }
      for (let v = 0; v < k; v++) {
        if (v === h.creator) continue;
        if (hbSeq[v]! < merged[v]! || (!pruned && hbSeq[v] !== merged[v])) {
          bad("vector clock differs from its parents'", h);
        }
      }
      if (e.round < parentRound) bad("round below a parent's", h);
      if (selfIdx >= 0 && e.witness !== this.#recs[selfIdx]!.round < e.round) {
        bad("witness flag differs from the rounds", h);
      }
      if (h.seq === 0 && !e.witness) bad("first event of a seat is not a witness", h);
      let rec: Rec;
      if (!pruned && parents.length > 0 && parentRound >= cp.base) {
        rec = this.#build(h, key, selfIdx, otherIdx);
        if (
          rec.round !== e.round || rec.witness !== e.witness || rec.voteMask !== h.voteMask ||
          rec.hbSeq.some((x, v) => x !== hbSeq[v])
        ) bad("metadata differs from the recomputed round, witness flag or vote mask", h);
      } else {
        if (!pruned && parents.length === 0 && e.round !== 0) {
          bad("parentless event above round 0", h);
        }
        rec = {
          idx,
          key,
          h,
          creator: h.creator,
          seq: h.seq,
          self: selfIdx,
          parents,
          hbIdx,
          hbSeq,
          forkMask: 0n,
          parentRound,
          round: e.round,
          witness: e.witness,
          voteMask: h.voteMask,
        };
      }
      this.#recs.push(rec);
      this.#byKey.set(key, rec.idx);
      this.#chain[h.creator]!.set(h.seq, [rec.idx]);
      const t = this.#tip[h.creator]!;
      if (t < 0 || this.#recs[t]!.seq < h.seq) this.#tip[h.creator] = rec.idx;
      if (!e.ordered) this.#unordered.push(rec.idx);
      if (rec.witness) {
        let byRound = this.#witnesses.get(rec.round);
        if (byRound === undefined) {
          byRound = Array.from({ length: k }, () => []);
          this.#witnesses.set(rec.round, byRound);
        }
        byRound[h.creator]!.push(rec.idx);
        if (rec.round >= this.#lowestUndecided) this.#vote(rec);
        this.#finalizeReady();
      }
    }
  }
}

/** Whether a is lexicographically greater than b (equal length). */
function lexGreater(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < a.length; i++) {
    if (a[i]! !== b[i]!) return a[i]! > b[i]!;
  }
  return false;
}

function u64(n: number): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(n), true);
  return b;
}

/** Bytes of a lowercase hex string (re-export of `@noble/hashes`' `hexToBytes`). */
export { hexToBytes };
