/**
 * The deterministic state machine: applies finalized anchors (events in total order) to the UTXO
 * set, validator bonds and supply accounting, and maintains the authenticated state root.
 * Rules: docs/spec/transactions.md §5 (validation), docs/spec/maturity.md, docs/spec/state.md.
 * Pure: no clock, randomness or I/O; signatures go through an injected batch verifier.
 * @module
 */
import {
  encodePredicate,
  hashlockHash,
  MAX_OUTPUTS,
  MAX_PREIMAGE_BYTES,
  type Predicate,
  predicateCommitment,
  sighash,
  type Tx,
  type TxOutput,
  type Witness,
} from "../codec/mod.ts";
import { blsPopVerify } from "../crypto/mod.ts";
import { MAX_SUPPLY_UNITS, type NetworkParams } from "../params/mod.ts";
import { bytesEqual, toHex } from "./_bytes.ts";
import { StateCommitment, type StateProof } from "./commitment.ts";
import {
  bondKeyS,
  decodeBondS,
  decodeExitS,
  decodeGlobalS,
  decodeUtxoS,
  encodeBondS,
  encodeExitS,
  encodeGlobalS,
  encodeUtxoOutS,
  encodeUtxoRawS,
  exitKeyS,
  GLOBAL_KEY_S,
  type GlobalState,
  TAG_BOND,
  TAG_UTXO,
  utxoKey,
  utxoKeyS,
} from "./_entry.ts";
import { StateError, TxError, type TxErrorCode } from "./errors.ts";
import { type BatchVerifier, defaultVerifier, type SigItem, syncVerifier } from "./_schnorr.ts";
import { sighashBatch, type SighashJob, sighashJob } from "./_sighash.ts";
import type {
  AnchorReceipt,
  Bond,
  FinalizedAnchor,
  OutPoint,
  SeatExit,
  SkippedItem,
  StateMint,
  StateTx,
  Utxo,
} from "./types.ts";

/** Options of {@linkcode StateEngine}. */
export interface StateEngineOptions {
  /** Network parameters (id, maturity tiers, unbonding window, minimum bond). */
  network: NetworkParams;
  /** Batch signature verifier (default: crypto's native BIP-340 batch verifier). */
  verifier?: BatchVerifier;
  /**
   * Check signatures (default `true`). `false` is only for benchmarks and for replaying anchors
   * whose signatures this node already checked; every other rule still applies.
   */
  verifySignatures?: boolean;
}

/** Supply accounting, from the global entry. */
export interface SupplyInfo {
  /** Total ever minted, in units. */
  emitted: bigint;
  /** Fees collected and not paid out. */
  feePool: bigint;
  /** Sum of bonds. */
  bonded: bigint;
}

const EMPTY_GLOBAL: GlobalState = { anchor: -1, emitted: 0n, feePool: 0n, bonded: 0n };

function opStr(o: OutPoint): string {
  return `${toHex(o.txId)}:${o.index}`;
}

/**
 * Whether two lists of spent outputs are equal (amounts and predicates). A predicate that cannot
 * be encoded (only an object passed straight to the API, never a decoded one) compares unequal,
 * so the guess is dropped as it would be had it never been made.
 */
function sameSpent(a: readonly TxOutput[], b: readonly TxOutput[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!, y = b[i]!;
    if (x.amount !== y.amount) return false;
    const p = x.predicate, q = y.predicate;
    if (p === q) continue;
    if (p.type === "key" && q.type === "key") {
      if (!bytesEqual(p.pubkey, q.pubkey)) return false;
    } else {
      try {
        if (!bytesEqual(encodePredicate(p), encodePredicate(q))) return false;
      } catch {
        return false;
      }
    }
  }
  return true;
}

/** Whether two signature items are the same (signature, message, key) triple. */
function sameItem(a: SigItem, b: SigItem): boolean {
  return (a.signature === b.signature || bytesEqual(a.signature, b.signature)) &&
    (a.message === b.message || bytesEqual(a.message, b.message)) &&
    (a.publicKey === b.publicKey || bytesEqual(a.publicKey, b.publicKey));
}

/** Refusal raised inside validation; converted to a TxError with the id at the boundary. */
class Refusal {
  constructor(
    readonly code: TxErrorCode,
    /** Where: an outpoint (formatted only when reported), `"seat"`, or nothing. */
    readonly outpoint?: string | OutPoint,
    readonly detail?: string,
    readonly spendableAt?: number,
  ) {}
}

/** Verdict oracle for one signature. */
type Verdict = (it: SigItem) => boolean;

function popcount16(x: number): number {
  let n = 0;
  for (let v = x; v !== 0; v &= v - 1) n++;
  return n;
}

/**
 * The signatures a witness must present for a predicate (docs/spec/transactions.md §5.3), or a
 * refusal when the witness has the wrong shape. `anchor` is the spending anchor (for `after`).
 */
