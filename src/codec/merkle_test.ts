import assert from "node:assert/strict";
import fc from "fast-check";
import {
  EMPTY_MERKLE_ROOT,
  merkleLeaf,
  merkleNode,
  merkleProof,
  merkleRoot,
  taggedHash,
  verifyMerkleProof,
} from "./mod.ts";

/** RFC 6962 MTH, written from the RFC's recursive definition as an independent reference. */
function mth(items: Uint8Array[]): Uint8Array {
  if (items.length === 0) return taggedHash("merkleEmpty", new Uint8Array(0));
  if (items.length === 1) return merkleLeaf(items[0]!);
  let k = 1;
  while (k * 2 < items.length) k *= 2;
  return merkleNode(mth(items.slice(0, k)), mth(items.slice(k)));
}

const item = (i: number) => {
  const b = new Uint8Array(32);
  new DataView(b.buffer).setUint32(0, i + 1);
  return b;
};

Deno.test("merkleRoot() equals the RFC 6962 recursive definition", () => {
  for (let n = 0; n <= 70; n++) {
    const items = Array.from({ length: n }, (_, i) => item(i));
    assert.deepStrictEqual(merkleRoot(items), mth(items), `n = ${n}`);
  }
  assert.deepStrictEqual(merkleRoot([]), EMPTY_MERKLE_ROOT);
});

Deno.test("merkleRoot() does not duplicate an odd last node (CVE-2012-2459)", () => {
  const [a, b, c] = [item(0), item(1), item(2)];
  assert.notDeepStrictEqual(merkleRoot([a, b, c]), merkleRoot([a, b, c, c]));
  assert.notDeepStrictEqual(merkleRoot([a]), merkleRoot([a, a]));
  // A leaf is never confused with an inner node of the same bytes.
  assert.notDeepStrictEqual(
    merkleRoot([merkleNode(merkleLeaf(a), merkleLeaf(b))]),
    merkleRoot([a, b]),
  );
});

Deno.test("merkleProof() verifies for every index and fails when anything changes", () => {
  for (let n = 1; n <= 33; n++) {
    const items = Array.from({ length: n }, (_, i) => item(i));
    const root = merkleRoot(items);
    for (let i = 0; i < n; i++) {
      const p = merkleProof(items, i);
      assert.ok(verifyMerkleProof(items[i]!, i, n, p, root), `n=${n} i=${i}`);
      assert.ok(!verifyMerkleProof(item(999), i, n, p, root), `wrong item n=${n} i=${i}`);
      if (n > 1) {
        assert.ok(
          !verifyMerkleProof(items[i]!, (i + 1) % n, n, p, root),
          `wrong index n=${n} i=${i}`,
        );
        assert.ok(
          !verifyMerkleProof(items[i]!, i, n, p.slice(1), root),
          `short proof n=${n} i=${i}`,
        );
      }
      assert.ok(
        !verifyMerkleProof(items[i]!, i, n, [...p, root], root),
        `long proof n=${n} i=${i}`,
      );
    }
  }
});

Deno.test("verifyMerkleProof() rejects malformed arguments without throwing", () => {
  const items = [item(0), item(1)];
  const root = merkleRoot(items);
  const p = merkleProof(items, 0);
  assert.equal(verifyMerkleProof(items[0]!, -1, 2, p, root), false);
  assert.equal(verifyMerkleProof(items[0]!, 2, 2, p, root), false);
  assert.equal(verifyMerkleProof(items[0]!, 0, 0, p, root), false);
  assert.equal(verifyMerkleProof(new Uint8Array(31), 0, 2, p, root), false);
  assert.equal(verifyMerkleProof(items[0]!, 0, 2, [new Uint8Array(31)], root), false);
});

Deno.test("merkleProof() throws RangeError for an index out of range", () => {
  assert.throws(() => merkleProof([item(0)], 1), RangeError);
  assert.throws(() => merkleRoot([new Uint8Array(31)]), TypeError);
});

Deno.test("verifyMerkleProof() accepts exactly the proofs merkleProof() makes", () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 300 }), fc.nat(), (n, k) => {
      const items = Array.from({ length: n }, (_, i) => item(i));
      const i = k % n;
      assert.ok(verifyMerkleProof(items[i]!, i, n, merkleProof(items, i), merkleRoot(items)));
    }),
    { seed: 42, numRuns: 60 },
  );
});
