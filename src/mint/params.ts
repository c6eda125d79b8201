/**
 * Mint parameters as the mint code reads them: a typed view over each network's
 * {@linkcode NetworkParams} (`mintInitialRewardUnits`, `mintHalvingInterval`, `maturityAnchors`
 * and the `mint` sub-object). Every protocol value comes from `src/params` (docs/spec/constants.md
 * §10); this file only reshapes them (docs/spec/mint.md §3–§5). Everything is counted in mints and
 * finalized anchors, never in time.
 * @module
 */

import {
  BPS as BPS_NUMBER,
  DEVNET,
  MAINNET,
  MAX_POW_TARGET,
  MAX_SUPPLY_UNITS,
  MINT_TIERS,
  type NetworkParams,
  TESTNET,
} from "../params/mod.ts";

/** Largest 256-bit target (every hash meets it): `MAX_POW_TARGET` of src/params. */
export const MAX_TARGET: bigint = MAX_POW_TARGET;
/** Basis points denominator for tier reward multipliers, as a bigint. */
export const BPS: bigint = BigInt(BPS_NUMBER);

/** One maturity tier: how long the minted output stays locked and what share of the base it pays. */
export interface MaturityTier {
  /** Finalized anchors after the mint's anchor before its output can be spent. */
  readonly lockAnchors: bigint;
  /** Share of the base reward paid, in basis points (10,000 = 100 %). */
  readonly rewardBps: bigint;
}

/** Mint parameters of one network. */
export interface MintParams {
  /** Human name of the network (for logs and errors). */
  readonly name: string;
  /** Network id carried in every mint. */
  readonly networkId: number;
  /** Emission hard cap in base units; halvings plus the tail reach it exactly. */
  readonly cap: bigint;
  /** Base reward of era 0 in base units. */
  readonly initialReward: bigint;
  /** Mints per halving era. */
  readonly halvingInterval: bigint;
  /**
   * Floor of the base reward once halvings drop below it (the tail), in base units. The halvings
   * alone stop short of the cap; the tail keeps paying until the cap is reached exactly.
   */
  readonly tailReward: bigint;
  /** Mints per difficulty window; the target changes after the last mint of each window. */
  readonly retargetInterval: bigint;
  /** Intended finalized anchors between consecutive mints. */
  readonly targetSpacing: bigint;
  /** Largest factor the target may move by in one retarget (both directions). */
  readonly maxAdjustFactor: bigint;
  /** Easiest allowed target. */
  readonly powLimit: bigint;
  /** Target of the first difficulty window. */
  readonly initialTarget: bigint;
  /** Finalized anchor index at which the mint chain starts (start of the first window). */
  readonly genesisAnchor: bigint;
  /** Maturity tiers, indexed by the mint's `tier` field. */
  readonly tiers: readonly MaturityTier[];
}

function tiersOf(n: NetworkParams): readonly MaturityTier[] {
  const out: MaturityTier[] = [];
  for (let i = 0; i < MINT_TIERS; i++) {
    out.push(
      Object.freeze({
        lockAnchors: n.maturityAnchors[i]!,
        rewardBps: BigInt(n.mint.tierRewardBps[i]!),
      }),
    );
  }
  return Object.freeze(out);
}

/**
 * The mint parameters of a network, read from its {@linkcode NetworkParams}.
 * @param n network parameters (a built-in network, or a test network spread from `DEVNET`)
 * @returns frozen mint parameters; not validated (see {@linkcode validateMintParams})
 * @example
 * ```ts
 * import { DEVNET } from "../params/mod.ts";
 * import { mintParamsOf } from "./params.ts";
 * console.assert(mintParamsOf(DEVNET).retargetInterval === DEVNET.mint.retargetInterval);
 * ```
 */
