/**
 * End-to-end tests of the p2p layer over real libp2p on 127.0.0.1 ephemeral ports: mesh, pull,
 * relay after validation, duplicates, anti-entropy, identity persistence.
 */
import assert from "node:assert/strict";
import { IDENTITY_KEY_FILE, P2pError, type TopicKind, type Validator } from "../src/p2p/mod.ts";
import {
  startTestNode as startNode,
  TEST_NET as NET,
  testBodyId,
  waitFor,
} from "../src/p2p/testing.ts";

// libp2p keeps internal timers (dial queues, identify) past stop(); the tests stop every node.
const opts = { sanitizeOps: false, sanitizeResources: false };

function body(tag: number, size = 64): Uint8Array {
  return new Uint8Array(size).fill(tag);
}

async function line3(validators?: Partial<Record<TopicKind, Validator>>) {
  const a = await startNode();
  const b = await startNode({ bootstrap: a.p2p.multiaddrs, ...(validators ? { validators } : {}) });
  const c = await startNode({ bootstrap: b.p2p.multiaddrs });
  await waitFor(
    () =>
      a.p2p.subscribers("txs", 0).length === 1 && b.p2p.subscribers("txs", 0).length === 2 &&
      c.p2p.subscribers("txs", 0).length === 1,
    "subscriptions",
  );
  // gossipsub grafts the mesh on its heartbeat; with floodPublish the publisher reaches its
  // topic peers at once, and relays go to mesh peers, so wait for B's mesh toward C.
  await waitFor(
    () =>
      (b.p2p.libp2p.services.pubsub as unknown as { getMeshPeers(t: string): string[] })
        .getMeshPeers(`/phantom/${NET}/0/txs/1`).length === 2,
    "mesh",
  );
  return { a, b, c, stop: () => Promise.all([a.p2p.stop(), b.p2p.stop(), c.p2p.stop()]) };
}

Deno.test(
  "P2pService delivers an announced body once at each node of a 3-node line",
  opts,
  async () => {
    const { a, b, c, stop } = await line3();
    try {
      const x = body(1);
      const id = testBodyId("txs", x);
      assert.ok(a.p2p.publish("txs", 0, id, x));
      await waitFor(() => b.p2p.bodies.size === 1 && c.p2p.bodies.size === 1, "delivery");
      const atB = b.p2p.bodies.shift();
      const atC = c.p2p.bodies.shift();
      assert.deepEqual(atB?.body, x);
      assert.equal(atB?.from, a.p2p.peerId, "B pulled from A");
      assert.equal(atC?.from, b.p2p.peerId, "C pulled from B (relay after validation)");
      // The same body again (a duplicate announcement), then a marker: once the marker arrives
      // the duplicate has been processed, and it must not have been delivered.
      a.p2p.publish("txs", 0, id, x);
      const y = body(2);
      a.p2p.publish("txs", 0, testBodyId("txs", y), y);
      await waitFor(() => c.p2p.bodies.size >= 1 && b.p2p.bodies.size >= 1, "marker");
      assert.deepEqual(c.p2p.bodies.shift()?.body, y, "C got the marker, not the duplicate");
      assert.deepEqual(b.p2p.bodies.shift()?.body, y, "B got the marker, not the duplicate");
      assert.equal(c.p2p.bodies.size, 0);
    } finally {
      await stop();
    }
  },
);

Deno.test("P2pService drops an id announced again in a different announcement", opts, async () => {
  const { a, b, c, stop } = await line3();
  try {
    const x = body(3);
    const id = testBodyId("txs", x);
    a.p2p.publish("txs", 0, id, x);
    await waitFor(() => c.p2p.bodies.size === 1, "first delivery");
    // C announces the same id itself (different gossip message: a batch with a second id).
    const z = body(4);
    c.p2p.publish("txs", 0, id, x);
    c.p2p.publish("txs", 0, testBodyId("txs", z), z);
    await waitFor(() => b.p2p.bodies.size === 2, "B gets x once and z");
    const got = [b.p2p.bodies.shift()?.body, b.p2p.bodies.shift()?.body];
    assert.deepEqual(got.filter((g) => g?.[0] === 3).length, 1, "x delivered once at B");
    assert.ok(b.p2p.stats().verdicts.ignore + b.p2p.stats().verdicts.accept >= 2);
  } finally {
    await stop();
  }
});

