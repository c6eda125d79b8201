import assert from "node:assert/strict";
import { bytesToHex } from "@noble/hashes/utils.js";
import { type Predicate, predicateCommitment, type Tx } from "../codec/mod.ts";
import { HistoryIndex, historyPageToJson, MAX_HISTORY_PAGE } from "./history.ts";

const keyA: Predicate = { type: "key", pubkey: new Uint8Array(32).fill(0xa) };
const keyB: Predicate = { type: "key", pubkey: new Uint8Array(32).fill(0xb) };
const addrA = bytesToHex(predicateCommitment(keyA));
const addrB = bytesToHex(predicateCommitment(keyB));
/** What paying address A produces on chain: commit(commitment of key A). */
const payA: Predicate = { type: "commit", commitment: predicateCommitment(keyA) };
const payB: Predicate = { type: "commit", commitment: predicateCommitment(keyB) };

function id(n: number): Uint8Array {
  return new Uint8Array(32).fill(n);
}

function tx(inputs: [Uint8Array, number][], outputs: [bigint, Predicate][]): Tx {
  return {
    version: 1,
    networkId: 3,
    kind: { type: "transfer" },
    inputs: inputs.map(([txId, index]) => ({ prevout: { txId, index } })),
    outputs: outputs.map(([amount, predicate]) => ({ amount, predicate })),
    fee: 0n,
    witnesses: [],
  };
}

Deno.test("HistoryIndex.page() lists credits and debits newest first with net deltas", () => {
  const h = new HistoryIndex();
  h.addMint(0, id(1), 1000n, payA, "genesis");
  // A pays 300 to B with 690 change to itself and a fee of 10.
  h.addTx(5, id(2), tx([[id(1), 0]], [[300n, payB], [690n, payA]]));
  const a = historyPageToJson(h.page(addrA, 10, null));
  assert.deepEqual(a, {
    entries: [
      {
        txid: bytesToHex(id(2)),
        anchor: "5",
        kind: "tx",
        credit: "690",
        debit: "1000",
        delta: "-310",
      },
      {
        txid: bytesToHex(id(1)),
        anchor: "0",
        kind: "genesis",
        credit: "1000",
        debit: "0",
        delta: "1000",
      },
    ],
    next_cursor: null,
    truncated: false,
  });
  const b = h.page(addrB, 10, null);
  assert.equal(b.entries.length, 1);
  assert.equal(b.entries[0]!.credit, 300n);
  assert.equal(b.entries[0]!.debit, 0n);
  // B spends its coin: the debit is known from the owner map, even with no output to B.
  h.addTx(6, id(3), tx([[id(2), 0]], [[290n, payA]]));
  assert.equal(h.page(addrB, 10, null).entries[0]!.debit, 300n);
  assert.equal(h.trackedOutputs, 2, "spent outputs leave the owner map");
  // Inputs the index never saw credited contribute nothing (no invented debits).
  h.addTx(7, id(4), tx([[id(99), 0]], [[5n, payB]]));
  assert.equal(h.page(addrB, 10, null).entries[0]!.debit, 0n);
  assert.deepEqual(h.page(bytesToHex(id(77)), 10, null), {
    entries: [],
    nextCursor: null,
    truncated: false,
  });
});

Deno.test("HistoryIndex.page() pages by cursor without gaps or repeats", () => {
  const h = new HistoryIndex();
  for (let i = 0; i < 25; i++) h.addMint(i + 1, id(i + 1), BigInt(i + 1), payA, "mint");
  const seen: number[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const pg = h.page(addrA, 7, cursor);
    seen.push(...pg.entries.map((e) => e.anchor));
    cursor = pg.nextCursor;
    assert.equal(pg.truncated, false);
    pages++;
  } while (cursor !== null);
  assert.equal(pages, 4);
  assert.deepEqual(seen, Array.from({ length: 25 }, (_, i) => 25 - i));
});

Deno.test("HistoryIndex keeps the newest entries per address and says it truncated", () => {
  const h = new HistoryIndex({ perAddress: 5 });
  for (let i = 0; i < 12; i++) h.addMint(i, id(i + 1), 1n, payA, "mint");
  const first = h.page(addrA, 3, null);
  assert.deepEqual(first.entries.map((e) => e.anchor), [11, 10, 9]);
  assert.equal(first.truncated, false);
  const rest = h.page(addrA, 3, first.nextCursor);
  assert.deepEqual(rest.entries.map((e) => e.anchor), [8, 7]);
  assert.equal(rest.nextCursor, null);
  assert.equal(rest.truncated, true, "older entries were dropped");
});

