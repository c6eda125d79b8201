/**
 * Subprocess driver of tests/state_crash_test.ts: opens (and thereby recovers) a Deno KV state
 * database, then applies the deterministic workload from the next anchor up to `anchors - 1`,
 * committing each. Prints `R <anchor> <root>` after recovery, `S` after every store commit and
 * `C <anchor> <root>` after every anchor commit, `DONE` at the end.
 *
 * With a fifth argument k the driver SIGKILLs itself right after the k-th store commit that wrote
 * log chunks but not the committed pointer: a deterministic kill in the middle of a flush, before
 * that anchor's commit point.
 *
 * Usage: deno run -A --unstable-kv tests/state_crash_driver.ts <db path> <seed> <anchors> <txs> [k]
 * @module
 */
import { bytesToHex } from "@noble/hashes/utils.js";
import {
  KvStore,
  StateDb,
  type Store,
  type StoreKey,
  type StoreMutation,
} from "../src/state/mod.ts";
import { Workload, WORKLOAD_NETWORK } from "../src/state/_workload.ts";

const [path, seedS, anchorsS, txsS, selfKillS] = Deno.args;
if (path === undefined || seedS === undefined || anchorsS === undefined || txsS === undefined) {
  throw new TypeError("Usage: state_crash_driver.ts <db path> <seed> <anchors> <txs>");
}
const enc = new TextEncoder();
const out = (s: string): void => {
  Deno.stdout.writeSync(enc.encode(s + "\n"));
};
const hex = bytesToHex;

const kv = await KvStore.open(path);
/** Set once recovery is done: the commits of recovery itself only delete garbage. */
let recovered = false;
/** Mid-flush commits (log chunks without the committed pointer) left before the self-kill. */
let selfKill = selfKillS === undefined ? Infinity : Number(selfKillS);
const midFlush = (m: readonly StoreMutation[]): boolean =>
  m.some((x) => x.type === "set" && x.key[1] === "w") && !m.some((x) => x.key[2] === "committed");
/** Reports every atomic commit after recovery, so the parent can kill us between (or during) any two. */
const store: Store = {
  // Few mutations per atomic commit: more commit boundaries for the parent to kill at.
  limits: { ...kv.limits, maxMutations: 4 },
  get: (k: StoreKey) => kv.get(k),
  list: (p: StoreKey) => kv.list(p),
  commit: async (m: readonly StoreMutation[]) => {
    await kv.commit(m);
    if (recovered) out("S");
    if (recovered && midFlush(m) && --selfKill === 0) Deno.kill(Deno.pid, "SIGKILL");
  },
  close: () => kv.close(),
};
const db = await StateDb.open(store, { network: WORKLOAD_NETWORK, verifySignatures: false }, {
  chunkBytes: 16_384,
  checkpointEvery: 2,
  // Small slices: a checkpoint spans several commits, so kills land inside one too.
  checkpointSliceBytes: 40_000,
});
out(`R ${db.engine.anchor} ${hex(db.engine.root())}`);
recovered = true;
const w = new Workload({ seed: Number(seedS), txsPerAnchor: Number(txsS), invalidPerMille: 30 });
for (let i = 0; i < Number(anchorsS); i++) {
  const a = w.anchor();
  if (a.index <= db.engine.anchor) continue;
  await db.engine.applyAnchor(a);
  await db.commit();
  out(`C ${a.index} ${hex(db.engine.root())}`);
}
out("DONE");
store.close();
