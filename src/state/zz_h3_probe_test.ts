import assert from "node:assert/strict";
import { StateDb } from "./db.ts";
import { MemoryStore } from "./store.ts";
import { Workload, WORKLOAD_NETWORK } from "./_workload.ts";
import { toHex } from "./_bytes.ts";
const OPTS = { network: WORKLOAD_NETWORK, verifySignatures: false };
Deno.test("probe: commit after two applies", async () => {
  const store = new MemoryStore();
  const db = await StateDb.open(store, OPTS);
  const w = new Workload({ seed: 1, txsPerAnchor: 10 });
  await db.engine.applyAnchor(w.anchor());
  await db.engine.applyAnchor(w.anchor());
  await db.commit();
  const again = await StateDb.open(store, OPTS);
  assert.equal(toHex(again.engine.root()), toHex(db.engine.root()));
});
