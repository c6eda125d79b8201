/**
 * Per-network parameters (docs/spec/constants.md §9). Mainnet values are fixed here and never
 * overridden in code paths; testnet equals mainnet except identity; devnet shortens the windows so
 * that tests and local clusters reach maturity quickly.
 * @module
 */

/** Names of the built-in networks. */
export type NetworkName = "mainnet" | "testnet" | "devnet";

/** Parameters that may differ between networks. Every window is counted in finalized anchors. */
export interface NetworkParams {
  /** Network name. */
  readonly name: NetworkName;
  /** u32 network id carried by every transaction, event, mint and anchor. */
  readonly networkId: number;
  /** Bech32m human-readable part of addresses: `pc` on mainnet, `tpc` on test networks. */
  readonly hrp: "pc" | "tpc";
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
}

const PC = 100_000_000n;

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
});

/** Testnet parameters: mainnet values with the testnet identity. */
export const TESTNET: NetworkParams = Object.freeze({
  ...MAINNET,
  name: "testnet",
  networkId: 2,
  hrp: "tpc",
});

/** Devnet parameters: short windows for tests and local clusters. */
export const DEVNET: NetworkParams = Object.freeze({
  ...MAINNET,
  name: "devnet",
  networkId: 3,
  hrp: "tpc",
  maturityAnchors: Object.freeze([50n, 100n, 200n] as const),
  unbondingAnchors: 600n,
  evidenceWindowAnchors: 400n,
  cooldownAnchors: 100n,
  claimExpiryAnchors: 2_000n,
  offenceMemoryAnchors: 600n,
  minBondUnits: 1n * PC,
});

/** Every built-in network, by name. */
export const NETWORKS: Readonly<Record<NetworkName, NetworkParams>> = Object.freeze({
  mainnet: MAINNET,
  testnet: TESTNET,
  devnet: DEVNET,
});

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
  return [MAINNET, TESTNET, DEVNET].find((n) => n.networkId === id);
}
