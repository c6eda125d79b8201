/**
 * Protocol constants shared by every network (docs/spec/constants.md). Values that may differ per
 * network live in {@linkcode NetworkParams} (networks.ts); everything here is identical on mainnet,
 * testnet and devnet.
 * @module
 */

/** Number of shards S (docs/spec/constants.md §1). */
export const SHARDS = 64;
/** Committee size k: seats per shard committee (k <= {@linkcode MAX_COMMITTEE_SIZE}). */
export const COMMITTEE_SIZE = 21;
/** Upper bound of k: seat indices fit the u64 `voteMask` (bit i = seat i). */
export const MAX_COMMITTEE_SIZE = 64;
/** Maximum parents P of an event, self-parent included (so at most P-1 other parents). */
export const MAX_PARENTS = 4;
/** B: maximum transactions in one event payload. */
export const MAX_PAYLOAD_TXS = 256;
/** Minimum committee size at which the cross-link rule applies (a parent from another creator). */
export const CROSS_LINK_MIN_COMMITTEE = 2;

/** Base units per coin: 1 PC = 100,000,000 units. */
export const UNITS_PER_PC = 100_000_000n;
/** Hard cap in whole coins. */
export const MAX_SUPPLY_PC = 50_000_000n;
/** Hard cap in base units (5 * 10^15); any amount above it is out of range everywhere. */
export const MAX_SUPPLY_UNITS: bigint = MAX_SUPPLY_PC * UNITS_PER_PC;

/** Denominator of every basis-point fraction. */
export const BPS = 10_000;
/** Denominator of every parts-per-million weight. */
export const PPM = 1_000_000;

/** Fee split in basis points; the four parts sum to {@linkcode BPS} (docs/spec/fees.md). */
export const FEE_SPLIT_BPS: Readonly<{
  /** p_base: shared equally by every seat of the shard committee. */
  base: number;
  /** p_prop: the creator (proposer) of the event that carried the transaction. */
  proposer: number;
  /** p_perf: performance pool, paid by acknowledgement weight (<= 20%). */
  performance: number;
  /** p_att: the seats set in the finalizing anchor's vote mask. */
  attesters: number;
}> = Object.freeze({ base: 4_000, proposer: 3_000, performance: 1_500, attesters: 1_500 });
/** Upper bound of p_perf in basis points (20%). */
export const MAX_PERF_SHARE_BPS = 2_000;

/** Acknowledgement bonus decay α as an exact rational: α = 13/20 = 0.65. */
export const ACK_ALPHA: Readonly<{ num: number; den: number }> = Object.freeze({
  num: 13,
  den: 20,
});
/** D_max: acknowledgements deeper than this many anchors earn nothing. */
export const ACK_MAX_DEPTH = 8;

/** floor(PPM * α^(d-1)) for d = 1..D_max, computed exactly with bigints. */
function ackWeights(): readonly number[] {
  const out: number[] = [];
  let num = 1n;
  let den = 1n;
  for (let d = 1; d <= ACK_MAX_DEPTH; d++) {
    out.push(Number((BigInt(PPM) * num) / den));
    num *= BigInt(ACK_ALPHA.num);
    den *= BigInt(ACK_ALPHA.den);
  }
  return Object.freeze(out);
}

/**
 * Acknowledgement weight table in parts per million: entry d-1 is floor(10^6 * α^(d-1)), so depth 1
 * weighs 1,000,000 and depth 8 weighs 49,022. Consensus code indexes this table; it never computes
 * α^(d-1) in floating point.
 */
export const ACK_WEIGHTS_PPM: readonly number[] = ackWeights();

/** Slashing fractions in basis points of the offender's bond (docs/spec/slashing.md). */
export const SLASH_BPS: Readonly<{
  /** Two conflicting signed events for one (shard, creator, seq): the whole bond. */
  equivocation: number;
  /** First vote for an invalid event. */
  voteInvalidFirst: number;
  /** Every later vote for an invalid event within the offence memory window. */
  voteInvalidRepeat: number;
  /** Conflicting data-availability attestations: first, second, third and later offences. */
  conflictingDa: readonly [number, number, number];
}> = Object.freeze({
  equivocation: 10_000,
  voteInvalidFirst: 5_000,
  voteInvalidRepeat: 10_000,
  conflictingDa: Object.freeze([2_500, 5_000, 10_000] as const),
});

/** Mint maturity tiers (index 0, 1, 2); the anchor counts per network are in NetworkParams. */
export const MINT_TIERS = 3;

/**
 * Largest PoW target, 2^256 - 1: a mint's target is a 32-byte big-endian field (docs/spec/mint.md
 * §1), so every BLAKE3-256 hash meets it. Bounds every network's `mint.powLimit`.
 */
export const MAX_POW_TARGET: bigint = (1n << 256n) - 1n;
