/**
 * Per-network parameters (docs/spec/constants.md §9). Mainnet values are fixed here and never
 * overridden in code paths; testnet equals mainnet except identity; devnet shortens the windows so
 * that tests and local clusters reach maturity quickly.
 * @module
 */

import { MAX_POW_TARGET, UNITS_PER_PC } from "./constants.ts";

/** Names of the built-in networks. */
export type NetworkName = "mainnet" | "testnet" | "devnet";

/** Parameters that may differ between networks. Every window is counted in finalized anchors. */
export interface NetworkParams {
  /** Network name. */
  readonly name: NetworkName;
  /** u32 network id carried by every transaction, event, mint and anchor. */
  readonly networkId: number;
  /**
   * Bech32m human-readable part of addresses: `pc` on mainnet, `tpc` on testnet, `dpc` on devnet
   * (one per network, none a prefix of another: ADR 0059).
   */
  readonly hrp: "pc" | "tpc" | "dpc";
  /** Mint maturity per tier 0/1/2, in finalized anchors. */
  readonly maturityAnchors: readonly [bigint, bigint, bigint];
  /** Anchors between an unbond transaction and the release of the bond. */
  readonly unbondingAnchors: bigint;
  /** Anchors after an offence during which evidence of it is accepted (< unbonding). */
  readonly evidenceWindowAnchors: bigint;
  /** Anchors a seat must wait after unbonding or being slashed before bonding again. */
  readonly cooldownAnchors: bigint;
  /** Anchors after a payout root is published during which its claims may be made. */
  readonly claimExpiryAnchors: bigint;
  /** Anchors over which earlier offences count towards the "repeat" slashing rates. */
  readonly offenceMemoryAnchors: bigint;
  /** Minimum bond of a validator seat, in units. */
  readonly minBondUnits: bigint;
  /** Mint reward at height 0, in units. */
  readonly mintInitialRewardUnits: bigint;
  /** Mints between reward halvings (reward = initial >> floor(height / interval)). */
  readonly mintHalvingInterval: bigint;
  /** Emission tail, tier reward shares and difficulty retarget (docs/spec/constants.md §10). */
  readonly mint: NetworkMintParams;
}

/**
 * Mint rules of one network beyond the reward schedule (docs/spec/mint.md §3–§5, constants §10).
 * Every count is in mints or finalized anchors, never time; every target is a 256-bit integer.
 */
export interface NetworkMintParams {
  /**
   * Floor of the base reward once halvings drop below it, in units (0.01 PC). The halvings alone
   * stop short of the cap; this tail is what makes the emission reach the cap exactly.
   */
  readonly tailRewardUnits: bigint;
  /** Share of the base reward paid by maturity tier 0/1/2, in basis points (80 / 90 / 100 %). */
  readonly tierRewardBps: readonly [number, number, number];
  /** N: mints per difficulty window; the target changes after the last mint of each window. */
  readonly retargetInterval: bigint;
  /** Intended finalized anchors between consecutive mints (a window should last N × this). */
  readonly targetSpacingAnchors: bigint;
  /** F: largest factor the target may move by in one retarget, in both directions. */
  readonly maxAdjustFactor: bigint;
  /** Easiest allowed target (at most {@linkcode MAX_POW_TARGET}). */
  readonly powLimit: bigint;
  /** Target of the first difficulty window (at most `powLimit`). */
  readonly initialTarget: bigint;
  /** Finalized anchor index at which the mint chain starts (start of the first window). */
  readonly genesisAnchor: bigint;
}

const PC = UNITS_PER_PC;

/** Mainnet mint rules (docs/spec/constants.md §10). */
const MAINNET_MINT: NetworkMintParams = Object.freeze({
  tailRewardUnits: PC / 100n,
  tierRewardBps: Object.freeze([8_000, 9_000, 10_000] as const),
  retargetInterval: 60n,
  targetSpacingAnchors: 60n,
  maxAdjustFactor: 4n,
  powLimit: (1n << 240n) - 1n,
  initialTarget: (1n << 232n) - 1n,
  genesisAnchor: 0n,
});

/** Mainnet parameters. */
export const MAINNET: NetworkParams = Object.freeze({
  name: "mainnet",
  networkId: 1,
  hrp: "pc",
  maturityAnchors: Object.freeze([50_000n, 100_000n, 200_000n] as const),
  unbondingAnchors: 302_400n,
  evidenceWindowAnchors: 201_600n,
  cooldownAnchors: 43_200n,
  claimExpiryAnchors: 1_296_000n,
  offenceMemoryAnchors: 302_400n,
  minBondUnits: 10_000n * PC,
  mintInitialRewardUnits: 25n * PC,
  mintHalvingInterval: 1_000_000n,
  mint: MAINNET_MINT,
});

