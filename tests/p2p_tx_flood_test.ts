/**
 * The `txs` topic with the node's real admission (src/node/tx_relay.ts) as gossip validator:
 * valid transactions announced in a batch are pulled by wtxid, admitted once and deduplicated;
 * a misbehaving peer flooding announcements of invalid transactions (bad signatures, served as
 * well-formed pull answers) is rejected, banned and leaves the victim's pool and queues bounded.
 */
import assert from "node:assert/strict";
import { generateKeyPair } from "@libp2p/crypto/keys";
import { bytesToHex } from "@noble/hashes/utils.js";
import { decodeTx, decodeTxWithIds, encodeTx, type Tx } from "../src/codec/mod.ts";
import { P2pService, topicName } from "../src/p2p/mod.ts";
import { DEVNET } from "../src/params/mod.ts";
import { startTestNode, TEST_NET, testBodyId, waitFor } from "../src/p2p/testing.ts";
import { admitTx, Mempool, TxAdmissionError } from "../src/node/mod.ts";
import { maturedFaucet, transfer } from "../src/node/_txtesting.ts";
import type { StateEngine } from "../src/state/mod.ts";
import { MisbehavingPeer } from "./tools/misbehaving_peer.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
const TOPIC = topicName(TEST_NET, 0, "txs");

/** A P2pService whose `txs` validator is the node's admission into its own pool. */
async function txNode(engine: StateEngine, limits = {}, poolTxs = 1000) {
  const pool = new Mempool({ maxTxs: poolTxs, maxBytes: 1 << 22, perPeerTxs: poolTxs / 4 });
  let pulls = 0;
  const p2p = new P2pService(
    {
      network: TEST_NET,
      privateKey: await generateKeyPair("Ed25519"),
      listen: ["/ip4/127.0.0.1/tcp/0"],
      shards: [0],
      limits,
    },
    {
      store: {
        has: (id) => pool.byWtxid(bytesToHex(id)) !== undefined,
        get: (id) => pool.byWtxid(bytesToHex(id))?.bytes,
      },
      bodyId: (_kind, body) => {
        pulls++;
        return decodeTxWithIds(body).wtxId;
      },
      validators: {
        txs: async ({ body, from }) => {
          try {
            const a = await admitTx(body, from, {
              networkId: DEVNET.networkId,
              floor: { unitsPerByte: 1n, minFee: 1_000n },
              pool,
              finalized: () => false,
              checkTx: (st) => engine.checkTx(st),
              anchor: 0,
              now: 0,
            });
            return a.status === "added"
              ? { verdict: "accept" }
              : { verdict: "ignore", reason: "duplicate" };
          } catch (e) {
            if (e instanceof TxAdmissionError) return { verdict: e.verdict, reason: e.code };
            throw e;
          }
        },
      },
    },
  );
  await p2p.start();
  return { p2p, pool, pulls: () => pulls };
}

Deno.test("txs topic: batch announcement, pull by wtxid, admission once", opts, async () => {
  const { faucet, engine, coins } = await maturedFaucet(20);
  const a = await txNode(engine);
  const b = await txNode(engine);
  try {
    await b.p2p.dial(a.p2p.multiaddrs[0]!);
    await waitFor(() => a.p2p.subscribers("txs", 0).includes(b.p2p.peerId), "subscription");
    const txs = coins.map((c) => transfer(faucet, c));
    for (const t of txs) {
      const r = await admitTx(t, null, {
        networkId: DEVNET.networkId,
        floor: { unitsPerByte: 1n, minFee: 1_000n },
        pool: a.pool,
        finalized: () => false,
        checkTx: (st) => engine.checkTx(st),
        anchor: 0,
        now: 0,
      });
      assert.ok(a.p2p.publish("txs", 0, r.wtxid, t));
    }
    await waitFor(() => b.pool.size === 20, "20 transactions admitted at b");
    for (const e of b.pool.values()) assert.equal(e.from, a.p2p.peerId);
    // Announcing the same ids again (a new announcement, so gossip does not dedup it): b
    // neither pulls nor admits again.
    const pullsBefore = b.pulls();
    for (const t of txs.slice(0, 5)) a.p2p.publish("txs", 0, decodeTxWithIds(t).wtxId, t);
    await a.p2p.flush();
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(b.pulls(), pullsBefore, "known wtxids are not pulled again");
    assert.equal(b.pool.size, 20);
    assert.ok(a.p2p.stats().publishQueue === 0);
  } finally {
    await Promise.all([a.p2p.stop(), b.p2p.stop()]);
  }
});

