/**
 * State engine benchmarks against a UTXO set of STATE_BENCH_UTXOS entries (default 1,000,000):
 * apply of 1-input/2-output transfers without signature checks (root included), the root
 * recomputation alone, state proofs, and the batched sighashes of the signed path. Full
 * validation with signatures and durable Deno KV commits at scale is measured by
 * scripts/state_load.ts. Figures: docs/performance.md, "State".
 *
 * Before the `Deno.bench` cases it prints one JSON summary line: apply tx/s (median of
 * STATE_BENCH_SUMMARY anchors, default 40, after 4 warm-up anchors, and the slowest), the
 * durable flush of each of those anchors into a Deno KV file (`StateDb.commit`, after
 * `StateDb.importState` of the 1M-entry state), peak RSS and the size of the commitment's arena
 * (ADR 0037).
 *
 * Run: deno bench -A bench/state_bench.ts
 * @module
 */
import {
  KvStore,
  StateCommitment,
  StateDb,
  StateEngine,
  utxoKey,
  verifyStateProof,
} from "../src/state/mod.ts";
import { Prng, Workload, WORKLOAD_NETWORK } from "../src/state/_workload.ts";
import { sighashBatch, sighashJob } from "../src/state/_sighash.ts";
import { sighash, type TxOutput } from "../src/codec/mod.ts";

const N = Number(Deno.env.get("STATE_BENCH_UTXOS") ?? 1_000_000);
const PER = 1000;
const ROUNDS = 40;
const SUMMARY = Number(Deno.env.get("STATE_BENCH_SUMMARY") ?? 40);
/**
 * Anchors applied and flushed before the summary's timed ones: the first anchors after the
 * 1M-entry import pay for its garbage and for JIT warm-up (as `Deno.bench`'s own warm-up runs do).
 */
const WARMUP = 4;

// Fixture: N genesis mints, then anchors of PER 1-in/2-out transfers.
const w = new Workload({
  seed: 7,
  txsPerAnchor: PER,
  genesisMints: N,
  splitOnly: true,
  mintsPerAnchor: 0,
});
const e = new StateEngine({ network: WORKLOAD_NETWORK, verifySignatures: false });
await e.applyAnchor(w.anchor());
e.takeDelta();
const anchors = Array.from({ length: ROUNDS + 5 + WARMUP + SUMMARY }, () => w.anchor());
// Check the fixture: one anchor applies every transaction and leaves value conserved.
const first = anchors.shift()!;
{
  const r = await e.applyAnchor(first);
  e.takeDelta();
  if (r.appliedTxs !== PER || r.skipped.length !== 0 || e.size < N) {
    throw new Error(
      `Bad fixture: applied ${r.appliedTxs}, skipped ${r.skipped.length}, size ${e.size}`,
    );
  }
}
let next = 0;

// Summary: apply and durable flush per anchor, one JSON line.
{
  let peakRss = Deno.memoryUsage().rss;
  const path = await Deno.makeTempFile({ prefix: "pc_state_bench_", suffix: ".sqlite" });
  const store = await KvStore.open(path);
  const ti = performance.now();
  const db = await StateDb.importState(store, e);
  const importMs = performance.now() - ti;
  const applyMs: number[] = [], flushMs: number[] = [];
  let walBytes = 0;
  for (let i = 0; i < WARMUP + SUMMARY; i++) {
    const a = anchors[next++]!;
    const t0 = performance.now();
    await e.applyAnchor(a);
    const t1 = performance.now();
    const st = await db.commit();
    peakRss = Math.max(peakRss, Deno.memoryUsage().rss);
    if (i < WARMUP) continue;
    applyMs.push(t1 - t0);
    flushMs.push(performance.now() - t1);
    walBytes += st.walBytes;
  }
  store.close();
  await Deno.remove(path).catch(() => {/* KV may keep side files; best effort */});
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[xs.length >> 1]!;
  console.log(JSON.stringify({
    bench: "state_bench",
    utxos: e.size,
    txs_per_anchor: PER,
    anchors: SUMMARY,
    warmup_anchors: WARMUP,
    apply_ms_median: Number(median(applyMs).toFixed(1)),
    tx_per_s: Math.round(PER / (median(applyMs) / 1000)),
    apply_ms_max: Number(Math.max(...applyMs).toFixed(1)),
    flush_ms_median: Number(median(flushMs).toFixed(1)),
    flush_ms_max: Number(Math.max(...flushMs).toFixed(1)),
    flush_kib_per_anchor: Math.round(walBytes / SUMMARY / 1024),
    import_ms: Math.round(importMs),
    peak_rss_mib: Math.round(peakRss / 1048576),
    // Arena of the commitment (ADR 0037): reserved-and-grown size and bytes in use, MiB.
    arena_mib: Math.round(e.commitment.arena.bytes / 1048576),
    arena_used_mib: Math.round(e.commitment.arena.used / 1048576),
    load_avg: Deno.loadavg(),
  }));
}

