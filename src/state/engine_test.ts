import assert from "node:assert/strict";
import fc from "fast-check";
import { hashlockHash, predicateCommitment, type TxOutput, type Witness } from "../codec/mod.ts";
import {
  blsKeyGen,
  blsPopProve,
  blsSecretKeyToPublicKey,
  schnorrSign,
  schnorrVerify,
} from "../crypto/mod.ts";
import { toHex } from "./_bytes.ts";
import { MAX_SUPPLY_UNITS } from "../params/mod.ts";
import { StateEngine } from "./engine.ts";
import { StateError, TxError } from "./errors.ts";
import { verifyStateProof } from "./commitment.ts";
import { Prng, transferTx, Workload, WORKLOAD_NETWORK } from "./_workload.ts";
import { utxoKey } from "./_entry.ts";
import {
  buildTx as build,
  keyPred,
  NOSIG,
  PK,
  sig,
  SK,
  transferOf as transfer,
} from "./_testing.ts";
import type { FinalizedAnchor, OutPoint, Predicate, StateMint, StateTx } from "./types.ts";

const NET = WORKLOAD_NETWORK; // maturity tiers 1/2/3 anchors, unbonding 3 anchors
const NID = NET.networkId;
const rng = new Prng(1);
const id = (): Uint8Array => rng.bytes(32);
function mint(amount: bigint, payout: Predicate, tier = 0): StateMint {
  return { mintId: id(), amount, tier, payout };
}

function anchor(index: number, mints: StateMint[], txs: StateTx[]): FinalizedAnchor {
  return { index, events: [{ eventId: id(), mints, txs }] };
}

async function fresh(
  amount = 1000n,
  payout = keyPred(0),
): Promise<{ e: StateEngine; op: OutPoint; out: TxOutput }> {
  const e = new StateEngine({ network: NET });
  const m = mint(amount, payout);
  await e.applyAnchor(anchor(0, [m], []));
  await e.applyAnchor(anchor(1, [], [])); // tier 0 matures at anchor 0 + 1
  return { e, op: { txId: m.mintId, index: 0 }, out: { amount, predicate: payout } };
}

Deno.test("StateEngine.applyAnchor() spends a mature mint with a valid signature", async () => {
  const { e, op, out } = await fresh();
  const t = transfer([op], [out], [600n, 390n], 10n);
  const r = await e.applyAnchor(anchor(2, [], [t]));
  assert.deepEqual(r.skipped, []);
  assert.equal(r.appliedTxs, 1);
  assert.equal(r.fees, 10n);
  assert.equal(e.getUtxo(op), undefined);
  assert.equal(e.getUtxo({ txId: t.txId, index: 1 })?.amount, 390n);
  assert.equal(e.totalValue(), e.supply().emitted);
});

Deno.test("StateEngine.applyAnchor() skips and records invalid transactions without changing state", async () => {
  const { e, op, out } = await fresh();
  const wrongNet = transfer([op], [out], [1000n], 0n);
  wrongNet.tx.networkId = 99;
  const cases: [string, StateTx][] = [
    ["TX_BAD_SIGNATURE", transfer([op], [out], [1000n], 0n, sig(1))],
    ["TX_BAD_WITNESS", transfer([op], [out], [1000n], 0n, () => NOSIG)],
    [
      "TX_BAD_WITNESS",
      transfer(
        [op],
        [out],
        [1000n],
        0n,
        (i, m) => ({ ...sig(0)(i, m), preimage: new Uint8Array([1]) }),
      ),
    ],
    ["TX_FEE_MISMATCH", transfer([op], [out], [1000n], 1n)],
    ["TX_FEE_MISMATCH", transfer([op], [out], [999n], 0n)],
    ["TX_UNKNOWN_INPUT", transfer([{ txId: id(), index: 0 }], [out], [1000n], 0n)],
    [
      "TX_DOUBLE_SPEND",
      transferTx(id(), NID, [op, op], [{ amount: 2000n, predicate: keyPred(0) }], 0n),
    ],
    ["TX_VALUE_OVERFLOW", transfer([op], [out], [MAX_SUPPLY_UNITS, 1000n], 0n)],
    ["TX_WRONG_NETWORK", wrongNet],
  ];
  const r = await e.applyAnchor(anchor(2, [], cases.map(([, t]) => t)));
  assert.deepEqual(r.skipped.map((s) => s.code), cases.map(([c]) => c));
  assert.ok(e.getUtxo(op) !== undefined);
  assert.equal(e.totalValue(), e.supply().emitted);
  for (const [code, t] of cases) {
    await assert.rejects(
      () => e.checkTx(t),
      (err: unknown) => err instanceof TxError && err.code === code,
      code,
    );
  }
});