function predicateSigs(
  p: Predicate,
  w: Witness,
  anchor: number,
  msg: Uint8Array,
  at: string | OutPoint,
  out: SigItem[],
  revealed = false,
): void {
  const noExtras = (allowPreimage: boolean, allowReveal: boolean): void => {
    if (!allowPreimage && w.preimage !== null) {
      throw new Refusal("TX_BAD_WITNESS", at, "unexpected preimage");
    }
    if (!allowReveal && w.reveal !== null) {
      throw new Refusal("TX_BAD_WITNESS", at, "unexpected reveal");
    }
  };
  const one = (pubkey: Uint8Array): void => {
    if (w.sigs.length !== 1 || w.signers !== 0) {
      throw new Refusal("TX_BAD_WITNESS", at, `expected one signature, got ${w.sigs.length}`);
    }
    out.push({ signature: w.sigs[0]!, message: msg, publicKey: pubkey });
  };
  switch (p.type) {
    case "key":
      noExtras(false, revealed);
      one(p.pubkey);
      return;
    case "musig":
      noExtras(false, revealed);
      one(p.key);
      return;
    case "multi": {
      noExtras(false, revealed);
      const n = p.pubkeys.length;
      if (
        w.signers >>> n !== 0 || popcount16(w.signers) !== p.threshold ||
        w.sigs.length !== p.threshold
      ) {
        throw new Refusal(
          "TX_BAD_WITNESS",
          at,
          `expected ${p.threshold} signatures named by the signer mask`,
        );
      }
      let j = 0;
      for (let i = 0; i < n; i++) {
        if ((w.signers >>> i) & 1) {
          out.push({ signature: w.sigs[j++]!, message: msg, publicKey: p.pubkeys[i]! });
        }
      }
      return;
    }
    case "hashlock": {
      noExtras(true, revealed);
      const pre = w.preimage;
      if (
        pre === null || pre.length > MAX_PREIMAGE_BYTES || !bytesEqual(hashlockHash(pre), p.hash)
      ) {
        throw new Refusal("TX_BAD_WITNESS", at, "hashlock preimage does not match");
      }
      one(p.pubkey);
      return;
    }
    case "after":
      if (BigInt(anchor) < p.anchor) {
        throw new Refusal("TX_LOCKED", at, `locked until anchor ${p.anchor}`, Number(p.anchor));
      }
      predicateSigs(p.inner as Predicate, w, anchor, msg, at, out, revealed);
      return;
    case "commit": {
      const r = w.reveal;
      if (
        revealed || r === null || r.type === "commit" ||
        !bytesEqual(predicateCommitment(r), p.commitment)
      ) {
        throw new Refusal("TX_BAD_WITNESS", at, "revealed predicate does not match the commitment");
      }
      predicateSigs(r, w, anchor, msg, at, out, true);
      return;
    }
  }
}

/** A validated transaction's effect, applied only when the whole transaction is valid. */
interface Plan {
  spend: string[];
  create: [string, string][];
  /** Bond and seat-exit entries to write (value) or delete (`null`). */
  seat?: [string, string | null][];
  fee: bigint;
  bondedDelta: bigint;
}

/** One anchor's signature pre-pass, started ahead by {@linkcode StateEngine.prepareAnchor}. */
interface Prepared {
  a: FinalizedAnchor;
  caches: Map<StateTx, TxCache>;
  verdicts: Verdicts;
  /** Outputs the anchor's mints and transactions create, by latin1 key. */
  overlay: Map<string, TxOutput>;
}

/**
 * Anchors whose pre-pass may run ahead of the apply: the next one, the one after it (verified
 * while the next applies), and room for a caller that prepares further ahead. Each holds its
 * transactions' sighashes and verdicts.
 */
const MAX_PREPARED = 4;

/** Per-transaction data shared by the signature pre-pass and the sequential pass. */
interface TxCache {
  spent: TxOutput[];
  msgs: Uint8Array[];
  /** Index of this transaction's first signature item in the anchor's item list. */
  start: number;
  /** Number of signature items collected up to and including this transaction. */
  end: number;
}

/**
 * Verdicts of an anchor's signatures, filled in chunk by chunk: `ok[i]` is 0 while item `i` is
 * not verified yet, 1 valid, 2 invalid. The sequential pass finds a transaction's items by
 * position (checking that they are the same triple), not by hashing them into a map.
 */
interface Verdicts {
  items: SigItem[];
  ok: Uint8Array;
  chunks: { end: number; done: Promise<void> }[];
  next: number;
}

/** The signature batch of an anchor is verified in up to this many chunks... */
const VERIFY_CHUNKS = 8;
/** ...of at least this many signatures. */
const VERIFY_CHUNK_MIN = 256;

/**
 * The UTXO state machine over an in-memory authenticated map. Durable storage is layered on top
 * (`StateDb`), snapshots in `snapshot.ts`.
 *
 * @example
 * ```ts
 * import { StateEngine } from "./engine.ts";
 * import { DEVNET } from "../params/mod.ts";
 * const e = new StateEngine({ network: DEVNET });
 * const r = await e.applyAnchor({ index: 0, events: [] });
 * console.assert(r.root.length === 32 && e.anchor === 0);
 * ```
 */
