import assert from "node:assert/strict";
import { StateDb, type StateDbOptions } from "./db.ts";
import { StateError } from "./errors.ts";
import { MemoryStore, type StoreLimits, type StoreMutation } from "./store.ts";
import { StateEngine } from "./engine.ts";
import { concat, toHex } from "./_bytes.ts";
import { snapshotChunks } from "./snapshot.ts";
import { Workload, WORKLOAD_NETWORK } from "./_workload.ts";
import type { FinalizedAnchor } from "./types.ts";

const OPTS = { network: WORKLOAD_NETWORK, verifySignatures: false };
/** Tight limits: many atomic commits per anchor, so crashes land inside every phase. */
const TIGHT: StoreLimits = {
  maxMutations: 6,
  maxBytes: 48 * 1024,
  maxKeyBytes: 4096,
  maxValueBytes: 8192,
};

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

const isCode = (code: string) => (e: unknown) => e instanceof StateError && e.code === code;

Deno.test("StateDb.commit() and StateDb.open() round-trip with and without checkpoints", async () => {
  const list = anchors(11, 6, 200);
  const ref = await referenceRoots(list);
  for (
    const dbo of [{}, { checkpointEvery: 2 }, {
      checkpointEvery: 1,
      chunkBytes: 2048,
    }] as StateDbOptions[]
  ) {
    const store = new MemoryStore();
    const db = await StateDb.open(store, OPTS, dbo);
    let checkpoints = 0;
    for (const a of list) {
      await db.engine.applyAnchor(a);
      if ((await db.commit()).checkpointBytes > 0) checkpoints++;
    }
    assert.equal(
      checkpoints,
      dbo.checkpointEvery === undefined ? 0 : list.length / dbo.checkpointEvery,
    );
    const again = await StateDb.open(store, OPTS, dbo);
    assert.equal(again.engine.anchor, list.length - 1);
    assert.equal(toHex(again.engine.root()), ref[ref.length - 1], JSON.stringify(dbo));
    if (dbo.checkpointEvery === 1) {
      for await (const e of store.list(["state", "w"])) assert.fail(`stale log ${String(e.key)}`);
    }
  }
});

Deno.test("StateDb.commit() spreads a checkpoint over several commits and reopens from its slices", async () => {
  const list = anchors(31, 12, 150);
  const ref = await referenceRoots(list);
  const dbo: StateDbOptions = { checkpointEvery: 3, checkpointSliceBytes: 16384 };
  const store = new MemoryStore();
  const db = await StateDb.open(store, OPTS, dbo);
  let partial = 0, done = 0;
  for (const a of list) {
    await db.engine.applyAnchor(a);
    const s = await db.commit();
    if (s.checkpointBytes > 0 && !s.checkpointDone) partial++;
    if (s.checkpointDone) done++;
    assert.ok(
      s.checkpointBytes === 0 || s.checkpointBytes < 16384 + 2048,
      `slice ${s.checkpointBytes}`,
    );
  }
  assert.ok(partial >= 3 && done >= 1, `partial ${partial}, done ${done}`);
  assert.ok(db.baseAnchor > 0 && db.baseAnchor < list.length - 1, `base ${db.baseAnchor}`);
  const again = await StateDb.open(store, OPTS, dbo);
  assert.equal(again.engine.anchor, list.length - 1);
  assert.equal(toHex(again.engine.root()), ref[ref.length - 1]);
  assert.equal(again.baseAnchor, db.baseAnchor);
  // The log before the base is gone; only one snapshot generation is left.
  for await (const e of store.list(["state", "w"])) {
    assert.ok(Number(e.key[2] as bigint) > again.baseAnchor, `stale log ${String(e.key)}`);
  }
  const gens = new Set<bigint>();
  for await (const e of store.list(["state", "s"])) gens.add(e.key[2] as bigint);
  assert.equal(gens.size, 1);
});

