import assert from "node:assert/strict";
import fc from "fast-check";
import { encodeTx } from "../codec/mod.ts";
import { WalletAccount } from "./account.ts";
import {
  buildTransfer,
  compareInputs,
  compareOutputs,
  feeForSize,
  type SpendableCoin,
} from "./build.ts";
import { WalletError } from "./errors.ts";
import { coin, MNEMONIC } from "./_testing.ts";

const acct = WalletAccount.fromMnemonic(MNEMONIC, "testnet");
const other = WalletAccount.fromMnemonic(MNEMONIC, "testnet", 1);
const FLOOR = { unitsPerByte: 10n, minFee: 1000n };
const opts = { network: "testnet" as const, feeFloor: FLOOR, change: acct.changeKey(0) };
const to = other.receiveKey(0).address;

function signedSize(t: ReturnType<typeof buildTransfer>): number {
  return encodeTx({
    ...t.tx,
    witnesses: t.coins.map((c) => ({
      sigs: [new Uint8Array(64)],
      signers: 0,
      preimage: null,
      reveal: c.key.predicate,
    })),
  }).length;
}

Deno.test("buildTransfer() takes the largest coins first and pays exact fees with change", () => {
  const coins = [
    coin(acct.receiveKey(0), 5_000n, 1),
    coin(acct.receiveKey(1), 50_000n, 2),
    coin(acct.receiveKey(2), 20_000n, 3),
  ];
  const t = buildTransfer(coins, [{ to, amount: 30_000n }], opts);
  assert.equal(t.coins.length, 1);
  assert.equal(t.coins[0]!.utxo.output.amount, 50_000n);
  assert.equal(t.fee, feeForSize(FLOOR, signedSize(t)));
  const outSum = t.tx.outputs.reduce((s, o) => s + o.amount, 0n);
  assert.equal(50_000n, outSum + t.fee);
  assert.notEqual(t.changeIndex, null);
  assert.deepEqual(t.tx.outputs[t.changeIndex!]!.predicate, {
    type: "commit",
    commitment: acct.changeKey(0).commitment,
  });
});

Deno.test("buildTransfer() gives change below the dust limit to the fee", () => {
  const coins = [coin(acct.receiveKey(0), 32_500n, 1)];
  const t = buildTransfer(coins, [{ to, amount: 30_000n }], opts);
  assert.equal(t.changeIndex, null);
  assert.equal(t.tx.outputs.length, 1);
  assert.equal(t.fee, 2_500n);
  assert.ok(t.fee >= feeForSize(FLOOR, signedSize(t)));
});

Deno.test("buildTransfer() breaks ties by txId then index", () => {
  const coins = [
    coin(acct.receiveKey(0), 40_000n, 9),
    coin(acct.receiveKey(1), 40_000n, 3, 1),
    coin(acct.receiveKey(2), 40_000n, 3, 0),
  ];
  const t = buildTransfer(coins, [{ to, amount: 30_000n }], opts);
  assert.equal(t.coins.length, 1);
  assert.deepEqual([t.coins[0]!.utxo.outpoint.txId[0], t.coins[0]!.utxo.outpoint.index], [3, 0]);
});

Deno.test("buildTransfer() reports INSUFFICIENT_FUNDS, BAD_AMOUNT and BAD_ADDRESS", () => {
  const coins = [coin(acct.receiveKey(0), 10_000n, 1)];
  const code = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      assert.ok(e instanceof WalletError, String(e));
      return e.code;
    }
    return "ok";
  };
  assert.equal(
    code(() => buildTransfer(coins, [{ to, amount: 10_000n }], opts)),
    "INSUFFICIENT_FUNDS",
  );
  assert.equal(code(() => buildTransfer([], [{ to, amount: 1n }], opts)), "INSUFFICIENT_FUNDS");
  assert.equal(code(() => buildTransfer(coins, [{ to, amount: 0n }], opts)), "BAD_AMOUNT");
  assert.equal(code(() => buildTransfer(coins, [{ to, amount: 10n ** 16n }], opts)), "BAD_AMOUNT");
  assert.equal(
    code(() => buildTransfer(coins, [{ to: "pc1xyz", amount: 1n }], opts)),
    "BAD_ADDRESS",
  );
  assert.throws(() => buildTransfer(coins, [], opts), RangeError);
});

Deno.test("buildTransfer() reports TOO_MANY_INPUTS past 64 inputs", () => {
  const coins = Array.from({ length: 70 }, (_, i) => coin(acct.receiveKey(i % 5), 2_000n, i + 1));
  assert.throws(
    () => buildTransfer(coins, [{ to, amount: 135_000n }], opts),
    (e: unknown) => e instanceof WalletError && e.code === "TOO_MANY_INPUTS",
  );
});

Deno.test("buildTransfer() is deterministic, balanced, canonically ordered and pays the floor (property)", () => {
  const keys = [0, 1, 2, 3].map((i) => acct.receiveKey(i));
  let built = 0;
  fc.assert(
    fc.property(
      fc.uniqueArray(
        fc.record({
          n: fc.integer({ min: 1, max: 200 }),
          idx: fc.integer({ min: 0, max: 3 }),
          amount: fc.bigInt({ min: 1n, max: 1_000_000n }),
        }),
        { minLength: 1, maxLength: 20, selector: (r) => `${r.n}:${r.idx}` },
      ),
      fc.array(fc.bigInt({ min: 1n, max: 300_000n }), { minLength: 1, maxLength: 4 }),
      fc.integer(),
      (raw, amounts, seed) => {
        const coins: SpendableCoin[] = raw.map((r) => coin(keys[r.idx]!, r.amount, r.n, r.idx));
        const payments = amounts.map((amount, i) => ({ to: other.receiveKey(i).address, amount }));
        let t;
        try {
          t = buildTransfer(coins, payments, opts);
        } catch (e) {
          assert.ok(e instanceof WalletError && e.code === "INSUFFICIENT_FUNDS", String(e));
          return;
        }
        built++;
        const shuffled = [...coins].sort((a, b) =>
          ((a.utxo.outpoint.txId[0]! * 31 + seed) % 7) -
          ((b.utxo.outpoint.txId[0]! * 31 + seed) % 7)
        );
        assert.deepEqual(
          encodeTx(buildTransfer(shuffled, payments, opts).tx),
          encodeTx(t.tx),
          "depends on coin order",
        );
        const sumIn = t.spent.reduce((s, o) => s + o.amount, 0n);
        const sumOut = t.tx.outputs.reduce((s, o) => s + o.amount, 0n);
        assert.equal(sumIn, sumOut + t.fee);
        assert.equal(t.tx.fee, t.fee);
        assert.ok(t.fee >= feeForSize(FLOOR, signedSize(t)), "fee below floor");
        for (let i = 1; i < t.coins.length; i++) {
          assert.ok(compareInputs(t.coins[i - 1]!, t.coins[i]!) < 0, "inputs order");
        }
        for (let i = 1; i < t.tx.outputs.length; i++) {
          assert.ok(compareOutputs(t.tx.outputs[i - 1]!, t.tx.outputs[i]!) <= 0, "outputs order");
        }
      },
    ),
    { numRuns: 100, seed: 42 },
  );
  assert.ok(built > 50, `only ${built} of 100 runs built a transaction`);
});