Deno.test("StateEngine.applyAnchor() keeps the first of two conflicting transactions in total order", async () => {
  const { e, op, out } = await fresh();
  const a = transfer([op], [out], [1000n], 0n), b = transfer([op], [out], [990n], 10n);
  const r = await e.applyAnchor(anchor(2, [], [a, b]));
  assert.deepEqual(r.skipped.map((s) => [s.id, s.code]), [[b.txId, "TX_DOUBLE_SPEND"]]);
  const r2 = await e.applyAnchor(anchor(3, [], [b]));
  assert.deepEqual(r2.skipped.map((s) => s.code), ["TX_UNKNOWN_INPUT"]);
});

Deno.test("StateEngine.applyAnchor() spends outputs created earlier in the same anchor", async () => {
  const m = mint(1000n, keyPred(0));
  const op = { txId: m.mintId, index: 0 }, out = { amount: 1000n, predicate: keyPred(0) };
  const a = transfer([op], [out], [1000n], 0n, sig(0), keyPred(1));
  const b = transfer(
    [{ txId: a.txId, index: 0 }],
    [{ amount: 1000n, predicate: keyPred(1) }],
    [999n],
    1n,
    sig(1),
  );
  const go = async (txs: StateTx[]) => {
    const e = new StateEngine({ network: NET });
    await e.applyAnchor(anchor(0, [m], []));
    await e.applyAnchor(anchor(1, [], []));
    return e.applyAnchor(anchor(2, [], txs));
  };
  assert.deepEqual((await go([a, b])).skipped, []);
  // The child before its parent is refused: the order is the total order.
  assert.deepEqual((await go([b, a])).skipped.map((s) => [s.id, s.code]), [[
    b.txId,
    "TX_UNKNOWN_INPUT",
  ]]);
});

Deno.test("StateEngine.applyAnchor() refuses immature mints until their tier's anchor", async () => {
  const e = new StateEngine({ network: NET });
  const m = mint(500n, keyPred(0), 2); // tier 2: 3 anchors
  await e.applyAnchor(anchor(0, [m], []));
  const op = { txId: m.mintId, index: 0 };
  const out = { amount: 500n, predicate: keyPred(0) };
  assert.equal(e.getUtxo(op)?.spendableAt, 3);
  for (const i of [1, 2]) {
    const r = await e.applyAnchor(anchor(i, [], [transfer([op], [out], [500n], 0n)]));
    assert.deepEqual(r.skipped.map((s) => s.code), ["TX_IMMATURE"], `anchor ${i}`);
  }
  const r = await e.applyAnchor(anchor(3, [], [transfer([op], [out], [500n], 0n)]));
  assert.deepEqual(r.skipped, []);
});