Deno.test(
  "txs topic: a flood of invalid-transaction announcements is rejected, banned and bounded",
  opts,
  async () => {
    const { faucet, engine, coins } = await maturedFaucet(64);
    const victim = await txNode(engine, { pendingValidations: 16, seenCache: 512 });
    // Bodies that decode and match their wtxids but carry a flipped signature bit.
    const bodies = new Map<string, Uint8Array>();
    const items = coins.map((c) => {
      const tx = decodeTx(transfer(faucet, c)) as Tx;
      const sig = tx.witnesses[0]!.sigs[0]!.slice();
      sig[9]! ^= 1;
      const bad = encodeTx({ ...tx, witnesses: [{ ...tx.witnesses[0]!, sigs: [sig] }] } as Tx);
      const id = decodeTxWithIds(bad).wtxId;
      bodies.set(bytesToHex(id), bad);
      return { id, size: bad.length };
    });
    const bad = await MisbehavingPeer.create(TEST_NET, { kind: "serve", bodies });
    try {
      await bad.dial(victim.p2p.multiaddrs[0]!);
      await waitFor(() => bad.subscribers(TOPIC).includes(victim.p2p.peerId), "subscription");
      let maxPending = 0;
      const sample = setInterval(() => {
        maxPending = Math.max(maxPending, victim.p2p.stats().pendingValidations);
      }, 1);
      for (let i = 0; i < 400; i++) {
        // Distinct announcements (rotating 8-id windows) so gossip's own dedup does not hide them.
        const w = [...items.slice(i % 56, (i % 56) + 8)];
        if (i >= 56) w.reverse();
        await bad.announce(TOPIC, i >= 112 ? [w[i % 8]!] : w).catch(() => {});
      }
      await waitFor(() => victim.p2p.stats().banned === 1, "ban");
      await waitFor(() => !victim.p2p.peers().includes(bad.peerId), "disconnect");
      clearInterval(sample);
      const s = victim.p2p.stats();
      assert.equal(victim.pool.size, 0, "no invalid transaction entered the pool");
      assert.equal(s.verdicts.accept, 0);
      assert.ok(s.verdicts.reject >= 1, `rejects ${s.verdicts.reject}`);
      assert.ok(maxPending <= 16, `pending validations bounded: ${maxPending}`);
      assert.ok(s.seen <= 512, `seen cache bounded: ${s.seen}`);
      assert.ok(bad.pullsServed <= 64, `each bad body pulled at most once: ${bad.pullsServed}`);
    } finally {
      await Promise.all([victim.p2p.stop(), bad.stop()]);
    }
  },
);

Deno.test(
  "txs topic: a burst of publishes goes out as full 64-id announcements",
  opts,
  async () => {
    const { faucet, engine, coins } = await maturedFaucet(1024);
    const a = await txNode(engine, {}, 4096);
    const b = await txNode(engine, {}, 4096);
    try {
      await b.p2p.dial(a.p2p.multiaddrs[0]!);
      await waitFor(() => a.p2p.subscribers("txs", 0).includes(b.p2p.peerId), "subscription");
      const ctx = {
        networkId: DEVNET.networkId,
        floor: { unitsPerByte: 1n, minFee: 1_000n },
        pool: a.pool,
        finalized: () => false,
        checkTx: (st: Parameters<StateEngine["checkTx"]>[0]) => engine.checkTx(st),
        anchor: 0,
        now: 0,
      };
      const admitted = [];
      for (const c of coins) admitted.push(await admitTx(transfer(faucet, c), null, ctx));
      for (const r of admitted) a.p2p.publish("txs", 0, r.wtxid, r.entry!.bytes);
      await waitFor(() => b.pool.size === 1024, "1024 transactions at b", 20_000);
      const v = b.p2p.stats().verdicts;
      // 1024 ids in 16 announcements of 64 (gossipsub has no publish buffer: we batch).
      assert.equal(v.accept + v.ignore + v.reject, 16, JSON.stringify(v));
    } finally {
      await Promise.all([a.p2p.stop(), b.p2p.stop()]);
    }
  },
);

Deno.test(
  "a transaction flood cannot starve events: validation budgets are per kind",
  opts,
  async () => {
    const limits = { pendingValidations: 4, pullTimeoutMs: 4_000 };
    const victim = await startTestNode({ limits });
    const honest = await startTestNode();
    const bad = await MisbehavingPeer.create(TEST_NET, { kind: "silent" });
    try {
      await bad.dial(victim.p2p.multiaddrs[0]!);
      await honest.p2p.dial(victim.p2p.multiaddrs[0]!);
      await waitFor(() => bad.subscribers(TOPIC).includes(victim.p2p.peerId), "subscription");
      await waitFor(
        () => honest.p2p.subscribers("events", 0).includes(victim.p2p.peerId),
        "events subscription",
      );
      // Fill the victim's txs budget with pulls that never answer.
      await bad.floodAnnouncements(TOPIC, 20);
      await waitFor(() => victim.p2p.stats().pendingValidations === 4, "txs budget full");
      const body = new TextEncoder().encode("an event body");
      const id = testBodyId("events", body);
      honest.store.put(id, body);
      honest.p2p.publish("events", 0, id, body);
      const got = await Promise.race([
        victim.p2p.bodies.next(),
        new Promise<undefined>((r) => setTimeout(() => r(undefined), 3_000)),
      ]);
      assert.equal(got?.kind, "events");
      assert.equal(victim.p2p.stats().pendingValidations >= 4, true, "txs still stalled");
    } finally {
      await Promise.all([victim.p2p.stop(), honest.p2p.stop(), bad.stop()]);
    }
  },
);
