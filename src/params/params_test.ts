import assert from "node:assert/strict";
import {
  ACK_ALPHA,
  ACK_MAX_DEPTH,
  ACK_WEIGHTS_PPM,
  BPS,
  COMMITTEE_SIZE,
  DEVNET,
  FEE_SPLIT_BPS,
  MAINNET,
  MAX_COMMITTEE_SIZE,
  MAX_PERF_SHARE_BPS,
  MAX_SUPPLY_UNITS,
  networkById,
  networkParams,
  NETWORKS,
  SLASH_BPS,
  TESTNET,
} from "./mod.ts";

Deno.test("FEE_SPLIT_BPS sums to 10,000 and p_perf is at most 20%", () => {
  const { base, proposer, performance, attesters } = FEE_SPLIT_BPS;
  assert.equal(base + proposer + performance + attesters, BPS);
  assert.ok(performance <= MAX_PERF_SHARE_BPS);
});

Deno.test("ACK_WEIGHTS_PPM is floor(10^6 * (13/20)^(d-1)) and α is within 0.6..0.7", () => {
  assert.deepStrictEqual(ACK_WEIGHTS_PPM, [
    1_000_000,
    650_000,
    422_500,
    274_625,
    178_506,
    116_029,
    75_418,
    49_022,
  ]);
  assert.equal(ACK_WEIGHTS_PPM.length, ACK_MAX_DEPTH);
  assert.ok(ACK_ALPHA.num * 10 >= ACK_ALPHA.den * 6 && ACK_ALPHA.num * 10 <= ACK_ALPHA.den * 7);
  assert.ok(Object.isFrozen(ACK_WEIGHTS_PPM));
});

Deno.test("MAX_SUPPLY_UNITS is 50,000,000 PC of 10^8 units", () => {
  assert.equal(MAX_SUPPLY_UNITS, 5_000_000_000_000_000n);
  assert.ok(COMMITTEE_SIZE <= MAX_COMMITTEE_SIZE && MAX_COMMITTEE_SIZE === 64);
});

Deno.test("SLASH_BPS matches the slashing sheet", () => {
  assert.equal(SLASH_BPS.equivocation, 10_000);
  assert.equal(SLASH_BPS.voteInvalidFirst, 5_000);
  assert.equal(SLASH_BPS.voteInvalidRepeat, 10_000);
  assert.deepStrictEqual(SLASH_BPS.conflictingDa, [2_500, 5_000, 10_000]);
});

Deno.test("networkParams() returns frozen per-network parameters", () => {
  assert.equal(networkParams("mainnet"), MAINNET);
  assert.deepStrictEqual(MAINNET.maturityAnchors, [50_000n, 100_000n, 200_000n]);
  assert.deepStrictEqual(TESTNET.maturityAnchors, MAINNET.maturityAnchors);
  assert.deepStrictEqual(DEVNET.maturityAnchors, [50n, 100n, 200n]);
  assert.equal(MAINNET.hrp, "pc");
  assert.equal(TESTNET.hrp, "tpc");
  assert.equal(DEVNET.hrp, "tpc");
  for (const n of Object.values(NETWORKS)) {
    assert.ok(Object.isFrozen(n), n.name);
    assert.ok(n.evidenceWindowAnchors < n.unbondingAnchors, `${n.name}: evidence before unbonding`);
    assert.equal(networkById(n.networkId), n);
  }
  assert.equal(new Set(Object.values(NETWORKS).map((n) => n.networkId)).size, 3);
  assert.throws(() => networkParams("moonnet"), RangeError);
  assert.throws(() => networkParams(3 as unknown as string), TypeError);
  assert.equal(networkById(99), undefined);
});

Deno.test("mint reward schedule never exceeds the hard cap", () => {
  for (const n of Object.values(NETWORKS)) {
    let total = 0n;
    for (let era = 0n; era < 64n; era++) {
      total += (n.mintInitialRewardUnits >> era) * n.mintHalvingInterval;
    }
    assert.ok(total <= MAX_SUPPLY_UNITS, `${n.name}: ${total}`);
  }
});
