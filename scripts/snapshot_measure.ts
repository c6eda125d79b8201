/**
 * Measures snapshot sync on a one-seat, network-less validator (docs/performance.md "Snapshot
 * sync"): runs to anchor N, exports (offline re-derivation + checkpoint + state), imports into a
 * fresh directory, and times the start from the snapshot against a start that replays the stored
 * DAG from genesis. Prints one JSON line.
 *
 *   deno run -A scripts/snapshot_measure.ts --anchors 2000
 * @module
 */
import { bytesToHex } from "@noble/hashes/utils.js";
import { Registry } from "prom-client";
import { encodeAddress } from "../src/codec/mod.ts";
import { schnorrPublicKey } from "../src/crypto/mod.ts";
import {
  parseGenesis,
  StateSnapshotter,
  type ValidatorOptions,
  ValidatorService,
} from "../src/node/mod.ts";
import { DEVNET } from "../src/params/mod.ts";

const arg = Deno.args.indexOf("--anchors");
const target = arg >= 0 ? Number(Deno.args[arg + 1]) : 2000;
const secretKey = new Uint8Array(32).fill(5);
const seat = { secretKey, publicKey: schnorrPublicKey(secretKey) };
const genesis = parseGenesis({
  network: "devnet",
  committee: [bytesToHex(seat.publicKey)],
  genesis_note: "snapshot measure",
  allocations: [{
    address: encodeAddress({ type: "key", pubkey: seat.publicKey }, "devnet"),
    amount: "100000000",
  }],
}, "inline");
const options = (dataDir: string): ValidatorOptions => ({
  genesis,
  network: DEVNET,
  seatKey: seat,
  dataDir,
  eventIntervalMs: 2,
  antiEntropyMs: 1000,
  mempoolMaxTxs: 10,
  listen: null,
  bootstrap: [],
});

async function until(f: () => boolean, ms: number, what: string): Promise<void> {
  const end = performance.now() + ms;
  while (!f()) {
    if (performance.now() > end) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Starts a validator in `dir`, runs it until anchor `n` (or just starts it), stops it. */
async function run(dir: string, n: number | null): Promise<{ startMs: number; events: number }> {
  const kv = await Deno.openKv(`${dir}/chain.kv`);
  const svc = new ValidatorService(options(dir));
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
