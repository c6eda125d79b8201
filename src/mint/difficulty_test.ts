import assert from "node:assert/strict";
import fc from "fast-check";
import { expectedHashes, nextTarget } from "./difficulty.ts";
import { DEVNET_MINT_PARAMS, MAINNET_MINT_PARAMS, MAX_TARGET } from "./params.ts";

const P = MAINNET_MINT_PARAMS;
const EXPECTED = P.retargetInterval * P.targetSpacing;

Deno.test("nextTarget() keeps the target when the window took the intended anchors", () => {
  const t = 1n << 220n;
  assert.equal(nextTarget(P, t, EXPECTED), t);
});

Deno.test("nextTarget() scales the target by actual/expected anchors", () => {
  const t = 3n << 200n;
  assert.equal(nextTarget(P, t, EXPECTED / 2n), t / 2n);
  assert.equal(nextTarget(P, t, (EXPECTED * 3n) / 2n), (t * 3n) / 2n);
});

Deno.test("nextTarget() clamps the adjustment to maxAdjustFactor both ways", () => {
  const t = 1n << 220n;
  assert.equal(nextTarget(P, t, 0n), t / 4n);
  assert.equal(nextTarget(P, t, 1n), t / 4n);
  assert.equal(nextTarget(P, t, EXPECTED * 1000n), t * 4n);
});

Deno.test("nextTarget() never exceeds powLimit nor drops below 1", () => {
  assert.equal(nextTarget(P, P.powLimit, EXPECTED * 4n), P.powLimit);
  assert.equal(nextTarget(P, 1n, 0n), 1n);
  assert.equal(nextTarget(DEVNET_MINT_PARAMS, MAX_TARGET, 10n ** 9n), MAX_TARGET);
});

Deno.test("nextTarget() rejects out-of-range arguments", () => {
  assert.throws(() => nextTarget(P, 0n, EXPECTED), RangeError);
  assert.throws(() => nextTarget(P, MAX_TARGET + 1n, EXPECTED), RangeError);
  assert.throws(() => nextTarget(P, 1n << 100n, -1n), RangeError);
});

Deno.test("nextTarget() is monotone in elapsed anchors and bounded by the clamp", () => {
  fc.assert(
    fc.property(
      fc.bigInt({ min: 1n, max: P.powLimit }),
      fc.bigInt({ min: 0n, max: EXPECTED * 10n }),
      fc.bigInt({ min: 0n, max: EXPECTED * 10n }),
      (t, a, b) => {
        const [x, y] = a <= b ? [a, b] : [b, a];
        const tx = nextTarget(P, t, x);
        const ty = nextTarget(P, t, y);
        assert.ok(tx <= ty, `monotone t=${t} ${x}<=${y}`);
        assert.ok(ty <= t * 4n && tx * 4n + 4n >= t, `clamped t=${t}`);
        assert.ok(tx >= 1n && ty <= P.powLimit);
      },
    ),
    { seed: 40, numRuns: 300 },
  );
});

Deno.test("expectedHashes() is 2^256/(target+1)", () => {
  assert.equal(expectedHashes(MAX_TARGET), 1n);
  assert.equal(expectedHashes((1n << 240n) - 1n), 1n << 16n);
  assert.throws(() => expectedHashes(-1n), RangeError);
});
