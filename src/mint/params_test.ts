import assert from "node:assert/strict";
import {
  DEVNET,
  MAINNET,
  MAX_POW_TARGET,
  MAX_SUPPLY_UNITS,
  type NetworkParams,
} from "../params/mod.ts";
import {
  DEVNET_MINT_PARAMS,
  MAINNET_MINT_PARAMS,
  MAX_TARGET,
  mintParamsFor,
  mintParamsOf,
  TESTNET_MINT_PARAMS,
  validateMintParams,
} from "./params.ts";

Deno.test("mintParamsOf() is a view over NetworkParams with no values of its own", () => {
  const custom: NetworkParams = Object.freeze({
    ...DEVNET,
    maturityAnchors: Object.freeze([1n, 2n, 3n] as const),
    mintInitialRewardUnits: 1_000n,
    mintHalvingInterval: 7n,
    mint: Object.freeze({
      tailRewardUnits: 3n,
      tierRewardBps: Object.freeze([5_000, 6_000, 7_000] as const),
      retargetInterval: 5n,
      targetSpacingAnchors: 9n,
      maxAdjustFactor: 2n,
      powLimit: 1n << 200n,
      initialTarget: 1n << 100n,
      genesisAnchor: 11n,
    }),
  });
  const p = mintParamsOf(custom);
  assert.deepStrictEqual(p, {
    name: "devnet",
    networkId: DEVNET.networkId,
    cap: MAX_SUPPLY_UNITS,
    initialReward: 1_000n,
    halvingInterval: 7n,
    tailReward: 3n,
    tiers: [
      { lockAnchors: 1n, rewardBps: 5_000n },
      { lockAnchors: 2n, rewardBps: 6_000n },
      { lockAnchors: 3n, rewardBps: 7_000n },
    ],
    retargetInterval: 5n,
    targetSpacing: 9n,
    maxAdjustFactor: 2n,
    powLimit: 1n << 200n,
    initialTarget: 1n << 100n,
    genesisAnchor: 11n,
  });
  assert.ok(Object.isFrozen(p) && Object.isFrozen(p.tiers) && Object.isFrozen(p.tiers[0]));
});

Deno.test("MAINNET_MINT_PARAMS, TESTNET_MINT_PARAMS and DEVNET_MINT_PARAMS mirror src/params", () => {
  assert.equal(MAX_TARGET, MAX_POW_TARGET);
  assert.equal(MAINNET_MINT_PARAMS.tailReward, MAINNET.mint.tailRewardUnits);
  assert.equal(MAINNET_MINT_PARAMS.targetSpacing, MAINNET.mint.targetSpacingAnchors);
  assert.equal(DEVNET_MINT_PARAMS.powLimit, DEVNET.mint.powLimit);
  for (const p of [MAINNET_MINT_PARAMS, TESTNET_MINT_PARAMS, DEVNET_MINT_PARAMS]) {
    assert.equal(validateMintParams(p), p, p.name);
    assert.equal(mintParamsFor(p.networkId), p, p.name);
  }
  assert.throws(() => mintParamsFor(99), RangeError);
});
