import assert from "node:assert/strict";
import fc from "fast-check";
import { blake3 } from "../crypto/mod.ts";
import { faultBound, hexToBytes, popcount, quorum, toHex } from "./engine.ts";
import { genesisAnchor } from "./genesis.ts";
import { ConsensusError } from "./errors.ts";
import { forgedEvent, GENESIS, makeEvent, NET, newEngine, runNetwork, seal } from "./_harness.ts";
import type { EventHeader, FinalizedAnchor } from "./types.ts";

const ZERO = new Uint8Array(32);

function agreeOnPrefix(anchors: FinalizedAnchor[][], label: string): number {
  const minLen = Math.min(...anchors.map((a) => a.length));
  for (let h = 0; h < minLen; h++) {
    const id = toHex(anchors[0]![h]!.id);
    for (let j = 1; j < anchors.length; j++) {
      assert.equal(toHex(anchors[j]![h]!.id), id, `${label}: node ${j} anchor ${h + 1}`);
    }
  }
  return minLen;
}

Deno.test("quorum() is the smallest integer above 2k/3 and faultBound() is floor((k - 1) / 3)", () => {
  assert.equal(faultBound(21), 6);
  assert.equal(quorum(21), 15);
  assert.equal(quorum(7), 5);
  assert.equal(quorum(1), 1);
  assert.equal(quorum(4), 3);
  assert.equal(quorum(64), 43);
  assert.throws(() => quorum(0), RangeError);
  assert.throws(() => quorum(65), RangeError);
  assert.equal(popcount(0xffff_ffff_ffff_ffffn), 64);
});

Deno.test("ConsensusEngine finalizes with k = 1 (bootstrap, cross-link rule suspended)", () => {
  const e = newEngine(1);
  for (let i = 0; i < 8; i++) makeEvent(e, 0);
  const anchors = e.takeAnchors();
  assert.ok(anchors.length >= 5, `anchors ${anchors.length}`);
  assert.equal(anchors[0]!.height, 1);
  assert.equal(anchors.flatMap((a) => a.events).length, e.orderedCount);
  const a0 = genesisAnchor(NET, 1, "note");
  assert.equal(a0.height, 0);
  assert.deepEqual(a0.genesisNoteHash, blake3(new TextEncoder().encode("note")));
  assert.notDeepEqual(genesisAnchor(NET + 1, 1, "note").id, a0.id);
  assert.notDeepEqual(genesisAnchor(NET, 1, "other").id, a0.id);
  assert.throws(() => genesisAnchor(NET, 0, "note"), RangeError);
});

Deno.test("ConsensusEngine orders the same DAG identically on every node", () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 1_000_000 }), (seed) => {
      const run = runNetwork(4, 900, seed);
      const n = agreeOnPrefix(run.anchors, `seed ${seed}`);
      assert.ok(n >= 3, `seed ${seed}: only ${n} anchors`);
      // Total order is (consensus_time, event_id): ids increase inside an anchor.
      for (const a of run.anchors[0]!) {
        for (let i = 1; i < a.events.length; i++) {
          assert.ok(toHex(a.events[i - 1]!.id) < toHex(a.events[i]!.id), `seed ${seed}`);
        }
      }
    }),
    { seed: 20261122, numRuns: 12 },
  );
});

Deno.test("ConsensusEngine keeps safety and produces evidence when a seat equivocates", () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 1_000_000 }), (seed) => {
      const run = runNetwork(4, 1200, seed, [2]);
      const n = agreeOnPrefix(run.anchors, `seed ${seed}`);
      assert.ok(n >= 2, `seed ${seed}: only ${n} anchors`);
      const honestEvidence = run.engines.slice(0, 2).flatMap((e) => e.takeEvidence());
      assert.ok(
        honestEvidence.some((ev) => ev.kind === "equivocation" && ev.creator === 2),
        `seed ${seed}: no evidence`,
      );
      const ev = honestEvidence.find((x) => x.kind === "equivocation")!;
      assert.equal(ev.events[0]!.seq, ev.events[1]!.seq);
      assert.notDeepEqual(ev.events[0]!.id, ev.events[1]!.id);
    }),
    { seed: 7, numRuns: 6 },
  );
});

