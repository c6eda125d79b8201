/**
 * Wallet-side node benchmarks (docs/performance.md `## Wallet`): the address history index behind
 * `get_history` (ADR 0056): cost of recording a finalized transaction, of reading one page from a
 * full address, and memory per entry.
 *
 *   deno bench -A bench/wallet_bench.ts
 *   deno run -A --v8-flags=--expose-gc bench/wallet_bench.ts --medians   # one JSON summary line
 * @module
 */
import assert from "node:assert/strict";
import type { Predicate, Tx } from "../src/codec/mod.ts";
import { HistoryIndex, historyKeys, MAX_HISTORY_PER_ADDRESS } from "../src/node/mod.ts";

const ADDRESSES = 1000;
const preds: Predicate[] = Array.from({ length: ADDRESSES }, (_, i) => {
  const c = new Uint8Array(32);
  new DataView(c.buffer).setUint32(0, i + 1);
  return { type: "commit", commitment: c };
});
const keyOf = preds.map((p) => historyKeys(p)[1]!);

function txId(n: number): Uint8Array {
  const b = new Uint8Array(32);
  new DataView(b.buffer).setUint32(28, n);
  return b;
}

/** Tx n spends output 1 (change) of tx n−1 and pays address n mod ADDRESSES plus change. */
function makeTx(n: number): Tx {
  return {
    version: 1,
    networkId: 3,
    kind: { type: "transfer" },
    inputs: n === 0 ? [] : [{ prevout: { txId: txId(n - 1), index: 1 } }],
    outputs: [
      { amount: 1000n, predicate: preds[n % ADDRESSES]! },
      { amount: 1_000_000_000n - BigInt(n) * 1001n, predicate: preds[0]! },
    ],
    fee: 1n,
    witnesses: [],
  };
}

const TXS = 20_000;
const txs = Array.from({ length: TXS }, (_, i) => makeTx(i));
const ids = Array.from({ length: TXS }, (_, i) => txId(i));

function fill(h: HistoryIndex, from: number, to: number): void {
  for (let i = from; i < to; i++) h.addTx(i, ids[i]!, txs[i]!);
}

// Check once that the fixture means what the figures say: address 0 is full and pages work.
const full = new HistoryIndex();
fill(full, 0, TXS);
const first = full.page(keyOf[0]!, 50, null);
assert.equal(first.entries.length, 50);
assert.equal(full.page(keyOf[7]!, 50, null).entries.length, TXS / ADDRESSES);

Deno.bench({
  group: "history",
  name: "HistoryIndex.addTx (1 in, 2 out) ×1000",
  fn: () => {
    const h = new HistoryIndex();
    fill(h, 0, 1000);
  },
});

Deno.bench({
  group: "history",
  name: "HistoryIndex.page(limit 50) on a full address",
  fn: () => {
    full.page(keyOf[0]!, 50, first.nextCursor);
  },
});

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

if (import.meta.main && Deno.args.includes("--medians")) {
  const gc = (globalThis as { gc?: () => void }).gc;
  const addUs: number[] = [];
  const pageUs: number[] = [];
  for (let r = 0; r < 9; r++) {
    const h = new HistoryIndex();
    const t0 = performance.now();
    fill(h, 0, TXS);
    addUs.push((performance.now() - t0) * 1000 / TXS);
    const t1 = performance.now();
    for (let i = 0; i < 1000; i++) h.page(keyOf[0]!, 50, first.nextCursor);
    pageUs.push(performance.now() - t1);
  }
  let bytesPerEntry: number | null = null;
  if (gc !== undefined) {
    gc();
    const before = Deno.memoryUsage().heapUsed;
    const h = new HistoryIndex();
    fill(h, 0, TXS);
    gc();
    const after = Deno.memoryUsage().heapUsed;
    // Entries: one per (tx, key); each output has two keys (commit and its commitment).
    let entries = 0;
    for (const k of new Set(preds.flatMap((p) => historyKeys(p)))) {
      let c: string | null = null;
      do {
        const pg = h.page(k, 200, c);
        entries += pg.entries.length;
        c = pg.nextCursor;
      } while (c !== null);
    }
    bytesPerEntry = Math.round((after - before) / entries);
    assert.ok(entries > 0);
  }
  console.log(JSON.stringify({
    bench: "wallet_history",
    txs: TXS,
    cap_per_address: MAX_HISTORY_PER_ADDRESS,
    add_tx_us_median: Number(median(addUs).toFixed(2)),
    page50_us_median: Number(median(pageUs).toFixed(2)),
    heap_bytes_per_entry_incl_owner_map: bytesPerEntry,
  }));
}
