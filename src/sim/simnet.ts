/**
 * Deterministic discrete-event simulator: N full nodes (real consensus engine each, real BIP-340
 * signatures, codec encoding, the UTXO state engine of src/state) over a simulated network with per-link latency,
 * loss, duplication, reordering, partitions, crash/restart and Byzantine seats. Same scenario and
 * seed give the same summary byte for byte. Schema and metrics: docs/simnet.md.
 * @module
 */
import { blake3, schnorrPublicKey, schnorrSign, schnorrVerify } from "../crypto/mod.ts";
import { ConsensusEngine, type EventHeader, genesisAnchor, toHex } from "../consensus/mod.ts";
import { Prng } from "./prng.ts";
import type { ByzantineKind, Scenario } from "./scenario.ts";
import {
  buildCodecHeader,
  ConsensusError,
  decodeWireEvent,
  encodeWireEvent,
  type NewEventFields,
} from "../consensus/mod.ts";
import { CodecError } from "../codec/mod.ts";
import {
  clientTx,
  decodeSimPayload,
  encodeSimPayload,
  invalidTx,
  type SimPayload,
  type SimTx,
  UtxoState,
} from "./utxo_state.ts";

/** Thrown for bytes that do not decode to a usable event. */
class WireError extends Error {}

/** p50 / p95 / max of a sample. */
export interface Quantiles {
  /** Median. */
  readonly p50: number;
  /** 95th percentile. */
  readonly p95: number;
  /** Maximum. */
  readonly max: number;
}

/** The summary.json of one run (docs/simnet.md). */
export interface SimSummary {
  scenario: string;
  seed: number;
  nodes: number;
  byzantine: number;
  sim_time: number;
  events_created: number;
  finalized_anchors: number;
  finalized_events: number;
  finality_rounds: Quantiles;
  finality_delays: Quantiles;
  tx_finality_delays: Quantiles;
  tx_submitted: number;
  tx_finalized: number;
  safety_violations: number;
  state_root_mismatches: number;
  evidence_missing: number;
  liveness_ok: boolean;
  rejected: Record<string, number>;
  evidence: Record<string, number>;
  messages: { sent: number; dropped: number; duplicated: number };
  failures: string[];
}

const NETWORK_ID = 0x7073696d; // "psim"
const SHARD = 0;
const MAX_SYNC_BATCH = 4000;
/** Inserted events between two full eager-round checks that failed (docs/simnet.md). */
const EAGER_RETRY_EVENTS = 4;
/** Inserted events between two cheap eager-round checks (`mayAdvanceRound`) that failed. */
const EAGER_RETRY_BOUND_EVENTS = 2;

type Msg =
  | { k: "ev"; from: number; wire: Uint8Array; payload: Uint8Array | null }
  | { k: "batch"; from: number; items: { wire: Uint8Array; payload: Uint8Array | null }[] }
  | {
    k: "sync";
    from: number;
    known: Int32Array;
    tips: (string | null)[];
    wanted: string[];
    /** A pull of missing parents only (answered with exactly those). */
    pull: boolean;
  };

type Action =
  | { a: "deliver"; to: number; msg: Msg }
  | { a: "create"; node: number; inc: number; tok: number }
  | { a: "tick"; node: number; inc: number }
  | { a: "tx" }
  | { a: "client" }
  | { a: "crash"; seats: readonly number[] }
  | { a: "restart"; seats: readonly number[] };

interface Item {
  t: number;
  n: number;
  act: Action;
}

/** Binary min-heap on (t, n): n is the insertion counter, so ties break deterministically. */
class Queue {
  readonly #h: Item[] = [];
  #n = 0;
  push(t: number, act: Action): void {
    const h = this.#h;
    h.push({ t, n: this.#n++, act });
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (less(h[p]!, h[i]!)) break;
      [h[p], h[i]] = [h[i]!, h[p]!];
      i = p;
    }
  }
  pop(): Item | undefined {
    const h = this.#h;
    if (h.length === 0) return undefined;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && less(h[l]!, h[m]!)) m = l;
        if (r < h.length && less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[m], h[i]] = [h[i]!, h[m]!];
        i = m;
      }
    }
    return top;
  }
}
function less(a: Item, b: Item): boolean {
  return a.t < b.t || (a.t === b.t && a.n < b.n);
}

