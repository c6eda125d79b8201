/**
 * Emission curve counted in mint heights (docs/spec/mint.md §3). Pure integer arithmetic.
 *
 * base(h) = max(initialReward >> floor(h / halvingInterval), tailReward)
 * reward(h, tier) = min(floor(base(h) * tier.rewardBps / 10000), cap - emittedBefore)
 *
 * Because every mint pays at least one unit until `cap - emittedBefore` is zero, and the last one
 * pays exactly the remainder, the sum of all rewards reaches the cap exactly and never exceeds it.
 * @module
 */
import { BPS, type MintParams } from "./params.ts";

/** A run of consecutive heights that all pay the same reward under the full (100 %) schedule. */
export interface EmissionSegment {
  /** First height of the run. */
  readonly fromHeight: bigint;
  /** One past the last height of the run. */
  readonly toHeight: bigint;
  /** Reward of each mint in the run, in base units. */
  readonly reward: bigint;
}

function checkHeight(height: bigint): void {
  if (typeof height !== "bigint") {
    throw new TypeError(`Mint height must be a bigint: got ${typeof height}`);
  }
  if (height < 0n || height >= 1n << 64n) {
    throw new RangeError(`Mint height out of u64 range: ${height}`);
  }
}

/** Number of halving eras whose halved reward is still strictly above the tail. */
function halvingEraCount(p: MintParams): bigint {
  let e = 0n;
  while ((p.initialReward >> e) > p.tailReward) e++;
  return e;
}

/**
 * Base reward at a height, before the tier multiplier and the cap.
 * @param p mint parameters
 * @param height mint height (u64)
 * @returns base units
 * @throws {TypeError|RangeError} when `height` is not a u64 bigint
 * @example
 * ```ts
 * import { baseReward, MAINNET_MINT_PARAMS } from "./mod.ts";
 * console.assert(baseReward(MAINNET_MINT_PARAMS, 0n) === 2_500_000_000n);
 * ```
 */
export function baseReward(p: MintParams, height: bigint): bigint {
  checkHeight(height);
  const era = height / p.halvingInterval;
  if (era >= 256n) return p.tailReward;
  const r = p.initialReward >> era;
  return r > p.tailReward ? r : p.tailReward;
}

/**
 * Sum of base rewards of heights `0 .. height-1`, without the cap, in closed form per era.
 * @param p mint parameters
 * @param height first height not included
 * @returns base units
 * @throws {TypeError|RangeError} when `height` is not a u64 bigint
 * @example
 * ```ts
 * import { cumulativeBaseReward, MAINNET_MINT_PARAMS } from "./mod.ts";
 * console.assert(cumulativeBaseReward(MAINNET_MINT_PARAMS, 2n) === 5_000_000_000n);
 * ```
 */
export function cumulativeBaseReward(p: MintParams, height: bigint): bigint {
  checkHeight(height);
  const eras = halvingEraCount(p);
  let sum = 0n;
  for (let e = 0n; e < eras; e++) {
    const start = e * p.halvingInterval;
    if (height <= start) return sum;
    const n = height - start < p.halvingInterval ? height - start : p.halvingInterval;
    sum += n * (p.initialReward >> e);
  }
  const tailStart = eras * p.halvingInterval;
  if (height > tailStart) sum += (height - tailStart) * p.tailReward;
  return sum;
}

/**
 * Units emitted by heights `0 .. height-1` when every mint takes the full (100 %) tier.
 * @param p mint parameters
 * @param height first height not included
 * @returns base units, at most `p.cap`
 * @throws {TypeError|RangeError} when `height` is not a u64 bigint
 * @example
 * ```ts
 * import { scheduledEmittedBefore, MAINNET_MINT_PARAMS } from "./mod.ts";
 * console.assert(scheduledEmittedBefore(MAINNET_MINT_PARAMS, 0n) === 0n);
 * ```
 */
export function scheduledEmittedBefore(p: MintParams, height: bigint): bigint {
  const s = cumulativeBaseReward(p, height);
  return s < p.cap ? s : p.cap;
}

/**
 * Reward of a mint.
 * @param p mint parameters
 * @param height mint height
 * @param tier maturity tier index
 * @param emittedBefore units emitted by all accepted mints before this one
 * @returns base units; 0 means emission has ended
 * @throws {RangeError} for an unknown tier or a negative or over-cap `emittedBefore`
 * @example
 * ```ts
 * import { mintReward, MAINNET_MINT_PARAMS } from "./mod.ts";
 * console.assert(mintReward(MAINNET_MINT_PARAMS, 0n, 2, 0n) === 2_500_000_000n);
 * console.assert(mintReward(MAINNET_MINT_PARAMS, 0n, 0, 0n) === 2_000_000_000n);
 * ```
 */
export function mintReward(
  p: MintParams,
  height: bigint,
  tier: number,
  emittedBefore: bigint,
): bigint {
  const t = p.tiers[tier];
  if (t === undefined) throw new RangeError(`Unknown maturity tier: ${tier}`);
  if (emittedBefore < 0n || emittedBefore > p.cap) {
    throw new RangeError(`Emitted amount out of range: ${emittedBefore}`);
  }
  const r = (baseReward(p, height) * t.rewardBps) / BPS;
  const left = p.cap - emittedBefore;
  return r < left ? r : left;
}

/**
 * The full (100 % tier) schedule as runs of equal rewards; the rewards sum to `p.cap` exactly.
 * The last run may be a single mint paying the remainder.
 * @param p mint parameters
 * @returns segments in height order, all with a positive reward
 * @example
 * ```ts
 * import { emissionSchedule, MAINNET_MINT_PARAMS } from "./mod.ts";
 * const s = emissionSchedule(MAINNET_MINT_PARAMS);
 * const total = s.reduce((a, x) => a + (x.toHeight - x.fromHeight) * x.reward, 0n);
 * console.assert(total === MAINNET_MINT_PARAMS.cap);
 * ```
 */
export function emissionSchedule(p: MintParams): EmissionSegment[] {
  const out: EmissionSegment[] = [];
  let left = p.cap;
  let h = 0n;
  const push = (reward: bigint, count: bigint) => {
    if (count <= 0n || left === 0n) return;
    const full = left / reward;
    const n = full < count ? full : count;
    if (n > 0n) {
      out.push({ fromHeight: h, toHeight: h + n, reward });
      h += n;
      left -= n * reward;
    }
    if (n < count && left > 0n) {
      out.push({ fromHeight: h, toHeight: h + 1n, reward: left });
      h += 1n;
      left = 0n;
    }
  };
  const eras = halvingEraCount(p);
  for (let e = 0n; e < eras && left > 0n; e++) push(p.initialReward >> e, p.halvingInterval);
  if (left > 0n) push(p.tailReward, left / p.tailReward + 1n);
  return out;
}

/**
 * First height that pays nothing under the full (100 %) schedule: the number of paying mints.
 * Mints taking a shorter tier leave units for the tail, which then runs longer.
 * @param p mint parameters
 * @returns height
 * @example
 * ```ts
 * import { emissionEndHeight, scheduledEmittedBefore, MAINNET_MINT_PARAMS as P } from "./mod.ts";
 * console.assert(scheduledEmittedBefore(P, emissionEndHeight(P)) === P.cap);
 * ```
 */
export function emissionEndHeight(p: MintParams): bigint {
  const s = emissionSchedule(p);
  return s.length === 0 ? 0n : s[s.length - 1]!.toHeight;
}
