import assert from "node:assert/strict";
import fc from "fast-check";
import { decodePredicate, encodePredicate, type Predicate } from "../codec/mod.ts";
import { decodeUtxoS, encodePredicateFast, encodeUtxoOutS, encodeUtxoS } from "./_entry.ts";
import { latin1 } from "./_bytes.ts";

const key32 = fc.uint8Array({ minLength: 32, maxLength: 32 });
const predicate: fc.Arbitrary<Predicate> = fc.oneof(
  key32.map((pubkey) => ({ type: "key" as const, pubkey })),
  key32.map((key) => ({ type: "musig" as const, key, signers: 2 })),
  fc.tuple(key32, key32).map(([hash, pubkey]) => ({ type: "hashlock" as const, hash, pubkey })),
  key32.map((commitment) => ({ type: "commit" as const, commitment })),
);

Deno.test("encodePredicateFast() equals the codec's encodePredicate() (property)", () => {
  fc.assert(
    fc.property(predicate, (p) => assert.deepEqual(encodePredicateFast(p), encodePredicate(p))),
    { seed: 33, numRuns: 300 },
  );
  assert.throws(() => encodePredicateFast({ type: "key", pubkey: new Uint8Array(31) }));
});

Deno.test("decodeUtxoS() decodes predicates exactly as the codec does (property)", () => {
  fc.assert(
    fc.property(predicate, fc.bigInt({ min: 1n, max: 10n ** 15n }), (p, amount) => {
      const s = encodeUtxoS({ amount, predicate: p, createdAt: 3, spendableAt: 9, origin: "tx" });
      const u = decodeUtxoS(s);
      assert.deepEqual(u.predicate, decodePredicate(encodePredicate(p)));
      assert.equal(u.amount, amount);
    }),
    { seed: 34, numRuns: 300 },
  );
  // A key predicate with a trailing byte is not a key predicate: the codec refuses it.
  const s = encodeUtxoS({
    amount: 5n,
    predicate: { type: "key", pubkey: new Uint8Array(32) },
    createdAt: 0,
    spendableAt: 0,
    origin: "tx",
  });
  assert.throws(() => decodeUtxoS(s + latin1(new Uint8Array([0]))));
});

Deno.test("encodeUtxoOutS() equals encodeUtxoS() for every origin, predicate and range (property)", () => {
  const origin = fc.constantFrom("tx" as const, "mint" as const, "unbond" as const);
  const u64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
  const index = fc.oneof(fc.nat(), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }));
  fc.assert(
    fc.property(origin, u64, index, index, predicate, (o, amount, createdAt, spendableAt, p) => {
      assert.equal(
        encodeUtxoOutS(o, amount, createdAt, spendableAt, p),
        encodeUtxoS({ origin: o, amount, createdAt, spendableAt, predicate: p }),
      );
    }),
    { seed: 35, numRuns: 1000 },
  );
});
