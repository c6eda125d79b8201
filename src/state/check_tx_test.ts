import assert from "node:assert/strict";
import { schnorrVerifyBatchSync } from "../crypto/mod.ts";
import { StateEngine } from "./engine.ts";
import { TxError } from "./errors.ts";
import { anchorOf, Ids, keyPred, mintOf, mintOut, mintSpent, transferOf } from "./_testing.ts";
import { WORKLOAD_NETWORK } from "./_workload.ts";
import type { SigItem } from "./_schnorr.ts";

Deno.test("checkTx() during an apply judges against the state that apply leaves", async () => {
  // The verifier holds the anchor's signatures until the gate opens, so the apply waits halfway:
  // a checkTx() call then must not see the output the anchor spends as still unspent.
  let gate!: () => void;
  const opened = new Promise<void>((go) => gate = go);
  let calls = 0;
  const verifier = async (items: readonly SigItem[]) => {
    if (++calls === 1) await opened; // call 1: the anchor under test; call 2: checkTx's own
    return schnorrVerifyBatchSync(items);
  };
  const e = new StateEngine({ network: WORKLOAD_NETWORK, verifier });
  const ids = new Ids(41);
  const m = mintOf(ids, 10_000n, keyPred(0));
  await e.applyAnchor(anchorOf(ids, 0, [m], []));
  await e.applyAnchor(anchorOf(ids, 1, [], [])); // tier 0 matures (one anchor)
  const spend = transferOf([mintOut(m)], [mintSpent(m)], [9_000n], 1_000n);
  const again = transferOf([mintOut(m)], [mintSpent(m)], [8_000n], 2_000n);
  const applying = e.applyAnchor(anchorOf(ids, 2, [], [spend]));
  let settled = false;
  const checking = e.checkTx(again).then(
    () => "accepted",
    (err) => err instanceof TxError ? err.code : String(err),
  ).finally(() => settled = true);
  // Give checkTx every chance to finish while the apply is stuck on its signatures.
  for (let i = 0; i < 20; i++) await new Promise((go) => setTimeout(go, 1));
  assert.equal(settled, false, "checkTx() must wait for the apply in progress");
  gate();
  const r = await applying;
  assert.equal(r.appliedTxs, 1);
  assert.equal(await checking, "TX_UNKNOWN_INPUT");
  // Unchanged by the check, and the same check after the apply agrees.
  assert.equal(e.getUtxo(mintOut(m)), undefined);
  await assert.rejects(e.checkTx(again), (err) => (err as TxError).code === "TX_UNKNOWN_INPUT");
});
