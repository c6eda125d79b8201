import assert from "node:assert/strict";
import {
  decodeNodeCheckpoint,
  decodeSnapshotFile,
  encodeNodeCheckpoint,
  encodeSnapshotFile,
  loadCheckpoint,
  type NodeCheckpoint,
  saveCheckpoint,
} from "./snapshot_format.ts";
import { NodeError } from "./errors.ts";

const sample: NodeCheckpoint = {
  networkId: 3,
  genesisId: new Uint8Array(32).fill(7),
  committeeSize: 4,
  anchorIndex: 1234,
  anchorHeight: 1300,
  anchorRound: 1299,
  anchorId: new Uint8Array(32).fill(8),
  stateRoot: new Uint8Array(32).fill(9),
  mint: {
    tipMintId: new Uint8Array(32).fill(1),
    nextHeight: 17n,
    emitted: 123_456_789n,
    target: (1n << 240n) - 12345n,
    windowStartAnchor: 1000n,
    lastAnchor: 1200n,
  },
  base: 1268,
  events: [
    {
      body: new Uint8Array([1, 2, 3]),
      round: 1268,
      witness: true,
      ordered: true,
      hbSeq: [5, -1, 3, 2],
    },
    { body: new Uint8Array(0), round: 1300, witness: false, ordered: false, hbSeq: [6, 4, 3, 2] },
  ],
};

Deno.test("encodeNodeCheckpoint() / decodeNodeCheckpoint() round-trip every field", () => {
  assert.deepEqual(decodeNodeCheckpoint(encodeNodeCheckpoint(sample)), sample);
});

Deno.test("decodeSnapshotFile() refuses every truncation, extension and flipped byte with RangeError", () => {
  const meta = encodeNodeCheckpoint(sample);
  const state = new Uint8Array(100).map((_, i) => i);
  const file = encodeSnapshotFile(meta, state);
  const ok = decodeSnapshotFile(file);
  assert.deepEqual(ok.meta, meta);
  assert.deepEqual(ok.state, state);
  for (let n = 0; n < file.length; n++) {
    assert.throws(() => decodeSnapshotFile(file.subarray(0, n)), RangeError, `prefix ${n}`);
  }
  assert.throws(() => decodeSnapshotFile(new Uint8Array([...file, 0])), RangeError);
  for (let i = 0; i < file.length; i += 7) {
    const bad = file.slice();
    bad[i] = bad[i]! ^ 0x40;
    assert.throws(() => decodeSnapshotFile(bad), RangeError, `byte ${i}`);
  }
});

Deno.test("decodeNodeCheckpoint() is total: truncated or garbled meta throws RangeError only", () => {
  const meta = encodeNodeCheckpoint(sample);
  for (let n = 0; n < meta.length; n++) {
    assert.throws(() => decodeNodeCheckpoint(meta.subarray(0, n)), RangeError, `prefix ${n}`);
  }
  // An event count far beyond the data, bad flags, a committee size out of range.
  const events = meta.length - (4 + 3 + 8 + 1 + 16) - (4 + 0 + 8 + 1 + 16);
  const big = meta.slice();
  big[events - 4] = 0xff;
  assert.throws(() => decodeNodeCheckpoint(big), RangeError);
  const flags = meta.slice();
  assert.equal(flags[events + 4 + 3 + 8], 3);
  flags[events + 4 + 3 + 8] = 9;
  assert.throws(() => decodeNodeCheckpoint(flags), RangeError);
  const k = meta.slice();
  k[8 + 4 + 32] = 65;
  assert.throws(() => decodeNodeCheckpoint(k), RangeError);
});

Deno.test("saveCheckpoint() throws NodeError STORE_COMMIT_REFUSED on a refused commit and writes nothing", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const meta = encodeNodeCheckpoint(sample);
    // A failing check makes the atomic commit refuse (as a concurrent writer would).
    const stale = (op: Deno.AtomicOperation) => {
      op.check({ key: ["anchor"], versionstamp: "00000000000000010000" });
    };
    await assert.rejects(
      () => saveCheckpoint(kv, meta, stale),
      (e) => e instanceof NodeError && e.code === "STORE_COMMIT_REFUSED",
    );
    assert.equal(await loadCheckpoint(kv), null);
    await saveCheckpoint(kv, meta);
    assert.deepEqual(await loadCheckpoint(kv), meta);
  } finally {
    kv.close();
  }
});