Deno.test("StateDb.checkpoint() during a sliced checkpoint abandons it and leaves one generation", async () => {
  const list = anchors(37, 5, 150);
  const dbo: StateDbOptions = { checkpointEvery: 2, checkpointSliceBytes: 4096 };
  const store = new MemoryStore();
  const db = await StateDb.open(store, OPTS, dbo);
  let partial = false;
  for (const a of list) {
    await db.engine.applyAnchor(a);
    const s = await db.commit();
    partial = s.checkpointBytes > 0 && !s.checkpointDone;
  }
  assert.ok(partial, "a sliced checkpoint is in progress");
  await db.checkpoint();
  assert.equal(db.baseAnchor, list.length - 1);
  const gens = new Set<bigint>();
  for await (const e of store.list(["state", "s"])) gens.add(e.key[2] as bigint);
  assert.equal(gens.size, 1, [...gens].join());
  for await (const e of store.list(["state", "w"])) assert.fail(`stale log ${String(e.key)}`);
  const again = await StateDb.open(store, OPTS, dbo);
  assert.equal(toHex(again.engine.root()), toHex(db.engine.root()));
});

Deno.test("StateDb.open() reads a v0 base (whole root-checked snapshot) and replaces it with slices", async () => {
  // A store as the previous version left it: base v0 = PCSNAP01 snapshot of anchor 2 in 4 KB
  // chunks plus the log of anchor 3, written by hand in that layout.
  const list = anchors(41, 5, 60);
  const ref = await referenceRoots(list);
  const e = new StateEngine(OPTS);
  for (const a of list.slice(0, 3)) await e.applyAnchor(a);
  e.takeDelta();
  const snap = concat([...snapshotChunks(e)]);
  const store = new MemoryStore();
  const muts: StoreMutation[] = [];
  let n = 0;
  for (let o = 0; o < snap.length; o += 4096, n++) {
    muts.push({ type: "set", key: ["state", "s", 1n, BigInt(n)], value: snap.slice(o, o + 4096) });
  }
  const root2 = e.root();
  const u64 = (x: number) => {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt(x));
    return b;
  };
  const u32 = (x: number) => Uint8Array.of(x >>> 24, (x >>> 16) & 255, (x >>> 8) & 255, x & 255);
  muts.push({
    type: "set",
    key: ["state", "m", "base"],
    value: concat([Uint8Array.of(0), u64(1), u64(2 + 1), root2, u32(n)]),
  });
  muts.push({
    type: "set",
    key: ["state", "m", "committed"],
    value: concat([Uint8Array.of(0), u64(2 + 1), root2]),
  });
  for (let i = 0; i < muts.length; i += 500) await store.commit(muts.slice(i, i + 500));
  const db = await StateDb.open(store, OPTS, { checkpointEvery: 2 });
  assert.equal(db.engine.anchor, 2);
  assert.equal(toHex(db.engine.root()), ref[2]);
  for (const a of list.slice(3)) {
    await db.engine.applyAnchor(a);
    await db.commit();
  }
  assert.equal(db.baseAnchor, 4);
  const gens = new Set<bigint>();
  for await (const x of store.list(["state", "s"])) gens.add(x.key[2] as bigint);
  assert.deepEqual([...gens], [2n], "the v0 generation is gone");
  const again = await StateDb.open(store, OPTS);
  assert.equal(toHex(again.engine.root()), ref[4]);
});

for (
  const [name, dbo] of [
    ["whole checkpoints", { checkpointEvery: 2, chunkBytes: 1024 }],
    ["checkpoints in slices", { checkpointEvery: 2, chunkBytes: 512, checkpointSliceBytes: 6000 }],
  ] as [string, StateDbOptions][]
) {
  Deno.test(`StateDb.open() recovers exactly the last committed anchor after a crash at every store commit (${name})`, async () => {
    await crashEverywhere(dbo);
  });
}