Deno.test(
  "P2pService stops relay on a reject verdict and lowers the sender's score",
  opts,
  async () => {
    const rejectFF: Validator = ({ body }) =>
      body[0] === 0xff ? { verdict: "reject", reason: "TEST_INVALID" } : { verdict: "accept" };
    const { a, b, c, stop } = await line3({ txs: rejectFF });
    try {
      assert.equal(b.p2p.score(a.p2p.peerId) >= 0, true);
      const bad = body(0xff);
      a.p2p.publish("txs", 0, testBodyId("txs", bad), bad);
      // Separate announcements: one reject refuses (and stops relaying) its whole announcement.
      await a.p2p.flush();
      const good = body(5);
      a.p2p.publish("txs", 0, testBodyId("txs", good), good);
      await waitFor(() => c.p2p.bodies.size >= 1, "good body at C");
      assert.deepEqual(c.p2p.bodies.shift()?.body, good, "C never sees the rejected body");
      assert.equal(c.p2p.bodies.size, 0);
      assert.equal(b.p2p.bodies.size, 1, "B delivered only the good body");
      assert.equal(b.p2p.stats().verdicts.reject, 1);
      await waitFor(() => b.p2p.score(a.p2p.peerId) < 0, "A's score at B below zero");
    } finally {
      await stop();
    }
  },
);

Deno.test(
  "P2pService.fetchIds() lets a late node fetch missing events via HAVE and RANGE",
  opts,
  async () => {
    const a = await startNode();
    const creator = new Uint8Array(32).fill(9);
    const bodies = Array.from({ length: 10 }, (_, i) => body(100 + i, 200));
    bodies.forEach((x, i) => a.store.put(testBodyId("events", x), x, { creator, seq: BigInt(i) }));
    const late = await startNode({ bootstrap: a.p2p.multiaddrs });
    try {
      await waitFor(() => late.p2p.peers().includes(a.p2p.peerId), "connection");
      const have = await late.p2p.fetchHave(a.p2p.peerId);
      assert.equal(have.length, 1);
      assert.deepEqual(have[0]?.creator, creator);
      assert.equal(have[0]?.seq, 9n);
      const ids = await late.p2p.fetchRange(a.p2p.peerId, creator, 3n, 100);
      assert.equal(ids.length, 7);
      const res = await late.p2p.fetchIds("events", ids);
      assert.equal(res.missing.length, 0);
      assert.equal(res.bodies.length, 7);
      assert.equal(late.p2p.bodies.size, 7, "fetched bodies are queued for the node");
      assert.deepEqual(late.p2p.bodies.shift()?.body, bodies[3]);
      const unknown = new Uint8Array(32).fill(1);
      const again = await late.p2p.fetchIds("events", [unknown]);
      assert.equal(again.missing.length, 1, "an id nobody holds stays missing");
    } finally {
      await Promise.all([a.p2p.stop(), late.p2p.stop()]);
    }
  },
);

Deno.test("P2pService keeps its identity key across restarts", opts, async () => {
  const dir = await Deno.makeTempDir({ prefix: "pc_p2p_id_" });
  try {
    const first = await startNode({ dataDir: dir });
    const id1 = first.p2p.peerId;
    await first.p2p.stop();
    if (Deno.build.os !== "windows") {
      const mode = (await Deno.stat(`${dir}/${IDENTITY_KEY_FILE}`)).mode ?? 0;
      assert.equal(mode & 0o777, 0o600);
    }
    const second = await startNode({ dataDir: dir });
    assert.equal(second.p2p.peerId, id1);
    await second.p2p.stop();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("P2pService delivers a burst of announcements without loss", opts, async () => {
  const a = await startNode();
  const b = await startNode({ bootstrap: a.p2p.multiaddrs, limits: { bodyQueue: 4096 } });
  try {
    await waitFor(() => a.p2p.subscribers("txs", 0).length === 1, "subscription");
    const n = 1500;
    for (let i = 0; i < n; i++) {
      const x = new Uint8Array(300);
      new DataView(x.buffer).setUint32(0, i);
      // A full publish queue refuses (and counts); the publisher waits for it to drain.
      while (!a.p2p.publish("txs", 0, testBodyId("txs", x), x)) await a.p2p.flush();
    }
    // Bursts of announcements must queue per peer (bounded pull streams), not fail.
    await waitFor(() => b.p2p.bodies.size === n, `${n} bodies`, 20_000);
    assert.equal(b.p2p.stats().verdicts.ignore, 0);
  } finally {
    await Promise.all([a.p2p.stop(), b.p2p.stop()]);
  }
});

Deno.test("P2pService refuses pull requests beyond a peer's rate", opts, async () => {
  const server = await startNode({ limits: { pullRequestsPerSecond: 1 } });
  const client = await startNode({ bootstrap: server.p2p.multiaddrs });
  try {
    await waitFor(() => client.p2p.peers().includes(server.p2p.peerId), "connection");
    // Burst 2x the rate: two requests pass, the third within the same second is refused.
    await client.p2p.fetchHave(server.p2p.peerId);
    await client.p2p.fetchHave(server.p2p.peerId);
    await assert.rejects(
      client.p2p.fetchHave(server.p2p.peerId),
      (e) => e instanceof P2pError && e.code === "PULL_REFUSED" && e.data.reason === "rate_limited",
    );
  } finally {
    await Promise.all([server.p2p.stop(), client.p2p.stop()]);
  }
});
