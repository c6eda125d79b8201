import assert from "node:assert/strict";
import { ConsensusEngine, type EventHeader } from "../consensus/mod.ts";
import { bytesToHex } from "@noble/hashes/utils.js";
import { RefeedSet } from "./dag_refeed.ts";

const NET = 7;

/**
 * The first `n` events of a one-seat chain, built on a source engine (its `prepareEvent` gives the
 * vote mask the receiving engine expects); ids are distinct, signatures are not checked here.
 */
function chain(n: number): EventHeader[] {
  const src = engine(4096);
  const out: EventHeader[] = [];
  for (let i = 0; i < n; i++) {
    const p = src.prepareEvent(0, []);
    const h: EventHeader = {
      id: new Uint8Array(32).fill(i + 1),
      network: NET,
      shard: 0,
      creator: 0,
      seq: p.seq,
      selfParent: p.selfParent,
      parents: p.parents,
      voteMask: p.voteMask,
      payloadRoot: new Uint8Array(32),
      signature: new Uint8Array(64),
    };
    assert.equal(src.receive(h, true).status, "inserted");
    out.push(h);
  }
  return out;
}

/** An event of another network: refused at once, but it still counts as a step of the buffer. */
const FOREIGN: EventHeader = { ...chain(1)[0]!, network: NET + 1 };

function engine(maxPendingSteps: number, maxPending?: number): ConsensusEngine {
  return new ConsensusEngine({
    network: NET,
    shard: 0,
    committeeSize: 1,
    genesisId: new Uint8Array(32).fill(9),
    verifySignature: () => true,
    maxPendingSteps,
    ...(maxPending !== undefined ? { maxPending } : {}),
  });
}

/** Receives `n` events the engine refuses at once: each still counts as a step of the buffer. */
function steps(e: ConsensusEngine, n: number): void {
  for (let i = 0; i < n; i++) e.receive(FOREIGN, true);
}

Deno.test("an event the engine dropped from its buffer stalls its creator until re-fed", () => {
  const e = engine(2);
  const set = new RefeedSet();
  const [e0, h1, h2] = chain(3) as [EventHeader, EventHeader, EventHeader];
  // e1 arrives before its parent (a restarted node hears gossip ahead of its catch-up).
  const r1 = e.receive(h1, true);
  assert.equal(r1.status, "pending");
  set.track(h1, r1);
  steps(e, 3);
  assert.equal(e.knows(h1.id), false, "the engine dropped e1 from its buffer silently");
  // The parent arrives: e1 is not placed, and e2 waits on an event the node already holds.
  assert.equal(e.receive(e0, true).status, "inserted");
  assert.equal(e.has(h1.id), false);
  const r2 = e.receive(h2, true);
  set.track(h2, r2);
  assert.deepEqual(e.wanted(8), [h1.id], "e2 waits on e1 forever without a re-feed");
  const out = set.refeed(e);
  assert.equal(out.refed, 1);
  assert.deepEqual(out.missing, []);
  assert.ok(e.has(h1.id) && e.has(h2.id), "e1 and the waiting e2 are in the DAG");
  assert.equal(e.knownSeqs()[0], 2);
  assert.equal(set.size, 0, "placed events are forgotten");
  assert.deepEqual(set.refeed(e), { refed: 0, missing: [] });
});

Deno.test("RefeedSet keeps still-buffered events, reports missing parents, drops refusals", () => {
  const e = engine(2);
  const set = new RefeedSet();
  const [h0, h1, h2] = chain(3) as [EventHeader, EventHeader, EventHeader];
  set.track(h2, e.receive(h2, true));
  // Still buffered: nothing to do.
  assert.deepEqual(set.refeed(e), { refed: 0, missing: [] });
  assert.equal(set.size, 1);
  steps(e, 3);
  // Dropped: handed back, and its parent (not held here) is reported for fetching.
  const out = set.refeed(e);
  assert.equal(out.refed, 1);
  assert.deepEqual(out.missing, [h1.id]);
  assert.ok(e.knows(h2.id));
  // Inserted events and events the engine does not buffer are not tracked.
  set.track(h0, e.receive(h0, true));
  set.track(h0, e.receive(h0, true));
  assert.equal(set.size, 1);
});

Deno.test("RefeedSet retries an event refused because the engine's buffer was full", () => {
  const e = engine(100, 1);
  const set = new RefeedSet();
  const [h0, h1, h2] = chain(3) as [EventHeader, EventHeader, EventHeader];
  set.track(h2, e.receive(h2, true));
  const r1 = e.receive(h1, true);
  assert.equal(r1.status, "rejected", "buffer of one is full");
  set.track(h1, r1);
  assert.equal(set.size, 2);
  assert.equal(e.receive(h0, true).status, "inserted");
  // h1 was refused, so h2 still waits; the re-feed places both.
  assert.equal(e.has(h2.id), false);
  assert.equal(set.refeed(e).refed, 1);
  assert.ok(e.has(h1.id) && e.has(h2.id));
  assert.equal(set.size, 0);
});

Deno.test("RefeedSet hands over the buffered events the engine failed for an invalid parent", () => {
  const e = engine(100);
  const set = new RefeedSet();
  const [h0, h1, h2] = chain(3) as [EventHeader, EventHeader, EventHeader];
  assert.equal(e.receive(h0, true).status, "inserted");
  set.track(h2, e.receive(h2, true));
  assert.equal(set.size, 1);
  assert.deepEqual(set.takeRefused(e), [], "still waiting: not refused");
  // h1 arrives with a forged vote mask: refused, and h2, which waits on it, fails with it.
  const r1 = e.receive({ ...h1, voteMask: h1.voteMask ^ 1n }, true);
  assert.equal(r1.status, "rejected");
  assert.equal(e.refused(h2.id), true);
  assert.deepEqual(set.takeRefused(e), [bytesToHex(h2.id)]);
  assert.equal(set.size, 0);
  assert.deepEqual(set.refeed(e), { refed: 0, missing: [] });
});

Deno.test("RefeedSet.refeed() leaves an event it refuses for good to takeRefused()", () => {
  const e = engine(2);
  const set = new RefeedSet();
  const [h0, h1] = chain(2) as [EventHeader, EventHeader];
  // A forged vote mask on an event that waits for its parent: only insertion can tell.
  const forged = { ...h1, voteMask: h1.voteMask ^ 1n };
  set.track(forged, e.receive(forged, true));
  steps(e, 3);
  assert.equal(e.knows(forged.id), false, "dropped from the engine's buffer");
  assert.equal(e.receive(h0, true).status, "inserted");
  // Re-fed: inserted and refused (FORGED_VOTE_MASK). The node must still learn of it.
  assert.equal(set.refeed(e).refed, 1);
  assert.equal(e.refused(forged.id), true);
  assert.equal(set.size, 1, "kept until the node takes it");
  assert.deepEqual(set.takeRefused(e), [bytesToHex(forged.id)]);
  assert.equal(set.size, 0);
});