Deno.test("StateEngine.applyAnchor() evaluates musig, multi, hashlock, after and commit predicates", async () => {
  const e = new StateEngine({ network: NET });
  const pre = new Uint8Array([1, 2, 3]);
  const sorted = [...PK.slice(0, 3)].sort((a, b) => Buffer.compare(a, b));
  const skOf = (pk: Uint8Array) => SK[PK.findIndex((p) => p === pk)]!;
  const preds: Predicate[] = [
    { type: "multi", threshold: 2, pubkeys: sorted },
    { type: "hashlock", hash: hashlockHash(pre), pubkey: PK[1]! },
    { type: "after", anchor: 5n, inner: { type: "key", pubkey: PK[2]! } },
    { type: "musig", key: PK[3]!, signers: 2 },
    { type: "commit", commitment: predicateCommitment(keyPred(1)) },
  ];
  const ms = preds.map((p) => mint(100n, p));
  await e.applyAnchor(anchor(0, ms, []));
  await e.applyAnchor(anchor(1, [], []));
  const op = (i: number) => ({ txId: ms[i]!.mintId, index: 0 });
  const sp = (i: number) => [{ amount: 100n, predicate: preds[i]! }];
  const multiW = (mask: number) => (_: number, m: Uint8Array): Witness => ({
    ...NOSIG,
    signers: mask,
    sigs: sorted.filter((_, j) => (mask >> j) & 1).map((pk) => schnorrSign(m, skOf(pk))),
  });
  const txs: [string | null, StateTx][] = [
    ["TX_BAD_WITNESS", transfer([op(0)], sp(0), [100n], 0n, multiW(0b001))], // 1 of 2
    [null, transfer([op(0)], sp(0), [100n], 0n, multiW(0b101))],
    [
      "TX_BAD_WITNESS",
      transfer(
        [op(1)],
        sp(1),
        [100n],
        0n,
        (i, m) => ({ ...sig(1)(i, m), preimage: new Uint8Array([9]) }),
      ),
    ],
    [null, transfer([op(1)], sp(1), [100n], 0n, (i, m) => ({ ...sig(1)(i, m), preimage: pre }))],
    ["TX_LOCKED", transfer([op(2)], sp(2), [100n], 0n, sig(2))],
    [null, transfer([op(3)], sp(3), [100n], 0n, sig(3))],
    [
      "TX_BAD_WITNESS",
      transfer([op(4)], sp(4), [100n], 0n, (i, m) => ({ ...sig(1)(i, m), reveal: keyPred(0) })),
    ],
    [
      null,
      transfer([op(4)], sp(4), [100n], 0n, (i, m) => ({ ...sig(1)(i, m), reveal: keyPred(1) })),
    ],
  ];
  const r = await e.applyAnchor(anchor(2, [], txs.map(([, t]) => t)));
  assert.deepEqual(r.skipped.map((s) => s.code), txs.filter(([c]) => c !== null).map(([c]) => c));
  await e.applyAnchor(anchor(3, [], []));
  await e.applyAnchor(anchor(4, [], []));
  const r5 = await e.applyAnchor(anchor(5, [], [transfer([op(2)], sp(2), [100n], 0n, sig(2))]));
  assert.deepEqual(r5.skipped, []);
});