interface Node {
  seat: number;
  byz: ByzantineKind | undefined;
  engine: ConsensusEngine;
  ledger: UtxoState;
  payloads: Set<string>;
  mempool: Map<string, SimTx>;
  alive: boolean;
  inc: number;
  lastCreate: number;
  createScheduled: boolean;
  /** Token of the pending create action (an early create supersedes the scheduled one). */
  createTok: number;
  /** DAG size below which the eager round check is not retried (after a failed check). */
  eagerRetryAt: number;
  /** A witness of the node's round or above was inserted since its last event (witness ack). */
  ackDue: boolean;
  newInfo: boolean;
  durable: { id: string; root: string }[];
  lastOwn: { wire: Uint8Array; payload: Uint8Array; seq: number } | undefined;
  requested: Map<string, number>;
}

/**
 * Runs one scenario with one seed.
 * @param sc the scenario
 * @param seed the seed
 * @returns the summary (failures lists every broken invariant; empty when all hold)
 * @example
 * ```ts ignore
 * import { runSimnet } from "./simnet.ts";
 * import { parseScenario } from "./scenario.ts";
 * const s = await runSimnet(parseScenario('name = "t"\nseats = 4\nduration = 3000'), 1);
 * console.assert(s.safety_violations === 0);
 * ```
 */
