/// <reference lib="deno.unstable" />
import assert from "node:assert/strict";
import { KvStore, readSnapshotFile, writeSnapshotFile } from "./kv_store.ts";
import { restoreSnapshot, snapshotChunks } from "./snapshot.ts";
import { StateDb } from "./db.ts";
import { StateEngine } from "./engine.ts";
import { StateError } from "./errors.ts";
import { toHex } from "./_bytes.ts";
import { Workload, WORKLOAD_NETWORK } from "./_workload.ts";

const OPTS = { network: WORKLOAD_NETWORK, verifySignatures: false };

async function sample(): Promise<StateEngine> {
  const w = new Workload({ seed: 5, txsPerAnchor: 40 });
  const e = new StateEngine(OPTS);
  for (let i = 0; i < 3; i++) await e.applyAnchor(w.anchor());
  return e;
}

Deno.test("writeSnapshotFile() and readSnapshotFile() round-trip; a corrupted file is refused", async () => {
  const e = await sample();
  const path = await Deno.makeTempFile({ prefix: "pc_snap_" });
  try {
    const n = await writeSnapshotFile(path, snapshotChunks(e));
    const bytes = await readSnapshotFile(path);
    assert.equal(bytes.length, n);
    assert.equal(toHex(restoreSnapshot(bytes, OPTS, e.root()).root()), toHex(e.root()));
    bytes[bytes.length - 5]! ^= 0x40;
    await Deno.writeFile(path, bytes);
    assert.throws(
      () => restoreSnapshot(Deno.readFileSync(path), OPTS),
      (err: unknown) => err instanceof StateError && err.code === "SNAPSHOT_ROOT_MISMATCH",
    );
  } finally {
    await Deno.remove(path);
  }
});

Deno.test({
  name: "KvStore commits atomically within Deno KV limits and StateDb reopens on it",
  ignore: typeof Deno.openKv !== "function", // needs --unstable-kv (tests/state_crash_test.ts always runs it)
  async fn() {
    const path = await Deno.makeTempFile({ prefix: "pc_kv_", suffix: ".sqlite" });
    try {
      const store = await KvStore.open(path);
      const db = await StateDb.open(store, OPTS);
      const w = new Workload({ seed: 6, txsPerAnchor: 300 });
      for (let i = 0; i < 3; i++) {
        await db.engine.applyAnchor(w.anchor());
        await db.commit();
      }
      await assert.rejects(
        () =>
          store.commit(
            Array.from(
              { length: 1001 },
              (_, i) => ({ type: "delete" as const, key: ["x", String(i)] }),
            ),
          ),
        RangeError,
      );
      const root = toHex(db.engine.root());
      store.close();
      const again = await StateDb.open(await KvStore.open(path), OPTS);
      assert.equal(toHex(again.engine.root()), root);
      again.store.close();
    } finally {
      await Deno.remove(path).catch(() => {/* KV may have removed or kept side files */});
    }
  },
});
