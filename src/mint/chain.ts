/**
 * The mint chain validator (docs/spec/mint.md §6): fed mints in consensus total order, it accepts
 * or rejects each one and yields the outputs the state engine must create. Pure and deterministic.
 * @module
 */
import { encodeHex } from "./_hex.ts";
import {
  CodecError,
  decodeMint,
  type Mint,
  mintId,
  type Predicate,
  PROTOCOL_VERSION,
} from "../codec/mod.ts";
import { nextTarget } from "./difficulty.ts";
import { mintReward } from "./emission.ts";
import { MintError } from "./errors.ts";
import { type MintParams, validateMintParams } from "./params.ts";
import { hashToBigInt, powHash } from "./pow.ts";

/** The predecessor id of the first mint: 32 zero bytes (a shared constant: never mutate it). */
export const GENESIS_PREV_MINT_ID: Uint8Array = new Uint8Array(32);
const GENESIS_HEX = encodeHex(GENESIS_PREV_MINT_ID);

/** Mint format version this validator accepts. */
export const MINT_VERSION: number = PROTOCOL_VERSION;

/** Output of an accepted mint, for the state engine. */
export interface MintOutput {
  /** Id of the accepted mint. */
  readonly mintId: Uint8Array;
  /** Height of the accepted mint. */
  readonly height: bigint;
  /** Minted amount in base units (> 0). */
  readonly amount: bigint;
  /** Predicate owning the output. */
  readonly payout: Predicate;
  /** Maturity tier chosen by the miner. */
  readonly tier: number;
  /** Finalized anchor index in which the mint was ordered. */
  readonly anchor: bigint;
  /** First finalized anchor index at which the output may be spent. */
  readonly unlockAnchor: bigint;
}

/** What {@linkcode MintChain.validate} found for a valid mint. */
export interface MintCheck {
  /** Id of the mint. */
  readonly mintId: Uint8Array;
  /** PoW hash of the mint. */
  readonly powHash: Uint8Array;
  /** Reward it would receive, in base units. */
  readonly amount: bigint;
}

/**
 * Lookup of accepted mint ids (lowercase hex) to their heights. The state engine may back it with
 * its store; the in-memory default is {@linkcode MemoryMintIndex}.
 */
export interface MintIndex {
  /** Height of an accepted mint, or undefined. */
  heightOf(mintIdHex: string): bigint | undefined;
  /** Record an accepted mint. */
  add(mintIdHex: string, height: bigint): void;
}

/** Everything needed to resume a {@linkcode MintChain} (besides its {@linkcode MintIndex}). */
export interface MintChainSnapshot {
  /** Id of the last accepted mint, or 32 zero bytes before the first. */
  readonly tipMintId: Uint8Array;
  /** Height the next mint must carry. */
  readonly nextHeight: bigint;
  /** Units emitted by all accepted mints. */
  readonly emitted: bigint;
  /** Target the next mint must carry. */
  readonly target: bigint;
  /** Anchor of the last mint of the previous difficulty window (or `genesisAnchor`). */
  readonly windowStartAnchor: bigint;
  /** Anchor of the last accepted mint (or `genesisAnchor`). */
  readonly lastAnchor: bigint;
}

/** In-memory {@linkcode MintIndex}. */
export class MemoryMintIndex implements MintIndex {
  #m = new Map<string, bigint>();
  /** @inheritdoc */
  heightOf(mintIdHex: string): bigint | undefined {
    return this.#m.get(mintIdHex);
  }
  /** @inheritdoc */
  add(mintIdHex: string, height: bigint): void {
    this.#m.set(mintIdHex, height);
  }
  /** Number of recorded mints. */
  get size(): number {
    return this.#m.size;
  }
}

/**
 * The chain of accepted mints. Feed it every mint in consensus total order with the index of the
 * finalized anchor that ordered it; the first valid mint on a predecessor wins and every later one
 * on the same predecessor is rejected as stale.
 *
 * @example
 * ```ts
 * import { DEVNET_MINT_PARAMS, MintChain, MintError } from "./mod.ts";
 * const chain = new MintChain(DEVNET_MINT_PARAMS);
 * console.assert(chain.nextHeight === 0n);
 * ```
 */
export class MintChain {
  /** Parameters of the network. */
  readonly params: MintParams;
  #index: MintIndex;
  #tip: Uint8Array;
  #tipHex: string;
  #nextHeight: bigint;
  #emitted: bigint;
  #target: bigint;
  #windowStartAnchor: bigint;
  #lastAnchor: bigint;

