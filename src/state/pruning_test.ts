/**
 * Pruning of spent history (docs/spec/state.md §1, §4): a spent output leaves the state at the
 * anchor that spends it, and the store keeps only the live state (one base generation, plus one
 * being written) and the log since that base, so its size follows the live state, not the
 * history.
 */
import assert from "node:assert/strict";
import { concat, toHex } from "./_bytes.ts";
import { utxoKey } from "./_entry.ts";
import { verifyStateProof } from "./commitment.ts";
import { StateDb } from "./db.ts";
import { snapshotChunks } from "./snapshot.ts";
import { MemoryStore, type Store } from "./store.ts";
import { Workload, WORKLOAD_NETWORK } from "./_workload.ts";
import type { OutPoint } from "./types.ts";

const OPTS = { network: WORKLOAD_NETWORK, verifySignatures: false };

async function storeBytes(s: Store): Promise<number> {
  let n = 0;
  for await (const e of s.list(["state"])) n += e.value.length;
  return n;
}

Deno.test("StateDb keeps no spent history: spent outputs are gone and the store follows the live state", async () => {
  const store = new MemoryStore();
  const db = await StateDb.open(store, OPTS, { checkpointEvery: 4, checkpointSliceBytes: 20_000 });
  const w = new Workload({ seed: 61, txsPerAnchor: 120, mintsPerAnchor: 1, invalidPerMille: 40 });
  const spent: OutPoint[] = [];
  let written = 0, checkpoints = 0;
  for (let i = 0; i < 48; i++) {
    const a = w.anchor();
    const r = await db.engine.applyAnchor(a);
    const skipped = new Set(r.skipped.map((s) => toHex(s.id)));
    for (const ev of a.events) {
      for (const t of ev.txs) {
        if (!skipped.has(toHex(t.txId))) spent.push(...t.tx.inputs.map((x) => x.prevout));
      }
    }
    const st = await db.commit();
    written += st.walBytes + st.checkpointBytes;
    if (st.checkpointDone) checkpoints++;
    // After every commit: log only above the base, at most the base and one pending generation.
    const gens = new Set<bigint>();
    for await (const e of store.list(["state", "s"])) gens.add(e.key[2] as bigint);
    assert.ok(gens.size <= 2, `anchor ${i}: generations ${[...gens].join()}`);
    for await (const e of store.list(["state", "w"])) {
      assert.ok(Number(e.key[2] as bigint) > db.baseAnchor, `anchor ${i}: log ${String(e.key)}`);
    }
  }
  assert.ok(checkpoints >= 5, `${checkpoints} checkpoints`);
  assert.ok(spent.length > 2000, `${spent.length} spends`);
  // Reopened from the store: no spent output anywhere, each provably absent.
  const again = await StateDb.open(store, OPTS);
  const root = again.engine.root();
  for (const o of spent) {
    assert.equal(again.engine.getUtxo(o), undefined, `${toHex(o.txId)}:${o.index}`);
    assert.ok(verifyStateProof(root, utxoKey(o), null, again.engine.proveUtxo(o)), toHex(o.txId));
  }
  // The store holds about one copy of the live state plus the recent log: far less than all
  // that was ever written, and no more than two snapshots' worth.
  const live = concat([...snapshotChunks(again.engine)]).length;
  const held = await storeBytes(store);
  assert.ok(held < 2.5 * live, `store ${held} bytes for a ${live}-byte state`);
  assert.ok(written > 2 * held, `written ${written}, held ${held}`);
});