export class StateEngine {
  /** Network parameters. */
  readonly network: NetworkParams;
  #verifier: BatchVerifier;
  #verify: boolean;
  #c: StateCommitment;
  #g: GlobalState;
  #delta = new Map<string, string | null>();
  #applying = false;
  /** Settles when the running {@linkcode applyAnchor} (if any) has finished. */
  #idle: Promise<void> = Promise.resolve();
  /**
   * Signature pre-passes started by {@linkcode prepareAnchor}, for anchors `anchor + 1`,
   * `anchor + 2`, ... in order (at most {@linkcode MAX_PREPARED}). Each keeps the outputs its
   * anchor creates (`overlay`), so the next one resolves spends of them before they exist.
   */
  #prepared: Prepared[] = [];

  /**
   * @param options Network and verifier.
   * @param commitment Pre-loaded entries (recovery, snapshots); empty state when omitted.
   * @throws {StateError} `STATE_STORE_CORRUPT` when the loaded global entry does not decode.
   */
  constructor(options: StateEngineOptions, commitment?: StateCommitment) {
    this.network = options.network;
    this.#verifier = options.verifier ?? defaultVerifier;
    this.#verify = options.verifySignatures ?? true;
    this.#c = commitment ?? new StateCommitment();
    const g = this.#c.getS(GLOBAL_KEY_S);
    try {
      this.#g = g === undefined ? { ...EMPTY_GLOBAL } : decodeGlobalS(g);
    } catch (e) {
      throw new StateError("STATE_STORE_CORRUPT", {
        detail: `global entry: ${(e as Error).message}`,
      });
    }
  }

  /** Last applied anchor index, -1 before the first. */
  get anchor(): number {
    return this.#g.anchor;
  }

  /** Number of state entries (UTXOs, bonds, the global entry). */
  get size(): number {
    return this.#c.size;
  }

  /** Supply accounting. @returns Emitted, fee pool and bonded totals. */
  supply(): SupplyInfo {
    return { emitted: this.#g.emitted, feePool: this.#g.feePool, bonded: this.#g.bonded };
  }

  /**
   * The state root after the last applied anchor.
   * @returns 32 bytes.
   */
  root(): Uint8Array {
    return this.#c.root();
  }

  /** The underlying commitment (read-only use: snapshots, proofs). */
  get commitment(): StateCommitment {
    return this.#c;
  }

  /**
   * Look up an unspent output.
   * @param o Outpoint.
   * @returns The decoded output, or `undefined` when unknown or spent.
   */
  getUtxo(o: OutPoint): Utxo | undefined {
    const v = this.#c.getS(utxoKeyS(o));
    return v === undefined ? undefined : decodeUtxoS(v);
  }

  /**
   * Look up the bond of a validator seat.
   * @param seatKey 32-byte seat key.
   * @returns The bond, or `undefined`.
   */
  getBond(seatKey: Uint8Array): Bond | undefined {
    const v = this.#c.getS(bondKeyS(seatKey));
    return v === undefined ? undefined : decodeBondS(v);
  }

  /**
   * The exit record of a seat that left the validator set by a full unbond: when it left and the
   * first anchor at which it may bond again (re-bond cooldown, counted in finalized anchors).
   * @param seatKey 32-byte seat key.
   * @returns The record, or `undefined` when the seat is bonded or never left.
   */
  seatExit(seatKey: Uint8Array): SeatExit | undefined {
    const v = this.#c.getS(exitKeyS(seatKey));
    return v === undefined ? undefined : decodeExitS(v);
  }

  /**
   * Inclusion (or non-inclusion) proof of an outpoint against {@linkcode root}.
   * @param o Outpoint.
   * @returns Proof for `verifyStateProof(root, utxoKey(o), value | null, proof)`.
   */
  proveUtxo(o: OutPoint): StateProof {
    return this.#c.prove(utxoKey(o));
  }

  /**
   * Changes since the last call, by latin1 key: latin1 value, or `null` for a deletion. The
   * durable layer writes these per anchor.
   * @returns The delta (ownership passes to the caller).
   */
  takeDelta(): Map<string, string | null> {
    const d = this.#delta;
    this.#delta = new Map();
    return d;
  }

  #put(k: string, v: string): void {
    this.#c.setS(k, v);
    this.#delta.set(k, v);
  }

