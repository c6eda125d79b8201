/**
 * Maturity (docs/spec/maturity.md §2): every tier's anchor count is fixed into the output at
 * mint, counted on the global anchor index, and survives a restore under other parameters; a bond
 * may lock an immature mint, but unbonding never releases it before the mint would have matured.
 */
import assert from "node:assert/strict";
import { blsKeyGen, blsPopProve, blsSecretKeyToPublicKey } from "../crypto/mod.ts";
import { MAINNET } from "../params/mod.ts";
import { concat } from "./_bytes.ts";
import { StateEngine } from "./engine.ts";
import { restoreSnapshot, snapshotChunks } from "./snapshot.ts";
import { WORKLOAD_NETWORK } from "./_workload.ts";
import {
  anchorOf,
  buildTx,
  Ids,
  keyPred,
  mintOf,
  mintOut,
  mintSpent,
  sig,
  transferOf,
} from "./_testing.ts";

const ids = new Ids(77);

Deno.test("StateEngine.applyAnchor() fixes each tier's maturity at mint and refuses the spend until exactly that anchor", async () => {
  // Tiers 1/2/3 anchors on this network; minted at anchor 4 (not 0: maturity counts from the
  // minting anchor on the global index).
  let e = new StateEngine({ network: WORKLOAD_NETWORK });
  for (let i = 0; i < 4; i++) await e.applyAnchor(anchorOf(ids, i, [], []));
  const ms = [0, 1, 2].map((tier) => mintOf(ids, 100n + BigInt(tier), keyPred(0), tier));
  await e.applyAnchor(anchorOf(ids, 4, ms, []));
  assert.deepEqual(
    ms.map((m) => e.getUtxo(mintOut(m))).map((u) => [u?.origin, u?.createdAt, u?.spendableAt]),
    [["mint", 4, 5], ["mint", 4, 6], ["mint", 4, 7]],
  );
  // Restored under parameters with other tiers: the recorded maturity is what counts.
  const slow = { ...WORKLOAD_NETWORK, maturityAnchors: [40n, 80n, 160n] as const };
  e = restoreSnapshot(concat([...snapshotChunks(e)]), { network: slow }, e.root());
  const spends = ms.map((m) => transferOf([mintOut(m)], [mintSpent(m)], [m.amount], 0n));
  for (let idx = 5; idx <= 7; idx++) {
    const r = await e.applyAnchor(anchorOf(ids, idx, [], spends));
    const matured = idx - 4; // tiers below this one are spendable (and spent) by now
    assert.deepEqual(
      r.skipped.map((s) => s.code),
      [
        ...Array(matured - 1).fill("TX_UNKNOWN_INPUT"),
        ...Array(3 - matured).fill("TX_IMMATURE"),
      ],
      `anchor ${idx}`,
    );
    assert.equal(r.appliedTxs, 1, `anchor ${idx}: tier ${matured - 1} matured`);
  }
  // The same tiers on mainnet: 50k / 100k / 200k finalized anchors after the minting anchor.
  const main = new StateEngine({ network: MAINNET });
  const mm = ms.map((m) => ({ ...m, mintId: ids.next() }));
  await main.applyAnchor(anchorOf(ids, 0, mm, []));
  assert.deepEqual(
    mm.map((m) => main.getUtxo(mintOut(m))?.spendableAt),
    [50_000, 100_000, 200_000],
  );
});

Deno.test("StateEngine.applyAnchor() releases an unbonded immature mint no earlier than the mint's own maturity", async () => {
  // Tier 2 = 10 anchors, unbonding = 3: bond the immature mint at 1, unbond it all at 2. The
  // unbonding window alone would release it at 5; the inherited maturity holds it until 10.
  const network = {
    ...WORKLOAD_NETWORK,
    maturityAnchors: [1n, 2n, 10n] as const,
    minBondUnits: 100n,
    cooldownAnchors: 0n,
  };
  const e = new StateEngine({ network });
  const sk = blsKeyGen(new Uint8Array(32).fill(5));
  const young = mintOf(ids, 1000n, keyPred(0), 2), feeM = mintOf(ids, 10n, keyPred(0));
  await e.applyAnchor(anchorOf(ids, 0, [young, feeM], []));
  const seat = keyPubkey(1);
  // The extra witness (index = inputs.length) is the seat key's signature.
  const seatSign = (n: number) => (i: number, msg: Uint8Array) => sig(i === n ? 1 : 0)(i, msg);
  // The whole immature mint is bonded; the mature fee mint pays the change output.
  const bond2 = buildTx(
    {
      kind: {
        type: "bond",
        seatKey: seat,
        blsKey: blsSecretKeyToPublicKey(sk),
        blsPop: blsPopProve(sk),
        amount: 1000n,
      },
      inputs: [{ prevout: mintOut(young) }, { prevout: mintOut(feeM) }],
      outputs: [{ amount: 10n, predicate: keyPred(0) }],
      fee: 0n,
    },
    [mintSpent(young), mintSpent(feeM)],
    seatSign(2),
  );
  const r1 = await e.applyAnchor(anchorOf(ids, 1, [], [bond2]));
  assert.deepEqual(r1.skipped, []);
  assert.equal(e.getBond(seat)?.maturesAt, 10);
  const unbond = buildTx(
    {
      kind: { type: "unbond", seatKey: seat, amount: 1000n },
      inputs: [{ prevout: { txId: bond2.txId, index: 0 } }],
      outputs: [{ amount: 10n, predicate: keyPred(0) }],
      fee: 0n,
    },
    [{ amount: 10n, predicate: keyPred(0) }],
    seatSign(1),
  );
  assert.deepEqual((await e.applyAnchor(anchorOf(ids, 2, [], [unbond]))).skipped, []);
  const released = { txId: unbond.txId, index: 1 };
  assert.deepEqual(
    [e.getUtxo(released)?.origin, e.getUtxo(released)?.spendableAt],
    ["unbond", 10],
  );
  const out = transferOf(
    [released],
    [{ amount: 1000n, predicate: keyPred(1) }],
    [1000n],
    0n,
    sig(1),
  );
  for (let i = 3; i < 10; i++) {
    const r = await e.applyAnchor(anchorOf(ids, i, [], [out]));
    assert.deepEqual(r.skipped.map((s) => s.code), ["TX_LOCKED"], `anchor ${i}`);
  }
  assert.deepEqual((await e.applyAnchor(anchorOf(ids, 10, [], [out]))).skipped, []);
  assert.equal(e.totalValue(), e.supply().emitted);
});

function keyPubkey(i: number): Uint8Array {
  const p = keyPred(i);
  if (p.type !== "key") throw new TypeError("key predicate expected");
  return p.pubkey;
}
