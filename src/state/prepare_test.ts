import assert from "node:assert/strict";
import { schnorrVerifyBatchSync } from "../crypto/mod.ts";
import { toHex } from "./_bytes.ts";
import { StateEngine } from "./engine.ts";
import { anchorOf, Ids, keyPred, mintOf, mintOut, mintSpent, transferOf } from "./_testing.ts";
import { WORKLOAD_NETWORK } from "./_workload.ts";
import type { SigItem } from "./_schnorr.ts";
import type { AnchorReceipt, FinalizedAnchor } from "./types.ts";

/** A verifier that records each call: how many items, whether in the background. */
function recording() {
  const calls: { items: SigItem[]; background: boolean }[] = [];
  const verifier = (items: readonly SigItem[], opts?: { background?: boolean }) => {
    calls.push({ items: [...items], background: opts?.background === true });
    return schnorrVerifyBatchSync(items);
  };
  return { calls, verifier };
}

const summary = (r: AnchorReceipt) => ({
  root: toHex(r.root),
  txs: r.appliedTxs,
  mints: r.appliedMints,
  skipped: r.skipped.map((s) => s.code),
});

/** Apply `anchors` in order, preparing `ahead` anchors in advance (0: plain applies). */
async function run(anchors: FinalizedAnchor[], ahead: number) {
  const { calls, verifier } = recording();
  const e = new StateEngine({ network: WORKLOAD_NETWORK, verifier });
  const out = [];
  for (let i = 0; i < anchors.length; i++) {
    for (let j = i; j < Math.min(anchors.length, i + ahead); j++) e.prepareAnchor(anchors[j]!);
    out.push(summary(await e.applyAnchor(anchors[i]!)));
  }
  return { out, calls };
}

Deno.test("prepareAnchor() ahead: a spend of an output the anchor before creates is verified early", async () => {
  const ids = new Ids(77);
  const m = mintOf(ids, 10_000n, keyPred(0));
  const t1 = transferOf([mintOut(m)], [mintSpent(m)], [6_000n, 3_000n], 1_000n);
  // t2 spends t1's first output, which exists only once anchor 2 has been applied.
  const t2 = transferOf([{ txId: t1.txId, index: 0 }], [t1.tx.outputs[0]!], [5_500n], 500n);
  const anchors = [
    anchorOf(ids, 0, [m], []),
    anchorOf(ids, 1, [], []),
    anchorOf(ids, 2, [], [t1]),
    anchorOf(ids, 3, [], [t2]),
  ];
  const plain = await run(anchors, 0);
  const ahead = await run(anchors, 2);
  assert.deepEqual(ahead.out, plain.out);
  assert.equal(ahead.out[3]!.txs, 1);
  // Both signatures went through the batch verifier in the background, t2's before anchor 2 was
  // applied (resolved from anchor 2's prepared outputs), and none was checked twice.
  const sigs = ahead.calls.flatMap((c) => c.items.map((it) => toHex(it.signature)));
  assert.deepEqual(sigs, [t1, t2].map((t) => toHex(t.tx.witnesses[0]!.sigs[0]!)));
  assert.ok(ahead.calls.every((c) => c.background));
  assert.ok(plain.calls.every((c) => !c.background));
});

Deno.test("prepareAnchor() ahead: a wrong guess of a spent output is not used (two mints, one id)", async () => {
  // Anchor 0 mints id X twice: the first mint is applied, the second refused as a duplicate, but
  // the pre-pass of anchor 1, run before anchor 0 applies, sees the second in anchor 0's outputs.
  // t spends X as applied (amount 5,000): with the guess (7,000) its sighash would differ and a
  // valid transaction would be refused on the preparing nodes only.
  const ids = new Ids(78);
  const first = mintOf(ids, 5_000n, keyPred(0));
  const second = { ...first, amount: 7_000n };
  const t = transferOf([mintOut(first)], [mintSpent(first)], [4_000n], 1_000n);
  const anchors = [anchorOf(ids, 0, [first, second], []), anchorOf(ids, 1, [], [t])];
  const plain = await run(anchors, 0);
  const ahead = await run(anchors, 2);
  assert.deepEqual(plain.out[0]!.skipped, ["TX_DUPLICATE"]);
  assert.equal(plain.out[1]!.txs, 1);
  assert.deepEqual(ahead.out, plain.out);
});

Deno.test("prepareAnchor() queue: out-of-order, stale and repeated preparations change nothing", async () => {
  const ids = new Ids(79);
  const m = mintOf(ids, 10_000n, keyPred(0));
  const t1 = transferOf([mintOut(m)], [mintSpent(m)], [9_000n], 1_000n);
  const anchors = [anchorOf(ids, 0, [m], []), anchorOf(ids, 1, [], []), anchorOf(ids, 2, [], [t1])];
  const plain = await run(anchors, 0);
  const { verifier } = recording();
  const e = new StateEngine({ network: WORKLOAD_NETWORK, verifier });
  e.prepareAnchor(anchors[2]!); // not the next anchor: ignored
  e.prepareAnchor(anchors[0]!);
  e.prepareAnchor(anchors[0]!); // already started
  e.prepareAnchor({ ...anchors[1]! }); // a copy: the apply below gets another object
  e.prepareAnchor(anchors[2]!);
  const out = [];
  for (const a of anchors) out.push(summary(await e.applyAnchor(a)));
  assert.deepEqual(out, plain.out);
});
