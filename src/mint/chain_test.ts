import assert from "node:assert/strict";
import fc from "fast-check";
import { encodeMint, mintId, PROTOCOL_VERSION } from "../codec/mod.ts";
import { encodeHex } from "./_hex.ts";
import { keyPayout, nextMint, solve } from "./_testing.ts";
import { GENESIS_PREV_MINT_ID, MemoryMintIndex, MintChain } from "./chain.ts";
import { nextTarget } from "./difficulty.ts";
import { MintError, type MintErrorCode } from "./errors.ts";
import { DEVNET_MINT_PARAMS, MAX_TARGET, type MintParams, validateMintParams } from "./params.ts";
import { bigIntToHash } from "./pow.ts";

const P = DEVNET_MINT_PARAMS;

function rejects<K extends MintErrorCode>(f: () => unknown, code: K): MintError<K> {
  try {
    f();
  } catch (e) {
    assert.ok(MintError.is(e, code), `expected MintError ${code}, got ${e}`);
    return e;
  }
  assert.fail(`expected ${code}, nothing thrown`);
}

Deno.test("MintChain.apply() accepts a chain of valid mints and yields their outputs", () => {
  const c = new MintChain(P);
  let emitted = 0n;
  for (let i = 0n; i < 5n; i++) {
    const m = nextMint(c, Number(i % 3n));
    const out = c.apply(m, 10n + i);
    assert.equal(out.height, i);
    assert.deepEqual(out.mintId, mintId(m));
    assert.equal(out.amount, (P.initialReward * P.tiers[m.tier]!.rewardBps) / 10_000n);
    assert.equal(out.unlockAnchor, 10n + i + P.tiers[m.tier]!.lockAnchors);
    assert.deepEqual(out.payout, m.payout);
    emitted += out.amount;
  }
  assert.equal(c.nextHeight, 5n);
  assert.equal(c.emitted, emitted);
  assert.equal(c.lastAnchor, 14n);
});

Deno.test("MintChain.apply() lets the first mint in total order win and rejects the rival as stale", () => {
  const c = new MintChain(P);
  const a = nextMint(c, 2, 1);
  const b = nextMint(c, 2, 2);
  c.apply(a, 1n);
  const e = rejects(() => c.apply(b, 1n), "MINT_STALE");
  assert.equal(e.data.prevMintId, encodeHex(GENESIS_PREV_MINT_ID));
  assert.equal(e.data.tipMintId, encodeHex(mintId(a)));
  // A rival on a non-genesis predecessor is stale too.
  const a2 = nextMint(c, 2, 1);
  const b2 = nextMint(c, 2, 2);
  c.apply(a2, 2n);
  rejects(() => c.apply(b2, 2n), "MINT_STALE");
  assert.equal(c.nextHeight, 2n);
});

Deno.test("MintChain.apply() rejects a re-submitted accepted mint as a duplicate", () => {
  const c = new MintChain(P);
  const a = nextMint(c);
  c.apply(a, 0n);
  const e = rejects(() => c.apply(a, 1n), "MINT_DUPLICATE");
  assert.equal(e.data.height, 0n);
});

Deno.test("MintChain.validate() rejects an unknown predecessor, wrong height, network and tier", () => {
  const c = new MintChain(P);
  const m = nextMint(c);
  rejects(
    () => c.validate(solve({ ...m, height: 1n, prevMintId: new Uint8Array(32).fill(7) })),
    "MINT_BAD_PREV",
  );
  c.apply(m, 0n);
  const m1 = nextMint(c);
  rejects(() => c.validate(solve({ ...m1, height: 2n })), "MINT_BAD_HEIGHT");
  // The codec's rule "zero prevMintId exactly at height 0" makes this one malformed.
  rejects(() => c.validate({ ...m1, height: 0n }), "MINT_MALFORMED");
  rejects(() => c.validate({ ...m, networkId: 1 }), "MINT_WRONG_NETWORK");
  rejects(() => c.validate({ ...m, tier: 3 }), "MINT_BAD_TIER");
  rejects(() => c.validate({ ...m, version: 2 as typeof PROTOCOL_VERSION }), "MINT_MALFORMED");
  rejects(() => c.validate({ ...m1, prevMintId: new Uint8Array(31) }), "MINT_MALFORMED");
  rejects(
    () => c.validate({ ...m1, payout: { type: "key", pubkey: new Uint8Array(5) } }),
    "MINT_MALFORMED",
  );
});

