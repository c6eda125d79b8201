import assert from "node:assert/strict";
import { StateDb } from "./db.ts";
import { StateError } from "./errors.ts";
import { MemoryStore } from "./store.ts";
import { StateEngine } from "./engine.ts";
import { toHex } from "./_bytes.ts";
import { Workload, WORKLOAD_NETWORK } from "./_workload.ts";
import type { FinalizedAnchor } from "./types.ts";

const OPTS = { network: WORKLOAD_NETWORK, verifySignatures: false };

function anchors(seed: number, n: number, txs: number): FinalizedAnchor[] {
  const w = new Workload({ seed, txsPerAnchor: txs, mintsPerAnchor: 3, invalidPerMille: 50 });
  return Array.from({ length: n }, () => w.anchor());
}

async function referenceRoots(list: FinalizedAnchor[]): Promise<string[]> {
  const e = new StateEngine(OPTS);
  const out: string[] = [];
  for (const a of list) out.push(toHex((await e.applyAnchor(a)).root));
  return out;
}

Deno.test("StateDb.commit() and StateDb.open() round-trip through both commit paths", async () => {
  // 400 txs per anchor (> 1000 changed keys) forces the write-ahead path; 5 txs the single commit.
  for (const txs of [5, 500]) {
    const list = anchors(11, 6, txs);
    const ref = await referenceRoots(list);
    const store = new MemoryStore();
    const db = await StateDb.open(store, OPTS, { chunkBytes: 4096 });
    let walChunks = 0;
    for (const a of list) {
      await db.engine.applyAnchor(a);
      walChunks += (await db.commit()).walChunks;
    }
    assert.equal(walChunks > 0, txs === 500, `txs ${txs}: WAL used`);
    const again = await StateDb.open(store, OPTS);
    assert.equal(again.engine.anchor, list.length - 1);
    assert.equal(toHex(again.engine.root()), ref[ref.length - 1]);
    // No WAL left behind.
    for await (const e of store.list(["state", "w"])) assert.fail(`stale WAL ${String(e.key)}`);
  }
});

Deno.test("StateDb.open() recovers exactly the last committed anchor after a crash at every store commit", async () => {
  const list = anchors(23, 3, 450);
  const ref = await referenceRoots(list);
  // Count the store commits of an uninterrupted run.
  const probe = new MemoryStore();
  const pdb = await StateDb.open(probe, OPTS, { chunkBytes: 8192 });
  const commitsAfter: number[] = [];
  for (const a of list) {
    await pdb.engine.applyAnchor(a);
    await pdb.commit();
    commitsAfter.push(probe.commits);
  }
  const total = probe.commits;
  assert.ok(total > 3 * list.length, `several commits per anchor (${total})`);
  for (let crashAt = 0; crashAt <= total; crashAt++) {
    const store = new MemoryStore();
    store.crashAfterCommits = crashAt;
    const db = await StateDb.open(store, OPTS, { chunkBytes: 8192 });
    try {
      for (const a of list) {
        await db.engine.applyAnchor(a);
        await db.commit();
      }
    } catch (e) {
      assert.match((e as Error).message, /Simulated crash/, `crash ${crashAt}`);
    }
    store.crashAfterCommits = Infinity;
    const re = await StateDb.open(store, OPTS);
    // The last anchor whose commit point (pointer write) landed.
    const done = commitsAfter.filter((c) => c <= crashAt).length - 1;
    const a = re.engine.anchor;
    assert.ok(a === done || a === done + 1, `crash ${crashAt}: anchor ${a}, done ${done}`);
    if (a >= 0) {
      assert.equal(toHex(re.engine.root()), ref[a], `crash ${crashAt}: root of anchor ${a}`);
    }
    for await (const e of store.list(["state", "w"])) {
      assert.fail(`crash ${crashAt}: stale WAL ${String(e.key)}`);
    }
    // Recovery is complete: continuing from there reaches the reference.
    for (const x of list.slice(a + 1)) {
      await re.engine.applyAnchor(x);
      await re.commit();
    }
    assert.equal(toHex(re.engine.root()), ref[ref.length - 1], `crash ${crashAt}: resumed`);
  }
});

Deno.test("StateDb.open() refuses a store whose entries do not match the committed root", async () => {
  const store = new MemoryStore();
  const db = await StateDb.open(store, OPTS);
  for (const a of anchors(3, 3, 20)) {
    await db.engine.applyAnchor(a);
    await db.commit();
  }
  let victim: readonly (string | bigint | Uint8Array)[] | undefined;
  for await (const e of store.list(["state", "u"])) {
    victim = e.key;
    break;
  }
  await store.commit([{ type: "delete", key: victim! }]);
  await assert.rejects(
    () => StateDb.open(store, OPTS),
    (e: unknown) => e instanceof StateError && e.code === "STATE_ROOT_MISMATCH",
  );
});

Deno.test("StateDb.commit() refuses to continue after a failed commit", async () => {
  const store = new MemoryStore();
  const db = await StateDb.open(store, OPTS);
  const [a0, a1] = anchors(4, 2, 5);
  await db.engine.applyAnchor(a0!);
  store.crashAfterCommits = 0;
  await assert.rejects(() => db.commit(), /Simulated crash/);
  store.crashAfterCommits = Infinity;
  await db.engine.applyAnchor(a1!);
  await assert.rejects(() => db.commit(), /reopen/);
});
