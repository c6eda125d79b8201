/**
 * Duplicate transactions in the total order (two seats carried the same tx): the state applies the
 * first valid copy and skips every later one, deterministically, without changing state
 * (docs/adr/0073-tx-gossip-and-inclusion-rule.md). Pinned here because the inclusion rule relies
 * on it.
 */
import assert from "node:assert/strict";
import { bytesToHex } from "@noble/hashes/utils.js";
import { decodeTxWithIds } from "../codec/mod.ts";
import type { StateTx } from "../state/mod.ts";
import { maturedFaucet, transfer } from "./_txtesting.ts";

function st(bytes: Uint8Array): StateTx {
  const d = decodeTxWithIds(bytes);
  return { tx: d.tx, txId: d.txId };
}

const ev = (n: number) => new Uint8Array(32).fill(n);

Deno.test("a tx twice in one anchor: first copy applies, second skipped, same root", async () => {
  const once = await maturedFaucet(2);
  const twice = await maturedFaucet(2);
  const bytes = transfer(once.faucet, once.coins[0]!);
  const r1 = await once.engine.applyAnchor({
    index: 52,
    events: [{ eventId: ev(1), mints: [], txs: [st(bytes)] }],
  });
  const r2 = await twice.engine.applyAnchor({
    index: 52,
    events: [
      { eventId: ev(1), mints: [], txs: [st(bytes)] },
      { eventId: ev(2), mints: [], txs: [st(bytes), st(bytes)] },
    ],
  });
  assert.equal(r1.appliedTxs, 1);
  assert.equal(r2.appliedTxs, 1);
  assert.deepEqual(r2.skipped.map((s) => [bytesToHex(s.eventId), s.code]), [
    [bytesToHex(ev(2)), "TX_DOUBLE_SPEND"],
    [bytesToHex(ev(2)), "TX_DOUBLE_SPEND"],
  ]);
  assert.equal(r2.fees, r1.fees, "fee collected once");
  assert.equal(bytesToHex(r2.root), bytesToHex(r1.root), "state as if it came once");
});

Deno.test("a tx again in a later anchor is skipped and changes nothing", async () => {
  const { faucet, engine, coins } = await maturedFaucet(2);
  const bytes = transfer(faucet, coins[0]!);
  await engine.applyAnchor({
    index: 52,
    events: [{ eventId: ev(1), mints: [], txs: [st(bytes)] }],
  });
  const before = bytesToHex(engine.root());
  const r = await engine.applyAnchor({
    index: 53,
    events: [{ eventId: ev(3), mints: [], txs: [st(bytes)] }],
  });
  assert.equal(r.appliedTxs, 0);
  assert.deepEqual(r.skipped.map((s) => s.code), ["TX_UNKNOWN_INPUT"]);
  // Only the global entry (last anchor index) moved: compare with an empty anchor 53.
  const ref = await maturedFaucet(2);
  await ref.engine.applyAnchor({
    index: 52,
    events: [{ eventId: ev(1), mints: [], txs: [st(bytes)] }],
  });
  assert.equal(bytesToHex(ref.engine.root()), before);
  await ref.engine.applyAnchor({ index: 53, events: [] });
  assert.equal(bytesToHex(engine.root()), bytesToHex(ref.engine.root()));
});
