import assert from "node:assert/strict";
import { Registry } from "prom-client";
import { DEVNET } from "../params/mod.ts";
import { NodeError } from "./errors.ts";
import { oneSeatGenesis, oneSeatOptions, testKey, until } from "./_testing.ts";
import { SnapshotError, StateSnapshotter } from "./snapshot.ts";
import {
  decodeNodeCheckpoint,
  decodeSnapshotFile,
  encodeNodeCheckpoint,
  encodeSnapshotFile,
  type NodeCheckpoint,
} from "./snapshot_format.ts";
import { ValidatorService } from "./validator.ts";

const seat = testKey(5);
const faucet = testKey(6);
const genesis = oneSeatGenesis(seat, faucet, "snapshot test");
const other = oneSeatGenesis(seat, faucet, "another chain");

function snapshotter(dataDir: string, g = genesis): StateSnapshotter {
  return new StateSnapshotter({ dataDir, network: DEVNET, genesis: g });
}

interface Rec {
  id: string;
  root: string;
}

/**
 * Runs a one-seat validator in `dir` until anchor `n` is durable, then stops it.
 * @returns the anchor records of `want` (read from chain.kv after the stop)
 */
async function runTo(dir: string, n: number, want: number[] = []): Promise<Map<number, Rec>> {
  const kv = await Deno.openKv(`${dir}/chain.kv`);
  const svc = new ValidatorService(oneSeatOptions(genesis, seat, dir));
  svc.bind({ flush: (c) => c(), kv: () => kv, registry: new Registry() });
  const out = new Map<number, Rec>();
  try {
    await svc.start();
    await until(() => svc.stats().anchor >= n, 20_000, `anchor ${n}`);
  } finally {
    await svc.stop();
    for (const i of want) {
      const e = await kv.get<string>(["anchor", BigInt(i)]);
      if (e.value !== null) out.set(i, JSON.parse(e.value) as Rec);
    }
    kv.close();
  }
  return out;
}

Deno.test("StateSnapshotter: a node started from an exported snapshot follows the chain with identical anchors", async () => {
  const src = await Deno.makeTempDir();
  const dst = await Deno.makeTempDir();
  try {
    await runTo(src, 60);
    const file = `${dst}/node.snap`;
    const out = await snapshotter(src).exportTo(file);
    assert.ok(out.height >= 60);
    assert.match(out.anchor, /^[0-9a-f]{64}$/);
    assert.equal(out.bytes, (await Deno.stat(file)).size);
    // The checkpoint keeps a window, not the history: fewer events than anchors so far.
    assert.ok(out.checkpointEvents! > 0 && out.checkpointEvents! < out.height);
    await assert.rejects(
      snapshotter(src).exportTo(file),
      (e) => e instanceof SnapshotError && e.code === "SNAPSHOT_EXISTS",
    );
    const n = out.height;
    const fresh = `${dst}/devnet`;
    const inp = await snapshotter(fresh).importFrom(file, {
      stateRoot: out.stateRoot,
      anchorId: out.anchor,
    });
    assert.deepEqual(inp, out);
    // The new node resumes at N, keeps going, and survives a restart (checkpoint + stored DAG).
    const later = [n + 5, n + 20, n + 40];
    const a = await runTo(fresh, n + 20, later);
    const b = await runTo(fresh, n + 40, later);
    const ref = await runTo(src, n + 40, later);
    for (const i of later) {
      assert.ok(ref.has(i), `reference anchor ${i}`);
      assert.deepEqual(b.get(i), ref.get(i), `anchor ${i} after restart`);
      if (a.has(i)) assert.deepEqual(a.get(i), ref.get(i), `anchor ${i}`);
    }
    // A directory started from a snapshot exports again (from its own checkpoint).
    const again = await snapshotter(fresh).exportTo(`${dst}/again.snap`);
    assert.ok(again.height >= n + 40);
  } finally {
    await Deno.remove(src, { recursive: true });
    await Deno.remove(dst, { recursive: true });
  }
});