Deno.bench({
  group: "state.apply",
  name:
    `StateEngine.applyAnchor ${PER} x 1-in/2-out, no signature checks, root included (${N} UTXOs)`,
  baseline: true,
  n: ROUNDS,
  warmup: 2,
  async fn(b) {
    const a = anchors[next++]!;
    b.start();
    await e.applyAnchor(a);
    b.end();
    e.takeDelta();
  },
});

// Root recomputation alone: a separate commitment of N entries, PER x 3 changes per round.
const c = new StateCommitment();
const rng = new Prng(9);
const live: string[] = [];
const value = (i: number) =>
  String.fromCharCode(0, 0, ...rng.bytes(60)) + String.fromCharCode(i & 255);
const key = () => String.fromCharCode(0, ...rng.bytes(32), 0, 0, 0, rng.int(2));
for (let i = 0; i < N; i++) {
  const k = key();
  c.setS(k, value(i));
  live.push(k);
}
c.root();

Deno.bench({
  group: "state.root",
  name: `StateCommitment.root after ${PER * 2} inserts + ${PER} deletes (${N} entries)`,
  n: ROUNDS,
  warmup: 2,
  fn(b) {
    for (let i = 0; i < PER; i++) {
      const j = rng.int(live.length);
      c.deleteS(live[j]!);
      live[j] = live[live.length - 1]!;
      live.pop();
      for (let t = 0; t < 2; t++) {
        const k = key();
        c.setS(k, value(i));
        live.push(k);
      }
    }
    b.start();
    c.root();
    b.end();
  },
});

const someOut = { txId: first.events[0]!.txs[0]!.txId, index: 0 };
const root = e.root();
const proof = e.proveUtxo(someOut);
const leafValue = e.commitment.get(utxoKey(someOut));
if (leafValue === undefined || !verifyStateProof(root, utxoKey(someOut), leafValue, proof)) {
  throw new Error("Bad fixture: proof does not verify");
}

Deno.bench({
  group: "state.proof",
  name: "StateEngine.proveUtxo",
  fn: () => void e.proveUtxo(someOut),
});
Deno.bench({
  group: "state.proof",
  name: "verifyStateProof (inclusion)",
  fn: () => void verifyStateProof(root, utxoKey(someOut), leafValue, proof),
});

// Sighashes of PER 1-input/2-output transfers: the codec's per-witness sighash() versus the
// engine's batch (one core encoding per transaction, three batched BLAKE3 calls per anchor).
const sigTxs = first.events.flatMap((ev) => ev.txs).slice(0, PER).map((t) => t.tx);
const sigSpent: TxOutput[][] = sigTxs.map(() => [{ amount: 1000n, predicate: w.pred }]);
{
  const batch = sighashBatch(sigTxs.map((tx, i) => sighashJob(tx, sigSpent[i]!)));
  sigTxs.forEach((tx, i) => {
    if (batch[i]![0]!.join() !== sighash(tx, 0, sigSpent[i]!).join()) {
      throw new Error(`Bad fixture: sighash batch differs at ${i}`);
    }
  });
}
Deno.bench({
  group: "state.sighash",
  name: `codec sighash() x ${PER} transfers`,
  baseline: true,
  fn: () => void sigTxs.forEach((tx, i) => sighash(tx, 0, sigSpent[i]!)),
});
Deno.bench({
  group: "state.sighash",
  name: `sighashBatch x ${PER} transfers`,
  fn: () => void sighashBatch(sigTxs.map((tx, i) => sighashJob(tx, sigSpent[i]!))),
});