Deno.test("StateEngine.applyAnchor() bonds an immature mint and releases it after the unbonding window", async () => {
  const network = { ...NET, minBondUnits: 100n };
  const e = new StateEngine({ network });
  const seat = PK[1]!;
  const blsSk = blsKeyGen(new Uint8Array(32).fill(7));
  const blsKey = blsSecretKeyToPublicKey(blsSk);
  const blsPop = blsPopProve(blsSk);
  const m = mint(1000n, keyPred(0), 2); // matures at anchor 3
  const m2 = mint(10n, keyPred(0), 0); // matures at anchor 1: funds the change output and fee
  await e.applyAnchor(anchor(0, [m, m2], []));
  const ins = [{ prevout: { txId: m.mintId, index: 0 } }, {
    prevout: { txId: m2.mintId, index: 0 },
  }];
  const sp = [{ amount: 1000n, predicate: keyPred(0) }, { amount: 10n, predicate: keyPred(0) }];
  const signBond = (i: number, msg: Uint8Array): Witness => sig(i === ins.length ? 1 : 0)(i, msg);
  const bond = (amount: bigint, outs: bigint[], pop = blsPop) =>
    build(
      {
        kind: { type: "bond", seatKey: seat, blsKey, blsPop: pop, amount },
        inputs: ins,
        outputs: outs.map((a) => ({ amount: a, predicate: keyPred(0) })),
        fee: 1010n - amount - outs.reduce((x, y) => x + y, 0n),
      },
      sp,
      signBond,
    );
  const leak = bond(500n, [509n]); // change paid from immature funds
  const badPop = bond(1000n, [9n], new Uint8Array(96));
  const ok = bond(1000n, [9n]);
  const r = await e.applyAnchor(anchor(1, [], [leak, badPop, ok]));
  assert.deepEqual(r.skipped.map((s) => s.code), ["TX_IMMATURE", "TX_BAD_POP"]);
  assert.equal(e.supply().bonded, 1000n);
  assert.equal(e.getBond(seat)?.maturesAt, 3);
  // Unbond 600 of 1000, paying the fee from the change output; the seat key signs witness 1.
  const change = { txId: ok.txId, index: 0 };
  const unbond = build(
    {
      kind: { type: "unbond", seatKey: seat, amount: 600n },
      inputs: [{ prevout: change }],
      outputs: [{ amount: 8n, predicate: keyPred(0) }],
      fee: 1n,
    },
    [{ amount: 9n, predicate: keyPred(0) }],
    (i, msg) => sig(i === 1 ? 1 : 0)(i, msg),
  );
  const r2 = await e.applyAnchor(anchor(2, [], [unbond]));
  assert.deepEqual(r2.skipped, []);
  assert.equal(e.supply().bonded, 400n);
  assert.equal(e.getBond(seat)?.amount, 400n);
  const released = { txId: unbond.txId, index: 1 };
  assert.equal(e.getUtxo(released)?.spendableAt, 2 + 3);
  const spR = [{ amount: 600n, predicate: keyPred(1) }];
  await e.applyAnchor(anchor(3, [], []));
  const r4 = await e.applyAnchor(anchor(4, [], [transfer([released], spR, [600n], 0n, sig(1))]));
  assert.deepEqual(r4.skipped.map((s) => s.code), ["TX_LOCKED"]);
  const r5 = await e.applyAnchor(anchor(5, [], [transfer([released], spR, [600n], 0n, sig(1))]));
  assert.deepEqual(r5.skipped, []);
  assert.equal(e.totalValue(), e.supply().emitted);
});

