import assert from "node:assert/strict";
import { blake3 } from "../crypto/mod.ts";
import { MAX_PARENTS } from "../params/mod.ts";
import { forgedEvent, makeEvent, NET, newEngine, seal } from "./_harness.ts";
import { type ConsensusEngine, REFUSED_ROUNDS, toHex } from "./engine.ts";
import type { EventHeader } from "./types.ts";

// ADR 0025: what a Byzantine seat (or a peer replaying its signed junk) feeds the engine must not
// grow its memory without bound, and no verdict may depend on how much of it a node remembers.

/** Honest events of a 4-seat committee, created round-robin on one engine (creation order). */
function honest(n: number): EventHeader[] {
  const src = newEngine(4);
  const out: EventHeader[] = [];
  for (let i = 0; out.length < n; i++) {
    const h = makeEvent(src, i % 4);
    if (h !== undefined) out.push(h);
  }
  return out;
}

/** An event of `seat` on `e`'s current tips with a forged vote mask (refused when received). */
function forged(e: ConsensusEngine, seat: number, tag: number): EventHeader {
  return forgedEvent(e, seat, blake3(new Uint8Array([tag & 255, tag >> 8, 1])));
}

/** A signed child of `parent` by the same seat, cross-linked to `other`. */
function child(parent: EventHeader, other: Uint8Array, tag: number): EventHeader {
  return seal({
    network: NET,
    shard: 0,
    creator: parent.creator,
    seq: parent.seq + 1,
    selfParent: parent.id,
    parents: [other],
    voteMask: 0n,
    payloadRoot: blake3(new Uint8Array([tag & 255, tag >> 8, 2])),
  });
}

Deno.test("ConsensusEngine remembers at most maxRefused refused ids; a forgotten one is refused again", () => {
  const e = newEngine(4, { maxRefused: 8 });
  for (const h of honest(40)) assert.equal(e.receive(h, true).status, "inserted");
  const size = e.size;
  const f = forged(e, 0, 0);
  assert.equal(e.receive(f, true).error?.code, "FORGED_VOTE_MASK");
  assert.equal(e.takeEvidence().length, 1);
  const other = e.tip(1)!.id;
  const kids: EventHeader[] = [];
  let prev = f;
  for (let i = 0; i < 60; i++) {
    const c = child(prev, other, i);
    kids.push(c);
    prev = c;
    const r = e.receive(c, true);
    assert.equal(r.error?.code, "MISSING_PARENTS", `child ${i}`);
    assert.ok(e.refused(c.id), `child ${i}`);
    assert.ok(e.bookkeeping().refused <= 8, `child ${i}: ${e.bookkeeping().refused} remembered`);
  }
  assert.equal(e.bookkeeping().refused, 8);
  assert.equal(e.refused(f.id), false, "the oldest refusal is forgotten");
  assert.equal(e.refused(kids[0]!.id), false);
  // Remembered: a resend is a duplicate, not judged again.
  assert.equal(e.receive(kids[59]!, true).status, "duplicate");
  // Forgotten: judged again by the same checks, and refused again.
  assert.equal(e.receive(f, true).error?.code, "FORGED_VOTE_MASK");
  assert.ok(e.refused(f.id));
  assert.equal(e.takeEvidence().length, 1, "evidence repeats only once the id was forgotten");
  assert.equal(e.receive(kids[0]!, true).error?.code, "MISSING_PARENTS");
  // A child of a forgotten refused id waits like a child of an id never seen ...
  const r30 = e.receive(kids[30]!, true);
  assert.equal(r30.status, "pending");
  assert.deepEqual(r30.missing?.map(toHex), [toHex(kids[29]!.id)]);
  // ... and is refused as soon as its parent is refused again (waiters fail with it).
  for (let i = 1; i < 30; i++) {
    assert.equal(e.receive(kids[i]!, true).error?.code, "MISSING_PARENTS", `resend ${i}`);
  }
  assert.ok(e.refused(kids[30]!.id));
  assert.equal(e.pendingCount, 0);
  assert.equal(e.bookkeeping().waitedFor, 0);
  assert.equal(e.size, size, "no refused event entered the DAG");
  assert.equal(e.bookkeeping().earlyPayloads, 0, "refused events leave no payload mark");
  assert.throws(() => newEngine(4, { maxRefused: -1 }), RangeError);
});

