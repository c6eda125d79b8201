import assert from "node:assert/strict";
import { Registry } from "prom-client";
import { DEVNET } from "../params/mod.ts";
import { NodeError } from "./errors.ts";
import { oneSeatGenesis, oneSeatOptions, testKey, until } from "./_testing.ts";
import { SnapshotError, StateSnapshotter } from "./snapshot.ts";
import { ValidatorService } from "./validator.ts";

const seat = testKey(5);
const faucet = testKey(6);
const genesis = oneSeatGenesis(seat, faucet, "snapshot test");

function service(dir: string): ValidatorService {
  return new ValidatorService(oneSeatOptions(genesis, seat, dir));
}

/** Runs a one-seat validator in `dir` until anchor `n` is durable, then stops it. */
async function runTo(dir: string, n: number): Promise<string> {
  const kv = await Deno.openKv(`${dir}/chain.kv`);
  const svc = service(dir);
  svc.bind({ flush: (c) => c(), kv: () => kv, registry: new Registry() });
  await svc.start();
  try {
    await until(() => svc.stats().anchor >= n, 20_000, `anchor ${n}`);
  } finally {
    await svc.stop();
    kv.close();
  }
  return svc.stats().root;
}

Deno.test("StateSnapshotter exports the durable anchor and imports it into a fresh dir with an equal root", async () => {
  const src = await Deno.makeTempDir();
  const dst = await Deno.makeTempDir();
  try {
    const root = await runTo(src, 3);
    const s = new StateSnapshotter({ dataDir: src, network: DEVNET });
    const file = `${src}/state.snap`;
    const out = await s.exportTo(file);
    assert.equal(out.stateRoot, root);
    assert.ok(out.height >= 3);
    assert.match(out.anchor, /^[0-9a-f]{64}$/);
    assert.equal(out.bytes, (await Deno.stat(file)).size);
    await assert.rejects(
      s.exportTo(file),
      (e) => e instanceof SnapshotError && e.code === "SNAPSHOT_EXISTS",
    );
    const inp = await new StateSnapshotter({ dataDir: `${dst}/devnet`, network: DEVNET })
      .importFrom(file);
    assert.equal(inp.stateRoot, out.stateRoot);
    assert.equal(inp.height, out.height);
    // Re-export from the imported dir: same root, same bytes.
    const again = await new StateSnapshotter({ dataDir: `${dst}/devnet`, network: DEVNET })
      .exportTo(`${dst}/again.snap`);
    assert.equal(again.stateRoot, out.stateRoot);
    assert.deepEqual(await Deno.readFile(`${dst}/again.snap`), await Deno.readFile(file));
    // The validator cannot start from it yet (no DAG history) and says so.
    const kv = await Deno.openKv(`${dst}/devnet/chain.kv`);
    const svc = service(`${dst}/devnet`);
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
    await Deno.remove(dst, { recursive: true });
  }
});

Deno.test("StateSnapshotter.importFrom() refuses corrupted files and non-empty dirs, changing nothing", async () => {
  const src = await Deno.makeTempDir();
  const dst = await Deno.makeTempDir();
  try {
    await runTo(src, 1);
    const file = `${dst}/state.snap`;
    await new StateSnapshotter({ dataDir: src, network: DEVNET }).exportTo(file);
    const bytes = await Deno.readFile(file);
    const bad = bytes.slice();
    bad[bad.length - 40] = bad[bad.length - 40]! ^ 1;
    await Deno.writeFile(`${dst}/bad.snap`, bad);
    await Deno.writeFile(`${dst}/short.snap`, bytes.subarray(0, bytes.length - 1));
    const fresh = new StateSnapshotter({ dataDir: `${dst}/fresh`, network: DEVNET });
    for (const f of ["bad.snap", "short.snap"]) {
      await assert.rejects(
        fresh.importFrom(`${dst}/${f}`),
        (e) => e instanceof SnapshotError && e.code === "SNAPSHOT_INVALID",
      );
    }
    await assert.rejects(
      fresh.importFrom(`${dst}/missing.snap`),
      (e) => e instanceof SnapshotError && e.code === "SNAPSHOT_UNREADABLE",
    );
    await assert.rejects(Deno.stat(`${dst}/fresh`), Deno.errors.NotFound);
    const before = await new StateSnapshotter({ dataDir: src, network: DEVNET })
      .exportTo(`${dst}/before.snap`);
    await assert.rejects(
      new StateSnapshotter({ dataDir: src, network: DEVNET }).importFrom(file),
      (e) => e instanceof SnapshotError && e.code === "SNAPSHOT_TARGET_NOT_EMPTY",
    );
    const after = await new StateSnapshotter({ dataDir: src, network: DEVNET })
      .exportTo(`${dst}/after.snap`);
    assert.deepEqual(after, before);
    await assert.rejects(
      new StateSnapshotter({ dataDir: `${dst}/none`, network: DEVNET }).exportTo(`${dst}/x.snap`),
      (e) => e instanceof SnapshotError && e.code === "SNAPSHOT_NO_STATE",
    );
  } finally {
    await Deno.remove(src, { recursive: true });
    await Deno.remove(dst, { recursive: true });
  }
});