Deno.test("StateEngine.applyAnchor() enforces the re-bond cooldown after a full unbond, counted in finalized anchors", async () => {
  const network = { ...NET, minBondUnits: 100n, cooldownAnchors: 2n }; // unbonding 3 anchors
  const e = new StateEngine({ network });
  const seat = PK[1]!;
  const blsSk = blsKeyGen(new Uint8Array(32).fill(9));
  const blsKey = blsSecretKeyToPublicKey(blsSk);
  const blsPop = blsPopProve(blsSk);
  const funds = [mint(1010n, keyPred(0)), mint(1010n, keyPred(0)), mint(1010n, keyPred(0))];
  const fee = mint(10n, keyPred(0));
  await e.applyAnchor(anchor(0, [...funds, fee], [])); // tier 0: spendable from anchor 1
  const sp = [{ amount: 1010n, predicate: keyPred(0) }];
  const bond = (m: StateMint, amount = 1000n) =>
    build(
      {
        kind: { type: "bond", seatKey: seat, blsKey, blsPop, amount },
        inputs: [{ prevout: { txId: m.mintId, index: 0 } }],
        outputs: [{ amount: 1010n - amount, predicate: keyPred(0) }],
        fee: 0n,
      },
      sp,
      (i, msg) => sig(i === 1 ? 1 : 0)(i, msg),
    );
  const unbond = (prev: OutPoint, have: bigint, amount: bigint) =>
    build(
      {
        kind: { type: "unbond", seatKey: seat, amount },
        inputs: [{ prevout: prev }],
        outputs: [{ amount: have - 1n, predicate: keyPred(0) }],
        fee: 1n,
      },
      [{ amount: have, predicate: keyPred(0) }],
      (i, msg) => sig(i === 1 ? 1 : 0)(i, msg),
    );
  const b1 = bond(funds[0]!);
  assert.deepEqual((await e.applyAnchor(anchor(1, [], [b1]))).skipped, []);
  // A partial unbond keeps the seat in the set: no exit record, a top-up is not in cooldown.
  const u1 = unbond({ txId: b1.txId, index: 0 }, 10n, 400n);
  assert.deepEqual((await e.applyAnchor(anchor(2, [], [u1]))).skipped, []);
  assert.equal(e.seatExit(seat), undefined);
  assert.equal(e.getBond(seat)?.amount, 600n);
  // The full unbond at anchor 3 writes the exit record; a bond in the same anchor is refused.
  const u2 = unbond({ txId: u1.txId, index: 0 }, 9n, 600n);
  const early = bond(funds[1]!);
  const r3 = await e.applyAnchor(anchor(3, [], [u2, early]));
  assert.deepEqual(r3.skipped.map((s) => s.code), ["TX_COOLDOWN"]);
  assert.equal(e.getBond(seat), undefined);
  assert.deepEqual(e.seatExit(seat), { exitedAt: 3, bondableAt: 5 });
  assert.equal(e.supply().bonded, 0n);
  // Unbonding window: each release output is locked for unbondingAnchors from its unbond.
  assert.equal(e.getUtxo({ txId: u1.txId, index: 1 })?.spendableAt, 2 + 3);
  assert.equal(e.getUtxo({ txId: u2.txId, index: 1 })?.spendableAt, 3 + 3);
  // Anchor 4: still cooling down (mempool admission says the same, with the anchor it may bond).
  const again = bond(funds[1]!);
  await assert.rejects(
    () => e.checkTx(again),
    (err: unknown) =>
      err instanceof TxError && err.code === "TX_COOLDOWN" && err.data.spendableAt === 5,
  );
  const root = e.root();
  const r4 = await e.applyAnchor(anchor(4, [], [again]));
  assert.deepEqual(r4.skipped.map((s) => s.code), ["TX_COOLDOWN"]);
  assert.equal(e.getUtxo({ txId: funds[1]!.mintId, index: 0 })?.amount, 1010n);
  assert.notDeepEqual(r4.root, root); // only the global entry moved
  // Anchor 5 = exitedAt + cooldownAnchors: the seat bonds again (a fresh seat: PoP checked) and
  // its exit record is pruned.
  const back = bond(funds[1]!, 500n);
  const r5 = await e.applyAnchor(anchor(5, [], [back]));
  assert.deepEqual(r5.skipped, []);
  assert.equal(e.seatExit(seat), undefined);
  assert.deepEqual(e.getBond(seat), { amount: 500n, blsKey, createdAt: 5, maturesAt: 0 });
  assert.equal(e.totalValue(), e.supply().emitted);
});

Deno.test("StateEngine.applyAnchor() allows an immediate re-bond with a zero cooldown", async () => {
  const network = { ...NET, minBondUnits: 100n, cooldownAnchors: 0n };
  const e = new StateEngine({ network });
  const seat = PK[2]!;
  const blsSk = blsKeyGen(new Uint8Array(32).fill(11));
  const blsKey = blsSecretKeyToPublicKey(blsSk);
  const blsPop = blsPopProve(blsSk);
  const m1 = mint(1000n, keyPred(0)), m2 = mint(1000n, keyPred(0));
  await e.applyAnchor(anchor(0, [m1, m2], []));
  const sp = [{ amount: 1000n, predicate: keyPred(0) }];
  const signSeat = (i: number, msg: Uint8Array) => sig(i === 1 ? 2 : 0)(i, msg);
  const bond = (m: StateMint) =>
    build(
      {
        kind: { type: "bond", seatKey: seat, blsKey, blsPop, amount: 900n },
        inputs: [{ prevout: { txId: m.mintId, index: 0 } }],
        outputs: [{ amount: 100n, predicate: keyPred(0) }],
        fee: 0n,
      },
      sp,
      signSeat,
    );
  const b1 = bond(m1);
  await e.applyAnchor(anchor(1, [], [b1]));
  const out = build(
    {
      kind: { type: "unbond", seatKey: seat, amount: 900n },
      inputs: [{ prevout: { txId: b1.txId, index: 0 } }],
      outputs: [{ amount: 100n, predicate: keyPred(0) }],
      fee: 0n,
    },
    [{ amount: 100n, predicate: keyPred(0) }],
    signSeat,
  );
  const r = await e.applyAnchor(anchor(2, [], [out, bond(m2)]));
  assert.deepEqual(r.skipped, []);
  assert.equal(e.seatExit(seat), undefined);
  assert.equal(e.getBond(seat)?.amount, 900n);
});

