import assert from "node:assert/strict";
import {
  ACK_ALPHA,
  ACK_MAX_DEPTH,
  ACK_WEIGHTS_PPM,
  BPS,
  COMMITTEE_SIZE,
  DEVNET,
  FEE_SPLIT_BPS,
  HRPS,
  isHrp,
  MAINNET,
  MAX_COMMITTEE_SIZE,
  MAX_PERF_SHARE_BPS,
  MAX_POW_TARGET,
  MAX_SUPPLY_UNITS,
  NETWORK_NAMES,
  networkByHrp,
  networkById,
  networkParams,
  NETWORKS,
  SLASH_BPS,
  TESTNET,
  UNITS_PER_PC,
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
  assert.equal(DEVNET.hrp, "dpc");
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

Deno.test("NetworkParams.mint matches the mint sheet (constants §10) and is frozen", () => {
  assert.equal(MAX_POW_TARGET, (1n << 256n) - 1n);
  assert.deepStrictEqual(MAINNET.mint, {
    tailRewardUnits: 1_000_000n,
    tierRewardBps: [8_000, 9_000, 10_000],
    retargetInterval: 60n,
    targetSpacingAnchors: 60n,
    maxAdjustFactor: 4n,
    powLimit: (1n << 240n) - 1n,
    initialTarget: (1n << 232n) - 1n,
    genesisAnchor: 0n,
  });
  assert.deepStrictEqual(TESTNET.mint, {
    ...MAINNET.mint,
    powLimit: (1n << 248n) - 1n,
    initialTarget: (1n << 240n) - 1n,
  });
  assert.deepStrictEqual(DEVNET.mint, {
    ...MAINNET.mint,
    retargetInterval: 10n,
    targetSpacingAnchors: 2n,
    powLimit: MAX_POW_TARGET,
    initialTarget: (1n << 252n) - 1n,
  });
  for (const n of Object.values(NETWORKS)) {
    const m = n.mint;
    assert.ok(Object.isFrozen(m) && Object.isFrozen(m.tierRewardBps), `${n.name}: frozen`);
    assert.equal(m.tailRewardUnits * 100n, UNITS_PER_PC, `${n.name}: tail is 0.01 PC`);
    assert.ok(m.initialTarget > 0n && m.initialTarget <= m.powLimit, `${n.name}: initial target`);
    assert.ok(m.powLimit <= MAX_POW_TARGET, `${n.name}: powLimit`);
    assert.equal(m.tierRewardBps.length, n.maturityAnchors.length, `${n.name}: one share per tier`);
    for (const bps of m.tierRewardBps) {
      assert.ok(bps > 0 && bps <= BPS, `${n.name}: tier share ${bps}`);
      // Every tier must pay at least one unit in the tail, or emission could stall below the cap.
      assert.ok((m.tailRewardUnits * BigInt(bps)) / BigInt(BPS) > 0n, `${n.name}: tail pays`);
    }
  }
});

Deno.test("halvings stop short of the cap and the tail closes the gap exactly on mainnet", () => {
  const n = MAINNET;
  let halvings = 0n;
  let era = 0n;
  while ((n.mintInitialRewardUnits >> era) > n.mint.tailRewardUnits) {
    halvings += (n.mintInitialRewardUnits >> era) * n.mintHalvingInterval;
    era++;
  }
  assert.equal(era, 12n);
  assert.equal(halvings, 4_998_779_296_000_000n);
  const gap = MAX_SUPPLY_UNITS - halvings;
  assert.equal(gap % n.mint.tailRewardUnits, 0n);
  assert.equal(era * n.mintHalvingInterval + gap / n.mint.tailRewardUnits, 13_220_704n);
});

Deno.test("NETWORK_NAMES, HRPS and isHrp() list the built-in networks", () => {
  assert.deepStrictEqual(NETWORK_NAMES, ["mainnet", "testnet", "devnet"]);
  assert.deepStrictEqual(NETWORK_NAMES, Object.keys(NETWORKS));
  assert.deepStrictEqual(HRPS, ["pc", "tpc", "dpc"]);
  assert.ok(Object.isFrozen(NETWORK_NAMES) && Object.isFrozen(HRPS));
  assert.ok(isHrp("pc") && isHrp("tpc") && isHrp("dpc"));
  assert.ok(!isHrp("bc") && !isHrp("PC") && !isHrp("") && !isHrp("pcrt"));
  for (const name of NETWORK_NAMES) {
    assert.equal(networkByHrp(NETWORKS[name].hrp), NETWORKS[name]);
  }
  assert.equal(networkByHrp("DPC"), undefined);
  assert.equal(networkByHrp("bc"), undefined);
});

Deno.test("every network has its own HRP, valid for Bech32m and not a prefix of another", () => {
  // One HRP per network: an address tells which network it belongs to (ADR 0059).
  assert.equal(HRPS.length, NETWORK_NAMES.length);
  for (const a of HRPS) {
    // BIP-173/350 allow ASCII 33..126; lowercase letters only keeps addresses one-case and
    // free of the separator "1". 62/63 characters with a 32-byte program stay under 90.
    assert.match(a, /^[a-z]{2,4}$/);
    assert.ok(a.length + 1 + 1 + 52 + 6 <= 90, a);
    for (const b of HRPS) {
      // A reader (or a sloppy startsWith check) that sees one HRP at the start must not be
      // looking at another network's address: "pcrt" would start with mainnet's "pc".
      if (a !== b) assert.ok(!b.startsWith(a), `${a} is a prefix of ${b}`);
    }
  }
});
