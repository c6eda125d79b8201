import assert from "node:assert/strict";
import { MAX_PARENTS } from "../params/mod.ts";
import { makeEvent, NET, newEngine, runNetwork, seal } from "./_harness.ts";
import { buildCheckpoint, CheckpointError, type ConsensusCheckpoint } from "./checkpoint.ts";
import { type ConsensusEngine, STALE_ROUNDS, toHex } from "./engine.ts";
import type { EventHeader, FinalizedAnchor } from "./types.ts";

function restored(k: number, cp: ConsensusCheckpoint): ConsensusEngine {
  return newEngine(k, { checkpoint: cp });
}

const view = (a: FinalizedAnchor) => ({
  height: a.height,
  id: toHex(a.id),
  events: a.events.map((h) => toHex(h.id)),
});

for (const [k, seed, steps] of [[4, 11, 6000], [4, 12, 6000], [7, 5, 9000]] as const) {
  Deno.test(`buildCheckpoint() + restore: k=${k} seed ${seed} orders the rest like the full engine`, () => {
    const run = runNetwork(k, steps, seed);
    const events = run.events;
    const full = newEngine(k);
    const split = Math.floor(events.length * 0.6);
    const before: FinalizedAnchor[] = [];
    for (const h of events.slice(0, split)) {
      full.receive(h, true);
      before.push(...full.takeAnchors());
    }
    assert.ok(before.length > 60, `anchors before the split: ${before.length}`);
    // Checkpoint at an anchor older than the engine's latest: later anchors are ordered again.
    const at = before[before.length - 5]!;
    const cp = buildCheckpoint(full, { round: at.round, anchorId: at.id });
    assert.ok(cp.events.length < split, `window ${cp.events.length} of ${split} events`);
    const resumed = restored(k, cp);
    const got = resumed.takeAnchors();
    const want = before.filter((a) => a.height > at.height);
    for (const h of events.slice(split)) {
      full.receive(h, true);
      want.push(...full.takeAnchors());
      resumed.receive(h, true);
      got.push(...resumed.takeAnchors());
    }
    assert.ok(want.length > 20, `anchors after the checkpoint: ${want.length}`);
    assert.deepEqual(got.map(view), want.map(view));
    assert.deepEqual([...resumed.knownSeqs()], [...full.knownSeqs()]);
  });
}

Deno.test("buildCheckpoint() refuses an unfinalized round and a forked DAG", () => {
  const run = runNetwork(4, 400, 3);
  const e = run.engines[0]!;
  assert.throws(
    () => buildCheckpoint(e, { round: e.finalizedHeight + 5, anchorId: new Uint8Array(32) }),
    (x) => x instanceof CheckpointError && x.code === "CHECKPOINT_NOT_FINALIZED",
  );
  const forked = runNetwork(4, 400, 3, [1]);
  const f = forked.engines[0]!;
  assert.ok(f.finalizedHeight > 1);
  assert.throws(
    () => buildCheckpoint(f, { round: f.finalizedHeight - 1, anchorId: new Uint8Array(32) }),
    (x) => x instanceof CheckpointError && x.code === "CHECKPOINT_FORKED",
  );
});

Deno.test("ConsensusEngine({ checkpoint }) refuses inconsistent checkpoints", () => {
  const run = runNetwork(4, 900, 21);
  const e = run.engines[0]!;
  const anchors = run.anchors[0]!;
  const at = anchors[anchors.length - 3]!;
  const cp = buildCheckpoint(e, { round: at.round, anchorId: at.id });
  assert.doesNotThrow(() => restored(4, cp));
  const refused = (c: ConsensusCheckpoint) =>
    assert.throws(
      () => restored(4, c),
      (x) => x instanceof CheckpointError && x.code === "CHECKPOINT_INVALID",
    );
  const last = cp.events.length - 1;
  const edit = (i: number, patch: Record<string, unknown>) => ({
    ...cp,
    events: cp.events.map((ev, j) => (j === i ? { ...ev, ...patch } : ev)),
  });
  // A round that the recomputation contradicts.
  refused(edit(last, { round: cp.events[last]!.round + 1 }));
  // A vector clock that claims more than the parents give.
  refused(edit(last, { hbSeq: cp.events[last]!.hbSeq.map((s, v) => v === 0 ? s + 1 : s) }));
  // Witness flag flipped.
  refused(edit(last, { witness: !cp.events[last]!.witness }));
  // An event in the middle of the window dropped: its children point outside.
  refused({ ...cp, events: cp.events.filter((_, j) => j !== Math.floor(last / 2)) });
  // Children before parents.
  refused({ ...cp, events: [...cp.events].reverse() });
  // A bad signature.
  const sig = cp.events[last]!.header.signature.slice();
  sig[0] = 0xee;
  refused(edit(last, { header: { ...cp.events[last]!.header, signature: sig } }));
  // Ordered above the anchor round, wrong network, bad height.
  refused(edit(last, { ordered: true, round: cp.height + 3 }));
  refused(edit(0, { header: { ...cp.events[0]!.header, network: NET + 1 } }));
  refused({ ...cp, height: 0 });
});