Deno.test("MintChain.validate() rejects a wrong target and too little work", () => {
  const c = new MintChain(P);
  const m = nextMint(c);
  const e = rejects(
    () => c.validate(solve({ ...m, target: bigIntToHash(MAX_TARGET) })),
    "MINT_WRONG_TARGET",
  );
  assert.equal(e.data.expected, P.initialTarget);
  rejects(() => c.validate(solve(m, 0n, true)), "MINT_LOW_WORK");
});

Deno.test("MintChain.apply() leaves the chain unchanged after a rejection", () => {
  const c = new MintChain(P);
  c.apply(nextMint(c), 3n);
  const before = c.snapshot();
  rejects(() => c.apply(solve(nextMint(c), 0n, true), 4n), "MINT_LOW_WORK");
  assert.deepEqual(c.snapshot(), before);
  assert.throws(() => c.apply(nextMint(c), 2n), RangeError);
  assert.deepEqual(c.snapshot(), before);
});

Deno.test("MintChain.applyEncoded() rejects undecodable bytes as malformed", () => {
  const c = new MintChain(P);
  const bytes = encodeMint(nextMint(c));
  rejects(() => c.applyEncoded(bytes.subarray(0, 10), 0n), "MINT_MALFORMED");
  rejects(() => c.applyEncoded(Uint8Array.of(...bytes, 0), 0n), "MINT_MALFORMED");
  assert.equal(c.applyEncoded(bytes, 0n).height, 0n);
});

function fastParams(): MintParams {
  return validateMintParams({
    ...P,
    retargetInterval: 4n,
    targetSpacing: 3n,
    powLimit: MAX_TARGET,
    initialTarget: MAX_TARGET >> 3n,
  });
}

Deno.test("MintChain.apply() retargets after each window from finalized-anchor counts", () => {
  const p = fastParams();
  const c = new MintChain(p);
  let anchor = 100n;
  let target = p.initialTarget;
  let windowStart = p.genesisAnchor;
  // Window 1: 4 mints 1 anchor apart after the genesis anchor (too fast), window 2: 6 apart.
  for (const gap of [1n, 1n, 1n, 1n, 6n, 6n, 6n, 6n]) {
    anchor += gap;
    assert.equal(c.target, target, `target before height ${c.nextHeight}`);
    c.apply(nextMint(c), anchor);
    if (c.nextHeight % p.retargetInterval === 0n) {
      target = nextTarget(p, target, anchor - windowStart);
      windowStart = anchor;
    }
  }
  assert.equal(c.target, target);
  // The first window took 104 anchors from genesis (clamped at 4x easier), the second 24 (2x).
  assert.equal(target, (((p.initialTarget * 48n) / 12n) * 24n) / 12n);
});

Deno.test("MintChain snapshot() and resume give the same verdicts as the original", () => {
  const p = fastParams();
  const index = new MemoryMintIndex();
  const a = new MintChain(p, { index });
  for (let i = 0n; i < 6n; i++) a.apply(nextMint(a), i * 2n);
  const b = new MintChain(p, { index, snapshot: a.snapshot() });
  assert.deepEqual(b.snapshot(), a.snapshot());
  const m = nextMint(a);
  assert.deepEqual(b.validate(m), a.validate(m));
  assert.throws(
    () => new MintChain(p, { snapshot: { ...a.snapshot(), target: 0n } }),
    RangeError,
  );
});

