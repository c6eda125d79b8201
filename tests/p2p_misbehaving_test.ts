/**
 * A misbehaving peer (tests/tools/misbehaving_peer.ts) against a real P2pService: floods of
 * invalid and duplicate announcements, oversized gossip and oversized pull responses.
 */
import assert from "node:assert/strict";
import { type P2pMetricsSink, topicName } from "../src/p2p/mod.ts";
import { startTestNode, TEST_NET, testBodyId, waitFor } from "../src/p2p/testing.ts";
import { MisbehavingPeer, type PullBehaviour } from "./tools/misbehaving_peer.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
const TOPIC = topicName(TEST_NET, 0, "txs");

function reasonLog(): { sink: P2pMetricsSink; reasons: string[] } {
  const reasons: string[] = [];
  return { sink: { verdict: (_k, v, r) => reasons.push(`${v}:${r}`) }, reasons };
}

async function pair(pull: PullBehaviour, limits: Parameters<typeof startTestNode>[0] = {}) {
  const victim = await startTestNode(limits);
  const bad = await MisbehavingPeer.create(TEST_NET, pull);
  await bad.dial(victim.p2p.multiaddrs[0] as string);
  await waitFor(() => bad.subscribers(TOPIC).includes(victim.p2p.peerId), "victim subscription");
  return { victim, bad, stop: () => Promise.all([victim.p2p.stop(), bad.stop()]) };
}

Deno.test(
  "P2pService bans a peer flooding invalid announcements and stays bounded",
  opts,
  async () => {
    const limits = { pendingValidations: 16, bodyQueue: 8, seenCache: 1024 };
    const { victim, bad, stop } = await pair({ kind: "garbage" }, { limits });
    try {
      let maxPending = 0;
      const sample = setInterval(() => {
        maxPending = Math.max(maxPending, victim.p2p.stats().pendingValidations);
      }, 1);
      await bad.floodInvalid(TOPIC, 2000);
      await waitFor(() => victim.p2p.stats().banned === 1, "ban");
      await waitFor(() => !victim.p2p.peers().includes(bad.peerId), "disconnect");
      clearInterval(sample);
      const s = victim.p2p.stats();
      assert.ok(s.verdicts.reject >= 3, `rejects ${s.verdicts.reject}`);
      assert.equal(s.verdicts.accept, 0);
      assert.ok(maxPending <= 16, `pending validations stayed bounded: ${maxPending}`);
      assert.equal(s.bodyQueue, 0);
      assert.ok(s.seen <= 1024);
      assert.ok(victim.p2p.score(bad.peerId) < victim.p2p.limits.disconnectScore);
      // A redial gets through TCP but the victim's connection gater refuses the upgraded peer.
      await bad.dial(victim.p2p.multiaddrs[0] as string).catch(() => {});
      await waitFor(() => !bad.connectedTo(victim.p2p.peerId), "refused redial");
      assert.ok(!victim.p2p.peers().includes(bad.peerId));
    } finally {
      await stop();
    }
  },
);

Deno.test("P2pService bounds pending validations when pulls stall", opts, async () => {
  const { sink } = reasonLog();
  let drops = 0;
  sink.dropped = () => drops++;
  const { victim, bad, stop } = await pair({ kind: "silent" }, {
    limits: { pendingValidations: 16, pullTimeoutMs: 30_000, disconnectScore: -1e9 },
    metrics: sink,
  });
  try {
    await bad.floodAnnouncements(TOPIC, 200);
    await waitFor(() => victim.p2p.stats().verdicts.ignore >= 200 - 16, "queue-full verdicts");
    assert.equal(victim.p2p.stats().pendingValidations, 16, "exactly the bound is in flight");
    assert.equal(drops, 200 - 16);
    assert.ok(bad.pullsServed <= 16, `pulls ${bad.pullsServed}`);
  } finally {
    await stop();
  }
});

Deno.test("P2pService pulls a duplicated announcement once (no amplification)", opts, async () => {
  const { victim, bad, stop } = await pair({ kind: "garbage" }, {
    limits: { disconnectScore: -1e9 },
  });
  try {
    const id = testBodyId("txs", new Uint8Array(100));
    await bad.floodDuplicates(TOPIC, id, 300);
    // A distinct marker after the flood: once judged, every earlier duplicate was handled.
    await bad.floodInvalid(TOPIC, 1);
    await waitFor(() => victim.p2p.stats().verdicts.reject >= 2, "verdicts");
    assert.equal(bad.pullsServed, 1, "one pull for 300 copies");
    const s = victim.p2p.stats();
    assert.equal(s.verdicts.reject + s.verdicts.ignore + s.verdicts.accept, 2);
  } finally {
    await stop();
  }
});

Deno.test(
  "P2pService refuses an oversized gossip message and an oversized pull response",
  opts,
  async () => {
    const { sink, reasons } = reasonLog();
    const { victim, bad, stop } = await pair({ kind: "oversized", bytes: 1024 * 1024 }, {
      limits: { pullResponseBytes: 64 * 1024, disconnectScore: -1e9 },
      metrics: sink,
    });
    try {
      const id = testBodyId("txs", new Uint8Array(100));
      const direct = await victim.p2p.fetchIds("txs", [id], bad.peerId);
      assert.equal(direct.missing.length, 1, "oversized response yields nothing");
      assert.equal(direct.bodies.length, 0);
      await bad.publishRaw(TOPIC, new Uint8Array(10_000).fill(1));
      await bad.floodDuplicates(TOPIC, id, 1);
      await waitFor(() => reasons.length >= 2, "two verdicts");
      assert.deepEqual(reasons.sort(), [
        "reject:MESSAGE_TOO_LARGE",
        "reject:PULL_RESPONSE_TOO_LARGE",
      ]);
      assert.equal(victim.p2p.bodies.size, 0);
      // gossipsub refreshes scores on its heartbeat (1 s).
      await waitFor(() => victim.p2p.score(bad.peerId) < 0, "score below zero");
    } finally {
      await stop();
    }
  },
);

Deno.test("P2pService gives up on a silent pull server at its deadline", opts, async () => {
  const { victim, bad, stop } = await pair({ kind: "silent" }, { limits: { pullTimeoutMs: 300 } });
  try {
    const id = testBodyId("txs", new Uint8Array(7));
    const res = await victim.p2p.fetchIds("txs", [id], bad.peerId);
    assert.equal(res.missing.length, 1);
    assert.equal(victim.p2p.stats().pendingValidations, 0);
  } finally {
    await stop();
  }
});