Deno.test("restored engine: a validator back after a long absence references pre-window events; anchors still match", () => {
  const k = 4;
  const net = newEngine(k); // seats 0..2 (one shared view) and the reference ordering
  const lag = newEngine(k); // seat 3's own view
  const byId = new Map<string, EventHeader>();
  const fed: EventHeader[] = [];
  const toNet = (h: EventHeader | undefined) => {
    if (h === undefined) return;
    byId.set(toHex(h.id), h);
    if (!net.has(h.id)) net.receive(h, true);
    fed.push(h);
  };
  const cycle = (withLag: boolean) => {
    for (let s = 0; s < 3; s++) {
      const h = makeEvent(net, s);
      toNet(h);
      if (withLag && h !== undefined) lag.receive(h, true);
    }
  };
  for (let i = 0; i < 30; i++) {
    cycle(true);
    toNet(makeEvent(lag, 3));
  }
  cycle(true);
  cycle(true);
  // Seat 3 goes silent and hears nothing while the others finalize far past the window.
  const silentAt = net.finalizedHeight;
  while (net.finalizedHeight < silentAt + 3 * STALE_ROUNDS + 10) cycle(false);
  const before = net.takeAnchors();
  const at = before[before.length - 2]!;
  const cp = buildCheckpoint(net, { round: at.round, anchorId: at.id });
  const resumed = restored(k, cp);
  const got = resumed.takeAnchors();
  const want = before.filter((a) => a.height > at.height);
  // Feeds the restored engine like a node: missing parents are pulled from the others.
  let pulled = 0;
  const feed = (h: EventHeader) => {
    const r = resumed.receive(h, true);
    for (const m of r.missing ?? []) {
      pulled++;
      feed(byId.get(toHex(m))!);
    }
  };
  // Seat 3 comes back: its first event references what it last saw (far below the window).
  const x = makeEvent(lag, 3)!;
  toNet(x);
  feed(x);
  assert.ok(resumed.has(x.id), "the returning validator's event is in the restored DAG");
  // Only its direct parents were pulled: pre-window events are not chased back to genesis.
  assert.ok(pulled > 0 && pulled < MAX_PARENTS, `pulled ${pulled} events`);
  for (const h of fed) if (!lag.has(h.id)) lag.receive(h, true);
  const start = fed.length;
  for (let i = 0; i < 40; i++) {
    cycle(true);
    toNet(makeEvent(lag, 3));
  }
  for (const h of fed.slice(start)) feed(h);
  want.push(...net.takeAnchors());
  got.push(...resumed.takeAnchors());
  assert.ok(want.length > 20, `anchors after the checkpoint: ${want.length}`);
  assert.deepEqual(got.map(view), want.map(view));
});

Deno.test("restored engine: signed forks of pre-window seqs are bounded (one per slot), flagged and counted", () => {
  const k = 4;
  const events = runNetwork(k, 6000, 11).events;
  const full = newEngine(k);
  const split = Math.floor(events.length * 0.6);
  const before: FinalizedAnchor[] = [];
  for (const h of events.slice(0, split)) {
    full.receive(h, true);
    before.push(...full.takeAnchors());
  }
  const at = before[before.length - 5]!;
  const cp = buildCheckpoint(full, { round: at.round, anchorId: at.id });
  const byz = 1;
  let firstFull = Number.MAX_SAFE_INTEGER;
  for (const e of cp.events) {
    if (e.header.creator === byz && e.round >= cp.base) {
      firstFull = Math.min(firstFull, e.header.seq);
    }
  }
  const mine = cp.events.filter((e) => e.header.creator === byz);
  const listed = new Set(mine.map((e) => e.header.seq));
  assert.ok(firstFull > 8 && firstFull < Number.MAX_SAFE_INTEGER, `first full seq ${firstFull}`);
  const resumed = restored(k, cp);
  const got = resumed.takeAnchors();
  const want = before.filter((a) => a.height > at.height);
  const size0 = resumed.size;
  // The Byzantine seat signs many variants of each of its old events (same parents, other
  // payload), interleaved with the honest rest of the run.
  const FORKS = 40;
  const seqs = Array.from({ length: firstFull }, (_, s) => s);
  let fed = 0;
  const rest = events.slice(split);
  const step = Math.max(1, Math.floor(rest.length / FORKS));
  const honest = (n: number) => {
    for (const h of rest.slice(fed, fed + n)) {
      full.receive(h, true);
      want.push(...full.takeAnchors());
      resumed.receive(h, true);
      got.push(...resumed.takeAnchors());
    }
    fed += n;
  };
  const grown = () => resumed.size - size0 - fed;
  for (let j = 0; j < FORKS; j++) {
    for (const s of seqs) {
      const h = full.eventsAt(byz, s)[0]!;
      const r = resumed.receive(seal({ ...h, payloadRoot: new Uint8Array(32).fill(j + 1) }), true);
      if (j > 0 || listed.has(s)) {
        assert.equal(r.status, "rejected", `fork ${j} of seq ${s}`);
        assert.equal(r.error?.code, "PRE_WINDOW_FORK");
      }
    }
    honest(step);
  }
  honest(rest.length - fed);
  // At most one event per pre-window (creator, seq): the first variant of each slot not held.
  const fresh = seqs.filter((s) => !listed.has(s)).length;
  assert.ok(grown() <= fresh, `grew by ${grown()} (bound ${fresh})`);
  assert.equal(resumed.pendingCount, 0);
  // Pre-window events are marked only until inserted or dropped (ADR 0025).
  assert.equal(resumed.bookkeeping().ancient, 0);
  assert.equal(resumed.rejectedCounts()["PRE_WINDOW_FORK"], FORKS * seqs.length - grown());
  // One equivocation proof per forked slot, by the Byzantine seat, two distinct signed events.
  const ev = resumed.takeEvidence();
  assert.equal(ev.length, seqs.length);
  for (const x of ev) {
    assert.equal(x.kind, "equivocation");
    assert.equal(x.creator, byz);
    assert.equal(x.events[0]!.seq, x.events[1]!.seq);
    assert.notEqual(toHex(x.events[0]!.id), toHex(x.events[1]!.id));
  }
  // The honest history is unaffected: the restored engine orders like the full one.
  assert.ok(want.length > 20, `anchors after the checkpoint: ${want.length}`);
  assert.deepEqual(got.map(view), want.map(view));
});