Deno.test("StateEngine.applyAnchor() refuses mints beyond the hard cap", async () => {
  const e = new StateEngine({ network: NET });
  const r = await e.applyAnchor(
    anchor(
      0,
      [mint(MAX_SUPPLY_UNITS - 5n, keyPred(0)), mint(6n, keyPred(0)), mint(5n, keyPred(0))],
      [],
    ),
  );
  assert.deepEqual(r.skipped.map((s) => s.code), ["TX_CAP_EXCEEDED"]);
  assert.equal(e.supply().emitted, MAX_SUPPLY_UNITS);
});

Deno.test("StateEngine.applyAnchor() refuses an out-of-order anchor and changes nothing", async () => {
  const e = new StateEngine({ network: NET });
  const root = e.root();
  await assert.rejects(
    () => e.applyAnchor(anchor(1, [], [])),
    (err: unknown) => err instanceof StateError && err.code === "STATE_ANCHOR_ORDER",
  );
  assert.deepEqual(e.root(), root);
  assert.equal(e.anchor, -1);
});

Deno.test("StateEngine.proveUtxo() proves unspent outputs and the absence of spent ones", async () => {
  const { e, op, out } = await fresh();
  const v = e.commitment.get(utxoKey(op))!;
  assert.ok(verifyStateProof(e.root(), utxoKey(op), v, e.proveUtxo(op)));
  await e.applyAnchor(anchor(2, [], [transfer([op], [out], [1000n], 0n)]));
  assert.ok(verifyStateProof(e.root(), utxoKey(op), null, e.proveUtxo(op)));
  assert.ok(!verifyStateProof(e.root(), utxoKey(op), v, e.proveUtxo(op)));
});

// Property tests over the synthetic workload (signatures off: they are covered above).

async function run(seed: number, anchors: number, invalid: number) {
  const w = new Workload({ seed, txsPerAnchor: 30, mintsPerAnchor: 3, invalidPerMille: invalid });
  const e = new StateEngine({ network: NET, verifySignatures: false });
  const roots: Uint8Array[] = [], list: FinalizedAnchor[] = [];
  let skipped = 0;
  for (let i = 0; i < anchors; i++) {
    const a = w.anchor();
    list.push(a);
    const r = await e.applyAnchor(a);
    roots.push(r.root);
    skipped += r.skipped.length;
  }
  return { e, roots, list, skipped };
}

Deno.test("StateEngine conserves value and never exceeds the cap (property)", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 1, max: 1 << 30 }),
      fc.integer({ min: 0, max: 300 }),
      async (seed, invalid) => {
        const { e, skipped } = await run(seed, 12, invalid);
        assert.equal(e.totalValue(), e.supply().emitted, `seed ${seed}`);
        assert.ok(e.supply().emitted <= MAX_SUPPLY_UNITS);
        if (invalid > 100) {
          assert.ok(
            skipped > 0,
            `seed ${seed}: invalid transactions were generated`,
          );
        }
      },
    ),
    { seed: 1234, numRuns: 15 },
  );
});

Deno.test("StateEngine replay of the same finalized anchors from genesis gives the same roots (property)", async () => {
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 1, max: 1 << 30 }), async (seed) => {
      const a = await run(seed, 10, 100);
      const b = new StateEngine({ network: NET, verifySignatures: false });
      for (const [i, x] of a.list.entries()) {
        assert.deepEqual((await b.applyAnchor(x)).root, a.roots[i], `seed ${seed} anchor ${i}`);
      }
    }),
    { seed: 99, numRuns: 10 },
  );
});

