import assert from "node:assert/strict";
import { restoreSnapshot, snapshotChunks } from "./snapshot.ts";
import { StateEngine } from "./engine.ts";
import { StateDb } from "./db.ts";
import { StateError } from "./errors.ts";
import { KV_LIMITS, MemoryStore } from "./store.ts";
import { toHex } from "./_bytes.ts";
import { concat } from "./_bytes.ts";
import { Prng, Workload, WORKLOAD_NETWORK } from "./_workload.ts";

const OPTS = { network: WORKLOAD_NETWORK, verifySignatures: false };

async function sample(): Promise<StateEngine> {
  const w = new Workload({ seed: 8, txsPerAnchor: 50, invalidPerMille: 20 });
  const e = new StateEngine(OPTS);
  for (let i = 0; i < 5; i++) await e.applyAnchor(w.anchor());
  return e;
}

const isCode = (code: string) => (e: unknown) => e instanceof StateError && e.code === code;

Deno.test("restoreSnapshot() round-trips snapshotChunks() and installs into a store", async () => {
  const e = await sample();
  const bytes = concat([...snapshotChunks(e)]);
  const r = restoreSnapshot(bytes, OPTS, e.root());
  assert.equal(r.anchor, e.anchor);
  assert.equal(toHex(r.root()), toHex(e.root()));
  assert.equal(r.totalValue(), e.supply().emitted);
  const store = new MemoryStore();
  const db = await StateDb.importState(store, r);
  assert.equal(db.committedAnchor, e.anchor);
  const re = await StateDb.open(store, OPTS);
  assert.equal(toHex(re.engine.root()), toHex(e.root()));
});

Deno.test("restoreSnapshot() refuses corrupted snapshots and wrong roots", async () => {
  const e = await sample();
  const bytes = concat([...snapshotChunks(e)]);
  // A flipped byte in an entry value: the recomputed root differs (root guard).
  const flipped = bytes.slice();
  flipped[bytes.length - 3]! ^= 1;
  assert.throws(() => restoreSnapshot(flipped, OPTS), isCode("SNAPSHOT_ROOT_MISMATCH"));
  // A flipped byte in the recorded root.
  const badRoot = bytes.slice();
  badRoot[20]! ^= 1;
  assert.throws(() => restoreSnapshot(badRoot, OPTS), isCode("SNAPSHOT_ROOT_MISMATCH"));
  // A root the caller does not trust.
  assert.throws(
    () => restoreSnapshot(bytes, OPTS, new Uint8Array(32)),
    isCode("SNAPSHOT_ROOT_MISMATCH"),
  );
  // Truncated, trailing bytes, bad magic.
  assert.throws(
    () => restoreSnapshot(bytes.subarray(0, bytes.length - 1), OPTS),
    isCode("SNAPSHOT_CORRUPT"),
  );
  assert.throws(
    () => restoreSnapshot(concat([bytes, new Uint8Array(1)]), OPTS),
    isCode("SNAPSHOT_CORRUPT"),
  );
  const magic = bytes.slice();
  magic[0] = 0;
  assert.throws(() => restoreSnapshot(magic, OPTS), isCode("SNAPSHOT_CORRUPT"));
  // Wrong anchor in the header with a consistent root.
  const anchor = bytes.slice();
  anchor[15]! ^= 1;
  assert.throws(() => restoreSnapshot(anchor, OPTS), isCode("SNAPSHOT_CORRUPT"));
});

Deno.test("StateDb.importState() refuses a store that already holds committed state", async () => {
  const e = await sample();
  const store = new MemoryStore();
  await StateDb.importState(store, e);
  await assert.rejects(() => StateDb.importState(store, e), isCode("STATE_STORE_CORRUPT"));
});

Deno.test("restoreSnapshot() refuses every single-byte corruption and truncations throughout with a StateError", async () => {
  // A small state (a few dozen entries) so that every byte position can be tried: header,
  // anchor, root, count, keys, lengths and values. None may be accepted, and only the two
  // snapshot codes may escape (the decoder is total).
  const w = new Workload({ seed: 9, txsPerAnchor: 2, genesisMints: 4, mintsPerAnchor: 1 });
  const e = new StateEngine(OPTS);
  for (let i = 0; i < 3; i++) await e.applyAnchor(w.anchor());
  const bytes = concat([...snapshotChunks(e)]);
  assert.ok(e.size > 6, `${e.size} entries`);
  const refused = (b: Uint8Array, what: string): void => {
    assert.throws(
      () => restoreSnapshot(b, OPTS),
      (err: unknown) =>
        err instanceof StateError &&
        (err.code === "SNAPSHOT_ROOT_MISMATCH" || err.code === "SNAPSHOT_CORRUPT"),
      what,
    );
  };
  const rng = new Prng(17);
  for (let i = 0; i < bytes.length; i++) {
    const mask = i % 2 === 0 ? 1 << ((i >> 1) % 8) : 1 + rng.int(255);
    const b = bytes.slice();
    b[i]! ^= mask;
    refused(b, `byte ${i} ^ ${mask}`);
  }
  // Every cut inside the 56-byte header and the first entry, then every third one (each restore
  // costs a fresh commitment: keep the test within a few seconds).
  for (let n = 0; n < bytes.length; n += n < 160 ? 1 : 3) {
    refused(bytes.subarray(0, n), `truncated to ${n}`);
  }
  assert.equal(toHex(restoreSnapshot(bytes, OPTS, e.root()).root()), toHex(e.root()));
});

Deno.test("StateDb.importState() interrupted at every store commit leaves an empty store or the whole snapshot, and a retry succeeds", async () => {
  const e = await sample();
  const bytes = concat([...snapshotChunks(e)]);
  const root = toHex(e.root());
  // Small chunks and few mutations per commit: the import spans many atomic commits.
  const limits = { ...KV_LIMITS, maxMutations: 3 };
  const probe = new MemoryStore(limits);
  await StateDb.importState(probe, restoreSnapshot(bytes, OPTS), { chunkBytes: 1024 });
  assert.ok(probe.commits >= 5, `${probe.commits} commits`);
  for (let crashAt = 0; crashAt < probe.commits; crashAt++) {
    const store = new MemoryStore(limits);
    store.crashAfterCommits = crashAt;
    await assert.rejects(
      () => StateDb.importState(store, restoreSnapshot(bytes, OPTS), { chunkBytes: 1024 }),
      /Simulated crash/,
    );
    store.crashAfterCommits = Infinity;
    const db = await StateDb.open(store, OPTS);
    // The committed pointer and the base land in the import's last commit, together.
    assert.equal(db.engine.anchor, -1, `crash ${crashAt}`);
    const again = await StateDb.importState(store, restoreSnapshot(bytes, OPTS));
    assert.equal(again.committedAnchor, e.anchor, `crash ${crashAt}: retried import`);
    const re = await StateDb.open(store, OPTS);
    assert.equal(toHex(re.engine.root()), root, `crash ${crashAt}: after the retry`);
  }
});