Deno.test("StateSnapshotter.importFrom() refuses bad snapshots with typed errors, changing nothing", async () => {
  const src = await Deno.makeTempDir();
  const dst = await Deno.makeTempDir();
  try {
    await runTo(src, 40);
    const file = `${dst}/node.snap`;
    const good = await snapshotter(src).exportTo(file);
    const bytes = await Deno.readFile(file);
    const { meta, state } = decodeSnapshotFile(bytes);
    const cp = decodeNodeCheckpoint(meta);
    const reframe = (c: NodeCheckpoint, s = state) =>
      encodeSnapshotFile(encodeNodeCheckpoint(c), s);
    const flipped = bytes.slice();
    flipped[bytes.length - 100] = flipped[bytes.length - 100]! ^ 1;
    // A state entry changed and the file re-framed with a valid digest: the root guard refuses.
    const badState = state.slice();
    badState[state.length - 1] = badState[state.length - 1]! ^ 1;
    const last = cp.events.length - 1;
    const cases: [string, Uint8Array | null, string, Record<string, string>?][] = [
      ["truncated", bytes.subarray(0, bytes.length - 1), "SNAPSHOT_INVALID"],
      ["damaged", flipped, "SNAPSHOT_INVALID"],
      ["state root", reframe(cp, badState), "SNAPSHOT_INVALID"],
      ["trusted root", bytes, "SNAPSHOT_UNTRUSTED", { stateRoot: "00".repeat(32) }],
      ["trusted anchor", bytes, "SNAPSHOT_UNTRUSTED", { anchorId: "11".repeat(32) }],
      [
        "checkpoint root",
        reframe({ ...cp, stateRoot: new Uint8Array(32) }),
        "SNAPSHOT_CHECKPOINT_INVALID",
      ],
      [
        "checkpoint anchor",
        reframe({ ...cp, anchorIndex: cp.anchorIndex - 1 }),
        "SNAPSHOT_CHECKPOINT_INVALID",
      ],
      [
        "checkpoint round",
        reframe({
          ...cp,
          events: cp.events.map((e, i) => i === last ? { ...e, round: e.round + 1 } : e),
        }),
        "SNAPSHOT_CHECKPOINT_INVALID",
      ],
      [
        "checkpoint body",
        reframe({
          ...cp,
          events: cp.events.map((e, i) => i === last ? { ...e, body: e.body.subarray(0, 10) } : e),
        }),
        "SNAPSHOT_CHECKPOINT_INVALID",
      ],
      [
        "not a snapshot",
        new TextEncoder().encode("PCSNAP01 and more bytes than a digest here"),
        "SNAPSHOT_INVALID",
      ],
      ["missing", null, "SNAPSHOT_UNREADABLE"],
    ];
    const target = `${dst}/fresh`;
    for (const [what, b, code, trust] of cases) {
      const path = `${dst}/case.snap`;
      await Deno.remove(path).catch(() => {});
      if (b !== null) await Deno.writeFile(path, b);
      await assert.rejects(
        snapshotter(target).importFrom(path, trust ?? {}),
        (e) => e instanceof SnapshotError && e.code === code,
        what,
      );
      await assert.rejects(Deno.stat(target), Deno.errors.NotFound, `${what}: nothing written`);
    }
    await assert.rejects(
      snapshotter(target, other).importFrom(file),
      (e) => e instanceof SnapshotError && e.code === "SNAPSHOT_WRONG_NETWORK",
    );
    await assert.rejects(Deno.stat(target), Deno.errors.NotFound);
    // Into a directory with state: refused, and the directory exports the same as before.
    const before = await snapshotter(src).exportTo(`${dst}/before.snap`);
    await assert.rejects(
      snapshotter(src).importFrom(file),
      (e) => e instanceof SnapshotError && e.code === "SNAPSHOT_TARGET_NOT_EMPTY",
    );
    const after = await snapshotter(src).exportTo(`${dst}/after.snap`);
    assert.deepEqual(after, before);
    assert.ok(good.height >= 40);
    await assert.rejects(
      snapshotter(`${dst}/none`).exportTo(`${dst}/x.snap`),
      (e) => e instanceof SnapshotError && e.code === "SNAPSHOT_NO_STATE",
    );
  } finally {
    await Deno.remove(src, { recursive: true });
    await Deno.remove(dst, { recursive: true });
  }
});

Deno.test("ValidatorService.start() refuses a state past genesis without record or checkpoint", async () => {
  const src = await Deno.makeTempDir();
  try {
    await runTo(src, 3);
    await Deno.remove(`${src}/chain.kv`);
    const kv = await Deno.openKv(`${src}/chain.kv`);
    const svc = new ValidatorService(oneSeatOptions(genesis, seat, src));
    svc.bind({ flush: (c) => c(), kv: () => kv });
    try {
      await assert.rejects(
        svc.start(),
        (e) => e instanceof NodeError && e.code === "CHAIN_MISMATCH" && /snapshot/.test(e.message),
      );
    } finally {
      await svc.stop();
      kv.close();
    }
  } finally {
    await Deno.remove(src, { recursive: true });
  }
});
