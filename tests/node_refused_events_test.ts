/**
 * An event the consensus engine refuses costs a node neither memory nor disk (ADR 0078, refused
 * events): a misbehaving peer announces and serves a correctly signed event with a forged vote
 * mask over the real gossip path (announce, pull, decode, verify, engine); the node counts the
 * refusal, does not hold or serve the event, and its stored DAG never holds it, across a restart.
 * The same holds for an event refused later: a child stored while it waited for its parent leaves
 * memory and the stored DAG when that parent is refused, and a restart does not bring it back.
 */
import assert from "node:assert/strict";
import { bytesToHex } from "@noble/hashes/utils.js";
import { decodeEventPayloadWithIds, encodeEventPayload } from "../src/codec/mod.ts";
import { buildCodecHeader } from "../src/consensus/mod.ts";
import { schnorrSign } from "../src/crypto/mod.ts";
import { oneSeatGenesis, oneSeatOptions, testKey, until } from "../src/node/_testing.ts";
import { decodeEventBody, encodeEventBody, ValidatorService } from "../src/node/validator.ts";
import { topicName } from "../src/p2p/mod.ts";
import { DEVNET } from "../src/params/mod.ts";
import { MethodRegistry } from "../src/rpc/mod.ts";
import { MisbehavingPeer } from "./tools/misbehaving_peer.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
const seat = testKey(7);
const genesis = oneSeatGenesis(seat, testKey(8), "refused events test");
const TOPIC = topicName(DEVNET.name, 0, "events");

async function open(dir: string, listen: string[] | null) {
  const kv = await Deno.openKv(`${dir}/chain.kv`);
  const svc = new ValidatorService({ ...oneSeatOptions(genesis, seat, dir), listen });
  svc.bind({ flush: (c) => c(), kv: () => kv });
  const reg = new MethodRegistry();
  svc.registerRpc(reg);
  await svc.start();
  let closed = false;
  return {
    svc,
    kv,
    getEvent: async (id: string) => {
      const m = reg.get("get_event")!;
      return await m.handler(m.params({ id }, ""), { client: "test" });
    },
    /** Ids of the events in the stored DAG (bodies of one chunk: these events are small). */
    storedIds: async () => {
      const ids = new Set<string>();
      for await (const e of kv.list<Uint8Array>({ prefix: ["dag"] })) {
        ids.add(bytesToHex(decodeEventBody(e.value, genesis).header.id));
      }
      return ids;
    },
    close: async () => {
      if (closed) return;
      closed = true;
      await svc.stop();
      kv.close();
    },
  };
}

/** A correctly signed seat-0 event on `selfParent` (seq 0 without one) with this vote mask. */
function signedEvent(
  voteMask: bigint,
  selfParent: Uint8Array | null = null,
): { id: Uint8Array; body: Uint8Array } {
  const payload = encodeEventPayload({ txs: [] });
  const { header, id } = buildCodecHeader({
    network: genesis.networkId,
    shard: 0,
    creator: 0,
    seq: selfParent === null ? 0 : 1,
    selfParent,
    parents: [],
    voteMask,
    payloadRoot: decodeEventPayloadWithIds(payload).payloadRoot,
    payloadTxs: 0,
    payloadBytes: payload.length,
  });
  const signature = schnorrSign(id, seat.secretKey);
  const body = encodeEventBody({ header, mints: [], evidence: [], signature }, payload);
  // It passes every check that needs no DAG: only the consensus engine refuses it.
  assert.equal(bytesToHex(decodeEventBody(body, genesis).header.id), bytesToHex(id));
  return { id, body };
}

/** A correctly signed seat-0 event whose vote mask has a bit outside the one-seat committee. */
function forgedEvent(): { id: Uint8Array; body: Uint8Array } {
  return signedEvent(0b10n);
}

