/**
 * Test harness (private to this module's tests): k engines, one per seat, exchanging events in a
 * seeded random order with fake but deterministic signatures. Not part of the public API.
 * @module
 */
import { blake3 } from "../crypto/mod.ts";
import type { ConsensusCheckpoint } from "./checkpoint.ts";
import { ConsensusEngine } from "./engine.ts";
import type { EventHeader, FinalizedAnchor } from "./types.ts";

/** mulberry32: tiny seeded PRNG for tests. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const NET = 7;
export const GENESIS = new Uint8Array(32).fill(9);
/** Signature bytes starting with 0xee are "bad". */
export const verifyFake = (h: EventHeader): boolean => h.signature[0] !== 0xee;

/** Deterministic id and signature of unsigned fields. */
export function seal(u: Omit<EventHeader, "id" | "signature">, bad = false): EventHeader {
  const enc = new TextEncoder().encode(
    JSON.stringify([
      u.network,
      u.shard,
      u.creator,
      u.seq,
      u.selfParent ? [...u.selfParent] : null,
      u.parents.map((p) => [...p]),
      u.voteMask.toString(),
      [...u.payloadRoot],
    ]),
  );
  const id = blake3(enc);
  const signature = blake3(id, { dkLen: 64 });
  if (bad) signature[0] = 0xee;
  else if (signature[0] === 0xee) signature[0] = 0;
  return { ...u, id, signature };
}

export function newEngine(
  k: number,
  extra: {
    maxPendingSteps?: number;
    maxPending?: number;
    maxRefused?: number;
    checkpoint?: ConsensusCheckpoint;
  } = {},
): ConsensusEngine {
  return new ConsensusEngine({
    network: NET,
    shard: 0,
    committeeSize: k,
    genesisId: GENESIS,
    verifySignature: verifyFake,
    ...extra,
  });
}

/** Creates the next event of `seat` on its engine (inserted there) and returns it. */
export function makeEvent(e: ConsensusEngine, seat: number, tag = 0): EventHeader | undefined {
  const parents = e.selectParents(seat);
  if (e.k >= 2 && e.tip(seat) !== undefined && parents.length === 0) return undefined;
  const p = e.prepareEvent(seat, parents);
  const h = seal({
    network: NET,
    shard: 0,
    creator: seat,
    seq: p.seq,
    selfParent: p.selfParent,
    parents: p.parents,
    voteMask: p.voteMask,
    payloadRoot: blake3(new Uint8Array([seat, p.seq & 255, tag])),
  });
  const r = e.receive(h, true);
  if (r.status !== "inserted") throw new Error(`own event not inserted: ${r.error?.message}`);
  return h;
}

/**
 * A signed event of `seat` on `e`'s current tips whose vote mask has one bit flipped: a forged
 * mask, refused with FORGED_VOTE_MASK when `e` receives it (not inserted anywhere).
 */
export function forgedEvent(
  e: ConsensusEngine,
  seat: number,
  payloadRoot: Uint8Array,
): EventHeader {
  const p = e.prepareEvent(seat, e.selectParents(seat));
  return seal({
    network: NET,
    shard: 0,
    creator: seat,
    seq: p.seq,
    selfParent: p.selfParent,
    parents: p.parents,
    voteMask: p.voteMask ^ 0b10n,
    payloadRoot,
  });
}

/** Result of {@linkcode runNetwork}. */
export interface NetRun {
  engines: ConsensusEngine[];
  anchors: FinalizedAnchor[][];
  events: EventHeader[];
}

/**
 * Runs `steps` steps: each step either a seat creates an event (broadcast into every other
 * engine's inbox) or one inbox delivers a random queued event. `forkers` create a second event
 * at the same seq each time, sent to a different half.
 */
export function runNetwork(k: number, steps: number, seed: number, forkers: number[] = []): NetRun {
  const r = rng(seed);
  const engines = Array.from({ length: k }, () => newEngine(k));
  const inbox: EventHeader[][] = Array.from({ length: k }, () => []);
  const anchors: FinalizedAnchor[][] = Array.from({ length: k }, () => []);
  const events: EventHeader[] = [];
  for (let s = 0; s < steps; s++) {
    const who = Math.floor(r() * k);
    if (r() < 0.35) {
      const h = makeEvent(engines[who]!, who);
      if (h === undefined) continue;
      events.push(h);
      if (forkers.includes(who)) {
        const f = seal({ ...h, payloadRoot: blake3(h.id) });
        engines[who]!.receive(f, true);
        events.push(f);
        for (let j = 0; j < k; j++) if (j !== who) inbox[j]!.push(j % 2 === 0 ? h : f);
        for (let j = 0; j < k; j++) if (j !== who) inbox[j]!.push(j % 2 === 0 ? f : h);
      } else {
        for (let j = 0; j < k; j++) if (j !== who) inbox[j]!.push(h);
      }
    } else {
      // Deliver a burst (about one event per seat), each picked among the oldest few: reordering
      // without unbounded lag.
      const box = inbox[who]!;
      for (let b = 0; b < k && box.length > 0; b++) {
        const i = Math.floor(r() * Math.min(box.length, 6));
        const [h] = box.splice(i, 1);
        engines[who]!.receive(h!, true);
      }
    }
    for (let j = 0; j < k; j++) anchors[j]!.push(...engines[j]!.takeAnchors());
  }
  // Drain every inbox so all engines end with the same DAG.
  for (let j = 0; j < k; j++) {
    for (const h of inbox[j]!) engines[j]!.receive(h, true);
    anchors[j]!.push(...engines[j]!.takeAnchors());
  }
  return { engines, anchors, events };
}
