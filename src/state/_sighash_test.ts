import assert from "node:assert/strict";
import fc from "fast-check";
import { type Predicate, sighash, type Tx, type TxOutput } from "../codec/mod.ts";
import { sighashBatch, sighashJob } from "./_sighash.ts";

const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });
const amount = fc.bigInt({ min: 1n, max: 50_000_000n * 100_000_000n });
const predicate: fc.Arbitrary<Predicate> = fc.oneof(
  bytes(32).map((pubkey) => ({ type: "key" as const, pubkey })),
  fc.tuple(bytes(32), bytes(32)).map(([hash, pubkey]) => ({
    type: "hashlock" as const,
    hash,
    pubkey,
  })),
  bytes(32).map((commitment) => ({ type: "commit" as const, commitment })),
);
const output: fc.Arbitrary<TxOutput> = fc.record({ amount, predicate });
const txWithSpent = fc.record({
  unbond: fc.boolean(),
  seat: bytes(32),
  inputs: fc.array(fc.record({ txId: bytes(32), index: fc.nat(63) }), {
    minLength: 1,
    maxLength: 4,
  }),
  outputs: fc.array(output, { minLength: 1, maxLength: 3 }),
  spentSeed: fc.array(output, { minLength: 4, maxLength: 4 }),
  fee: fc.bigInt({ min: 0n, max: 1000n }),
}).map((r): [Tx, TxOutput[]] => [
  {
    version: 1,
    networkId: 3,
    kind: r.unbond ? { type: "unbond", seatKey: r.seat, amount: 5n } : { type: "transfer" },
    inputs: r.inputs.map((prevout) => ({ prevout })),
    outputs: r.outputs,
    fee: r.fee,
    witnesses: [],
  },
  r.spentSeed.slice(0, r.inputs.length),
]);

Deno.test("sighashBatch() equals the codec's sighash() for every witness of every transaction (property)", () => {
  fc.assert(
    fc.property(fc.array(txWithSpent, { minLength: 0, maxLength: 5 }), (cases) => {
      const out = sighashBatch(cases.map(([tx, spent]) => sighashJob(tx, spent)));
      assert.equal(out.length, cases.length);
      cases.forEach(([tx, spent], k) => {
        const n = tx.inputs.length + (tx.kind.type === "transfer" ? 0 : 1);
        assert.equal(out[k]!.length, n, `case ${k}`);
        for (let i = 0; i < n; i++) {
          assert.deepEqual(out[k]![i], sighash(tx, i, spent), `case ${k} witness ${i}`);
        }
      });
    }),
    { seed: 4242, numRuns: 200 },
  );
});

Deno.test("sighashJob() throws where the codec's sighash() throws", () => {
  const tx: Tx = {
    version: 1,
    networkId: 3,
    kind: { type: "transfer" },
    inputs: [{ prevout: { txId: new Uint8Array(31), index: 0 } }],
    outputs: [{ amount: 1n, predicate: { type: "key", pubkey: new Uint8Array(32) } }],
    fee: 0n,
    witnesses: [],
  };
  const spent: TxOutput[] = [{
    amount: 2n,
    predicate: { type: "key", pubkey: new Uint8Array(32) },
  }];
  assert.throws(() => sighash(tx, 0, spent));
  assert.throws(() => sighashJob(tx, spent));
  assert.throws(() => sighashJob({ ...tx, inputs: [] }, spent), RangeError);
});