Deno.test("ConsensusEngine bookkeeping stays bounded under junk and verdicts match a node that saw none", () => {
  const events = honest(600);
  const clean = newEngine(4);
  const small = newEngine(4, { maxRefused: 4, maxPending: 16, maxPendingSteps: 64 });
  const dflt = newEngine(4);
  const junk: EventHeader[] = [];
  let refusals = 0;
  let tag = 0;
  const feed = (x: EventHeader) => {
    const a = small.receive(x, true);
    const b = dflt.receive(x, true);
    assert.notEqual(a.status, "inserted");
    assert.notEqual(b.status, "inserted");
  };
  for (let i = 0; i < events.length; i++) {
    const h = events[i]!;
    for (const e of [clean, small, dflt]) assert.equal(e.receive(h, true).status, "inserted");
    if (i % 2 !== 0) continue;
    // Byzantine seat 3: a forged vote mask, a child of it, an event naming ids nobody has, a
    // payload announced for an id never sent, and a replay of older junk.
    const f = forged(clean, 3, tag++);
    const c = child(f, clean.tip(0)!.id, tag++);
    const u = seal({
      network: NET,
      shard: 0,
      creator: 3,
      seq: 1000 + i,
      selfParent: blake3(new Uint8Array([tag & 255, tag >> 8, 3])),
      parents: [blake3(new Uint8Array([tag & 255, tag >> 8, 4]))],
      voteMask: 0n,
      payloadRoot: blake3(new Uint8Array([tag++ & 255, 5])),
    });
    for (const x of [f, c, u]) feed(x);
    refusals += 2;
    junk.push(f, c);
    const early = blake3(new Uint8Array([tag & 255, tag++ >> 8, 6]));
    small.payloadArrived(early);
    dflt.payloadArrived(early);
    if (junk.length > 40) feed(junk[(i * 7) % (junk.length - 20)]!);
    const s = small.bookkeeping();
    assert.ok(s.refused <= 4, `step ${i}: ${s.refused} refused ids`);
    assert.ok(s.pending <= 16 && s.earlyPayloads <= 16, `step ${i}: ${JSON.stringify(s)}`);
    assert.ok(s.waitedFor <= 16 * MAX_PARENTS, `step ${i}: ${s.waitedFor} waited-for ids`);
    assert.equal(s.evidenceTags, 0, "forged masks add no evidence tag");
  }
  // Same DAG, same anchors, whatever each node remembered of the junk.
  const ids = (e: ConsensusEngine) => e.takeAnchors().map((a) => toHex(a.id));
  const want = ids(clean);
  assert.ok(want.length > REFUSED_ROUNDS + 8, `only ${want.length} anchors`);
  assert.deepEqual(ids(small), want);
  assert.deepEqual(ids(dflt), want);
  assert.equal(small.size, clean.size);
  assert.equal(dflt.size, clean.size);
  // The default cap was never reached; decided rounds forgot the old refusals all the same.
  const d = dflt.bookkeeping();
  assert.ok(d.refused > 4 && d.refused < refusals / 2, `${d.refused} of ${refusals} remembered`);
  assert.equal(dflt.refused(junk[0]!.id), false);
  assert.ok(dflt.refused(junk[junk.length - 1]!.id));
  // Waiting junk expires; nothing it named stays behind.
  for (let i = 0; i < 70; i++) small.receive(seal({ ...events[0]!, network: NET + 1 }), true);
  assert.equal(small.bookkeeping().pending, 0);
  assert.equal(small.bookkeeping().waitedFor, 0);
});

Deno.test("ConsensusEngine forgets refusals between calls, never inside one call's cascade", () => {
  // A held-back first event makes the rest wait; a junk event is refused meanwhile; releasing
  // the first event inserts everything and decides far more than REFUSED_ROUNDS rounds in that one
  // call. The refusal must still be visible after that call (the node drops refused events it
  // holds by asking `refused(id)` right after each call), and be forgotten by the next call.
  const events = honest(600);
  const e = newEngine(4);
  for (const h of events.slice(1)) assert.notEqual(e.receive(h, true).status, "inserted");
  const j = forged(e, 2, 9);
  assert.equal(e.receive(j, true).error?.code, "FORGED_VOTE_MASK");
  assert.equal(e.receive(events[0]!, true).status, "inserted");
  const anchors = e.takeAnchors().length;
  assert.ok(anchors > REFUSED_ROUNDS + 8, `only ${anchors} anchors decided in the cascade`);
  assert.ok(e.refused(j.id), "refused during the cascade, still known after it");
  e.receive(events[1]!, true); // the next call (a duplicate) forgets what is old enough
  assert.equal(e.refused(j.id), false);
});

Deno.test("ConsensusEngine.failedBuffered counts buffered events refused, not junk refused on arrival", () => {
  const e = newEngine(4);
  for (const h of honest(40)) assert.equal(e.receive(h, true).status, "inserted");
  const other = e.tip(1)!.id;
  // Junk refused on arrival (a forged mask, children of it): nothing buffered failed.
  const f = forged(e, 0, 1);
  assert.equal(e.receive(f, true).error?.code, "FORGED_VOTE_MASK");
  assert.equal(e.receive(child(f, other, 2), true).error?.code, "MISSING_PARENTS");
  assert.equal(e.failedBuffered, 0);
  // A child that arrives first is buffered; its forged parent then fails it: one.
  const g = forged(e, 2, 3);
  const kid = child(g, other, 4);
  assert.equal(e.receive(kid, true).status, "pending");
  assert.equal(e.receive(g, true).error?.code, "FORGED_VOTE_MASK");
  assert.ok(e.refused(kid.id));
  assert.equal(e.failedBuffered, 1);
});