  /**
   * @param params network mint parameters
   * @param options `index` of accepted ids (default in memory) and a `snapshot` to resume from
   * @throws {RangeError} when the params or the snapshot are inconsistent
   */
  constructor(
    params: MintParams,
    options: { index?: MintIndex; snapshot?: MintChainSnapshot } = {},
  ) {
    this.params = validateMintParams(params);
    this.#index = options.index ?? new MemoryMintIndex();
    const s = options.snapshot;
    if (s === undefined) {
      this.#tip = new Uint8Array(32);
      this.#nextHeight = 0n;
      this.#emitted = 0n;
      this.#target = params.initialTarget;
      this.#windowStartAnchor = params.genesisAnchor;
      this.#lastAnchor = params.genesisAnchor;
    } else {
      if (s.tipMintId.length !== 32) throw new RangeError(`Snapshot tip is not 32 bytes`);
      if (s.nextHeight < 0n || s.emitted < 0n || s.emitted > params.cap) {
        throw new RangeError(`Snapshot out of range: height ${s.nextHeight}, emitted ${s.emitted}`);
      }
      if (s.target < 1n || s.target > params.powLimit) {
        throw new RangeError(`Snapshot target out of range: 0x${s.target.toString(16)}`);
      }
      if (s.windowStartAnchor > s.lastAnchor) {
        throw new RangeError(
          `Snapshot window start ${s.windowStartAnchor} is after ${s.lastAnchor}`,
        );
      }
      this.#tip = s.tipMintId.slice();
      this.#nextHeight = s.nextHeight;
      this.#emitted = s.emitted;
      this.#target = s.target;
      this.#windowStartAnchor = s.windowStartAnchor;
      this.#lastAnchor = s.lastAnchor;
    }
    this.#tipHex = encodeHex(this.#tip);
  }

  /** Id of the last accepted mint (32 zero bytes before the first). */
  get tipMintId(): Uint8Array {
    return this.#tip.slice();
  }
  /** Height the next mint must carry (= number of accepted mints). */
  get nextHeight(): bigint {
    return this.#nextHeight;
  }
  /** Target the next mint must carry. */
  get target(): bigint {
    return this.#target;
  }
  /** Units emitted so far. */
  get emitted(): bigint {
    return this.#emitted;
  }
  /** Anchor of the last accepted mint. */
  get lastAnchor(): bigint {
    return this.#lastAnchor;
  }
  /** Anchor at which the current difficulty window started. */
  get windowStartAnchor(): bigint {
    return this.#windowStartAnchor;
  }