Deno.test("an event the engine refuses is neither kept in memory nor stored", opts, async () => {
  const dir = await Deno.makeTempDir();
  const { id, body } = forgedEvent();
  const idHex = bytesToHex(id);
  let h = await open(dir, ["/ip4/127.0.0.1/tcp/0"]);
  const bad = await MisbehavingPeer.create(DEVNET.name, {
    kind: "serve",
    bodies: new Map([[idHex, body]]),
  });
  try {
    const p2p = h.svc.p2p!;
    await bad.dial(p2p.multiaddrs[0]!);
    await until(() => bad.subscribers(TOPIC).includes(p2p.peerId), 10_000, "subscription");
    await bad.announce(TOPIC, [{ id, size: body.length }]);
    await until(
      () => (h.svc.stats().dagRejected.FORGED_VOTE_MASK ?? 0) >= 1,
      10_000,
      "the refusal",
    );
    assert.ok(bad.pullsServed >= 1, "the body came over the pull path");
    await assert.rejects(h.getEvent(idHex), /Unknown event/);
    // Anchors go on being committed, each after a save of the events received before it.
    const after = h.svc.stats().anchor;
    await until(() => h.svc.stats().anchor >= after + 2, 10_000, "two more anchors");
    const stored = await h.storedIds();
    assert.ok(stored.size > 0, "the node's own events are stored");
    assert.ok(!stored.has(idHex), "the refused event is not stored");
    // A second announcement brings nothing back.
    await bad.announce(TOPIC, [{ id, size: body.length }]);
    await new Promise((r) => setTimeout(r, 300));
    await assert.rejects(h.getEvent(idHex), /Unknown event/);
    await bad.stop();
    await h.close();
    h = await open(dir, null);
    assert.ok(!(await h.storedIds()).has(idHex), "not in the stored DAG after a restart");
    await assert.rejects(h.getEvent(idHex), /Unknown event/);
  } finally {
    await bad.stop().catch(() => {});
    await h.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("an event refused while it waited leaves memory and the stored DAG", opts, async () => {
  const dir = await Deno.makeTempDir();
  // The parent's mask is inside the committee but not the one its (empty) history gives (0):
  // only insertion into the DAG refuses it, which blacklists it and fails the events waiting on it.
  const parent = signedEvent(0b1n);
  const child = signedEvent(0n, parent.id);
  const childHex = bytesToHex(child.id);
  let h = await open(dir, ["/ip4/127.0.0.1/tcp/0"]);
  // Served on request: the parent only once the child is stored.
  const bodies = new Map([[childHex, child.body]]);
  const bad = await MisbehavingPeer.create(DEVNET.name, { kind: "serve", bodies });
  try {
    const p2p = h.svc.p2p!;
    await bad.dial(p2p.multiaddrs[0]!);
    await until(() => bad.subscribers(TOPIC).includes(p2p.peerId), 10_000, "subscription");
    await bad.announce(TOPIC, [{ id: child.id, size: child.body.length }]);
    await until(() => h.svc.stats().dagPending >= 1, 10_000, "the child waiting for its parent");
    // Kept while it waits (a valid parent may come): served, and written with the next anchor.
    assert.equal((await h.getEvent(childHex) as { id: string }).id, childHex);
    const t0 = performance.now();
    while (!(await h.storedIds()).has(childHex)) {
      assert.ok(performance.now() - t0 < 10_000, "timed out waiting for the child on disk");
      await new Promise((r) => setTimeout(r, 20));
    }
    const rejected = () => h.svc.stats().dagRejected;
    const cascades = rejected().MISSING_PARENTS ?? 0;
    bodies.set(bytesToHex(parent.id), parent.body);
    // Announced again each second until refused. The node ignores an announcement of an id it is
    // still pulling (its own fetch of the child's missing parent may not have returned yet on a
    // loaded host), and gossip drops a byte-identical resend as a duplicate; so each resend also
    // names the already-held child a different number of times (skipped by the node), which
    // makes it a new message. The test is about what the node does once it has the parent.
    const t1 = performance.now();
    for (let k = 0; (rejected().FORGED_VOTE_MASK ?? 0) < 1; k++) {
      assert.ok(performance.now() - t1 < 20_000, "timed out waiting for the parent's refusal");
      const again = Array.from({ length: k }, () => ({ id: child.id, size: child.body.length }));
      await bad.announce(TOPIC, [{ id: parent.id, size: parent.body.length }, ...again]);
      const t2 = performance.now();
      while ((rejected().FORGED_VOTE_MASK ?? 0) < 1 && performance.now() - t2 < 1000) {
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    assert.ok((rejected().MISSING_PARENTS ?? 0) > cascades, "the child is refused with it");
    assert.equal(h.svc.stats().dagPending, 0);
    await assert.rejects(h.getEvent(childHex), /Unknown event/);
    await assert.rejects(h.getEvent(bytesToHex(parent.id)), /Unknown event/);
    // Two anchor commits later (each behind the serial writer that removed it): gone from disk.
    const after = h.svc.stats().anchor;
    await until(() => h.svc.stats().anchor >= after + 2, 10_000, "two more anchors");
    let stored = await h.storedIds();
    assert.ok(!stored.has(childHex), "the child refused later is removed from the stored DAG");
    assert.ok(!stored.has(bytesToHex(parent.id)), "the refused parent was never stored");
    await bad.stop();
    await h.close();
    // A restart replays the stored DAG: the child is not resurrected as an event waiting for a
    // parent that is nowhere, and new events take slots after the gap without overwriting any.
    h = await open(dir, null);
    stored = await h.storedIds();
    assert.ok(!stored.has(childHex), "not in the stored DAG after a restart");
    await assert.rejects(h.getEvent(childHex), /Unknown event/);
    assert.equal(h.svc.stats().dagPending, 0);
    const resumed = h.svc.stats().anchor;
    await until(() => h.svc.stats().anchor >= resumed + 2, 10_000, "anchors after the restart");
    const later = await h.storedIds();
    for (const id of stored) assert.ok(later.has(id), `stored event ${id} kept after the restart`);
    assert.ok(later.size > stored.size, "new events stored after the restart");
  } finally {
    await bad.stop().catch(() => {});
    await h.close();
    await Deno.remove(dir, { recursive: true });
  }
});
