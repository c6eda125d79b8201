import assert from "node:assert/strict";
import fc from "fast-check";
import {
  baseReward,
  cumulativeBaseReward,
  emissionEndHeight,
  emissionSchedule,
  mintReward,
  scheduledEmittedBefore,
} from "./emission.ts";
import {
  DEVNET_MINT_PARAMS,
  MAINNET_MINT_PARAMS,
  type MintParams,
  TESTNET_MINT_PARAMS,
  validateMintParams,
} from "./params.ts";

const P = MAINNET_MINT_PARAMS;

function small(over: Partial<MintParams> = {}): MintParams {
  return validateMintParams({
    ...DEVNET_MINT_PARAMS,
    cap: 100_003n,
    initialReward: 1_000n,
    halvingInterval: 20n,
    tailReward: 7n,
    ...over,
  });
}

function sumSchedule(p: MintParams): bigint {
  return emissionSchedule(p).reduce((a, s) => a + (s.toHeight - s.fromHeight) * s.reward, 0n);
}

Deno.test("validateMintParams() accepts every built-in network", () => {
  for (const p of [MAINNET_MINT_PARAMS, TESTNET_MINT_PARAMS, DEVNET_MINT_PARAMS]) {
    validateMintParams(p);
    assert.equal(p.cap, 5_000_000_000_000_000n, p.name);
  }
});

Deno.test("validateMintParams() rejects a tier that pays nothing in the tail", () => {
  assert.throws(
    () => small({ tailReward: 1n, tiers: [{ lockAnchors: 1n, rewardBps: 5_000n }] }),
    RangeError,
  );
});

Deno.test("emissionSchedule() sums the whole mainnet schedule to the hard cap exactly", () => {
  const s = emissionSchedule(P);
  assert.equal(sumSchedule(P), 50_000_000n * 100_000_000n);
  // Contiguous, positive and non-increasing.
  let h = 0n;
  let prev = P.initialReward;
  for (const [i, seg] of s.entries()) {
    assert.equal(seg.fromHeight, h, `segment ${i} contiguous`);
    assert.ok(seg.toHeight > seg.fromHeight, `segment ${i} non-empty`);
    assert.ok(seg.reward > 0n && seg.reward <= prev, `segment ${i} reward non-increasing`);
    h = seg.toHeight;
    prev = seg.reward;
  }
  assert.equal(emissionEndHeight(P), h);
  assert.equal(scheduledEmittedBefore(P, h), P.cap);
  assert.equal(scheduledEmittedBefore(P, h - 1n) < P.cap, true);
  assert.equal(mintReward(P, h, 2, P.cap), 0n);
});

Deno.test("emissionSchedule() pins the mainnet curve: 12 halving eras then a 0.01 PC tail", () => {
  const s = emissionSchedule(P);
  assert.equal(s.length, 13);
  assert.deepEqual(s[0], { fromHeight: 0n, toHeight: 1_000_000n, reward: 2_500_000_000n });
  assert.deepEqual(s[11], { fromHeight: 11_000_000n, toHeight: 12_000_000n, reward: 1_220_703n });
  assert.deepEqual(s[12], { fromHeight: 12_000_000n, toHeight: 13_220_704n, reward: 1_000_000n });
  assert.equal(emissionEndHeight(P), 13_220_704n);
});

Deno.test("emissionSchedule() agrees with the closed-form per-era cumulative sum", () => {
  for (const seg of emissionSchedule(P)) {
    const before = scheduledEmittedBefore(P, seg.fromHeight);
    const after = scheduledEmittedBefore(P, seg.toHeight);
    assert.equal(after - before, (seg.toHeight - seg.fromHeight) * seg.reward, `${seg.fromHeight}`);
    assert.equal(
      mintReward(P, seg.fromHeight, 2, before),
      seg.reward,
      `reward at ${seg.fromHeight}`,
    );
  }
});

Deno.test("mintReward() summed mint by mint over a shortened schedule reaches the cap exactly", () => {
  const p = small();
  let emitted = 0n;
  let h = 0n;
  for (;;) {
    const r = mintReward(p, h, 2, emitted);
    if (r === 0n) break;
    assert.equal(r, scheduledEmittedBefore(p, h + 1n) - scheduledEmittedBefore(p, h), `h=${h}`);
    emitted += r;
    h++;
  }
  assert.equal(emitted, p.cap);
  assert.equal(h, emissionEndHeight(p));
  assert.equal(sumSchedule(p), p.cap);
});

Deno.test("mintReward() reaches the cap exactly whatever tiers miners pick", () => {
  fc.assert(
    fc.property(
      fc.bigInt({ min: 1_000n, max: 200_000n }),
      fc.bigInt({ min: 10n, max: 5_000n }),
      fc.bigInt({ min: 1n, max: 40n }),
      fc.bigInt({ min: 2n, max: 9n }),
      fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 50 }),
      (cap, r0, interval, tail, picks) => {
        const p = small({ cap, initialReward: r0, halvingInterval: interval, tailReward: tail });
        let emitted = 0n;
        let h = 0n;
        for (; h < 1_000_000n; h++) {
          const tier = picks[Number(h % BigInt(picks.length))]!;
          const r = mintReward(p, h, tier, emitted);
          if (r === 0n) break;
          assert.ok(r > 0n && r <= baseReward(p, h), `h=${h}`);
          emitted += r;
        }
        assert.equal(emitted, p.cap);
        assert.equal(sumSchedule(p), p.cap);
      },
    ),
    { seed: 6, numRuns: 60 },
  );
});

Deno.test("cumulativeBaseReward() equals the brute-force sum of baseReward()", () => {
  const p = small({ cap: 10n ** 12n });
  let sum = 0n;
  for (let h = 0n; h < 400n; h++) {
    assert.equal(cumulativeBaseReward(p, h), sum, `h=${h}`);
    sum += baseReward(p, h);
  }
});

Deno.test("baseReward() halves each era and floors at the tail", () => {
  assert.equal(baseReward(P, 0n), 2_500_000_000n);
  assert.equal(baseReward(P, P.halvingInterval - 1n), 2_500_000_000n);
  assert.equal(baseReward(P, P.halvingInterval), 1_250_000_000n);
  assert.equal(baseReward(P, P.halvingInterval * 100n), P.tailReward);
  assert.equal(baseReward(P, (1n << 64n) - 1n), P.tailReward);
  assert.throws(() => baseReward(P, -1n), RangeError);
  assert.throws(() => baseReward(P, 1n << 64n), RangeError);
});

Deno.test("mintReward() applies the tier share and rejects unknown tiers", () => {
  assert.equal(mintReward(P, 0n, 0, 0n), 2_000_000_000n);
  assert.equal(mintReward(P, 0n, 1, 0n), 2_250_000_000n);
  assert.equal(mintReward(P, 0n, 2, P.cap - 5n), 5n);
  assert.throws(() => mintReward(P, 0n, 3, 0n), RangeError);
  assert.throws(() => mintReward(P, 0n, 0, P.cap + 1n), RangeError);
});