Deno.test("restored engine: a pre-window fork is inserted only when a buffered event names it as parent", () => {
  const k = 4;
  const run = runNetwork(k, 4000, 11);
  const full = run.engines[0]!;
  const anchors = run.anchors[0]!;
  const at = anchors[anchors.length - 3]!;
  const cp = buildCheckpoint(full, { round: at.round, anchorId: at.id });
  const firstFull = (c: number) =>
    Math.min(
      ...cp.events.filter((e) => e.header.creator === c && e.round >= cp.base).map((e) =>
        e.header.seq
      ),
    );
  assert.ok(firstFull(1) > 1 && firstFull(2) > 1 && firstFull(3) > 1, `base ${cp.base}`);
  const resumed = restored(k, cp);
  // Seat 1's last pre-window event holds its slot (listed, or taken as history when it arrives);
  // a variant of it, unsolicited, is refused.
  const s1 = firstFull(1) - 1;
  const honest1 = full.eventsAt(1, s1)[0]!;
  if (!resumed.has(honest1.id)) assert.equal(resumed.receive(honest1, true).status, "inserted");
  const size0 = resumed.size;
  const fork = seal({ ...honest1, payloadRoot: new Uint8Array(32).fill(0xab) });
  assert.equal(resumed.receive(fork, true).error?.code, "PRE_WINDOW_FORK");
  assert.equal(resumed.size, size0);
  assert.deepEqual(resumed.takeEvidence().map((e) => `${e.kind}:${e.creator}`), ["equivocation:1"]);
  // An event that builds on it (seat 2, first in-window seq, on its pre-window self-parent) pulls
  // it in: the variant is inserted, and both equivocations are reported.
  const s2 = firstFull(2);
  const self = full.eventsAt(2, s2 - 1)[0]!;
  const x = seal({
    network: NET,
    shard: 0,
    creator: 2,
    seq: s2,
    selfParent: self.id,
    parents: [fork.id],
    voteMask: 0n,
    payloadRoot: new Uint8Array(32).fill(0xcd),
  });
  const r = resumed.receive(x, true);
  assert.equal(r.status, "pending");
  for (const m of r.missing ?? []) {
    resumed.receive(toHex(m) === toHex(fork.id) ? fork : full.get(m)!, true);
  }
  assert.ok(resumed.has(fork.id) && resumed.has(x.id));
  const kinds = new Set(resumed.takeEvidence().map((e) => `${e.kind}:${e.creator}`));
  assert.ok(kinds.has("equivocation:2"), [...kinds].join());
  // A third variant of the slot is refused, unsolicited or even when a buffered event needs it:
  // a slot holds at most two events.
  const again = seal({ ...fork, payloadRoot: new Uint8Array(32).fill(0xac) });
  assert.equal(resumed.receive(again, true).error?.code, "PRE_WINDOW_FORK");
  const s3 = firstFull(3);
  const y = seal({
    ...x,
    creator: 3,
    seq: s3,
    selfParent: full.eventsAt(3, s3 - 1)[0]!.id,
    parents: [again.id],
  });
  const ry = resumed.receive(y, true);
  assert.equal(ry.status, "pending");
  for (const m of ry.missing ?? []) {
    const r = resumed.receive(toHex(m) === toHex(again.id) ? again : full.get(m)!, true);
    if (toHex(m) === toHex(again.id)) assert.equal(r.error?.code, "PRE_WINDOW_FORK");
  }
  assert.ok(!resumed.has(again.id) && !resumed.has(y.id));
});