async function crashEverywhere(dbo: StateDbOptions): Promise<void> {
  const list = anchors(23, 4, 40);
  const ref = await referenceRoots(list);
  // Record after which store commit each anchor's committed pointer landed.
  const pointerAt: number[] = [];
  class Probe extends MemoryStore {
    override async commit(m: readonly StoreMutation[]): Promise<void> {
      await super.commit(m);
      if (m.some((x) => x.key[2] === "committed")) pointerAt.push(this.commits);
    }
  }
  const probe = new Probe(TIGHT);
  const pdb = await StateDb.open(probe, OPTS, dbo);
  let partial = 0, done = 0;
  for (const a of list) {
    await pdb.engine.applyAnchor(a);
    const st = await pdb.commit();
    if (st.checkpointBytes > 0 && !st.checkpointDone) partial++;
    if (st.checkpointDone) done++;
  }
  // The sliced variant must cover a checkpoint that spans commits and completes.
  if (dbo.checkpointSliceBytes !== undefined) {
    assert.ok(partial > 0 && done > 0, `${partial}/${done}`);
  }
  assert.equal(pointerAt.length, list.length);
  const total = probe.commits;
  assert.ok(total > 4 * list.length, `many commits per anchor (${total})`);
  for (let crashAt = 0; crashAt <= total; crashAt++) {
    const store = new MemoryStore(TIGHT);
    store.crashAfterCommits = crashAt;
    const db = await StateDb.open(store, OPTS, dbo);
    try {
      for (const a of list) {
        await db.engine.applyAnchor(a);
        await db.commit();
      }
    } catch (e) {
      assert.match((e as Error).message, /Simulated crash/, `crash ${crashAt}`);
    }
    store.crashAfterCommits = Infinity;
    const re = await StateDb.open(store, OPTS, dbo);
    const done = pointerAt.filter((c) => c <= crashAt).length - 1;
    assert.equal(re.engine.anchor, done, `crash ${crashAt}: recovered anchor`);
    if (done >= 0) {
      assert.equal(toHex(re.engine.root()), ref[done], `crash ${crashAt}: root of anchor ${done}`);
    }
    for await (const e of store.list(["state", "w"])) {
      const a = Number(e.key[2] as bigint);
      assert.ok(a > re.baseAnchor && a <= done, `crash ${crashAt}: stale log of anchor ${a}`);
    }
    // Recovery is complete: continuing from there reaches the reference.
    for (const x of list.slice(done + 1)) {
      await re.engine.applyAnchor(x);
      await re.commit();
    }
    assert.equal(toHex(re.engine.root()), ref[ref.length - 1], `crash ${crashAt}: resumed`);
  }
}