export function mintParamsOf(n: NetworkParams): MintParams {
  const m = n.mint;
  return Object.freeze({
    name: n.name,
    networkId: n.networkId,
    cap: MAX_SUPPLY_UNITS,
    initialReward: n.mintInitialRewardUnits,
    halvingInterval: n.mintHalvingInterval,
    tailReward: m.tailRewardUnits,
    tiers: tiersOf(n),
    retargetInterval: m.retargetInterval,
    targetSpacing: m.targetSpacingAnchors,
    maxAdjustFactor: m.maxAdjustFactor,
    powLimit: m.powLimit,
    initialTarget: m.initialTarget,
    genesisAnchor: m.genesisAnchor,
  });
}

/** Mainnet mint parameters. */
export const MAINNET_MINT_PARAMS: MintParams = mintParamsOf(MAINNET);

/** Testnet mint parameters: mainnet emission and tiers, easier difficulty. */
export const TESTNET_MINT_PARAMS: MintParams = mintParamsOf(TESTNET);

/** Devnet mint parameters: trivially low difficulty, fast retarget, short maturity tiers. */
export const DEVNET_MINT_PARAMS: MintParams = mintParamsOf(DEVNET);

/**
 * Check that mint parameters are internally consistent.
 * @param p parameters to check
 * @returns `p`, for chaining
 * @throws {RangeError} naming the first field out of range
 * @example
 * ```ts
 * import { DEVNET_MINT_PARAMS, validateMintParams } from "./params.ts";
 * validateMintParams(DEVNET_MINT_PARAMS);
 * ```
 */
export function validateMintParams(p: MintParams): MintParams {
  const need = (ok: boolean, what: string) => {
    if (!ok) throw new RangeError(`Invalid mint params "${p.name}": ${what}`);
  };
  need(Number.isInteger(p.networkId) && p.networkId >= 0, `networkId ${p.networkId}`);
  need(p.cap > 0n, `cap ${p.cap} must be positive`);
  need(p.initialReward > 0n, `initialReward ${p.initialReward} must be positive`);
  need(p.halvingInterval > 0n, `halvingInterval ${p.halvingInterval} must be positive`);
  need(p.tailReward > 0n, `tailReward ${p.tailReward} must be positive`);
  need(p.retargetInterval > 0n, `retargetInterval ${p.retargetInterval} must be positive`);
  need(p.targetSpacing > 0n, `targetSpacing ${p.targetSpacing} must be positive`);
  need(p.maxAdjustFactor >= 1n, `maxAdjustFactor ${p.maxAdjustFactor} must be at least 1`);
  need(p.powLimit > 0n && p.powLimit <= MAX_TARGET, `powLimit out of range`);
  need(
    p.initialTarget > 0n && p.initialTarget <= p.powLimit,
    `initialTarget must be in 1..powLimit`,
  );
  need(p.genesisAnchor >= 0n, `genesisAnchor ${p.genesisAnchor} must not be negative`);
  need(p.tiers.length > 0 && p.tiers.length <= 255, `tier count ${p.tiers.length}`);
  p.tiers.forEach((t, i) => {
    need(t.lockAnchors >= 0n, `tiers/${i}/lockAnchors ${t.lockAnchors}`);
    need(t.rewardBps > 0n && t.rewardBps <= BPS, `tiers/${i}/rewardBps ${t.rewardBps}`);
    // Every accepted mint must emit at least one unit, or the tail would never finish.
    need((p.tailReward * t.rewardBps) / BPS > 0n, `tiers/${i} pays nothing in the tail`);
  });
  return p;
}

/**
 * Mint parameters for a network id.
 * @param networkId network id (1 mainnet, 2 testnet, 3 devnet)
 * @returns the parameters of that network
 * @throws {RangeError} for an unknown network id
 * @example
 * ```ts
 * import { mintParamsFor } from "./params.ts";
 * console.assert(mintParamsFor(3).name === "devnet");
 * ```
 */
export function mintParamsFor(networkId: number): MintParams {
  for (const p of [MAINNET_MINT_PARAMS, TESTNET_MINT_PARAMS, DEVNET_MINT_PARAMS]) {
    if (p.networkId === networkId) return p;
  }
  throw new RangeError(`Unknown network id: ${networkId}`);
}