function firstTwo(): { e: ReturnType<typeof newEngine>; a: EventHeader; b: EventHeader } {
  // Two independent first events (seq 0, no parents) from two seats.
  const e = newEngine(4);
  const a = makeEvent(newEngine(4), 0)!;
  const b = makeEvent(newEngine(4), 1)!;
  return { e, a, b };
}

function expectReject(r: { status: string; error?: ConsensusError }, code: string): void {
  assert.equal(r.status, "rejected");
  assert.ok(r.error instanceof ConsensusError);
  assert.equal(r.error.code, code);
}

Deno.test("ConsensusEngine.receive() rejects invalid events with typed codes and counts them", () => {
  const { e, a } = firstTwo();
  expectReject(e.receive(seal({ ...a, network: NET + 1 }), true), "WRONG_NETWORK");
  expectReject(e.receive(seal({ ...a, shard: 3 }), true), "WRONG_SHARD");
  expectReject(e.receive(seal({ ...a, creator: 4 }), true), "UNKNOWN_CREATOR");
  const four = [1, 2, 3, 4].map((i) => new Uint8Array(32).fill(i));
  expectReject(e.receive(seal({ ...a, parents: four }), true), "TOO_MANY_PARENTS");
  expectReject(e.receive(seal({ ...a, seq: 1 }), true), "BAD_SEQ");
  expectReject(
    e.receive(seal({ ...a, seq: 3, selfParent: ZERO, parents: [] }), true),
    "NO_CROSS_LINK",
  );
  expectReject(
    e.receive(seal({ ...a, seq: 3, selfParent: ZERO, parents: [ZERO] }), true),
    "MALFORMED_PARENTS",
  );
  expectReject(e.receive(seal({ ...a, voteMask: 1n << 5n }), true), "FORGED_VOTE_MASK");
  expectReject(e.receive(seal(a, true), true), "BAD_SIGNATURE");
  // A corrupted-signature copy shares the id but must not shadow the genuine event.
  assert.equal(e.receive(a, true).status, "inserted");
  assert.equal(e.receive(a, true).status, "duplicate");
  const counts = e.rejectedCounts();
  for (const c of ["WRONG_NETWORK", "WRONG_SHARD", "UNKNOWN_CREATOR", "TOO_MANY_PARENTS"]) {
    assert.equal(counts[c], 1, c);
  }
});

Deno.test("ConsensusEngine.receive() detects a forged vote mask and yields evidence", () => {
  const src = newEngine(4);
  const evs: EventHeader[] = [];
  for (let i = 0; i < 40; i++) {
    const h = makeEvent(src, i % 4);
    if (h !== undefined) evs.push(h);
  }
  const e = newEngine(4);
  for (const h of evs) e.receive(h, true);
  const forged = forgedEvent(e, 0, ZERO);
  expectReject(e.receive(forged, true), "FORGED_VOTE_MASK");
  const ev = e.takeEvidence();
  assert.equal(ev.length, 1);
  assert.equal(ev[0]!.kind, "forged_vote_mask");
  assert.equal(ev[0]!.creator, 0);
});

Deno.test("ConsensusEngine holds events without payload out of the DAG until it arrives", () => {
  const { e, a, b } = firstTwo();
  assert.equal(e.receive(a, false).status, "pending");
  assert.equal(e.has(a.id), false);
  assert.equal(e.receive(b, true).status, "inserted");
  // Pull-then-vote: an event whose payload is not held is never chosen as a parent.
  const parents = e.selectParents(2).map(toHex);
  assert.ok(!parents.includes(toHex(a.id)));
  assert.ok(e.wantedPayloads(10).some((id) => toHex(id) === toHex(a.id)));
  assert.equal(e.payloadArrived(a.id).status, "inserted");
  assert.ok(e.selectParents(2).map(toHex).includes(toHex(a.id)));
});

Deno.test("ConsensusEngine drops an event whose payload never arrives after a bounded wait", () => {
  const e = newEngine(4, { maxPendingSteps: 5 });
  const a = makeEvent(newEngine(4), 0)!;
  assert.equal(e.receive(a, false).status, "pending");
  for (let i = 1; i <= 6; i++) e.receive(seal({ ...a, network: NET + 1, seq: i }), true);
  assert.equal(e.pendingCount, 0);
  assert.equal(e.rejectedCounts()["PAYLOAD_UNAVAILABLE"], 1);
  assert.equal(e.has(a.id), false);
});

