/**
 * Measures snapshot sync on a one-seat, network-less validator (docs/performance.md "Snapshot
 * sync"): runs to anchor N, exports (offline re-derivation + checkpoint + state), imports into a
 * fresh directory, and times the start from the snapshot against a start that replays the stored
 * DAG from genesis. Prints one JSON line.
 *
 *   deno run -A scripts/snapshot_measure.ts --anchors 2000
 * @module
 */
import { Registry } from "prom-client";
import { oneSeatGenesis, oneSeatOptions, testKey, until } from "../src/node/_testing.ts";
import { StateSnapshotter, ValidatorService } from "../src/node/mod.ts";
import { DEVNET } from "../src/params/mod.ts";

const arg = Deno.args.indexOf("--anchors");
const target = arg >= 0 ? Number(Deno.args[arg + 1]) : 2000;
const seat = testKey(5);
const genesis = oneSeatGenesis(seat, testKey(6), "snapshot measure");

/** Starts a validator in `dir`, runs it until anchor `n` (or just starts it), stops it. */
async function run(dir: string, n: number | null): Promise<{ startMs: number; events: number }> {
  const kv = await Deno.openKv(`${dir}/chain.kv`);
  const svc = new ValidatorService(oneSeatOptions(genesis, seat, dir));
  svc.bind({ flush: (c) => c(), kv: () => kv, registry: new Registry() });
  const t0 = performance.now();
  await svc.start();
  const startMs = performance.now() - t0;
  try {
    if (n !== null) await until(() => svc.stats().anchor >= n, 600_000, `anchor ${n}`);
  } finally {
    await svc.stop();
    kv.close();
  }
  return { startMs, events: svc.stats().events };
}

const src = await Deno.makeTempDir();
const dst = await Deno.makeTempDir();
try {
  const ran = await run(src, target);
  const s = new StateSnapshotter({ dataDir: src, network: DEVNET, genesis });
  let t = performance.now();
  const out = await s.exportTo(`${dst}/node.snap`);
  const exportMs = performance.now() - t;
  t = performance.now();
  await new StateSnapshotter({ dataDir: `${dst}/d`, network: DEVNET, genesis })
    .importFrom(`${dst}/node.snap`, { stateRoot: out.stateRoot, anchorId: out.anchor });
  const importMs = performance.now() - t;
  const fromSnapshot = await run(`${dst}/d`, null);
  const fromGenesis = await run(src, null);
  console.log(JSON.stringify({
    anchor: out.height,
    dagEvents: ran.events,
    checkpointEvents: out.checkpointEvents,
    snapshotBytes: out.bytes,
    exportMs: Math.round(exportMs),
    importMs: Math.round(importMs),
    startFromSnapshotMs: Math.round(fromSnapshot.startMs),
    startReplayFromGenesisMs: Math.round(fromGenesis.startMs),
  }));
} finally {
  await Deno.remove(src, { recursive: true });
  await Deno.remove(dst, { recursive: true });
}