Deno.test("StateEngine gives the same root for any order of independent transactions and respects order for conflicting ones (property)", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 1, max: 1 << 30 }),
      fc.integer(),
      async (seed, shuffleSeed) => {
        const r = new Prng(seed);
        const ms = Array.from(
          { length: 8 },
          () => ({ mintId: r.bytes(32), amount: 100n, tier: 0, payout: keyPred(0) }),
        );
        const txs = ms.map((m) =>
          transferTx(r.bytes(32), NID, [{ txId: m.mintId, index: 0 }], [{
            amount: 99n,
            predicate: keyPred(1),
          }], 1n)
        );
        const conflict = transferTx(r.bytes(32), NID, [{ txId: ms[0]!.mintId, index: 0 }], [{
          amount: 98n,
          predicate: keyPred(2),
        }], 2n);
        const s = new Prng(shuffleSeed);
        const shuffled = [...txs];
        for (let i = shuffled.length - 1; i > 0; i--) {
          const j = s.int(i + 1);
          [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
        }
        const go = async (order: StateTx[]) => {
          const e = new StateEngine({ network: NET, verifySignatures: false });
          await e.applyAnchor({
            index: 0,
            events: [{ eventId: new Uint8Array(32), mints: ms, txs: [] }],
          });
          await e.applyAnchor({ index: 1, events: [] });
          return e.applyAnchor({
            index: 2,
            events: [{ eventId: new Uint8Array(32), mints: [], txs: order }],
          });
        };
        const a = await go(txs), b = await go(shuffled);
        assert.deepEqual(a.root, b.root, `seed ${seed}`);
        const c1 = await go([...txs, conflict]), c2 = await go([conflict, ...txs]);
        assert.deepEqual(c1.root, a.root);
        assert.deepEqual(c1.skipped.map((x) => x.id), [conflict.txId]);
        assert.deepEqual(c2.skipped.map((x) => x.id), [txs[0]!.txId]);
        assert.notDeepEqual(c1.root, c2.root);
      },
    ),
    { seed: 5, numRuns: 15 },
  );
});

Deno.test("StateEngine.applyAnchor() verifies signatures in chunks and skips exactly the bad ones", async () => {
  const N = 700; // several verification chunks
  const ms = Array.from({ length: N }, () => mint(50n, keyPred(0)));
  const txs = ms.map((m, i) =>
    transfer(
      [{ txId: m.mintId, index: 0 }],
      [{ amount: 50n, predicate: keyPred(0) }],
      [49n],
      1n,
      sig(i % 97 === 5 ? 1 : 0),
    )
  );
  const bad = txs.filter((_, i) => i % 97 === 5).map((t) => toHex(t.txId));
  let calls = 0;
  const verifiers = [
    undefined, // the default native batch verifier
    (items: readonly { signature: Uint8Array; message: Uint8Array; publicKey: Uint8Array }[]) => {
      if (++calls === 2) throw new TypeError("verifier failure"); // falls back to per-item checks
      return items.map((it) => schnorrVerify(it.signature, it.message, it.publicKey));
    },
  ];
  for (const verifier of verifiers) {
    const e = new StateEngine(
      verifier === undefined ? { network: NET } : { network: NET, verifier },
    );
    await e.applyAnchor(anchor(0, ms, []));
    await e.applyAnchor(anchor(1, [], []));
    const r = await e.applyAnchor(anchor(2, [], txs));
    assert.deepEqual(r.skipped.map((s) => toHex(s.id)), bad);
    assert.ok(r.skipped.every((s) => s.code === "TX_BAD_SIGNATURE"));
    assert.equal(r.appliedTxs, N - bad.length);
  }
  assert.ok(calls > 2, `chunks verified: ${calls}`);
});

Deno.test("StateEngine.applyAnchor() refuses a concurrent call", async () => {
  const { e, op, out } = await fresh();
  // The first call awaits its signature batch, so the second arrives while it runs.
  const first = e.applyAnchor(anchor(2, [], [transfer([op], [out], [1000n], 0n)]));
  await assert.rejects(() => e.applyAnchor(anchor(2, [], [])), /already running/);
  assert.deepEqual((await first).skipped, []);
  assert.equal(e.anchor, 2);
});