Deno.test("MintChain accepts exactly one mint per height whatever the interleaving of rivals", () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 12 }),
      (rivals) => {
        const c = new MintChain(P);
        let accepted = 0;
        for (const [i, n] of rivals.entries()) {
          const batch = Array.from({ length: n + 1 }, (_, k) => nextMint(c, 2, k));
          for (const [k, m] of batch.entries()) {
            if (k === 0) {
              c.apply(m, BigInt(i));
              accepted++;
            } else {
              rejects(() => c.apply(m, BigInt(i)), "MINT_STALE");
            }
          }
        }
        assert.equal(c.nextHeight, BigInt(accepted));
      },
    ),
    { seed: 46, numRuns: 25 },
  );
});

Deno.test("MintChain rejects every mint once the cap is emitted", () => {
  const p = validateMintParams({
    ...P,
    cap: 25n,
    initialReward: 10n,
    halvingInterval: 2n,
    tailReward: 2n,
  });
  const c = new MintChain(p);
  const paid: bigint[] = [];
  while (c.nextReward(2) > 0n) paid.push(c.apply(nextMint(c), 0n).amount);
  assert.deepEqual(paid, [10n, 10n, 5n]);
  assert.equal(c.emitted, 25n);
  const m = solve({
    version: PROTOCOL_VERSION,
    networkId: p.networkId,
    prevMintId: c.tipMintId,
    height: c.nextHeight,
    target: bigIntToHash(c.target),
    payout: keyPayout(1),
    tier: 2,
    nonce: 0n,
  });
  rejects(() => c.apply(m, 0n), "MINT_EMISSION_ENDED");
});

Deno.test("MintChain keeps its invariants under any mix of valid and invalid mints", () => {
  const expected: Record<number, MintErrorCode | "ok"> = {
    0: "ok",
    1: "MINT_STALE",
    2: "MINT_DUPLICATE",
    3: "MINT_LOW_WORK",
    4: "MINT_WRONG_TARGET",
    5: "MINT_BAD_PREV",
  };
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 30 }),
      (ops) => {
        const c = new MintChain(P);
        const accepted: { id: Uint8Array; m: ReturnType<typeof nextMint> }[] = [];
        let emitted = 0n;
        let anchor = 0n;
        for (const [i, op] of ops.entries()) {
          const want = accepted.length === 0 && (op === 1 || op === 2) ? "ok" : expected[op]!;
          let m = nextMint(c, i % 3, i);
          if (want === "MINT_STALE") {
            const last = accepted[accepted.length - 1]!.m;
            m = solve({ ...last, payout: keyPayout(200 + (i % 50)) });
          } else if (want === "MINT_DUPLICATE") {
            m = accepted[i % accepted.length]!.m;
          } else if (want === "MINT_LOW_WORK") {
            m = solve(m, 0n, true);
          } else if (want === "MINT_WRONG_TARGET") {
            m = solve({ ...m, target: bigIntToHash(c.target - 1n) });
          } else if (want === "MINT_BAD_PREV") {
            m = solve({ ...m, prevMintId: new Uint8Array(32).fill(0xee), height: m.height + 1n });
          }
          const before = c.snapshot();
          if (want === "ok") {
            const out = c.apply(m, anchor);
            assert.deepEqual(m.prevMintId, before.tipMintId, `op ${i} extends the tip`);
            assert.equal(out.height, before.nextHeight, `op ${i} height`);
            accepted.push({ id: out.mintId, m });
            emitted += out.amount;
          } else {
            rejects(() => c.apply(m, anchor), want);
            assert.deepEqual(c.snapshot(), before, `op ${i} rejection changes nothing`);
          }
          anchor += BigInt(i % 3);
          assert.equal(c.emitted, emitted, `op ${i} emitted`);
          assert.equal(c.nextHeight, BigInt(accepted.length), `op ${i} height`);
        }
      },
    ),
    { seed: 47, numRuns: 40 },
  );
});