Deno.test("ConsensusEngine buffers events with missing parents, then inserts them in cascade", () => {
  const src = newEngine(4);
  const evs: EventHeader[] = [];
  for (let i = 0; i < 12; i++) {
    const h = makeEvent(src, i % 4);
    if (h !== undefined) evs.push(h);
  }
  const e = newEngine(4);
  const rev = [...evs].reverse();
  for (const h of rev.slice(0, -1)) assert.equal(e.receive(h, true).status, "pending");
  assert.ok(e.wanted(100).length > 0);
  assert.equal(e.receive(rev[rev.length - 1]!, true).status, "inserted");
  assert.equal(e.size, evs.length);
  assert.equal(e.pendingCount, 0);
});

Deno.test("ConsensusEngine rejects an event whose parents never arrive after a bounded wait", () => {
  const e = newEngine(4, { maxPendingSteps: 3 });
  const src = newEngine(4);
  makeEvent(src, 0);
  makeEvent(src, 1);
  const orphan = makeEvent(src, 0)!;
  const r = e.receive(orphan, true);
  assert.equal(r.status, "pending");
  assert.ok(r.missing !== undefined && r.missing.length > 0);
  for (let i = 0; i < 5; i++) {
    e.receive(seal({ ...orphan, network: NET + 1 }), true);
  }
  assert.equal(e.pendingCount, 0);
  assert.equal(e.rejectedCounts()["MISSING_PARENTS"], 1);
});

Deno.test("ConsensusEngine anchor ids chain from the genesis id", () => {
  const e = newEngine(1);
  for (let i = 0; i < 6; i++) makeEvent(e, 0);
  const anchors = e.takeAnchors();
  assert.ok(anchors.length > 0);
  assert.deepEqual(e.lastAnchorId, anchors[anchors.length - 1]!.id);
  assert.notDeepEqual(anchors[0]!.id, GENESIS);
});

Deno.test("ConsensusEngine receives an event in the first round with a famous descendant, never before its parents", () => {
  for (const seed of [3, 17, 29]) {
    const run = runNetwork(4, 900, seed);
    const e = run.engines[0]!;
    const byId = new Map(run.events.map((h) => [toHex(h.id), h]));
    // Ancestor set of an event (itself included), by walking parent links of the headers.
    const ancestors = (id: string): Set<string> => {
      const out = new Set<string>();
      const stack = [id];
      while (stack.length > 0) {
        const z = stack.pop()!;
        if (out.has(z)) continue;
        out.add(z);
        const h = byId.get(z)!;
        for (const p of h.selfParent === null ? h.parents : [h.selfParent, ...h.parents]) {
          stack.push(toHex(p));
        }
      }
      return out;
    };
    const below = new Set<string>(); // ancestors of famous witnesses of earlier anchors
    let ordered = 0;
    for (const a of run.anchors[0]!) {
      const here = new Set<string>();
      for (const f of a.famous) for (const x of ancestors(toHex(f))) here.add(x);
      for (const x of a.events) {
        const key = toHex(x.id);
        assert.ok(
          here.has(key),
          `seed ${seed}: ${key} has no famous descendant in round ${a.round}`,
        );
        assert.ok(
          !below.has(key),
          `seed ${seed}: ${key} could have been received before ${a.round}`,
        );
        assert.equal(e.consensusTimeOf(x.id), a.round);
        for (const p of x.selfParent === null ? x.parents : [x.selfParent, ...x.parents]) {
          const t = e.consensusTimeOf(p);
          assert.ok(t !== undefined && t <= a.round, `seed ${seed}: parent ordered after child`);
        }
        ordered++;
      }
      // Every not yet ordered ancestor of this round's famous witnesses is ordered here.
      for (const x of here) {
        if (!below.has(x)) assert.equal(e.consensusTimeOf(hexToBytes(x)), a.round, `seed ${seed}`);
      }
      for (const x of here) below.add(x);
    }
    assert.ok(ordered > 50, `seed ${seed}: only ${ordered} events ordered`);
  }
});
