import assert from "node:assert/strict";
import fc from "fast-check";
import { encodeMint } from "../codec/mod.ts";
import { keyPayout, solve } from "./_testing.ts";
import { MintChain } from "./chain.ts";
import { MintError, type MintErrorCode } from "./errors.ts";
import { DEVNET_MINT_PARAMS, MAX_TARGET } from "./params.ts";
import {
  buildTemplate,
  checkSolution,
  MINT_RPC_ERROR_CODES,
  mintErrorToRpc,
  mintStatus,
  mintStatusToJson,
  solutionToHex,
  templateFromJson,
  templateMint,
  templateToJson,
} from "./template.ts";

const P = DEVNET_MINT_PARAMS;
const PAYOUT = keyPayout(3);

function code(f: () => unknown): MintErrorCode {
  try {
    f();
  } catch (e) {
    if (e instanceof MintError) return e.code;
    throw e;
  }
  assert.fail("nothing thrown");
}

Deno.test("buildTemplate() describes the next mint on the current tip", () => {
  const c = new MintChain(P);
  const t = buildTemplate(c, { payout: PAYOUT, tier: 1 });
  assert.equal(t.height, 0n);
  assert.deepEqual(t.prevMintId, new Uint8Array(32));
  assert.equal(t.target, P.initialTarget);
  assert.equal(t.reward, (P.initialReward * 9_000n) / 10_000n);
  assert.equal(t.lockAnchors, P.tiers[1]!.lockAnchors);
  c.apply(solve(templateMint(t, 0n)), 1n);
  const t2 = buildTemplate(c, { payout: PAYOUT, tier: 0 });
  assert.equal(t2.height, 1n);
  assert.deepEqual(t2.prevMintId, c.tipMintId);
});

Deno.test("buildTemplate() rejects an unknown tier and an over-long predicate", () => {
  const c = new MintChain(P);
  assert.throws(() => buildTemplate(c, { payout: PAYOUT, tier: 3 }), RangeError);
  assert.throws(() => buildTemplate(c, { payout: PAYOUT, tier: 0.5 }), RangeError);
  assert.throws(() => buildTemplate(c, { payout: keyPayout(1), tier: -1 }), RangeError);
  assert.throws(
    () => buildTemplate(c, { payout: { type: "key", pubkey: new Uint8Array(3) }, tier: 0 }),
    Error,
  );
});

Deno.test("checkSolution() accepts a solved template without changing the chain", () => {
  const c = new MintChain(P);
  const m = solve(templateMint(buildTemplate(c, { payout: PAYOUT, tier: 2 }), 0n));
  const r = checkSolution(c, encodeMint(m));
  assert.equal(r.height, 0n);
  assert.equal(r.reward, P.initialReward);
  assert.equal(c.nextHeight, 0n);
});

Deno.test("checkSolution() gives stale, duplicate, low-work and malformed solutions distinct codes", () => {
  const c = new MintChain(P);
  const t = buildTemplate(c, { payout: PAYOUT, tier: 2 });
  const a = solve(templateMint(t, 0n));
  const b = solve(templateMint(t, 0n), a.nonce + 1n);
  assert.equal(code(() => checkSolution(c, solve(a, 0n, true))), "MINT_LOW_WORK");
  assert.equal(code(() => checkSolution(c, encodeMint(a).subarray(1))), "MINT_MALFORMED");
  const pending = new Set([checkSolution(c, a).mintId]);
  assert.equal(code(() => checkSolution(c, a, pending)), "MINT_DUPLICATE");
  c.apply(a, 5n);
  assert.equal(code(() => checkSolution(c, a)), "MINT_DUPLICATE");
  assert.equal(code(() => checkSolution(c, b)), "MINT_STALE");
});

Deno.test("templateFromJson() inverts templateToJson()", () => {
  fc.assert(
    fc.property(
      fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
      fc.bigInt({ min: 1n, max: MAX_TARGET }),
      fc.integer({ min: 0, max: 255 }),
      fc.uint8Array({ minLength: 32, maxLength: 32 }),
      (height, target, k, prevMintId) => {
        const t = {
          version: 1,
          networkId: 3,
          height,
          prevMintId,
          target,
          tier: 2,
          payout: keyPayout(k),
          reward: 123n,
          lockAnchors: 9n,
        };
        assert.deepEqual(templateFromJson(JSON.parse(JSON.stringify(templateToJson(t)))), t);
      },
    ),
    { seed: 8, numRuns: 100 },
  );
});

Deno.test("templateFromJson() rejects missing and mistyped fields", () => {
  const j = templateToJson(buildTemplate(new MintChain(P), { payout: PAYOUT, tier: 2 }));
  assert.throws(() => templateFromJson(null), TypeError);
  for (
    const [k, v] of [
      ["height", "-1"],
      ["height", "01"],
      ["target", "ff"],
      ["prevMintId", "zz"],
      ["payout", "abc"],
      ["payout", "00"],
      ["tier", "2"],
      ["version", 0],
      ["reward", 5],
    ] as const
  ) {
    assert.throws(() => templateFromJson({ ...j, [k]: v }), TypeError, `${k}=${v}`);
  }
});

Deno.test("mintStatus() reports height, emission and next retarget", () => {
  const c = new MintChain(P);
  c.apply(solve(templateMint(buildTemplate(c, { payout: PAYOUT, tier: 0 }), 0n)), 4n);
  const s = mintStatus(c);
  assert.equal(s.nextHeight, 1n);
  assert.equal(s.emitted, (P.initialReward * 8_000n) / 10_000n);
  assert.equal(s.emitted + s.remaining, P.cap);
  assert.equal(s.nextRetargetHeight, P.retargetInterval - 1n);
  assert.equal(s.nextRewards.length, 3);
  assert.equal(mintStatusToJson(s).nextHeight, "1");
});

Deno.test("mintErrorToRpc() maps every code to a distinct JSON-RPC error code", () => {
  const codes = Object.values(MINT_RPC_ERROR_CODES);
  assert.equal(new Set(codes).size, codes.length);
  const r = mintErrorToRpc(new MintError("MINT_DUPLICATE", { mintId: "ab", height: 5n }));
  assert.deepEqual(r.data, { reason: "MINT_DUPLICATE", mintId: "ab", height: "5" });
  assert.equal(r.code, MINT_RPC_ERROR_CODES.MINT_DUPLICATE);
  assert.equal(JSON.parse(JSON.stringify(r)).data.height, "5");
});

Deno.test("solutionToHex() is the hex of the encoded mint", () => {
  const m = templateMint(buildTemplate(new MintChain(P), { payout: PAYOUT, tier: 2 }), 1n);
  assert.equal(solutionToHex(m).length, encodeMint(m).length * 2);
});