  /**
   * Reward the next mint would receive with a given tier.
   * @param tier maturity tier index
   * @returns base units (0 once the cap is emitted)
   * @throws {RangeError} for an unknown tier
   */
  nextReward(tier: number): bigint {
    return mintReward(this.params, this.#nextHeight, tier, this.#emitted);
  }

  /**
   * Check a mint against the current tip without changing anything.
   * @param m decoded mint
   * @returns its id, PoW hash and reward
   * @throws {MintError} MINT_WRONG_NETWORK, MINT_MALFORMED, MINT_BAD_TIER, MINT_DUPLICATE,
   *   MINT_STALE, MINT_BAD_PREV, MINT_BAD_HEIGHT, MINT_EMISSION_ENDED, MINT_WRONG_TARGET or
   *   MINT_LOW_WORK, checked in that order (docs/spec/mint.md §6)
   */
  validate(m: Mint): MintCheck {
    const p = this.params;
    if (m.networkId !== p.networkId) {
      throw new MintError("MINT_WRONG_NETWORK", { expected: p.networkId, actual: m.networkId });
    }
    if (m.version !== MINT_VERSION) {
      throw new MintError("MINT_MALFORMED", { reason: `unknown version ${m.version}` });
    }
    if (!Number.isInteger(m.tier) || p.tiers[m.tier] === undefined) {
      throw new MintError("MINT_BAD_TIER", { tier: m.tier });
    }
    let id: Uint8Array;
    try {
      // Encoding checks every field range (lengths, u64s, predicate shape, zero prev iff height 0).
      id = mintId(m);
    } catch (e) {
      if (e instanceof RangeError || e instanceof TypeError || e instanceof CodecError) {
        throw new MintError("MINT_MALFORMED", { reason: e.message });
      }
      throw e;
    }
    const idHex = encodeHex(id);
    const dupHeight = this.#index.heightOf(idHex);
    if (dupHeight !== undefined) {
      throw new MintError("MINT_DUPLICATE", { mintId: idHex, height: dupHeight });
    }
    const prevHex = encodeHex(m.prevMintId);
    if (prevHex !== this.#tipHex) {
      const known = prevHex === GENESIS_HEX || this.#index.heightOf(prevHex) !== undefined;
      if (!known) throw new MintError("MINT_BAD_PREV", { prevMintId: prevHex });
      throw new MintError("MINT_STALE", {
        prevMintId: prevHex,
        tipMintId: this.#tipHex,
        tipHeight: this.#nextHeight - 1n,
      });
    }
    if (m.height !== this.#nextHeight) {
      throw new MintError("MINT_BAD_HEIGHT", { expected: this.#nextHeight, actual: m.height });
    }
    const amount = mintReward(p, m.height, m.tier, this.#emitted);
    if (amount === 0n) throw new MintError("MINT_EMISSION_ENDED", { height: m.height });
    const target = hashToBigInt(m.target);
    if (target !== this.#target) {
      throw new MintError("MINT_WRONG_TARGET", { expected: this.#target, actual: target });
    }
    const h = powHash(m);
    if (hashToBigInt(h) > target) {
      throw new MintError("MINT_LOW_WORK", { hash: encodeHex(h), target });
    }
    return { mintId: id, powHash: h, amount };
  }

  /**
   * Validate a mint and, when valid, append it.
   * @param m decoded mint
   * @param anchor index of the finalized anchor that ordered it (non-decreasing across calls)
   * @returns the output the state engine must create
   * @throws {MintError} as {@linkcode MintChain.validate}; the chain is unchanged then
   * @throws {RangeError} when `anchor` is below the previous mint's anchor (a caller bug)
   */
  apply(m: Mint, anchor: bigint): MintOutput {
    if (anchor < this.#lastAnchor) {
      throw new RangeError(`Anchor ${anchor} is before the last mint's anchor ${this.#lastAnchor}`);
    }
    const c = this.validate(m);
    const p = this.params;
    const tier = p.tiers[m.tier]!;
    const idHex = encodeHex(c.mintId);
    this.#index.add(idHex, m.height);
    this.#tip = c.mintId;
    this.#tipHex = idHex;
    this.#nextHeight = m.height + 1n;
    this.#emitted += c.amount;
    this.#lastAnchor = anchor;
    if (this.#nextHeight % p.retargetInterval === 0n) {
      this.#target = nextTarget(p, this.#target, anchor - this.#windowStartAnchor);
      this.#windowStartAnchor = anchor;
    }
    return {
      mintId: c.mintId,
      height: m.height,
      amount: c.amount,
      payout: m.payout,
      tier: m.tier,
      anchor,
      unlockAnchor: anchor + tier.lockAnchors,
    };
  }

  /**
   * Decode a mint's wire bytes and {@linkcode MintChain.apply} it.
   * @param bytes encoded mint
   * @param anchor index of the finalized anchor that ordered it
   * @returns the output the state engine must create
   * @throws {MintError} MINT_MALFORMED when the bytes do not decode, else as `apply`
   */
  applyEncoded(bytes: Uint8Array, anchor: bigint): MintOutput {
    return this.apply(decodeMintOrThrow(bytes), anchor);
  }

  /**
   * Plain copy of the chain's state, to persist with the finalized anchor.
   * @returns snapshot
   */
  snapshot(): MintChainSnapshot {
    return {
      tipMintId: this.#tip.slice(),
      nextHeight: this.#nextHeight,
      emitted: this.#emitted,
      target: this.#target,
      windowStartAnchor: this.#windowStartAnchor,
      lastAnchor: this.#lastAnchor,
    };
  }
}

/**
 * Decode a mint, turning any decoding failure into MINT_MALFORMED.
 * @param bytes encoded mint
 * @returns the mint
 * @throws {MintError} MINT_MALFORMED with the decoder's message as reason
 * @example
 * ```ts
 * import { decodeMintOrThrow, MintError } from "./mod.ts";
 * try {
 *   decodeMintOrThrow(new Uint8Array(3));
 * } catch (e) {
 *   console.assert(MintError.is(e, "MINT_MALFORMED"));
 * }
 * ```
 */
export function decodeMintOrThrow(bytes: Uint8Array): Mint {
  if (!(bytes instanceof Uint8Array)) {
    throw new TypeError(`Mint bytes must be a Uint8Array: got ${typeof bytes}`);
  }
  try {
    return decodeMint(bytes);
  } catch (e) {
    if (e instanceof CodecError) throw new MintError("MINT_MALFORMED", { reason: e.message });
    throw e;
  }
}