Deno.test("HistoryIndex.page() refuses bad limits and cursors", () => {
  const h = new HistoryIndex();
  assert.throws(() => h.page(addrA, 0, null), RangeError);
  assert.throws(() => h.page(addrA, MAX_HISTORY_PAGE + 1, null), RangeError);
  for (const c of ["-1", "01", "1e3", "abc", "9999999999999999"]) {
    assert.throws(() => h.page(addrA, 1, c), /Invalid history cursor/, c);
  }
  assert.throws(() => new HistoryIndex({ perAddress: 0 }), RangeError);
});

Deno.test("HistoryIndex.trackOutput() gives debits for outputs credited before the history", () => {
  const h = new HistoryIndex();
  h.trackOutput(id(5), 1, 400n, payA);
  assert.equal(h.page(addrA, 10, null).entries.length, 0, "tracking records no credit");
  // Replaying the output's creation later is idempotent.
  h.trackOutput(id(5), 1, 400n, payA);
  assert.equal(h.trackedOutputs, 1);
  h.addTx(9, id(6), tx([[id(5), 1]], [[390n, payB]]));
  const e = h.page(addrA, 10, null).entries;
  assert.deepEqual(e.map((x) => [x.debit, x.credit]), [[400n, 0n]]);
});

Deno.test("HistoryIndex keeps at most the total cap, dropping the oldest entries of the whole index", () => {
  const h = new HistoryIndex({ perAddress: 10, total: 5 });
  // Address A gets entries 0..3, then B gets 4..9: A's four go first, then B's oldest.
  for (let i = 0; i < 4; i++) h.addMint(i, id(i + 1), 1n, keyA, "mint");
  assert.equal(h.entries, 4);
  for (let i = 4; i < 10; i++) h.addMint(i, id(i + 1), 1n, keyB, "mint");
  assert.equal(h.entries, 5, "total bound");
  const a = h.page(addrA, 10, null);
  assert.deepEqual(a.entries, [], "A's entries were the oldest of the index");
  assert.equal(a.truncated, true, "an emptied address says its history is incomplete");
  assert.equal(h.addresses, 1, "the emptied address is forgotten");
  const b = h.page(addrB, 10, null);
  assert.deepEqual(b.entries.map((e) => e.anchor), [9, 8, 7, 6, 5]);
  assert.equal(b.truncated, true);
  // Both bounds together: entries the per-address cap already dropped are skipped by the total one.
  const keyC: Predicate = { type: "key", pubkey: new Uint8Array(32).fill(0xc) };
  const both = new HistoryIndex({ perAddress: 2, total: 4 });
  for (let i = 0; i < 3; i++) both.addMint(i, id(i + 1), 1n, keyA, "mint");
  for (let i = 3; i < 6; i++) both.addMint(i, id(i + 1), 1n, keyB, "mint");
  both.addMint(6, id(7), 1n, keyC, "mint");
  assert.equal(both.entries, 4);
  assert.deepEqual(both.page(addrA, 10, null).entries.map((e) => e.anchor), [2]);
  assert.deepEqual(both.page(addrB, 10, null).entries.map((e) => e.anchor), [5, 4]);
  const addrC = bytesToHex(predicateCommitment(keyC));
  assert.deepEqual(both.page(addrC, 10, null).entries.map((e) => e.anchor), [6]);
  // Many more entries: the bookkeeping stays proportional to the kept entries.
  for (let i = 10; i < 5000; i++) h.addMint(i, id((i % 250) + 1), 1n, i % 2 ? keyA : keyB, "mint");
  assert.equal(h.entries, 5);
  assert.deepEqual(h.page(addrA, 10, null).entries.map((e) => e.anchor), [4999, 4997, 4995]);
  assert.deepEqual(h.page(addrB, 10, null).entries.map((e) => e.anchor), [4998, 4996]);
  assert.throws(() => new HistoryIndex({ total: 0 }), RangeError);
});