/** Testnet parameters: mainnet values with the testnet identity and an easier mint difficulty. */
export const TESTNET: NetworkParams = Object.freeze({
  ...MAINNET,
  name: "testnet",
  networkId: 2,
  hrp: "tpc",
  mint: Object.freeze({
    ...MAINNET_MINT,
    powLimit: (1n << 248n) - 1n,
    initialTarget: (1n << 240n) - 1n,
  }),
});

/** Devnet parameters: short windows and trivial mint difficulty for tests and local clusters. */
export const DEVNET: NetworkParams = Object.freeze({
  ...MAINNET,
  name: "devnet",
  networkId: 3,
  // Its own prefix, so that a devnet address pasted into a testnet wallet is refused (ADR 0059).
  hrp: "dpc",
  maturityAnchors: Object.freeze([50n, 100n, 200n] as const),
  unbondingAnchors: 600n,
  evidenceWindowAnchors: 400n,
  cooldownAnchors: 100n,
  claimExpiryAnchors: 2_000n,
  offenceMemoryAnchors: 600n,
  minBondUnits: 1n * PC,
  mint: Object.freeze({
    ...MAINNET_MINT,
    retargetInterval: 10n,
    targetSpacingAnchors: 2n,
    powLimit: MAX_POW_TARGET,
    initialTarget: (1n << 252n) - 1n,
  }),
});

/** Every built-in network, by name. */
export const NETWORKS: Readonly<Record<NetworkName, NetworkParams>> = Object.freeze({
  mainnet: MAINNET,
  testnet: TESTNET,
  devnet: DEVNET,
});

/** Names of the built-in networks, mainnet first. */
export const NETWORK_NAMES: readonly NetworkName[] = Object.freeze([
  "mainnet",
  "testnet",
  "devnet",
]);

/** A Bech32m human-readable part used by a built-in network. */
export type Hrp = NetworkParams["hrp"];

/** Every HRP a built-in network uses (`pc`, `tpc`, `dpc`), in network order, without repeats. */
export const HRPS: readonly Hrp[] = Object.freeze([
  ...new Set(NETWORK_NAMES.map((name) => NETWORKS[name].hrp)),
]);

/**
 * Whether a string is the HRP of a built-in network.
 *
 * @param prefix Bech32m human-readable part to test.
 * @returns `true` for `pc`, `tpc` and `dpc`.
 * @example
 * ```ts
 * import { isHrp } from "./mod.ts";
 * isHrp("tpc"); // true
 * ```
 */
export function isHrp(prefix: string): prefix is Hrp {
  return (HRPS as readonly string[]).includes(prefix);
}

/**
 * Look up the parameters of a built-in network.
 *
 * @param name Network name: "mainnet", "testnet" or "devnet".
 * @returns The frozen parameters of that network.
 * @throws {TypeError} If `name` is not a string.
 * @throws {RangeError} If `name` is not a known network.
 * @example
 * ```ts
 * import { networkParams } from "./mod.ts";
 * networkParams("devnet").maturityAnchors[0]; // 50n
 * ```
 */
export function networkParams(name: string): NetworkParams {
  if (typeof name !== "string") {
    throw new TypeError(`Network name must be a string: ${typeof name}`);
  }
  if (!Object.hasOwn(NETWORKS, name)) {
    throw new RangeError(`Unknown network: "${name}" (expected mainnet, testnet or devnet)`);
  }
  return NETWORKS[name as NetworkName];
}

/**
 * Look up a built-in network by its u32 network id.
 *
 * @param id Network id carried on the wire.
 * @returns The parameters, or `undefined` for an id no built-in network uses.
 * @example
 * ```ts
 * import { networkById } from "./mod.ts";
 * networkById(1)?.name; // "mainnet"
 * ```
 */
export function networkById(id: number): NetworkParams | undefined {
  return NETWORK_NAMES.map((name) => NETWORKS[name]).find((n) => n.networkId === id);
}

/**
 * Look up a built-in network by the Bech32m HRP of its addresses.
 *
 * @param hrp Human-readable part (lowercase, as a decoder returns it).
 * @returns The parameters, or `undefined` for a prefix no built-in network uses.
 * @example
 * ```ts
 * import { networkByHrp } from "./mod.ts";
 * networkByHrp("dpc")?.name; // "devnet"
 * ```
 */
export function networkByHrp(hrp: string): NetworkParams | undefined {
  return NETWORK_NAMES.map((name) => NETWORKS[name]).find((n) => n.hrp === hrp);
}
