import assert from "node:assert/strict";
import { bytesToHex } from "@noble/hashes/utils.js";
import { decodeTxWithIds } from "../codec/mod.ts";
import { Mempool, type MempoolEntry, MempoolError, ownerSeat } from "./mempool.ts";
import { maturedFaucet, transfer } from "./_txtesting.ts";

const { faucet, coins } = await maturedFaucet(40);

function entry(i: number, o: { from?: string | null; anchor?: number; coin?: number } = {}) {
  const bytes = transfer(faucet, coins[o.coin ?? i]!, 1_000n + BigInt(i));
  const d = decodeTxWithIds(bytes);
  const e: MempoolEntry = {
    st: { tx: d.tx, txId: d.txId },
    bytes,
    wtxid: bytesToHex(d.wtxId),
    fee: d.tx.fee,
    t0: 0,
    anchor: o.anchor ?? 0,
    from: o.from ?? null,
    carried: false,
  };
  return e;
}

Deno.test("ownerSeat is the txid prefix mod k and spreads over seats", () => {
  const id = new Uint8Array(32);
  id.set([0, 0, 1, 2]);
  assert.equal(ownerSeat(id, 4), 0x0102 % 4);
  assert.equal(ownerSeat(id, 1), 0);
  assert.throws(() => ownerSeat(new Uint8Array(31), 4), RangeError);
  assert.throws(() => ownerSeat(id, 0), RangeError);
  const counts = [0, 0, 0, 0];
  for (let i = 0; i < 40; i++) counts[ownerSeat(entry(i).st.txId, 4)]!++;
  assert.ok(counts.every((c) => c > 0), `every seat owns some: ${counts}`);
});

Deno.test("Mempool bounds count, bytes and per-peer quota; refusals change nothing", () => {
  const pool = new Mempool({ maxTxs: 3, maxBytes: 1 << 20, perPeerTxs: 2 });
  assert.ok(pool.add(entry(0, { from: "peerA" })));
  assert.ok(pool.add(entry(1, { from: "peerA" })));
  assert.throws(
    () => pool.add(entry(2, { from: "peerA" })),
    (e) => e instanceof MempoolError && e.code === "MEMPOOL_PEER_QUOTA",
  );
  assert.equal(pool.size, 2);
  assert.ok(pool.add(entry(3, { from: null })));
  assert.throws(
    () => pool.add(entry(4)),
    (e) => e instanceof MempoolError && e.code === "MEMPOOL_FULL",
  );
  const bytes = pool.bytes;
  assert.equal(pool.size, 3);
  // Freeing one entry frees the peer's quota and the byte budget.
  const first = [...pool][0]![0];
  assert.ok(pool.delete(first) !== undefined);
  assert.ok(pool.bytes < bytes);
  assert.ok(pool.add(entry(5, { from: "peerA" })));
  const tight = new Mempool({ maxTxs: 10, maxBytes: entry(0).bytes.length, perPeerTxs: 10 });
  assert.ok(tight.add(entry(0)));
  assert.throws(() => tight.add(entry(1)), (e) => e instanceof MempoolError);
});

Deno.test("Mempool refuses a conflicting spend and indexes by wtxid", () => {
  const pool = new Mempool({ maxTxs: 10, maxBytes: 1 << 20, perPeerTxs: 10 });
  const a = entry(0);
  pool.add(a);
  assert.equal(pool.add(a), false, "same txid again is a no-op");
  const b = entry(1, { coin: 0 }); // other fee, same input
  assert.throws(
    () => pool.add(b),
    (e) => e instanceof MempoolError && e.code === "TX_DOUBLE_SPEND",
  );
  assert.equal(pool.byWtxid(a.wtxid), a);
  pool.delete(bytesToHex(a.st.txId));
  assert.equal(pool.byWtxid(a.wtxid), undefined);
  assert.ok(pool.add(b), "input free again after the delete");
});

Deno.test("Mempool.select follows the owner rule, fallback, carried marks and budgets", () => {
  const pool = new Mempool({ maxTxs: 100, maxBytes: 1 << 20, perPeerTxs: 100 });
  const es = Array.from({ length: 40 }, (_, i) => entry(i, { anchor: 10, from: "peer-a" }));
  for (const e of es) pool.add(e);
  const base = { k: 4, fallbackAnchors: 4, maxTxs: 100, maxBytes: 1 << 20 };
  const seen = new Set<string>();
  for (let seat = 0; seat < 4; seat++) {
    const mine = pool.select({ ...base, seat, anchor: 11 });
    for (const e of mine) {
      assert.equal(ownerSeat(e.st.txId, 4), seat);
      seen.add(e.wtxid);
    }
  }
  assert.equal(seen.size, 40, "each transaction has exactly one owner seat");
  // After the fallback wait every seat may carry every transaction.
  assert.equal(pool.select({ ...base, seat: 0, anchor: 14 }).length, 40);
  assert.ok(pool.select({ ...base, seat: 0, anchor: 13 }).length < 40);
  // Carried ones are never selected again, by anyone.
  for (const e of es.slice(0, 10)) pool.markCarried(bytesToHex(e.st.txId));
  assert.equal(pool.select({ ...base, seat: 1, anchor: 100 }).length, 30);
  assert.equal(pool.select({ ...base, seat: 1, anchor: 100, maxTxs: 5 }).length, 5);
  const one = es[10]!.bytes.length;
  assert.equal(pool.select({ ...base, seat: 1, anchor: 100, maxBytes: one }).length, 1);
  assert.ok(pool.hasWork({ seat: 2, k: 4, anchor: 100, fallbackAnchors: 4 }));
});

Deno.test("Mempool.select gives a transaction submitted over RPC to the receiving seat at once", () => {
  const pool = new Mempool({ maxTxs: 100, maxBytes: 1 << 20, perPeerTxs: 100 });
  const local = Array.from({ length: 8 }, (_, i) => entry(i, { anchor: 10, from: null }));
  const gossiped = Array.from({ length: 8 }, (_, i) => entry(8 + i, { anchor: 10, from: "p" }));
  for (const e of [...local, ...gossiped]) pool.add(e);
  const base = { k: 4, fallbackAnchors: 4, maxTxs: 100, maxBytes: 1 << 20, anchor: 10 };
  for (let seat = 0; seat < 4; seat++) {
    const mine = new Set(pool.select({ ...base, seat }).map((e) => e.wtxid));
    for (const e of local) assert.ok(mine.has(e.wtxid), "an RPC submission is ours at once");
    for (const e of gossiped) {
      assert.equal(mine.has(e.wtxid), ownerSeat(e.st.txId, 4) === seat, "gossip: owner only");
    }
  }
});

Deno.test("Mempool.expire drops old entries in admission order", () => {
  const pool = new Mempool({ maxTxs: 100, maxBytes: 1 << 20, perPeerTxs: 100 });
  pool.add(entry(0, { anchor: 1 }));
  pool.add(entry(1, { anchor: 5 }));
  pool.add(entry(2, { anchor: 9 }));
  assert.deepEqual(pool.expire(10, 5).length, 2);
  assert.equal(pool.size, 1);
  assert.throws(() => new Mempool({ maxTxs: 0, maxBytes: 1, perPeerTxs: 1 }), RangeError);
});