  #del(k: string): void {
    this.#c.deleteS(k);
    this.#delta.set(k, null);
  }

  /**
   * Check a transaction against the current state as if it were applied in the next anchor,
   * without changing anything (mempool admission). Called while an apply runs, it judges against
   * the state that apply leaves, never a half-applied anchor.
   * @param t Transaction with its id.
   * @throws {TxError} With the first rule it breaks.
   */
  async checkTx(t: StateTx): Promise<void> {
    const idx = this.#g.anchor + 1;
    const caches = new Map<StateTx, TxCache>();
    const items: SigItem[] = [];
    this.#collect([t], idx, new Map(), caches, items, []);
    let verdicts: Verdicts | null = null;
    if (this.#verify) {
      verdicts = this.#startVerifying(items);
      for (const c of verdicts.chunks) await c.done;
    }
    // An apply that started meanwhile is waiting on its own signatures with part of its anchor
    // applied: judge against the state it leaves (validation below is synchronous). Items the
    // pre-pass resolved against an older state no longer match and are verified again there.
    while (this.#applying) await this.#idle;
    try {
      this.#validateTx(t, this.#g.anchor + 1, new Set(), verdicts, caches.get(t));
    } catch (e) {
      throw this.#toTxError(e, t.txId);
    }
  }

  /**
   * Start the signature work of an upcoming anchor ahead of {@linkcode applyAnchor}: resolve its
   * spent outputs, compute its sighashes and launch its batch verification now, in the background
   * (crypto's `{ background: true }`: off this thread, leaving it a core), so it overlaps with what
   * the caller does next: the apply of the anchor before it, or a durable commit. Anchors are
   * prepared in index order from the next one (`anchor + 1`, then `anchor + 2`, ..., at most 4
   * ahead); spends of outputs that an earlier prepared anchor creates are resolved from that
   * anchor's transactions.
   *
   * Only an optimisation: `applyAnchor(a)` with the same, unmodified object uses the result, and
   * any other apply discards the queue. The sequential pass checks every guess of the pre-pass
   * (spent outputs, then each signature item), and verdicts are pure functions of (signature,
   * message, key), so results are identical with or without it (`golden_test.ts`,
   * `prepare_test.ts`). Ignored while an apply runs, when signatures are not checked, and for an
   * index that does not follow the queue (which then restarts from `a` if it is the next anchor).
   * @param a An anchor that will be applied soon (`a.index` from `anchor + 1`).
   * @example
   * ```ts
   * import { StateEngine } from "./engine.ts";
   * import { DEVNET } from "../params/mod.ts";
   * const e = new StateEngine({ network: DEVNET });
   * const a0 = { index: 0, events: [] }, a1 = { index: 1, events: [] };
   * e.prepareAnchor(a0);
   * e.prepareAnchor(a1); // verifies while a0 applies
   * await e.applyAnchor(a0);
   * await e.applyAnchor(a1);
   * ```
   */
  prepareAnchor(a: FinalizedAnchor): void {
    if (!this.#verify || this.#applying) return;
    const q = this.#prepared;
    if (q.some((p) => p.a === a)) return; // Already started.
    if (a.index !== this.#g.anchor + 1 + q.length) {
      // Not the one after the queue: start over from this anchor, if it is the next to apply.
      q.length = 0;
      if (a.index !== this.#g.anchor + 1) return;
    }
    if (q.length >= MAX_PREPARED) return;
    const caches = new Map<StateTx, TxCache>();
    const overlay = new Map<string, TxOutput>();
    const verdicts = this.#prepass(a, caches, overlay, q.map((p) => p.overlay).reverse(), true);
    q.push({ a, caches, verdicts, overlay });
  }

  /**
   * Pre-pass of an anchor: resolve spent outputs (state, or outputs created earlier in this
   * anchor), compute sighashes and start verifying every presented signature, in chunks, so the
   * sequential pass can start on the first chunk while later ones verify.
   */
  #prepass(
    a: FinalizedAnchor,
    caches: Map<StateTx, TxCache>,
    overlay: Map<string, TxOutput>,
    earlier: readonly Map<string, TxOutput>[],
    ahead: boolean,
  ): Verdicts {
    const items: SigItem[] = [];
    for (const ev of a.events) {
      for (const m of ev.mints) {
        try {
          overlay.set(utxoKeyS({ txId: m.mintId, index: 0 }), {
            amount: m.amount,
            predicate: m.payout,
          });
        } catch {
          // Malformed mint id: the sequential pass refuses the mint.
        }
      }
      this.#collect(ev.txs, a.index, overlay, caches, items, earlier);
    }
    return this.#startVerifying(items, ahead);
  }

  /**
   * Apply one finalized anchor: for each event in order, its mints then its transactions; an
   * invalid item is skipped and recorded (docs/spec/transactions.md §5.1), never halts.
   * @param a The anchor; `a.index` must be exactly one above {@linkcode anchor}.
   * @returns Receipt with the new root and the skipped items.
   * @throws {StateError} `STATE_ANCHOR_ORDER` for a wrong anchor index (nothing changes).
   * @throws {Error} When called while a previous call has not finished (not re-entrant).
   */
  async applyAnchor(a: FinalizedAnchor): Promise<AnchorReceipt> {
    if (a.index !== this.#g.anchor + 1) {
      throw new StateError("STATE_ANCHOR_ORDER", {
        anchor: a.index,
        detail: `expected anchor ${this.#g.anchor + 1}`,
      });
    }
    if (this.#applying) throw new Error("StateEngine.applyAnchor() is already running");
    this.#applying = true;
    let idle!: () => void;
    this.#idle = new Promise((go) => idle = go);
    // The queue holds anchors anchor+1, anchor+2, ...: its head is this anchor's pre-pass when it
    // was prepared with this very object; otherwise the whole queue is stale.
    const q = this.#prepared;
    const p = q[0]?.a === a ? q.shift()! : undefined;
    if (p === undefined) q.length = 0;
    try {
      let caches = new Map<StateTx, TxCache>();
      let verdicts: Verdicts | null = null;
      if (this.#verify) {
        if (p !== undefined) {
          caches = p.caches;
          verdicts = p.verdicts;
        } else {
          verdicts = this.#prepass(a, caches, new Map(), [], false);
        }
      }
      return await this.#applySequential(a, verdicts, caches);
    } catch (e) {
      q.length = 0; // A failed apply may have changed part of the state.
      throw e;
    } finally {
      this.#applying = false;
      idle();
    }
  }

  /**
   * Launch batch verification of `items` in chunks (one background batch when `ahead`); verdicts
   * fill in as chunks finish.
   */
  #startVerifying(items: SigItem[], ahead = false): Verdicts {
    const ok = new Uint8Array(items.length);
    const chunks: { end: number; done: Promise<void> }[] = [];
    // Ahead of its apply, an anchor's batch is one background call: it is done before the apply
    // needs it, and chunks would only add threads competing with the caller's (ADR 0039).
    const size = ahead
      ? Math.max(1, items.length)
      : Math.max(VERIFY_CHUNK_MIN, Math.ceil(items.length / VERIFY_CHUNKS));
    for (let i = 0; i < items.length; i += size) {
      const part = items.slice(i, i + size);
      const first = i;
      const done = this.#verifyChunk(part, ahead).then((r) => {
        for (let j = 0; j < part.length; j++) ok[first + j] = r[j] === true ? 1 : 2;
      });
      chunks.push({ end: i + part.length, done });
    }
    return { items, ok, chunks, next: 0 };
  }

  /** One chunk through the batch verifier; a throwing verifier falls back to per-item checks. */
  async #verifyChunk(part: SigItem[], ahead: boolean): Promise<boolean[]> {
    try {
      const r = await this.#verifier(part, ahead ? { background: true } : undefined);
      if (r.length === part.length) return r;
    } catch {
      // Malformed items make a batch throw: judge them one by one below (same verdicts).
    }
    return part.map((it) => {
      try {
        return syncVerifier([it])[0] === true;
      } catch {
        return false; // A malformed key or signature is an invalid signature.
      }
    });
  }

  /**
   * Pre-pass for transactions in order: spent outputs (`overlay` of outputs created earlier in
   * the anchor, then the `earlier` overlays of the prepared anchors before it, newest first, then
   * the state), every sighash in one batch, and the signature items. What it resolves is a guess
   * that the sequential pass checks ({@linkcode sameSpent}) before using anything of it: two
   * mints with one id, for instance, leave the second in the overlay while the state keeps the
   * first.
   */
  #collect(
    txs: readonly StateTx[],
    idx: number,
    overlay: Map<string, TxOutput>,
    caches: Map<StateTx, TxCache>,
    items: SigItem[],
    earlier: readonly Map<string, TxOutput>[],
  ): void {
    const ready: StateTx[] = [];
    const spents: TxOutput[][] = [];
    const jobs: SighashJob[] = [];
    for (const t of txs) {
      try {
        const tx = t.tx;
        const spent: TxOutput[] = [];
        let known = true;
        for (const inp of tx.inputs) {
          const k = utxoKeyS(inp.prevout);
          let o = overlay.get(k);
          for (let e = 0; o === undefined && e < earlier.length; e++) o = earlier[e]!.get(k);
          if (o === undefined) {
            const v = this.#c.getS(k);
            if (v === undefined) {
              known = false; // Unknown input: the sequential pass refuses it.
              break;
            }
            const u = decodeUtxoS(v);
            o = { amount: u.amount, predicate: u.predicate };
          }
          spent.push(o);
        }
        if (!known) continue;
        const job = sighashJob(tx, spent);
        ready.push(t);
        spents.push(spent);
        jobs.push(job);
      } catch (e) {
        // A transaction the codec could not encode (shape errors) is refused in the sequential
        // pass with TX_MALFORMED; the pre-pass only gathers signatures.
        if (!isShapeError(e)) throw e;
        continue;
      }
      try {
        for (let i = 0; i < t.tx.outputs.length; i++) {
          overlay.set(utxoKeyS({ txId: t.txId, index: i }), t.tx.outputs[i]!);
        }
      } catch (e) {
        if (!isShapeError(e)) throw e; // A malformed txId: refused by the sequential pass.
      }
    }
    const msgs = sighashBatch(jobs);
    for (let k = 0; k < ready.length; k++) {
      const t = ready[k]!, tx = t.tx, m = msgs[k]!;
      const cache: TxCache = { spent: spents[k]!, msgs: m, start: items.length, end: 0 };
      caches.set(t, cache);
      try {
        for (let i = 0; i < tx.inputs.length; i++) {
          try {
            predicateSigs(cache.spent[i]!.predicate, tx.witnesses[i]!, idx, m[i]!, "", items);
          } catch (e) {
            if (!(e instanceof Refusal)) throw e;
            // Witness shape or lock refusal: reported by the sequential pass.
          }
        }
        const n = m.length;
        if (
          (tx.kind.type === "bond" || tx.kind.type === "unbond") &&
          tx.witnesses[n - 1] !== undefined
        ) {
          try {
            predicateSigs(
              { type: "key", pubkey: tx.kind.seatKey },
              tx.witnesses[n - 1]!,
              idx,
              m[n - 1]!,
              "",
              items,
            );
          } catch (e) {
            if (!(e instanceof Refusal)) throw e;
          }
        }
      } catch (e) {
        if (!isShapeError(e)) throw e;
      } finally {
        cache.end = items.length;
      }
    }
  }

  async #applySequential(
    a: FinalizedAnchor,
    verdicts: Verdicts | null,
    caches: Map<StateTx, TxCache>,
  ): Promise<AnchorReceipt> {
    const idx = a.index;
    const spentHere = new Set<string>();
    const skipped: SkippedItem[] = [];
    let appliedTxs = 0, appliedMints = 0, fees = 0n;
    for (const ev of a.events) {
      for (const m of ev.mints) {
        try {
          this.#applyMint(m, idx);
          appliedMints++;
        } catch (e) {
          skipped.push({
            id: m.mintId,
            eventId: ev.eventId,
            code: this.#toTxError(e, m.mintId).code,
          });
        }
      }
      for (const t of ev.txs) {
        const cache = caches.get(t);
        if (verdicts !== null && cache !== undefined) {
          // Wait for the chunks holding this transaction's signatures (nothing else runs on
          // the engine meanwhile: applyAnchor is not re-entrant).
          while (
            verdicts.next < verdicts.chunks.length &&
            verdicts.chunks[verdicts.next]!.end <= cache.end
          ) {
            await verdicts.chunks[verdicts.next++]!.done;
          }
          const start = verdicts.next === 0 ? 0 : verdicts.chunks[verdicts.next - 1]!.end;
          if (verdicts.next < verdicts.chunks.length && start < cache.end) {
            await verdicts.chunks[verdicts.next]!.done;
          }
        }
        try {
          const plan = this.#validateTx(t, idx, spentHere, verdicts, cache);
          this.#applyPlan(plan, spentHere);
          appliedTxs++;
          fees += plan.fee;
        } catch (e) {
          skipped.push({ id: t.txId, eventId: ev.eventId, code: this.#toTxError(e, t.txId).code });
        }
      }
    }
    this.#g = { ...this.#g, anchor: idx };
    this.#put(GLOBAL_KEY_S, encodeGlobalS(this.#g));
    return { index: idx, root: this.#c.root(), appliedTxs, appliedMints, fees, skipped };
  }

  #toTxError(e: unknown, id: Uint8Array): TxError {
    if (e instanceof TxError) return e;
    const txid = id instanceof Uint8Array ? toHex(id) : "?";
    if (e instanceof Refusal) {
      const data: { txid: string; outpoint?: string; detail?: string; spendableAt?: number } = {
        txid,
      };
      if (e.outpoint !== undefined && e.outpoint !== "") {
        data.outpoint = typeof e.outpoint === "string" ? e.outpoint : opStr(e.outpoint);
      }
      if (e.detail !== undefined) data.detail = e.detail;
      if (e.spendableAt !== undefined) data.spendableAt = e.spendableAt;
      return new TxError(e.code, data);
    }
    if (isShapeError(e)) {
      // Shape errors of a decoded item (wrong id length, unencodable predicate): malformed.
      return new TxError("TX_MALFORMED", { txid, detail: (e as Error).message });
    }
    throw e;
  }

  #applyMint(m: StateMint, idx: number): void {
    if (m.amount < 1n || m.amount > MAX_SUPPLY_UNITS) {
      throw new Refusal("TX_VALUE_OVERFLOW", undefined, `mint amount ${m.amount}`);
    }
    if (this.#g.emitted + m.amount > MAX_SUPPLY_UNITS) {
      throw new Refusal("TX_CAP_EXCEEDED", undefined, `emitted ${this.#g.emitted} + ${m.amount}`);
    }
    const maturity = this.network.maturityAnchors[m.tier];
    if (maturity === undefined) throw new Refusal("TX_MALFORMED", undefined, `mint tier ${m.tier}`);
    const k = utxoKeyS({ txId: m.mintId, index: 0 });
    if (this.#c.hasS(k)) throw new Refusal("TX_DUPLICATE");
    this.#put(
      k,
      encodeUtxoOutS("mint", m.amount, idx, idx + Number(maturity), m.payout),
    );
    this.#g = { ...this.#g, emitted: this.#g.emitted + m.amount };
  }

  #validateTx(
    t: StateTx,
    idx: number,
    spentHere: Set<string>,
    verdicts: Verdicts | null,
    cache: TxCache | undefined,
  ): Plan {
    const tx: Tx = t.tx;
    // The pre-pass collected this transaction's items in the order this pass meets them; an item
    // that differs (its input resolved differently) or is not verified yet is checked alone.
    let pos = cache?.start ?? 0;
    let stop = cache?.end ?? 0;
    const verdict: Verdict = verdicts === null ? () => true : (it) => {
      if (pos < stop) {
        const j = pos++;
        const v = verdicts.ok[j]!;
        if (v !== 0 && sameItem(verdicts.items[j]!, it)) return v === 1;
      }
      return syncVerifier([it])[0] === true;
    };
    if (tx.networkId !== this.network.networkId) {
      throw new Refusal("TX_WRONG_NETWORK", undefined, `network ${tx.networkId}`);
    }
    const kind = tx.kind;
    if (kind.type === "claim") {
      throw new Refusal("TX_UNSUPPORTED", undefined, "claims are not enabled yet");
    }
    const n = tx.inputs.length + (kind.type === "transfer" ? 0 : 1);
    if (tx.inputs.length === 0) throw new Refusal("TX_EMPTY", undefined, "no inputs");
    if (tx.outputs.length === 0) throw new Refusal("TX_EMPTY", undefined, "no outputs");
    if (tx.witnesses.length !== n) {
      throw new Refusal(
        "TX_BAD_WITNESS",
        undefined,
        `${tx.witnesses.length} witnesses, expected ${n}`,
      );
    }
    if (tx.fee < 0n || tx.fee > MAX_SUPPLY_UNITS) {
      throw new Refusal("TX_VALUE_OVERFLOW", undefined, `fee ${tx.fee}`);
    }
    // Inputs: existence, double spends, maturity, predicates.
    const seen = new Set<string>();
    const spend: string[] = [];
    const spent: TxOutput[] = [];
    const utxos: Utxo[] = [];
    let inSum = 0n, immature = 0n, maturesAt = 0;
    for (const inp of tx.inputs) {
      const k = utxoKeyS(inp.prevout);
      const at = inp.prevout;
      if (seen.has(k)) {
        throw new Refusal("TX_DOUBLE_SPEND", at, "input repeated in the transaction");
      }
      seen.add(k);
      const v = this.#c.getS(k);
      if (v === undefined) {
        throw new Refusal(spentHere.has(k) ? "TX_DOUBLE_SPEND" : "TX_UNKNOWN_INPUT", at);
      }
      const u = decodeUtxoS(v);
      if (u.spendableAt > idx) {
        if (u.origin === "mint" && kind.type === "bond") {
          // Bond-lock from an immature mint is allowed (docs/spec/maturity.md §2.3).
          immature += u.amount;
          if (u.spendableAt > maturesAt) maturesAt = u.spendableAt;
        } else {
          throw new Refusal(
            u.origin === "mint" ? "TX_IMMATURE" : "TX_LOCKED",
            at,
            undefined,
            u.spendableAt,
          );
        }
      }
      inSum += u.amount;
      spend.push(k);
      spent.push({ amount: u.amount, predicate: u.predicate });
      utxos.push(u);
    }
    // A pre-pass that guessed other spent outputs (see #collect) is not used at all.
    if (cache !== undefined && !sameSpent(cache.spent, spent)) {
      cache = undefined;
      pos = stop = 0;
    }
    const msgs = cache?.msgs ??
      (verdicts === null ? null : spent.map((_, i) => sighash(tx, i, spent)));
    const msgAt = (i: number): Uint8Array =>
      msgs?.[i] ?? (verdicts === null ? EMPTY_MSG : sighash(tx, i, spent));
    for (let i = 0; i < tx.inputs.length; i++) {
      const at = tx.inputs[i]!.prevout;
      const items: SigItem[] = [];
      predicateSigs(utxos[i]!.predicate, tx.witnesses[i]!, idx, msgAt(i), at, items);
      for (const it of items) if (!verdict(it)) throw new Refusal("TX_BAD_SIGNATURE", at);
    }
    if (kind.type !== "transfer") {
      const items: SigItem[] = [];
      predicateSigs(
        { type: "key", pubkey: kind.seatKey },
        tx.witnesses[n - 1]!,
        idx,
        msgAt(n - 1),
        "seat",
        items,
      );
      for (const it of items) if (!verdict(it)) throw new Refusal("TX_BAD_SIGNATURE", "seat");
    }
    // Outputs and value.
    let outSum = 0n;
    for (const o of tx.outputs) {
      if (o.amount < 1n || o.amount > MAX_SUPPLY_UNITS) {
        throw new Refusal("TX_VALUE_OVERFLOW", undefined, `output amount ${o.amount}`);
      }
      outSum += o.amount;
    }
    let bondOut = 0n, bondedDelta = 0n;
    let seat: [string, string | null][] | undefined;
    const create: [string, string][] = [];
    if (kind.type === "bond") {
      if (kind.amount < 1n || kind.amount > MAX_SUPPLY_UNITS) {
        throw new Refusal("TX_VALUE_OVERFLOW", undefined, `bond amount ${kind.amount}`);
      }
      if (kind.amount < immature) {
        throw new Refusal(
          "TX_IMMATURE",
          undefined,
          `immature inputs ${immature} exceed bond ${kind.amount}`,
        );
      }
      const bk = bondKeyS(kind.seatKey);
      const old = this.#c.getS(bk);
      const prev = old === undefined ? undefined : decodeBondS(old);
      // Re-bond cooldown (docs/spec/transactions.md §5.2): a seat that left the set by a full
      // unbond may bond again only `cooldownAnchors` finalized anchors later.
      const ek = exitKeyS(kind.seatKey);
      const exitV = prev === undefined ? this.#c.getS(ek) : undefined;
      if (exitV !== undefined) {
        const { bondableAt } = decodeExitS(exitV);
        if (idx < bondableAt) {
          throw new Refusal(
            "TX_COOLDOWN",
            "seat",
            `seat may bond again from anchor ${bondableAt}`,
            bondableAt,
          );
        }
      }
      if (prev !== undefined && !bytesEqual(prev.blsKey, kind.blsKey)) {
        throw new Refusal(
          "TX_BOND_CONFLICT",
          undefined,
          "seat already bonded with another BLS key",
        );
      }
      const total = (prev?.amount ?? 0n) + kind.amount;
      if (total < this.network.minBondUnits) {
        throw new Refusal(
          "TX_BOND_TOO_SMALL",
          undefined,
          `bond ${total} below ${this.network.minBondUnits}`,
        );
      }
      if (prev === undefined && !blsPopVerify(kind.blsKey, kind.blsPop)) {
        throw new Refusal("TX_BAD_POP", undefined, "BLS proof of possession does not verify");
      }
      bondOut = kind.amount;
      bondedDelta = kind.amount;
      seat = [[
        bk,
        encodeBondS({
          amount: total,
          blsKey: kind.blsKey,
          createdAt: prev?.createdAt ?? idx,
          maturesAt: Math.max(prev?.maturesAt ?? 0, maturesAt),
        }),
      ]];
      // The seat is back: its exit record has served its purpose (pruned here, deterministic).
      if (exitV !== undefined) seat.push([ek, null]);
    } else if (kind.type === "unbond") {
      const bk = bondKeyS(kind.seatKey);
      const old = this.#c.getS(bk);
      if (old === undefined) {
        throw new Refusal("TX_UNKNOWN_BOND", undefined, `seat ${toHex(kind.seatKey)}`);
      }
      const b = decodeBondS(old);
      if (kind.amount < 1n || kind.amount > b.amount) {
        throw new Refusal(
          "TX_VALUE_OVERFLOW",
          undefined,
          `unbond ${kind.amount} of bond ${b.amount}`,
        );
      }
      if (tx.outputs.length >= MAX_OUTPUTS) {
        throw new Refusal("TX_MALFORMED", undefined, "no output index left for the released bond");
      }
      const rest = b.amount - kind.amount;
      seat = [[bk, rest === 0n ? null : encodeBondS({ ...b, amount: rest })]];
      if (rest === 0n) {
        // The seat leaves the set: record when it may come back (cooldown in finalized anchors).
        const cooldown = Number(this.network.cooldownAnchors);
        seat.push([
          exitKeyS(kind.seatKey),
          encodeExitS({ exitedAt: idx, bondableAt: idx + cooldown }),
        ]);
      }
      bondedDelta = -kind.amount;
      // Clock-free unbonding window, and never before an inherited mint maturity.
      const release = Math.max(idx + Number(this.network.unbondingAnchors), b.maturesAt);
      create.push([
        utxoKeyS({ txId: t.txId, index: tx.outputs.length }),
        encodeUtxoRawS(
          "unbond",
          kind.amount,
          idx,
          release,
          encodePredicate({ type: "key", pubkey: kind.seatKey }),
        ),
      ]);
    }
    if (inSum > MAX_SUPPLY_UNITS || outSum + tx.fee + bondOut > MAX_SUPPLY_UNITS) {
      throw new Refusal("TX_VALUE_OVERFLOW", undefined, `inputs ${inSum}, outputs ${outSum}`);
    }
    if (inSum !== outSum + tx.fee + bondOut) {
      throw new Refusal(
        "TX_FEE_MISMATCH",
        undefined,
        `inputs ${inSum} != outputs ${outSum} + fee ${tx.fee}` +
          (bondOut > 0n ? ` + bond ${bondOut}` : ""),
      );
    }
    for (let i = 0; i < tx.outputs.length; i++) {
      const o = tx.outputs[i]!;
      const key = utxoKeyS({ txId: t.txId, index: i });
      if (this.#c.hasS(key)) throw new Refusal("TX_DUPLICATE");
      create.push([key, encodeUtxoOutS("tx", o.amount, idx, 0, o.predicate)]);
    }
    const plan: Plan = { spend, create, fee: tx.fee, bondedDelta };
    if (seat !== undefined) plan.seat = seat;
    return plan;
  }

  #applyPlan(p: Plan, spentHere: Set<string>): void {
    for (const k of p.spend) {
      this.#del(k);
      spentHere.add(k);
    }
    if (p.seat !== undefined) {
      for (const [k, v] of p.seat) {
        if (v === null) this.#del(k);
        else this.#put(k, v);
      }
    }
    for (const [k, v] of p.create) this.#put(k, v);
    if (p.fee !== 0n || p.bondedDelta !== 0n) {
      this.#g = {
        ...this.#g,
        feePool: this.#g.feePool + p.fee,
        bonded: this.#g.bonded + p.bondedDelta,
      };
    }
  }

  /**
   * Sum of every UTXO and bond amount plus the fee pool: equals `supply().emitted` in every
   * reachable state (value conservation; used by tests and the node's self-check).
   * @returns Total in units.
   */
  totalValue(): bigint {
    let t = this.#g.feePool;
    for (const [k, v] of this.#c.entriesS()) {
      const tag = k.charCodeAt(0);
      if (tag === TAG_UTXO) t += decodeUtxoS(v).amount;
      else if (tag === TAG_BOND) t += decodeBondS(v).amount;
    }
    return t;
  }
}

const EMPTY_MSG = new Uint8Array(32);

/** Errors of a malformed decoded item (wrong id length, unencodable field). */
function isShapeError(e: unknown): boolean {
  return e instanceof TypeError || e instanceof RangeError || (e as Error)?.name === "CodecError";
}