Deno.test("StateDb.open() refuses a store whose log or base snapshot was tampered with", async () => {
  for (const dbo of [{}, { checkpointEvery: 3 }] as StateDbOptions[]) {
    const store = new MemoryStore();
    const db = await StateDb.open(store, OPTS, dbo);
    for (const a of anchors(3, 3, 20)) {
      await db.engine.applyAnchor(a);
      await db.commit();
    }
    const prefix = dbo.checkpointEvery === undefined ? ["state", "w"] : ["state", "s"];
    let victim: { key: readonly (string | bigint | Uint8Array)[]; value: Uint8Array } | undefined;
    for await (const e of store.list(prefix)) victim = e;
    const value = victim!.value.slice();
    value[value.length - 2]! ^= 1; // inside the last entry's value
    await store.commit([{ type: "set", key: victim!.key, value }]);
    await assert.rejects(
      () => StateDb.open(store, OPTS, dbo),
      isCode("STATE_ROOT_MISMATCH"),
      JSON.stringify(dbo),
    );
  }
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

Deno.test("StateDb.commit() refuses two anchors applied without a commit between them, and writes nothing", async () => {
  // Regression: one commit for anchors 0 and 1 wrote a log for anchor 1 only, and the next
  // open() refused the store (STATE_STORE_CORRUPT, "log gap before anchor 1").
  const store = new MemoryStore();
  const db = await StateDb.open(store, OPTS);
  const [a0, a1, a2] = anchors(5, 3, 10);
  await db.engine.applyAnchor(a0!);
  await db.commit();
  const committed = toHex(db.engine.root());
  const before = store.commits;
  await db.engine.applyAnchor(a1!);
  await db.engine.applyAnchor(a2!);
  await assert.rejects(() => db.commit(), isCode("STATE_ANCHOR_ORDER"));
  assert.equal(store.commits, before);
  const again = await StateDb.open(store, OPTS);
  assert.equal(again.engine.anchor, 0);
  assert.equal(toHex(again.engine.root()), committed);
  for (const a of [a1!, a2!]) {
    await again.engine.applyAnchor(a);
    await again.commit();
  }
  assert.equal(toHex((await StateDb.open(store, OPTS)).engine.root()), toHex(db.engine.root()));
});

Deno.test("StateDb.checkpoint() interrupted at every store commit reopens at the committed root", async () => {
  // An explicit (whole) checkpoint over a store that already has a base and a log: new
  // generation chunks, then pointer and base together, then deletion of the old generation and
  // log. A crash anywhere in it must leave the same committed state.
  const list = anchors(29, 5, 60);
  const ref = await referenceRoots(list);
  const dbo: StateDbOptions = { checkpointEvery: 2, chunkBytes: 1024 };
  const build = async (store: MemoryStore) => {
    const db = await StateDb.open(store, OPTS, dbo);
    for (const a of list) {
      await db.engine.applyAnchor(a);
      await db.commit();
    }
    return db;
  };
  const probe = new MemoryStore(TIGHT);
  const pdb = await build(probe);
  const start = probe.commits;
  await pdb.checkpoint();
  const n = probe.commits - start;
  assert.ok(n > 5, `${n} commits in the checkpoint`);
  for (let k = 0; k < n; k++) {
    const store = new MemoryStore(TIGHT);
    const db = await build(store);
    store.crashAfterCommits = store.commits + k;
    await assert.rejects(() => db.checkpoint(), /Simulated crash/, `crash ${k}`);
    store.crashAfterCommits = Infinity;
    const re = await StateDb.open(store, OPTS, dbo);
    assert.equal(re.engine.anchor, list.length - 1, `crash ${k}`);
    assert.equal(toHex(re.engine.root()), ref[ref.length - 1], `crash ${k}`);
    const gens = new Set<bigint>();
    for await (const e of store.list(["state", "s"])) gens.add(e.key[2] as bigint);
    assert.equal(gens.size, 1, `crash ${k}: generations ${[...gens].join()}`);
  }
});

/** A copy of every entry of `store` now (what a crash at this instant would leave). */
async function copyOf(store: MemoryStore): Promise<MemoryStore> {
  const out = new MemoryStore(store.limits);
  const all: StoreMutation[] = [];
  for await (const e of store.list(["state"])) all.push({ type: "set", ...e });
  for (let i = 0; i < all.length; i += 4) await out.commit(all.slice(i, i + 4));
  return out;
}

Deno.test("StateDb.commit() in flight while the next anchor applies: each commit lands its own anchor", async () => {
  // The pipelined loop of scripts/state_load.ts: commit(i) is called, anchor i+1 applies before
  // it resolves. The commit took anchor i's delta and root when called, so a store copied right
  // after it resolves reopens at anchor i exactly, not at anything of anchor i+1.
  const list = anchors(23, 6, 150);
  const ref = await referenceRoots(list);
  for (
    const dbo of [
      { chunkBytes: 1024 },
      { checkpointEvery: 2, chunkBytes: 512, checkpointSliceBytes: 6000 },
    ] as StateDbOptions[]
  ) {
    const store = new MemoryStore(TIGHT);
    const db = await StateDb.open(store, OPTS, dbo);
    await db.engine.applyAnchor(list[0]!);
    for (let i = 0; i < list.length; i++) {
      const committing = db.commit();
      if (i + 1 < list.length) await db.engine.applyAnchor(list[i + 1]!);
      const st = await committing;
      assert.equal(st.anchor, i);
      const at = await StateDb.open(await copyOf(store), OPTS, dbo);
      assert.equal(at.engine.anchor, i, JSON.stringify(dbo));
      assert.equal(toHex(at.engine.root()), ref[i], `anchor ${i} ${JSON.stringify(dbo)}`);
    }
  }
});