export async function runSimnet(sc: Scenario, seed: number): Promise<SimSummary> {
  const k = sc.seats;
  const L = sc.network.latency;
  const root = new Prng(seed);
  const netRng = root.fork();
  const wlRng = root.fork();
  const nodeRng = root.fork();
  const q = new Queue();
  let now = 0;

  const genesis = genesisAnchor(NETWORK_ID, k, `simnet ${sc.name} seed ${seed}`);
  const sks: Uint8Array[] = [];
  const pks: Uint8Array[] = [];
  for (let i = 0; i < k; i++) {
    const sk = blake3(new TextEncoder().encode(`PC/sim/key/${seed}/${i}`));
    sks.push(sk);
    pks.push(schnorrPublicKey(sk));
  }
  // Shared signature memo: each event id's signature is verified once per run (docs/simnet.md).
  const sigMemo = new Map<string, boolean>();
  const verifySignature = (h: EventHeader): boolean => {
    const key = toHex(h.id) + toHex(h.signature);
    let ok = sigMemo.get(key);
    if (ok === undefined) {
      const pk = pks[h.creator];
      ok = pk !== undefined && h.signature.length === 64 && schnorrVerify(h.signature, h.id, pk);
      sigMemo.set(key, ok);
    }
    return ok;
  };
  const wires = new Map<string, Uint8Array>();
  // Decoded payloads by event id (content-addressed: the root binds the bytes), and a decoding
  // memo per transmitted payload bytes object.
  const payloadDecoded = new Map<string, SimPayload>();
  const payloadMemo = new WeakMap<Uint8Array, SimPayload | null>();
  const decodePayload = (b: Uint8Array): SimPayload | undefined => {
    let d = payloadMemo.get(b);
    if (d === undefined) {
      d = decodeSimPayload(b) ?? null;
      payloadMemo.set(b, d);
    }
    return d ?? undefined;
  };
  // Decoding memo keyed by the identity of the bytes object every receiver of one transmission
  // shares: the same bytes decode to the same header, so each transmission is decoded once.
  const decodeMemo = new WeakMap<Uint8Array, EventHeader | WireError>();
  const decode = (wire: Uint8Array): EventHeader => {
    let h = decodeMemo.get(wire);
    if (h === undefined) {
      try {
        h = decodeWireEvent(wire);
      } catch (e) {
        // Malformed bytes (codec) or an out-of-range seq: counted as MALFORMED by the receiver.
        if (!(e instanceof CodecError) && !(e instanceof ConsensusError)) throw e;
        h = new WireError((e as Error).message);
      }
      decodeMemo.set(wire, h);
    }
    if (h instanceof WireError) throw h;
    return h;
  };
  const payloadBytes = new Map<string, Uint8Array>();

  const linkFactor: number[][] = [];
  for (let i = 0; i < k; i++) {
    linkFactor.push([]);
    for (let j = 0; j < k; j++) {
      linkFactor[i]!.push(1 - sc.network.linkSpread + 2 * sc.network.linkSpread * netRng.float());
    }
  }

  const makeEngine = () =>
    new ConsensusEngine({
      network: NETWORK_ID,
      shard: SHARD,
      committeeSize: k,
      genesisId: genesis.id,
      verifySignature,
    });
  // Genesis coins: one per client tx the workload can submit (docs/simnet.md, State).
  const coins = Math.ceil(sc.txRate * (sc.duration - sc.drain) * 1.5) + 8;
  const nodes: Node[] = [];
  for (let i = 0; i < k; i++) {
    nodes.push({
      seat: i,
      byz: sc.byzantine.get(i),
      engine: makeEngine(),
      ledger: await UtxoState.create(coins),
      payloads: new Set(),
      mempool: new Map(),
      alive: true,
      inc: 0,
      lastCreate: -Infinity,
      createScheduled: false,
      createTok: 0,
      eagerRetryAt: 0,
      ackDue: false,
      newInfo: true,
      durable: [],
      lastOwn: undefined,
      requested: new Map(),
    });
  }
  const honest = nodes.filter((n) => n.byz === undefined).map((n) => n.seat);

  // ---- invariants and metrics ----
  const canonAnchor: string[] = [];
  const canonRoot: string[] = [];
  let safetyViolations = 0;
  let rootMismatches = 0;
  const failures: string[] = [];
  const created = new Map<string, { t: number; round: number }>();
  const delays: number[] = [];
  const roundsToFinal: number[] = [];
  const txSubmitted = new Map<string, { tx: SimTx; first: number; last: number }>();
  const txDelays: number[] = [];
  let nextCoin = 0;
  const txFinal = new Set<string>();
  const evidenceByKind = new Map<string, number>();
  const evidenceSeats = new Map<string, Set<number>>();
  const forkers = new Set<number>();
  const forgers = new Set<number>();
  let eventsCreated = 0;
  let sent = 0;
  let dropped = 0;
  let duplicated = 0;
  const rejectedExtra = new Map<string, number>();

  const partitioned = (a: number, b: number): boolean => {
    for (const p of sc.partitions) {
      if (now < p.start || now >= p.end) continue;
      const ga = p.groups.findIndex((g) => g.includes(a));
      const gb = p.groups.findIndex((g) => g.includes(b));
      if (ga !== gb) return true;
    }
    return false;
  };

  const send = (from: number, to: number, msg: Msg): void => {
    sent++;
    if (partitioned(from, to) || netRng.chance(sc.network.loss)) {
      dropped++;
      return;
    }
    const copies = netRng.chance(sc.network.duplicate) ? 2 : 1;
    if (copies === 2) duplicated++;
    for (let c = 0; c < copies; c++) {
      const mean = L * linkFactor[from]![to]!;
      let d = mean * (1 - sc.network.jitter + 2 * sc.network.jitter * netRng.float());
      if (netRng.chance(sc.network.reorder)) d += 2 * L * netRng.float();
      q.push(now + d, { a: "deliver", to, msg });
    }
  };

  const afterEngine = async (n: Node): Promise<void> => {
    for (const a of n.engine.takeAnchors()) {
      const idHex = toHex(a.id);
      if (a.height <= n.durable.length) {
        if (n.durable[a.height - 1]!.id !== idHex) {
          safetyViolations++;
          failures.push(`seat ${n.seat} re-derived a different anchor at height ${a.height}`);
        }
        continue;
      }
      const { root: r, applied } = await n.ledger.applyFinalized(
        a,
        (id) => payloadDecoded.get(toHex(id)),
      );
      const rootHex = toHex(r);
      n.durable.push({ id: idHex, root: rootHex });
      if (n.byz !== undefined) continue;
      for (const t of applied) {
        const sub = txSubmitted.get(t);
        if (sub !== undefined) txDelays.push((now - sub.first) / L);
      }
      const h = a.height - 1;
      if (canonAnchor[h] === undefined) {
        canonAnchor[h] = idHex;
        canonRoot[h] = rootHex;
        for (const t of applied) txFinal.add(t);
      } else {
        if (canonAnchor[h] !== idHex) {
          safetyViolations++;
          if (failures.length < 20) failures.push(`seat ${n.seat} anchor ${a.height} differs`);
        } else if (canonRoot[h] !== rootHex) {
          rootMismatches++;
          if (failures.length < 20) failures.push(`seat ${n.seat} state root ${a.height} differs`);
        }
      }
      const maxRound = n.engine.maxRound;
      for (const ev of a.events) {
        const c = created.get(toHex(ev.id));
        // Honest events only (docs/simnet.md): a Byzantine seat's events measure nothing useful.
        if (c === undefined || nodes[ev.creator]!.byz !== undefined) continue;
        delays.push((now - c.t) / L);
        roundsToFinal.push(maxRound - c.round);
      }
    }
    for (const e of n.engine.takeEvidence()) {
      if (n.byz !== undefined) continue;
      let s = evidenceSeats.get(e.kind);
      if (s === undefined) evidenceSeats.set(e.kind, s = new Set());
      if (!s.has(e.creator)) {
        s.add(e.creator);
        evidenceByKind.set(e.kind, (evidenceByKind.get(e.kind) ?? 0) + 1);
      }
    }
  };

  const ingest = (n: Node, wire: Uint8Array, payload: Uint8Array | null, from: number): void => {
    let h: EventHeader;
    try {
      h = decode(wire);
    } catch (e) {
      if (!(e instanceof WireError)) throw e;
      n.engine.countRejected("MALFORMED");
      return;
    }
    const key = toHex(h.id);
    if (payload !== null && !n.payloads.has(key)) {
      // A payload counts as held only when it matches the committed root (docs/spec/consensus.md §6).
      const d = decodePayload(payload);
      let eq = d !== undefined;
      for (let i = 0; eq && i < 32; i++) if (d!.root[i] !== h.payloadRoot[i]) eq = false;
      if (eq) {
        n.payloads.add(key);
        payloadBytes.set(key, payload);
        payloadDecoded.set(key, d!);
      }
    }
    const before = n.engine.size;
    if (n.engine.knows(h.id) && !(n.payloads.has(key) && !n.engine.has(h.id))) return;
    if (!wires.has(key)) wires.set(key, wire);
    const res = n.engine.receive(h, n.payloads.has(key));
    if (n.engine.size > before) {
      n.newInfo = true;
      if (sc.eagerRound === 1 && sc.witnessAck > 0 && h.creator !== n.seat && n.engine.has(h.id)) {
        // Witness ack (docs/simnet.md): a new witness of the node's round or above.
        const r = n.engine.roundOf(h.id)!;
        const sp = h.selfParent === null ? -1 : n.engine.roundOf(h.selfParent) ?? -1;
        const tip = n.engine.tip(n.seat);
        if (r > sp && (tip === undefined || r >= n.engine.roundOf(tip.id)!)) n.ackDue = true;
      }
      // Gossip relay: forward a newly inserted event to `relay` random peers (mesh redundancy).
      if (sc.relay > 0 && n.byz === undefined && h.creator !== n.seat && k > 2) {
        const p = payloadBytes.get(key) ?? null;
        for (let i = 0; i < sc.relay; i++) {
          const to = (n.seat + 1 + nodeRng.int(k - 1)) % k;
          if (to !== from && to !== h.creator) {
            send(n.seat, to, { k: "ev", from: n.seat, wire, payload: p });
          }
        }
      }
    }
    if (res.missing !== undefined && from !== n.seat) {
      // Pull-then-vote: fetch missing parents from the peer that sent the child.
      const want: string[] = [];
      for (const m of res.missing) {
        const mk = toHex(m);
        const last = n.requested.get(mk);
        if (last === undefined || now - last > 2 * L) {
          n.requested.set(mk, now);
          want.push(mk);
        }
      }
      if (want.length > 0) {
        send(n.seat, from, {
          k: "sync",
          from: n.seat,
          known: n.engine.knownSeqs(),
          tips: tipsOf(n),
          wanted: want,
          pull: true,
        });
      }
    }
  };

  const tipsOf = (n: Node): (string | null)[] => {
    const tips: (string | null)[] = [];
    for (let v = 0; v < k; v++) {
      const t = n.engine.tip(v);
      tips.push(t === undefined ? null : toHex(t.id));
    }
    return tips;
  };

  const scheduleCreate = (n: Node): void => {
    if (n.createScheduled || !n.alive || n.byz === "silent") return;
    n.createScheduled = true;
    q.push(Math.max(now, n.lastCreate + sc.eventInterval), {
      a: "create",
      node: n.seat,
      inc: n.inc,
      tok: ++n.createTok,
    });
  };

  /**
   * Eager round advance (docs/simnet.md, "Event creation"): when something new was inserted and
   * the node's next event would be a witness of a higher round than its tip, create it now
   * instead of waiting for `eventInterval`; the round then advances one interval sooner at every
   * seat that takes this step.
   */
  const eagerCreate = (n: Node): boolean => {
    if (sc.eagerRound === 0 || !n.alive || n.byz !== undefined || now <= n.lastCreate) {
      return false;
    }
    if (now >= n.lastCreate + sc.eventInterval) return false;
    const tip = n.engine.tip(n.seat);
    if (tip === undefined) return false;
    if (n.lastOwn !== undefined && tip.seq < n.lastOwn.seq) return false;
    if (n.ackDue) {
      // Witness ack: reference the new witness after witness_ack · event_interval, not a full
      // interval, so the seats that see it say so one wait sooner.
      n.ackDue = false;
      const at = Math.max(now, n.lastCreate + sc.witnessAck * sc.eventInterval);
      n.createScheduled = true;
      q.push(at, { a: "create", node: n.seat, inc: n.inc, tok: ++n.createTok });
      return true;
    }
    const tipRound = n.engine.roundOf(tip.id)!;
    if (n.engine.maxRound <= tipRound) {
      // No higher-round event to reference: advancing needs a quorum strongly seen (vote mask);
      // the cheap union-of-tips bound first, then the real parent choice.
      // After a failed check, wait for a few more inserted events (CPU bound, deterministic).
      if (n.engine.size < n.eagerRetryAt) return false;
      if (!n.engine.mayAdvanceRound(n.seat)) {
        n.eagerRetryAt = n.engine.size + EAGER_RETRY_BOUND_EVENTS;
        return false;
      }
      // With a burst (round_burst > 1) the union bound is enough: create() chains up to
      // round_burst events, each adding MAX_PARENTS - 1 tips, until one opens the round.
      if (sc.roundBurst <= 1) {
        const prep = n.engine.prepareEvent(n.seat, n.engine.selectParents(n.seat));
        if (prep.round <= tipRound) {
          n.eagerRetryAt = n.engine.size + EAGER_RETRY_EVENTS;
          return false;
        }
      }
    }
    n.createScheduled = true;
    q.push(now, { a: "create", node: n.seat, inc: n.inc, tok: ++n.createTok });
    return true;
  };

  const makeEvent = (
    n: Node,
    txs: SimTx[],
    mutate?: (u: NewEventFields) => NewEventFields,
  ): { wire: Uint8Array; payload: Uint8Array; h: EventHeader } | undefined => {
    const parents = n.engine.selectParents(n.seat);
    const tip = n.engine.tip(n.seat);
    if (k >= 2 && tip !== undefined && parents.length === 0) return undefined;
    const prep = n.engine.prepareEvent(n.seat, parents);
    const enc = encodeSimPayload(txs);
    const payload = enc.bytes;
    let u: NewEventFields = {
      network: NETWORK_ID,
      shard: SHARD,
      creator: n.seat,
      seq: prep.seq,
      selfParent: prep.selfParent,
      parents: prep.parents,
      voteMask: prep.voteMask,
      payloadRoot: enc.root,
      payloadTxs: enc.count,
      payloadBytes: payload.length,
    };
    if (mutate !== undefined) u = mutate(u);
    const { header, id } = buildCodecHeader(u);
    const sig = schnorrSign(id, sks[n.seat]!, blake3(id));
    const wire = encodeWireEvent(header, sig);
    const key = toHex(id);
    sigMemo.set(key + toHex(sig), true);
    wires.set(key, wire);
    payloadBytes.set(key, payload);
    payloadDecoded.set(key, decodePayload(payload)!);
    created.set(key, { t: now, round: prep.round });
    eventsCreated++;
    return { wire, payload, h: decodeWireEvent(wire) };
  };

  const broadcast = (n: Node, wire: Uint8Array, payload: Uint8Array | null, to?: number[]) => {
    for (const j of to ?? nodes.map((x) => x.seat)) {
      if (j !== n.seat) send(n.seat, j, { k: "ev", from: n.seat, wire, payload });
    }
  };

  const create = async (n: Node): Promise<void> => {
    n.createScheduled = false;
    if (!n.alive || n.byz === "silent") return;
    if (n.lastOwn !== undefined && (n.engine.tip(n.seat)?.seq ?? -1) < n.lastOwn.seq) return;
    if (!n.newInfo && now - n.lastCreate < sc.heartbeat) return;
    const txs = [...n.mempool.values()].slice(0, 200);
    const tip0 = n.engine.tip(n.seat);
    const roundBefore = tip0 === undefined ? -1 : n.engine.roundOf(tip0.id)!;
    if (n.byz === "invalid_data") {
      txs.push(invalidTx(nodeRng.bytes(32)));
    }
    const mutate = n.byz === "forge_vote" && nodeRng.chance(sc.byzantineRate)
      ? (u: NewEventFields) => ({ ...u, voteMask: u.voteMask ^ (1n << BigInt((n.seat + 1) % k)) })
      : undefined;
    if (mutate !== undefined) forgers.add(n.seat);
    const ev = makeEvent(n, txs, mutate);
    if (ev === undefined) return;
    n.lastCreate = now;
    n.newInfo = false;
    if (mutate === undefined) {
      n.payloads.add(toHex(ev.h.id));
      n.engine.receive(ev.h, true);
      n.lastOwn = { wire: ev.wire, payload: ev.payload, seq: ev.h.seq };
      for (const t of txs) n.mempool.delete(t.id);
    }
    if (n.byz === "equivocate" && nodeRng.chance(sc.byzantineRate)) {
      // A second event at the same seq with a different payload, sent to the other half.
      const extra = invalidTx(nodeRng.bytes(32));
      const ev2 = makeEvent(n, [...txs, extra], (u) => ({
        ...u,
        seq: ev.h.seq,
        selfParent: ev.h.selfParent,
        parents: ev.h.parents,
        voteMask: ev.h.voteMask,
      }));
      if (ev2 !== undefined) {
        forkers.add(n.seat);
        n.payloads.add(toHex(ev2.h.id));
        n.engine.receive(ev2.h, true);
        const half = nodes.map((x) => x.seat).filter((s) => s !== n.seat);
        const a = half.filter((_, i) => i % 2 === 0);
        const b = half.filter((_, i) => i % 2 === 1);
        broadcast(n, ev.wire, ev.payload, a);
        broadcast(n, ev2.wire, ev2.payload, b);
      }
    } else {
      broadcast(n, ev.wire, n.byz === "withhold" ? null : ev.payload);
    }
    if (n.byz === undefined) burst(n, roundBefore);
    if (n.byz === "malformed" && nodeRng.chance(sc.byzantineRate)) {
      broadcast(n, nodeRng.bytes(nodeRng.int(200)), null);
    }
    if (n.byz === "spam" && nodeRng.chance(sc.byzantineRate)) {
      broadcast(n, ev.wire, ev.payload);
      const wrong = new Uint8Array(ev.wire);
      wrong[1] = wrong[1]! ^ 1; // another network id
      broadcast(n, wrong, null);
      const unknown = new Uint8Array(ev.wire);
      unknown[7] = k + 5; // creator byte
      broadcast(n, unknown, null);
    }
    await afterEngine(n);
    scheduleCreate(n);
  };

  /**
   * Round burst (docs/simnet.md): an event can name only MAX_PARENTS - 1 other tips, so when the
   * union of all tips would open a new round but the event just created did not, chain up to
   * round_burst - 1 more events at once (each a self-child naming the next best tips) until one
   * does. Any parent set is valid (docs/spec/consensus.md §3.9); this trades a few events per round
   * for the fan-in that P = 4 lacks. A chain that still falls short blocks eager checks for
   * EAGER_RETRY_EVENTS inserted events.
   */
  const burst = (n: Node, roundBefore: number): void => {
    if (sc.eagerRound === 0 || sc.roundBurst <= 1) return;
    for (let b = 1; b < sc.roundBurst; b++) {
      const tip = n.engine.tip(n.seat)!;
      if (n.engine.roundOf(tip.id)! > roundBefore) return;
      if (!n.engine.mayAdvanceRound(n.seat)) return;
      const ev = makeEvent(n, []);
      if (ev === undefined) break;
      n.payloads.add(toHex(ev.h.id));
      n.engine.receive(ev.h, true);
      n.lastOwn = { wire: ev.wire, payload: ev.payload, seq: ev.h.seq };
      broadcast(n, ev.wire, ev.payload);
    }
    // The chain ran out (or had nothing left to name) short of the new round.
    const tip = n.engine.tip(n.seat)!;
    if (n.engine.roundOf(tip.id)! <= roundBefore) {
      n.eagerRetryAt = n.engine.size + EAGER_RETRY_EVENTS;
    }
  };

  const respond = (n: Node, m: Extract<Msg, { k: "sync" }>): void => {
    if (!n.alive || n.byz === "silent" || n.byz === "withhold") return;
    const items: { wire: Uint8Array; payload: Uint8Array | null }[] = [];
    const seen = new Set<string>();
    const add = (h: EventHeader) => {
      const key = toHex(h.id);
      if (seen.has(key)) return;
      seen.add(key);
      const w = wires.get(key);
      if (w !== undefined) {
        items.push({ wire: w, payload: n.payloads.has(key) ? payloadBytes.get(key)! : null });
      }
    };
    for (let v = 0; v < k; v++) {
      const s = m.known[v]!;
      if (s < 0) continue;
      for (const h of n.engine.eventsAt(v, s)) if (toHex(h.id) !== m.tips[v]) add(h);
    }
    for (const w of m.wanted) {
      const wi = wires.get(w);
      if (wi !== undefined) {
        const h = n.engine.get(decode(wi).id);
        if (h !== undefined) add(h);
      }
    }
    if (!m.pull) { for (const h of n.engine.eventsAfter(m.known, MAX_SYNC_BATCH)) add(h); }
    if (items.length > 0) send(n.seat, m.from, { k: "batch", from: n.seat, items });
  };

  const tick = (n: Node): void => {
    if (!n.alive || n.byz === "silent") return;
    const peer = (n.seat + 1 + nodeRng.int(k - 1)) % k;
    if (k > 1) {
      const known = n.engine.knownSeqs();
      const tips = tipsOf(n);
      const wanted = [
        ...n.engine.wanted(64).map(toHex),
        ...n.engine.wantedPayloads(64).map(toHex),
      ];
      send(n.seat, peer, { k: "sync", from: n.seat, known, tips, wanted, pull: false });
    }
    if (now - n.lastCreate >= sc.heartbeat) scheduleCreate(n);
    q.push(now + sc.syncInterval, { a: "tick", node: n.seat, inc: n.inc });
  };

  // ---- workload ----
  const txEnd = sc.duration - sc.drain;
  const submit = (tx: SimTx): void => {
    const live = honest.filter((s) => nodes[s]!.alive);
    if (live.length === 0) return;
    for (let c = 0; c < 2; c++) {
      const n = nodes[live[wlRng.int(live.length)]!]!;
      n.mempool.set(tx.id, tx);
      scheduleCreate(n);
    }
  };

  // ---- schedule ----
  for (const n of nodes) {
    q.push(nodeRng.float() * sc.eventInterval, { a: "create", node: n.seat, inc: 0, tok: 0 });
    n.createScheduled = true;
    q.push(nodeRng.float() * sc.syncInterval, { a: "tick", node: n.seat, inc: 0 });
  }
  if (sc.txRate > 0 && honest.length > 0) q.push(wlRng.float() / sc.txRate, { a: "tx" });
  q.push(10 * L, { a: "client" });
  for (const c of sc.crashes) {
    q.push(c.at, { a: "crash", seats: c.seats });
    q.push(c.restart, { a: "restart", seats: c.seats });
  }
  const lastDisruption = Math.max(
    0,
    ...sc.partitions.map((p) => p.end),
    ...sc.crashes.map((c) => c.restart),
  );

  const allDone = (): boolean => {
    if (now < txEnd || now < lastDisruption) return false;
    for (const s of honest) {
      const n = nodes[s]!;
      if (!n.alive || n.durable.length < sc.minAnchors) return false;
    }
    for (const t of txSubmitted.keys()) if (!txFinal.has(t)) return false;
    return true;
  };

  let steps = 0;
  for (;;) {
    const it = q.pop();
    if (it === undefined || it.t > sc.duration) break;
    now = it.t;
    const act = it.act;
    switch (act.a) {
      case "deliver": {
        const n = nodes[act.to]!;
        if (!n.alive || n.byz === "silent") break;
        const m = act.msg;
        if (m.k === "ev") ingest(n, m.wire, m.payload, m.from);
        else if (m.k === "batch") { for (const x of m.items) ingest(n, x.wire, x.payload, m.from); }
        else respond(n, m);
        await afterEngine(n);
        if (n.newInfo && !eagerCreate(n)) scheduleCreate(n);
        break;
      }
      case "create": {
        const n = nodes[act.node]!;
        if (act.inc === n.inc && act.tok === n.createTok) await create(n);
        break;
      }
      case "tick": {
        const n = nodes[act.node]!;
        if (act.inc === n.inc) tick(n);
        break;
      }
      case "tx": {
        if (nextCoin < coins) {
          const tx = clientTx(nextCoin++);
          txSubmitted.set(tx.id, { tx, first: now, last: now });
          submit(tx);
        }
        const next = now - Math.log(1 - wlRng.float()) / sc.txRate;
        if (next < txEnd) q.push(next, { a: "tx" });
        break;
      }
      case "client": {
        // Clients resubmit txs not finalized after 20 one-way delays (crashed mempools).
        for (const [key, s] of txSubmitted) {
          if (!txFinal.has(key) && now - s.last > 20 * L) {
            s.last = now;
            submit(s.tx);
          }
        }
        q.push(now + 10 * L, { a: "client" });
        break;
      }
      case "crash": {
        for (const s of act.seats) {
          const n = nodes[s]!;
          n.alive = false;
          n.inc++;
        }
        break;
      }
      case "restart": {
        for (const s of act.seats) {
          const n = nodes[s]!;
          // Durable: finalized anchors, state, own last signed event (signer's record).
          n.engine = makeEngine();
          n.eagerRetryAt = 0;
          n.ackDue = false;
          n.payloads = new Set();
          n.mempool = new Map();
          n.requested = new Map();
          n.alive = true;
          n.inc++;
          n.createScheduled = false;
          n.newInfo = true;
          if (n.lastOwn !== undefined) ingest(n, n.lastOwn.wire, n.lastOwn.payload, n.seat);
          q.push(now, { a: "tick", node: s, inc: n.inc });
          scheduleCreate(n);
        }
        break;
      }
    }
    if ((++steps & 255) === 0 && allDone()) break;
  }

  // ---- final invariants ----
  let evidenceMissing = 0;
  for (const s of forkers) {
    if (!evidenceSeats.get("equivocation")?.has(s)) {
      evidenceMissing++;
      failures.push(`no equivocation evidence for seat ${s}`);
    }
  }
  for (const s of forgers) {
    if (!evidenceSeats.get("forged_vote_mask")?.has(s)) {
      evidenceMissing++;
      failures.push(`no forged vote mask evidence for seat ${s}`);
    }
  }
  let livenessOk = true;
  const heights = honest.map((s) => nodes[s]!.durable.length);
  const minH = heights.length > 0 ? Math.min(...heights) : 0;
  if (minH < sc.minAnchors) {
    livenessOk = false;
    failures.push(`honest node finalized only ${minH} anchors, want ${sc.minAnchors}`);
  }
  let txMissing = 0;
  for (const t of txSubmitted.keys()) if (!txFinal.has(t)) txMissing++;
  if (txMissing > 0) {
    livenessOk = false;
    failures.push(`${txMissing} honest txs not finalized`);
  }
  if (safetyViolations > 0 || rootMismatches > 0) failures.unshift("safety invariant broken");

  const rejected: Record<string, number> = {};
  for (const s of honest) {
    for (const [c, v] of Object.entries(nodes[s]!.engine.rejectedCounts())) {
      rejected[c] = (rejected[c] ?? 0) + v;
    }
  }
  for (const [c, v] of rejectedExtra) rejected[c] = (rejected[c] ?? 0) + v;
  const evidence: Record<string, number> = {};
  for (const kind of ["equivocation", "forged_vote_mask"]) {
    evidence[kind] = evidenceByKind.get(kind) ?? 0;
  }
  return {
    scenario: sc.name,
    seed,
    nodes: k,
    byzantine: sc.byzantine.size,
    sim_time: round3(now),
    events_created: eventsCreated,
    finalized_anchors: minH,
    finalized_events: honest.length > 0
      ? Math.min(...honest.map((s) => nodes[s]!.engine.orderedCount))
      : 0,
    finality_rounds: quantiles(roundsToFinal),
    finality_delays: quantiles(delays),
    tx_finality_delays: quantiles(txDelays),
    tx_submitted: txSubmitted.size,
    tx_finalized: [...txSubmitted.keys()].filter((t) => txFinal.has(t)).length,
    safety_violations: safetyViolations,
    state_root_mismatches: rootMismatches,
    evidence_missing: evidenceMissing,
    liveness_ok: livenessOk,
    rejected: sortKeys(rejected),
    evidence,
    messages: { sent, dropped, duplicated },
    failures,
  };
}

/** Whether a summary passes every invariant. */
export function summaryOk(s: SimSummary): boolean {
  return s.safety_violations === 0 && s.state_root_mismatches === 0 && s.liveness_ok &&
    s.evidence_missing === 0;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function quantiles(xs: number[]): Quantiles {
  if (xs.length === 0) return { p50: 0, p95: 0, max: 0 };
  const s = [...xs].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)]!;
  return { p50: round3(at(0.5)), p95: round3(at(0.95)), max: round3(s[s.length - 1]!) };
}

function sortKeys(o: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const key of Object.keys(o).sort()) out[key] = o[key]!;
  return out;
}
