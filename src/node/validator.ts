/**
 * The validator / full-node service: composes the consensus engine (one shard, committee from the
 * genesis file), the durable state (StateDb over Deno KV), the mint chain, a bounded mempool, the
 * event-creation timer, and the p2p service (gossip of events and transactions, pull,
 * anti-entropy). Every input (p2p event, own event, RPC read that touches state) runs through one
 * serial queue, so an anchor is applied and made durable (node flush queue) before any RPC can
 * observe it; mempool admission (RPC or gossip) only reads state and runs beside it (ADR 0074).
 * Decisions: docs/adr/0063-node-service-wiring.md, 0073 (tx gossip, inclusion rule), 0074;
 * runbook: docs/operations.md.
 * @module
 */
import type { Logger } from "@logtape/logtape";
import type { Registry } from "prom-client";
import { bytesToHex, concatBytes, hexToBytes } from "@noble/hashes/utils.js";
import {
  CodecError,
  decodeAddress,
  decodeEvent,
  decodeEventPayloadWithIds,
  decodeTxWithIds,
  encodeEvent,
  encodeEventPayload,
  encodePredicate,
  encodeTx,
  type Event,
  eventExtrasHash,
  eventId,
  type Mint,
  mintId,
  type Predicate,
  predicateCommitment,
  type Tx,
} from "../codec/mod.ts";
import { schnorrVerify, schnorrVerifyBatch } from "../crypto/mod.ts";
import type { AllMetrics } from "../metrics/mod.ts";
import {
  buildCodecHeader,
  type ConsensusCheckpoint,
  ConsensusEngine,
  type EventHeader,
  fromSignedHeader,
} from "../consensus/mod.ts";
import { RefeedSet } from "./dag_refeed.ts";
import { citesForkedSlot, deleteStoredEvents } from "./dag_store.ts";
import { AntiEntropy } from "./anti_entropy.ts";
import { ParentFetcher } from "./parent_fetch.ts";
import {
  buildTemplate,
  checkSolution,
  MintChain,
  MintError,
  mintErrorToRpc,
  mintParamsOf,
  mintStatus,
  mintStatusToJson,
  payoutFromAddress,
  templateToJson,
} from "../mint/mod.ts";
import {
  createP2pMetrics,
  MAX_BODY_BYTES,
  type NewBody,
  type P2pMetrics,
  P2pService,
  type ValidationResult,
} from "../p2p/mod.ts";
import { MAX_PAYLOAD_TXS, type NetworkParams } from "../params/mod.ts";
import { type MethodRegistry, p, RPC_ERROR, RpcError, type SignerHealth } from "../rpc/mod.ts";
import {
  DEFAULT_HISTORY_PAGE,
  HistoryIndex,
  historyPageToJson,
  MAX_HISTORY_PAGE,
} from "./history.ts";
import {
  type FinalizedEvent,
  KvStore,
  StateDb,
  type StateMint,
  type StateTx,
} from "../state/mod.ts";
import { type ChainMetrics, createChainMetrics } from "./chain_metrics.ts";
import { NodeError } from "./errors.ts";
import { type Genesis, genesisStateAnchor } from "./genesis.ts";
import type { SeatKey } from "./keys.ts";
import { KeyFileSeatSigner, type SeatSigner } from "./seat_signer.ts";
import { createSeatSignerMetrics, type EventDraft, SeatSigning } from "./seat_signing.ts";
import type { Component } from "./lifecycle.ts";
import { nodeLogger } from "./logging.ts";
import { decodeNodeCheckpoint, loadCheckpoint, type NodeCheckpoint } from "./snapshot_format.ts";
import {
  DEFAULT_FALLBACK_ANCHORS,
  DEFAULT_MEMPOOL_BYTES,
  Mempool,
  type MempoolEntry,
  outpointKey,
} from "./mempool.ts";
import { VerifiedSigCache } from "./sig_cache.ts";
import { admitTx, TxAdmissionError } from "./tx_relay.ts";

/** File name of the state database inside the network data directory. */
export const STATE_KV_FILE = "state.kv";

/** Fee floor enforced by the mempool (docs/spec/wallet.md §3). */
export interface FeeFloor {
  /** Units per encoded byte. */
  readonly unitsPerByte: bigint;
  /** Minimum fee in units. */
  readonly minFee: bigint;
}

/** Default fee floor: 1 unit per byte, at least 1,000 units. */
export const DEFAULT_FEE_FLOOR: FeeFloor = { unitsPerByte: 1n, minFee: 1_000n };

/** Options of {@linkcode ValidatorService}. */
export interface ValidatorOptions {
  /** The network's genesis. */
  readonly genesis: Genesis;
  /** Network parameters (must match the genesis network). */
  readonly network: NetworkParams;
  /** Seat key; null or a key outside the committee runs a full node. */
  readonly seatKey: SeatKey | null;
  /**
   * Where own events are signed; default a {@linkcode KeyFileSeatSigner} over `seatKey` (dev-only).
   * A remote signer's key decides the seat once it answers (ADR 0057). The service closes it on
   * stop.
   */
  readonly seatSigner?: SeatSigner | null;
  /** Network data directory (`<data_dir>/<network>`): state.kv, p2p identity. */
  readonly dataDir: string;
  /** Least ms between two own events. */
  readonly eventIntervalMs: number;
  /** Anti-entropy period in ms. */
  readonly antiEntropyMs: number;
  /** Mempool capacity in transactions. */
  readonly mempoolMaxTxs: number;
  /** libp2p listen multiaddrs; `null` disables p2p (single-node tests). */
  readonly listen: string[] | null;
  /** libp2p bootstrap multiaddrs. */
  readonly bootstrap: string[];
  /** Most transactions per event payload (default B). */
  readonly maxPayloadTxs?: number;
  /** Fee floor (default {@linkcode DEFAULT_FEE_FLOOR}). */
  readonly feeFloor?: FeeFloor;
}

/** Dependencies of {@linkcode ValidatorService}, bound by the node before start. */
export interface ValidatorModules {
  /** Runs a durable commit after the previous ones (the node's flush queue). */
  readonly flush: (commit: () => Promise<void>) => Promise<void>;
  /** The node's open KV database (available once the node's kv component started). */
  readonly kv: () => Deno.Kv;
  /** Logger (default category phantom.node). */
  readonly logger?: Logger;
  /** Metrics registry (the node's); chain metrics are registered in it. */
  readonly registry?: Registry | null;
  /**
   * The node's area metrics (`createAllMetrics` on the same registry): the service feeds EPS,
   * applied txs, queue depths, signature-verify time and anchor apply time into them.
   */
  readonly metrics?: AllMetrics | null;
  /**
   * Called once when the serial writer fails (state apply/commit or chain mismatch); the service
   * stops creating events. Default: nothing beyond the error log.
   */
  readonly onFatal?: (error: unknown) => void;
}

/** Live counters for status lines (RPC `node_stats`). */
export interface ValidatorStats {
  /** Last durable anchor index. */
  anchor: number;
  /** Events in the local DAG. */
  events: number;
  /** Transactions finalized and applied since start (including replay). */
  txsFinalized: number;
  /** Mints accepted. */
  mintsAccepted: number;
  /** Finality latency (submit to durable anchor) of local transactions, ms: p50. */
  finalityP50Ms: number | null;
  /** Same, p95. */
  finalityP95Ms: number | null;
  /** Connected peers. */
  peers: number;
  /** Mempool size. */
  mempool: number;
  /** State root hex of the last durable anchor ("" before the first). */
  root: string;
  /** Events the consensus engine buffers, waiting for parents or payload (catch-up diagnosis). */
  dagPending: number;
  /** Events held as bodies here but neither in the engine's DAG nor its buffer. */
  dagOrphans: number;
  /** Consensus refusals by code since start (MISSING_PARENTS: buffer expiry or full). */
  dagRejected: Record<string, number>;
}

interface EventRec {
  readonly body: Uint8Array;
  readonly event: Event;
  readonly header: EventHeader;
  readonly txs: StateTx[];
  readonly txBytes: Uint8Array[];
  /** Slot of its body in the stored DAG (`["dag", slot, chunk]`), once written. */
  slot?: number;
}

/** A mempool entry (src/node/mempool.ts). */
type PoolTx = MempoolEntry;

/** What an own event needs besides its header while the seat signer signs it. */
interface DraftExtra {
  readonly txs: PoolTx[];
  readonly mints: Mint[];
  readonly payload: Uint8Array;
}

/** The anchor record in `chain.kv` (`["anchor", i]`); also read and written by snapshots. */
export interface AnchorRecord {
  index: number;
  height: number;
  round: number;
  id: string;
  root: string;
  events: string[];
  txs: number;
  mints: number;
  skipped: string[];
}

const hex = bytesToHex;
const MAX_GET_UTXOS = 1000;
const FINALITY_SAMPLES = 2048;
const MAX_PENDING_MINTS = 64;
/** Gossip-validated event decodes kept for intake. */
const DECODED_CACHE = 1024;
/** Valid signature checks remembered between admission and apply (ADR 0074). */
const SIG_CACHE_ENTRIES = 262_144;
/** Anchors between two announcements of a still-uncarried transaction submitted here. */
const REANNOUNCE_ANCHORS = 8;
/** Anchors after which a still-pending pool transaction is dropped (the client resubmits). */
const POOL_MAX_AGE_ANCHORS = 600;
const DAG_CHUNK = 60_000;
/** Payload budget of an own event: leaves room for header, mints and framing. */
const MAX_PAYLOAD_BODY_BYTES = MAX_BODY_BYTES.events - 40_000;

function u32be(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, false);
  return b;
}

/**
 * Event body on the wire and in the store: `u32be len ‖ encodeEvent(event) ‖
 * encodeEventPayload(payload)`. The payload travels with its event, so holding an event means
 * holding its payload (data-availability rule, docs/adr/0063-node-service-wiring.md).
 * @param event the signed event
 * @param payload encoded payload
 * @returns the body bytes
 */
export function encodeEventBody(event: Event, payload: Uint8Array): Uint8Array {
  const e = encodeEvent(event);
  const out = new Uint8Array(4 + e.length + payload.length);
  out.set(u32be(e.length), 0);
  out.set(e, 4);
  out.set(payload, 4 + e.length);
  return out;
}

/**
 * Decodes an event body and checks everything that needs no DAG: id, network, shard, creator
 * range, payload root/count/size, extras hash and the creator's signature.
 * @param body bytes
 * @param genesis committee and network
 * @returns the decoded parts
 * @throws {CodecError} on malformed bytes
 * @throws {RangeError} when a check fails
 */
export function decodeEventBody(
  body: Uint8Array,
  genesis: Genesis,
  verify: (sig: Uint8Array, msg: Uint8Array, key: Uint8Array) => boolean = schnorrVerify,
): EventRec {
  if (body.length < 4) throw new RangeError(`Event body too short: ${body.length} bytes`);
  const n = new DataView(body.buffer, body.byteOffset, 4).getUint32(0, false);
  if (4 + n > body.length) throw new RangeError(`Event length ${n} exceeds the body`);
  const event = decodeEvent(body.subarray(4, 4 + n));
  const payloadBytes = body.subarray(4 + n);
  const h = event.header;
  if (h.networkId !== genesis.networkId) throw new RangeError(`Wrong network ${h.networkId}`);
  if (h.shard !== 0) throw new RangeError(`Wrong shard ${h.shard}`);
  const key = genesis.committee[h.creator];
  if (key === undefined) throw new RangeError(`Creator ${h.creator} is not a committee seat`);
  const pl = decodeEventPayloadWithIds(payloadBytes);
  if (hex(pl.payloadRoot) !== hex(h.payloadRoot)) throw new RangeError("Payload root mismatch");
  if (pl.txIds.length !== h.payloadTxs || payloadBytes.length !== h.payloadBytes) {
    throw new RangeError("Payload size mismatch");
  }
  if (hex(eventExtrasHash(event.mints, event.evidence)) !== hex(h.extrasHash)) {
    throw new RangeError("Extras hash mismatch");
  }
  const id = eventId(h);
  if (!verify(event.signature, id, key)) throw new RangeError("Bad event signature");
  const header = fromSignedHeader({ header: h, signature: event.signature });
  const txs = pl.payload.txs.map((tx, i) => ({ tx, txId: pl.txIds[i]! }));
  // Encoded lazily: only get_tx reads them, and re-encoding every tx of every event was a
  // measurable share of a loaded node's CPU (docs/performance.md, Testnet-0).
  let txBytes: Uint8Array[] | undefined;
  return {
    body,
    event,
    header,
    txs,
    get txBytes() {
      return txBytes ??= pl.payload.txs.map((t) => encodeTx(t));
    },
  };
}

/**
 * The consensus checkpoint of a node checkpoint, with each event decoded and checked (id,
 * network, payload, signature) against the genesis. Shared by snapshot import and the
 * validator's resume from a stored checkpoint.
 * @param c the node checkpoint
 * @param genesis committee and network
 * @param verify BIP-340 verifier (a trusting one for already-checked bytes)
 * @returns the engine's checkpoint and the decoded events, in the same order
 * @throws {RangeError|CodecError} when an event body is bad
 */
export function consensusCheckpointOf(
  c: NodeCheckpoint,
  genesis: Genesis,
  verify: (sig: Uint8Array, msg: Uint8Array, key: Uint8Array) => boolean = schnorrVerify,
): { checkpoint: ConsensusCheckpoint; recs: EventRec[] } {
  const recs = c.events.map((e) => decodeEventBody(e.body, genesis, verify));
  return {
    checkpoint: {
      height: c.anchorHeight,
      anchorId: c.anchorId,
      base: c.base,
      events: c.events.map((e, i) => ({
        header: recs[i]!.header,
        round: e.round,
        witness: e.witness,
        hbSeq: e.hbSeq,
        ordered: e.ordered,
      })),
    },
    recs,
  };
}

/** Gossip id of a transaction body: its wtxid, or an id that matches nothing when malformed. */
function txBodyId(body: Uint8Array): Uint8Array {
  try {
    return decodeTxWithIds(body).wtxId;
  } catch {
    // Not a transaction: the pull is refused as a body/id mismatch.
    return new Uint8Array(32);
  }
}

function percentile(sorted: number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

function predicateKeys(pr: Predicate): string[] {
  const keys = [hex(predicateCommitment(pr))];
  if (pr.type === "commit") keys.push(hex(pr.commitment));
  return keys;
}

function toJsonValue(v: unknown): unknown {
  if (v instanceof Uint8Array) return hex(v);
  if (typeof v === "bigint") return v.toString();
  if (Array.isArray(v)) return v.map(toJsonValue);
  if (typeof v === "object" && v !== null) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toJsonValue(x)]));
  }
  return v;
}

/**
 * The validator / full-node component (see the module doc).
 *
 * @example
 * ```ts ignore
 * const svc = new ValidatorService(options);
 * const node = new PhantomNode({ loaded, version }, { components: [svc], ...svc.providers() });
 * svc.bind({ flush: (c) => node.flushQueue.flush(c), kv: () => node.kv! });
 * svc.registerRpc(node.rpcMethods);
 * await node.start();
 * ```
 */
export class ValidatorService implements Component {
  /** Component name. */
  readonly name = "validator";
  /** Own seat, or null for a full node (with a remote signer: until the signer answered). */
  get seat(): number | null {
    return this.#seat;
  }
  #seat: number | null = null;
  #seatResolved = false;
  #signing: SeatSigning<DraftExtra> | null = null;
  #creation: Promise<void> | null = null;
  #storedDraft: EventDraft<DraftExtra> | null = null;
  #draftChunks = 0;
  readonly #o: ValidatorOptions;
  #log: Logger;
  readonly #floor: FeeFloor;
  readonly #maxTxs: number;
  #m: ValidatorModules | null = null;
  #metrics: ChainMetrics | null = null;
  #all: AllMetrics | null = null;
  #serialDepth = 0;
  #engine: ConsensusEngine;
  /** Missing-parent fetches, created once p2p runs (parent_fetch.ts). */
  #parents: ParentFetcher | null = null;
  /** Anti-entropy rounds, created once p2p runs (anti_entropy.ts). */
  #sync: AntiEntropy | null = null;
  /** Events the engine buffered: re-fed from here if it drops them (dag_refeed.ts, ADR 0078). */
  readonly #refeed = new RefeedSet();
  #mint: MintChain;
  #db: StateDb | null = null;
  #store: KvStore | null = null;
  #p2p: P2pService | null = null;
  #p2pMetrics: P2pMetrics | null = null;
  #serial: Promise<unknown> = Promise.resolve();
  #events = new Map<string, EventRec>();
  #verified = new Set<string>();
  #dagCount = 0;
  #index = 0;
  #last: AnchorRecord | null = null;
  #records = new Map<number, AnchorRecord>();
  #replayTo = -1;
  #txIndex = new Map<string, { anchor: number; event: string; pos: number }>();
  #addr = new Map<string, Set<string>>();
  #history = new HistoryIndex();
  #pool: Mempool;
  #sigs = new VerifiedSigCache(SIG_CACHE_ENTRIES);
  #decoded = new Map<string, EventRec>();
  #pendingMints = new Map<string, Mint>();
  #finality: number[] = [];
  #txsFinalized = 0;
  #mintsAccepted = 0;
  #timers: ReturnType<typeof setInterval>[] = [];
  #running = false;
  #creating = false;
  #seenAt: number[] = [];
  #ticksSinceEvent = 0;
  /** Events kept since the last save, in receipt order (their bodies go to the stored DAG). */
  #unsaved: EventRec[] = [];
  /** Consensus resumed from a snapshot checkpoint (ADR 0076): pre-window forks can exist. */
  #resumed = false;
  #pump: Promise<void> | null = null;

  /**
   * @param options genesis, network, seat key, data directory, timers and limits
   * @throws {RangeError} when the genesis network differs from `network`
   */
  constructor(options: ValidatorOptions) {
    if (options.genesis.networkId !== options.network.networkId) {
      throw new RangeError(
        `Genesis network ${options.genesis.networkId} differs from ${options.network.networkId}`,
      );
    }
    this.#o = options;
    this.#log = nodeLogger("node");
    this.#floor = options.feeFloor ?? DEFAULT_FEE_FLOOR;
    this.#maxTxs = Math.min(options.maxPayloadTxs ?? MAX_PAYLOAD_TXS, MAX_PAYLOAD_TXS);
    // A quarter of the pool per peer: one flooding peer cannot crowd out the others (ADR 0073).
    this.#pool = new Mempool({
      maxTxs: options.mempoolMaxTxs,
      maxBytes: DEFAULT_MEMPOOL_BYTES,
      perPeerTxs: Math.max(1, Math.floor(options.mempoolMaxTxs / 4)),
    });
    const signer = options.seatSigner ??
      (options.seatKey === null ? null : new KeyFileSeatSigner(options.seatKey));
    this.#signing = signer === null ? null : new SeatSigning(signer);
    // A key file's seat is known now; a remote signer's once it answers (start, then ticks).
    if (signer instanceof KeyFileSeatSigner) this.#setSeat(signer.knownPublicKey);
    this.#engine = this.#newEngine();
    this.#mint = new MintChain(mintParamsOf(options.network));
  }

  #setSeat(pk: Uint8Array): void {
    const seat = this.#o.genesis.file.committee.indexOf(hex(pk));
    this.#seat = seat < 0 ? null : seat;
    this.#seatResolved = true;
  }

  /** Asks the seat signer for the seat key (once it answers; failures back off, never throw). */
  async #resolveSeat(): Promise<void> {
    const g = this.#signing;
    if (g === null || this.#seatResolved || !g.ready()) return;
    const pk = await g.publicKey();
    if (pk === null) return;
    this.#setSeat(pk);
    this.#log.info("Seat key from the signer", {
      signer: g.signer.label,
      pubkey: hex(pk),
      seat: this.#seat,
    });
  }

  /** The seat signer gate (events signed, last failure), or null for a full node. */
  get seatSigning(): SeatSigning<unknown> | null {
    return this.#signing as SeatSigning<unknown> | null;
  }

  #newEngine(checkpoint?: ConsensusCheckpoint): ConsensusEngine {
    const g = this.#o.genesis;
    return new ConsensusEngine({
      ...(checkpoint === undefined ? {} : { checkpoint }),
      network: g.networkId,
      shard: 0,
      committeeSize: g.committee.length,
      genesisId: g.genesisId,
      verifySignature: (ev) => {
        const k = hex(ev.id);
        if (this.#verified.has(k)) return true;
        const key = g.committee[ev.creator];
        return key !== undefined && this.#verifySig(ev.signature, ev.id, key);
      },
    });
  }
  /**
   * Resumes consensus, mint chain and anchor index at the checkpoint a snapshot import stored
   * (ADR 0076): its events become the DAG window, and anchors the restored engine finalizes at
   * once are drained like replayed ones. The stored DAG (events received since) follows.
   * @throws {NodeError} `CHAIN_MISMATCH` when the checkpoint does not decode, is for another chain
   *   or is ahead of the durable state
   */
  async #resumeFromCheckpoint(bytes: Uint8Array, durable: number): Promise<void> {
    const g = this.#o.genesis;
    const mismatch = (detail: string) =>
      new NodeError({ code: "CHAIN_MISMATCH", height: durable, detail });
    let c: NodeCheckpoint;
    let recs: EventRec[];
    let checkpoint: ConsensusCheckpoint;
    try {
      c = decodeNodeCheckpoint(bytes);
      ({ checkpoint, recs } = consensusCheckpointOf(c, g, this.#verifySig));
    } catch (e) {
      throw mismatch(`stored checkpoint does not decode: ${(e as Error).message}`);
    }
    if (c.anchorIndex > durable || hex(c.genesisId) !== hex(g.genesisId)) {
      throw mismatch(`stored checkpoint at anchor ${c.anchorIndex} does not fit this state`);
    }
    for (const r of recs) {
      const k = hex(r.header.id);
      this.#events.set(k, r);
      this.#verified.add(k);
    }
    try {
      this.#engine = this.#newEngine(checkpoint);
      this.#mint = new MintChain(mintParamsOf(this.#o.network), { snapshot: c.mint });
    } catch (e) {
      throw mismatch(`stored checkpoint refused: ${(e as Error).message}`);
    }
    this.#index = c.anchorIndex;
    this.#last = this.#records.get(c.anchorIndex) ?? null;
    this.#log.info("Consensus resumed from a snapshot checkpoint", {
      anchor: c.anchorIndex,
      round: c.anchorRound,
      events: recs.length,
    });
    await this.#drainAnchors();
  }

  /**
   * Binds the node's flush queue and KV database (call before the node starts).
   * @param modules flush queue and KV accessor
   */
  bind(modules: ValidatorModules): void {
    this.#m = modules;
    if (modules.logger !== undefined) this.#log = modules.logger;
    this.#all = modules.metrics ?? null;
    this.#signing?.bind(
      this.#log,
      modules.registry == null
        ? null
        : createSeatSignerMetrics(modules.registry, this.#signing.signer.kind),
    );
    if (modules.registry != null) {
      this.#metrics = createChainMetrics(modules.registry, {
        peers: () => this.#peerCount(),
        mempool: () => this.#pool.size,
        dagEvents: () => this.#events.size,
      });
      // pc_p2p_* (gossip verdicts per kind and reason, pulls, traffic, drops, bans).
      if (modules.registry.getSingleMetric("pc_p2p_gossip_messages_total") === undefined) {
        this.#p2pMetrics = createP2pMetrics(modules.registry);
      }
    }
  }

  /** The p2p service once started, else null. */
  get p2p(): P2pService | null {
    return this.#p2p;
  }

  /** Status providers for {@linkcode PhantomNode} modules. */
  providers(): {
    peers: () => number;
    mempool: () => { txs: number; bytes: number };
    latestAnchor: () => { id: string; height: number } | null;
    seat: () => { shard: number | null; seat: number | null };
    signer: () => SignerHealth | null;
  } {
    return {
      peers: () => this.#peerCount(),
      mempool: () => {
        let bytes = 0;
        for (const t of this.#pool.values()) bytes += t.bytes.length;
        return { txs: this.#pool.size, bytes };
      },
      latestAnchor: () =>
        this.#last === null ? null : { id: this.#last.id, height: this.#last.index },
      seat: () => ({ shard: 0, seat: this.seat }),
      signer: () => {
        const g = this.#signing;
        if (g === null) return null;
        const e = g.lastError;
        return {
          kind: g.signer.kind,
          ok: e === null,
          events_signed: g.signed,
          last_error: e === null ? null : { code: e.code, message: e.message },
        };
      },
    };
  }

  #peerCount(): number {
    try {
      return this.#p2p?.peers().length ?? 0;
    } catch {
      // Not started yet (or stopped): no peers.
      return 0;
    }
  }

  /** @returns live counters */
  stats(): ValidatorStats {
    const s = [...this.#finality].sort((a, b) => a - b);
    return {
      anchor: this.#last?.index ?? (this.#db?.committedAnchor ?? -1),
      events: this.#events.size,
      txsFinalized: this.#txsFinalized,
      mintsAccepted: this.#mintsAccepted,
      finalityP50Ms: percentile(s, 0.5),
      finalityP95Ms: percentile(s, 0.95),
      peers: this.#peerCount(),
      mempool: this.#pool.size,
      // The root of the last durable anchor: the live engine may be mid-anchor.
      root: this.#last?.root ?? "",
      dagPending: this.#engine.pendingCount,
      dagOrphans: this.#events.size - this.#engine.size - this.#engine.pendingCount,
      dagRejected: this.#engine.rejectedCounts(),
    };
  }

  #kv(): Deno.Kv {
    if (this.#m === null) throw new Error("ValidatorService is not bound to a node");
    return this.#m.kv();
  }

  /** One timed BIP-340 check (event signatures), fed to the crypto metrics. */
  #verifySig = (sig: Uint8Array, msg: Uint8Array, key: Uint8Array): boolean => {
    const c = this.#all?.crypto;
    if (c === undefined) return schnorrVerify(sig, msg, key);
    const t0 = performance.now();
    const ok = schnorrVerify(sig, msg, key);
    c.sigVerifySeconds.inc({ scheme: "schnorr" }, (performance.now() - t0) / 1000);
    c.sigsVerified.inc({ scheme: "schnorr", result: ok ? "valid" : "invalid" });
    return ok;
  };

  /** Timed batch verifier of the state engine (transaction signatures). */
  #verifyBatch = (items: Parameters<typeof schnorrVerifyBatch>[0]): Promise<boolean[]> =>
    // Checks that passed at mempool admission are not repeated at apply (ADR 0074).
    this.#sigs.verify(items, async (todo) => {
      const c = this.#all?.crypto;
      if (c === undefined) return await schnorrVerifyBatch(todo);
      const t0 = performance.now();
      const r = await schnorrVerifyBatch(todo);
      c.sigVerifySeconds.inc({ scheme: "schnorr" }, (performance.now() - t0) / 1000);
      for (const ok of r) {
        c.sigsVerified.inc({ scheme: "schnorr", result: ok ? "valid" : "invalid" });
      }
      return r;
    });

  /** Sets the live-size gauges (queues, mempool) of the node's metrics. */
  #sampleGauges(): void {
    const m = this.#all;
    if (m === null) return;
    m.node.queueDepth.set({ queue: "serial" }, this.#serialDepth);
    const p = this.#p2p;
    if (p !== null) {
      try {
        const st = p.stats();
        m.node.queueDepth.set({ queue: "p2p_bodies" }, st.bodyQueue);
        m.node.queueDepth.set({ queue: "p2p_publish" }, st.publishQueue);
      } catch {
        // Stopped: keep the last values.
      }
    }
    let bytes = 0;
    for (const t of this.#pool.values()) bytes += t.bytes.length;
    m.state.mempoolTxs.set(this.#pool.size);
    m.state.mempoolBytes.set(bytes);
  }

  /** Runs `fn` after every earlier serial step (the single writer of engine and state). */
  #enqueue<T>(fn: () => Promise<T> | T): Promise<T> {
    this.#serialDepth++;
    const run = this.#serial.then(fn).finally(() => this.#serialDepth--);
    // The chain must survive a failed step; the caller sees the failure through `run`.
    this.#serial = run.catch(() => {});
    return run;
  }

  /**
   * Opens the state (recovering it), applies genesis on a fresh store, reloads the stored DAG
   * (re-deriving every finalized anchor and checking it against the stored record), then starts
   * p2p and the timers.
   * @throws {NodeError} `CHAIN_MISMATCH` when a re-derived anchor differs from the stored one
   * @throws {StateError} when the state store fails its root guard
   */
  async start(): Promise<void> {
    if (this.#m === null) throw new Error("ValidatorService is not bound to a node");
    const o = this.#o;
    this.#store = await KvStore.open(`${o.dataDir}/${STATE_KV_FILE}`);
    this.#db = await StateDb.open(this.#store, { network: o.network, verifier: this.#verifyBatch });
    const db = this.#db;
    if (db.committedAnchor < 0) {
      await db.engine.applyAnchor(genesisStateAnchor(o.genesis));
      await this.#m.flush(async () => {
        await db.commit();
      });
    }
    // History starts at the genesis allocations; the DAG replay below adds every later anchor.
    for (const ev of genesisStateAnchor(o.genesis).events) {
      for (const m of ev.mints) this.#history.addMint(0, m.mintId, m.amount, m.payout, "genesis");
    }
    for (const [k] of db.engine.commitment.entriesS()) {
      if (k.charCodeAt(0) !== 0) continue;
      const txId = Uint8Array.from(k.slice(1, 33), (c) => c.charCodeAt(0));
      const index = ((k.charCodeAt(33) << 24) | (k.charCodeAt(34) << 16) |
        (k.charCodeAt(35) << 8) | k.charCodeAt(36)) >>> 0;
      const u = db.engine.getUtxo({ txId, index });
      if (u !== undefined) {
        this.#indexOutput(u.predicate, txId, index);
        // Debits stay right even for outputs whose credit the replay cannot show (history.ts).
        this.#history.trackOutput(txId, index, u.amount, u.predicate);
      }
    }
    // Stored anchor records: the replay below must re-derive exactly these.
    const kv = this.#kv();
    for await (const e of kv.list<string>({ prefix: ["anchor"] })) {
      const r = JSON.parse(e.value) as AnchorRecord;
      this.#records.set(r.index, r);
    }
    if (db.committedAnchor > 0 && !this.#records.has(db.committedAnchor)) {
      // An imported snapshot (or a lost chain.kv): the DAG history to re-derive from is missing.
      throw new NodeError({
        code: "CHAIN_MISMATCH",
        height: db.committedAnchor,
        detail:
          "the state is at this anchor but the node KV holds no record or DAG history for it " +
          "(a snapshot import writes the record and the checkpoint with the state)",
      });
    }
    this.#replayTo = db.committedAnchor;
    // Started from an imported snapshot: resume consensus at its anchor (ADR 0076).
    const checkpoint = await loadCheckpoint(kv);
    if (checkpoint !== null) {
      await this.#resumeFromCheckpoint(checkpoint, db.committedAnchor);
      this.#resumed = true;
    }
    const stored: { n: bigint; parts: Uint8Array[] }[] = [];
    for await (const e of kv.list<Uint8Array>({ prefix: ["dag"] })) {
      const n = e.key[1] as bigint;
      const last = stored[stored.length - 1];
      if (last !== undefined && last.n === n) last.parts.push(e.value);
      else stored.push({ n, parts: [e.value] });
    }
    for (const { n, parts } of stored) {
      // The highest slot plus one, not a count: slots of refused events were deleted (gaps).
      this.#dagCount = Number(n) + 1;
      const body = parts.length === 1 ? parts[0]! : concatBytes(...parts);
      let rec: EventRec;
      try {
        rec = decodeEventBody(body, o.genesis, this.#verifySig);
      } catch (err) {
        // A stored body was checked before it was stored: this is disk corruption.
        throw new NodeError({
          code: "CHAIN_MISMATCH",
          height: this.#index,
          detail: `stored event ${n} does not decode: ${(err as Error).message}`,
        });
      }
      rec.slot = Number(n);
      await this.#insert(rec, false);
    }
    const durable = this.#records.get(db.committedAnchor);
    if (durable !== undefined && durable.root !== hex(db.engine.root())) {
      throw new NodeError({
        code: "CHAIN_MISMATCH",
        height: db.committedAnchor,
        detail: `state root ${
          hex(db.engine.root())
        } differs from the anchor record ${durable.root}`,
      });
    }
    await this.#loadDraft();
    this.#log.info("Node state loaded", {
      anchor: this.#index,
      durable: db.committedAnchor,
      events: this.#events.size,
      root: hex(db.engine.root()),
      seat: this.seat,
    });
    if (o.listen !== null) {
      this.#p2p = new P2pService({
        network: o.network.name,
        dataDir: o.dataDir,
        listen: o.listen,
        bootstrap: o.bootstrap,
        shards: [0],
      }, {
        // Events by event id; transactions by wtxid (a txid does not commit to the witnesses).
        store: {
          // A refused event counts as held: it is not kept, and must not be pulled again.
          has: (id) =>
            this.#events.has(hex(id)) || this.#engine.refused(id) ||
            this.#pool.byWtxid(hex(id)) !== undefined,
          get: (id) => this.#events.get(hex(id))?.body ?? this.#pool.byWtxid(hex(id))?.bytes,
        },
        bodyId: (kind, body) =>
          kind === "events"
            ? this.#bodyId(body)
            : kind === "txs"
            ? txBodyId(body)
            : new Uint8Array(32),
        validators: {
          events: (input) => this.#validate(input.body),
          // Not through the serial queue: admission only reads state, and events must not wait
          // behind transaction checks (ADR 0074).
          txs: (input) => this.#validateTx(input.body, input.from),
        },
        // Admission already pooled accepted transactions: only events go through the queue.
        deliver: ["events"],
        ...(this.#p2pMetrics !== null ? { metrics: this.#p2pMetrics } : {}),
        sync: {
          have: () => {
            const seqs = this.#engine.knownSeqs();
            const out = [];
            for (let v = 0; v < seqs.length; v++) {
              if (seqs[v]! >= 0) {
                out.push({ creator: o.genesis.committee[v]!, seq: BigInt(seqs[v]!) });
              }
            }
            return out;
          },
          range: (creator, fromSeq, limit) => {
            const seat = o.genesis.file.committee.indexOf(hex(creator));
            const out: Uint8Array[] = [];
            if (seat < 0) return out;
            for (let s = Number(fromSeq); out.length < limit; s++) {
              const evs = this.#engine.eventsAt(seat, s);
              if (evs.length === 0) break;
              for (const ev of evs) out.push(ev.id);
            }
            return out.slice(0, limit);
          },
        },
      });
      await this.#p2p.start();
      const p2p = this.#p2p;
      this.#pump = (async () => {
        for await (const b of p2p.bodies) await this.#onBody(b);
      })();
      this.#log.info("P2p started", { peer_id: p2p.peerId, addrs: p2p.multiaddrs });
    }
    await this.#resolveSeat();
    this.#running = true;
    this.#timers.push(setInterval(() => this.#tick(), o.eventIntervalMs));
    if (this.#p2p !== null) {
      this.#timers.push(setInterval(() => void this.#antiEntropy(), o.antiEntropyMs));
      void this.#antiEntropy();
    }
  }

  /** Stops timers and p2p, waits for the serial queue, closes the state store. */
  async stop(): Promise<void> {
    this.#running = false;
    for (const t of this.#timers) clearInterval(t);
    this.#timers = [];
    try {
      await this.#p2p?.stop();
    } finally {
      // Ends the intake loop even when libp2p failed to stop cleanly.
      this.#p2p?.bodies.close();
    }
    await this.#pump;
    // An event the signer already signed is stored before the store closes (else a restart
    // would build another event at its seq, which the signer refuses).
    await this.#creation;
    await this.#serial;
    this.#signing?.signer.close();
    this.#store?.close();
    this.#store = null;
  }

  #bodyId(body: Uint8Array): Uint8Array {
    try {
      const n = new DataView(body.buffer, body.byteOffset, 4).getUint32(0, false);
      return eventId(decodeEvent(body.subarray(4, 4 + n)).header);
    } catch {
      // Not an event: an id that cannot match, so the pull is refused as a mismatch.
      return new Uint8Array(32);
    }
  }

  #validate(body: Uint8Array): ValidationResult {
    try {
      const rec = decodeEventBody(body, this.#o.genesis, this.#verifySig);
      const key = hex(rec.header.id);
      this.#verified.add(key);
      // Intake (#onBody) reuses this decode instead of decoding and verifying again. Bounded:
      // the oldest entries go (an evicted one is simply decoded again).
      this.#decoded.set(key, rec);
      if (this.#decoded.size > DECODED_CACHE) {
        this.#decoded.delete(this.#decoded.keys().next().value!);
      }
      return { verdict: "accept" };
    } catch (e) {
      return { verdict: "reject", reason: e instanceof CodecError ? "MALFORMED" : "INVALID" };
    }
  }

  #onBody(b: NewBody): Promise<void> {
    if (b.kind !== "events") return Promise.resolve();
    return this.#enqueue(async () => {
      const key = hex(b.id);
      const cached = this.#decoded.get(key);
      this.#decoded.delete(key);
      if (this.#events.has(key)) return;
      let rec: EventRec;
      try {
        rec = cached !== undefined && cached.body === b.body
          ? cached
          : decodeEventBody(b.body, this.#o.genesis, this.#verifySig);
      } catch (e) {
        this.#log.debug("Dropped event body", { from: b.from, error: (e as Error).message });
        return;
      }
      await this.#insert(rec, true);
    }).catch((e) => this.#fatal("Event intake failed", e));
  }

  /**
   * A failure inside the serial writer (state apply or commit, chain mismatch) leaves engine and
   * state out of step: log it and hand it to `onFatal` (the CLI exits; restart recovers from disk).
   */
  #fatal(msg: string, e: unknown): void {
    this.#log.error(msg, { error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
    if (this.#running) {
      this.#running = false;
      this.#m?.onFatal?.(e);
    }
  }

  /** Stores (when `persist`), inserts into the DAG and processes finalized anchors. */
  async #insert(rec: EventRec, persist: boolean): Promise<void> {
    const key = hex(rec.header.id);
    if (this.#events.has(key)) return;
    // Held while the engine decides: an insertion it cascades into may finalize anchors.
    this.#events.set(key, rec);
    this.#verified.add(key);
    const before = this.#engine.failedBuffered;
    const r = this.#engine.receive(rec.header, true);
    this.#refeed.track(rec.header, r);
    // Refused for good (an invalid event, a child of one, or a resend of either, which the engine
    // answers as a duplicate): kept neither in memory nor on disk, else a Byzantine seat signing
    // refused events grows both without bound. A full pending buffer (MISSING_PARENTS, not
    // blacklisted) is no verdict: the re-feed hands that event back later (dag_refeed.ts).
    const blacklisted = this.#engine.refused(rec.header.id);
    const refused = blacklisted ||
      (r.status === "rejected" && r.error?.code !== "MISSING_PARENTS");
    if (refused) {
      this.#events.delete(key);
      this.#verified.delete(key);
      // Replay of a store written before refused events were dropped: the body goes now. Not a
      // pre-window fork: whether one is accepted depends on what waits for it (ADR 0076).
      if (rec.slot !== undefined && r.error?.code !== "PRE_WINDOW_FORK") {
        await deleteStoredEvents(this.#kv(), [rec.slot]);
      }
    } else if (persist) this.#unsaved.push(rec);
    // Buffered events this one failed (it was invalid, or a child it placed was) go at once. The
    // scan runs only when the engine failed a buffered event in this call: never for junk refused
    // on arrival (a forged mask, a static refusal, a full buffer), which a Byzantine seat could
    // otherwise turn into one scan of the whole buffer per event it signs.
    if (this.#engine.failedBuffered !== before) {
      await this.#dropRefused();
    }
    if (!refused && r.status !== "rejected") {
      this.#all?.consensus.events.inc();
      // Another seat carries these now: ours must not propose them again (fewer duplicates).
      if (this.#pool.size > 0) { for (const t of rec.txs) this.#pool.markCarried(hex(t.txId)); }
    }
    if (r.status === "rejected") {
      this.#log.debug("Event rejected by consensus", { id: key, error: r.error?.message });
    }
    if (r.missing !== undefined && r.missing.length > 0 && this.#p2p !== null && persist) {
      void this.#fetchMissing(r.missing);
    }
    await this.#drainAnchors();
  }

  /**
   * Writes the events received since the last save, in receipt order, in atomic batches. Runs
   * before every anchor commit (a durable anchor's events are on disk) and before an own event is
   * published (a restarted seat never signs a second event at the same seq).
   */
  async #saveEvents(): Promise<void> {
    const kv = this.#kv();
    while (this.#unsaved.length > 0) {
      const op = kv.atomic();
      let n = 0, bytes = 0;
      while (n < this.#unsaved.length && n < 200 && (n === 0 || bytes < 400_000)) {
        const b = this.#unsaved[n]!.body;
        // Deno KV values are at most 64 KiB: larger bodies are split into numbered chunks.
        for (let i = 0, off = 0; off < b.length || i === 0; i++, off += DAG_CHUNK) {
          op.set(["dag", BigInt(this.#dagCount + n), i], b.subarray(off, off + DAG_CHUNK));
        }
        bytes += b.length;
        n++;
      }
      const r = await op.commit();
      if (!r.ok) throw new NodeError({ code: "STORE_COMMIT_REFUSED", what: "DAG events" });
      for (let i = 0; i < n; i++) this.#unsaved[i]!.slot = this.#dagCount + i;
      this.#dagCount += n;
      this.#unsaved.splice(0, n);
    }
  }

  /** Hands back to the engine the buffered events it dropped (dag_refeed.ts); serial queue only. */
  async #refeedDropped(): Promise<void> {
    if (this.#refeed.size === 0) return;
    await this.#dropRefused();
    const { refed, missing } = this.#refeed.refeed(this.#engine);
    // A re-fed event may fail with an invalid ancestor, or fail children that waited on it.
    await this.#dropRefused();
    if (refed === 0) return;
    this.#log.info("Re-fed events the consensus buffer had dropped", {
      refed,
      missing: missing.length,
    });
    if (missing.length > 0 && this.#p2p !== null) void this.#fetchMissing(missing);
    await this.#drainAnchors();
  }

  /**
   * Drops the buffered events the engine has failed since they were kept (a parent, or an ancestor,
   * turned out invalid: the cascade of ADR 0078's addendum) from memory, from the unsaved queue and
   * from the stored DAG, so that a restart does not replay them. Serial queue only.
   */
  async #dropRefused(): Promise<void> {
    const gone = this.#refeed.takeRefused(this.#engine);
    if (gone.length === 0) return;
    const slots: number[] = [];
    const unsaved = new Set<EventRec>();
    for (const k of gone) {
      const rec = this.#events.get(k);
      this.#events.delete(k);
      this.#verified.delete(k);
      // A child a pre-window fork was inserted for: the replay needs it (dag_store.ts).
      if (rec === undefined || (this.#resumed && citesForkedSlot(this.#engine, rec.header))) {
        continue;
      }
      if (rec.slot !== undefined) slots.push(rec.slot);
      else unsaved.add(rec);
    }
    if (unsaved.size > 0) this.#unsaved = this.#unsaved.filter((r) => !unsaved.has(r));
    if (slots.length > 0) await deleteStoredEvents(this.#kv(), slots);
    this.#log.debug("Dropped events refused while they waited", {
      events: gone.length,
      stored: slots.length,
    });
  }

  async #fetchMissing(ids: readonly Uint8Array[]): Promise<void> {
    const p2p = this.#p2p;
    if (p2p === null) return;
    // Once per id, a few at a time: the rest is left to anti-entropy (parent_fetch.ts, ADR 0078).
    this.#parents ??= new ParentFetcher((want) => p2p.fetchIds("events", want));
    try {
      await this.#parents.fetch(ids);
    } catch (e) {
      this.#log.debug("Fetch of missing parents failed", { error: (e as Error).message });
    }
  }

  async #drainAnchors(): Promise<void> {
    const db = this.#db!;
    for (const ev of this.#engine.takeEvidence()) {
      // Slashing through evidence transactions is not wired yet (issue 9): record it loudly.
      this.#log.warn("Misbehaviour evidence", {
        kind: ev.kind,
        seat: ev.creator,
        events: ev.events.map((h) => hex(h.id)),
      });
    }
    for (const a of this.#engine.takeAnchors()) {
      const index = ++this.#index;
      const events: FinalizedEvent[] = [];
      let mints = 0;
      for (const h of a.events) {
        const rec = this.#events.get(hex(h.id))!;
        const sm: StateMint[] = [];
        for (const m of rec.event.mints) {
          try {
            const out = this.#mint.apply(m, BigInt(index));
            sm.push({ mintId: out.mintId, amount: out.amount, tier: out.tier, payout: out.payout });
            this.#pendingMints.delete(hex(out.mintId));
            mints++;
          } catch (e) {
            if (!(e instanceof MintError)) throw e;
            // Stale or invalid mint: skipped by every node alike (docs/spec/mint.md §6).
          }
        }
        events.push({ eventId: h.id, mints: sm, txs: rec.txs });
      }
      let record: AnchorRecord;
      if (index <= this.#replayTo) {
        const stored = this.#records.get(index);
        if (stored === undefined || stored.id !== hex(a.id)) {
          throw new NodeError({
            code: "CHAIN_MISMATCH",
            height: index,
            detail: `re-derived anchor id ${hex(a.id)} differs from stored ${stored?.id ?? "none"}`,
          });
        }
        record = stored;
      } else {
        const t0 = performance.now();
        const receipt = await db.engine.applyAnchor({ index, events });
        this.#all?.state.applySeconds.observe((performance.now() - t0) / 1000);
        record = {
          index,
          height: a.height,
          round: a.round,
          id: hex(a.id),
          root: hex(receipt.root),
          events: a.events.map((h) => hex(h.id)),
          txs: receipt.appliedTxs,
          mints: receipt.appliedMints,
          skipped: receipt.skipped.map((s) => hex(s.id)),
        };
        const kv = this.#kv();
        const rec = record;
        const t1 = performance.now();
        await this.#m!.flush(async () => {
          await this.#saveEvents();
          await kv.set(["anchor", BigInt(index)], JSON.stringify(rec));
          await db.commit();
        });
        this.#metrics?.anchorCommit.observe((performance.now() - t1) / 1000);
        this.#records.set(index, rec);
      }
      this.#afterAnchor(record, events);
    }
  }

  /** Updates the RPC-visible indexes once an anchor is durable. */
  #afterAnchor(record: AnchorRecord, events: FinalizedEvent[]): void {
    const skipped = new Set(record.skipped);
    // A txid can reach the order more than once (two seats carried it): state applies the first
    // valid copy and skips the others, so it applied iff it occurs more often than it was skipped
    // (docs/adr/0073-tx-gossip-and-inclusion-rule.md). Counting keeps the stored record format.
    const skips = new Map<string, number>();
    for (const id of record.skipped) skips.set(id, (skips.get(id) ?? 0) + 1);
    const copies = new Map<string, number>();
    for (const ev of events) {
      for (const t of ev.txs) {
        const id = hex(t.txId);
        copies.set(id, (copies.get(id) ?? 0) + 1);
      }
    }
    const now = performance.now();
    for (const ev of events) {
      for (const m of ev.mints) {
        if (!skipped.has(hex(m.mintId))) {
          this.#mintsAccepted++;
          this.#metrics?.mintsAccepted.inc();
          this.#indexOutput(m.payout, m.mintId, 0);
          this.#history.addMint(record.index, m.mintId, m.amount, m.payout, "mint");
        }
      }
      ev.txs.forEach((t, pos) => {
        const id = hex(t.txId);
        const inPool = this.#pool.get(id);
        if (inPool !== undefined) this.#pool.delete(id);
        if (this.#txIndex.has(id) || copies.get(id)! <= (skips.get(id) ?? 0)) return;
        this.#txIndex.set(id, { anchor: record.index, event: hex(ev.eventId), pos });
        this.#txsFinalized++;
        this.#metrics?.txsFinalized.inc();
        this.#all?.state.txsApplied.inc();
        if (inPool !== undefined) {
          this.#metrics?.finality.observe((now - inPool.t0) / 1000);
          this.#finality.push(now - inPool.t0);
          if (this.#finality.length > FINALITY_SAMPLES) this.#finality.shift();
        }
        t.tx.outputs.forEach((o, i) => this.#indexOutput(o.predicate, t.txId, i));
        this.#history.addTx(record.index, t.txId, t.tx);
      });
    }
    // Transactions whose inputs are now gone (spent by another) can never apply.
    const db = this.#db!;
    for (const [id, t] of this.#pool) {
      if (t.carried) continue;
      if (t.st.tx.inputs.some((i) => db.engine.getUtxo(i.prevout) === undefined)) {
        this.#pool.delete(id);
      }
    }
    this.#pool.expire(this.#index, POOL_MAX_AGE_ANCHORS);
    this.#reannounce();
    this.#last = record;
    this.#metrics?.anchor.set(record.index);
    this.#all?.consensus.anchorsFinalized.inc();
    this.#all?.consensus.latestAnchorHeight.set(record.height);
    if (record.index > this.#replayTo && (record.index % 50 === 0 || record.txs > 0)) {
      this.#log.info("Anchor finalized", {
        anchor: record.index,
        round: record.round,
        txs: record.txs,
        mints: record.mints,
        root: record.root.slice(0, 16),
      });
    }
  }

  /**
   * Announces again the transactions submitted here over RPC that no event carries yet, every
   * REANNOUNCE_ANCHORS anchors: a peer that dropped the first announcement (validation queue
   * full, a restart) gets another chance, so the owner seat still learns of them (ADR 0073).
   */
  #reannounce(): void {
    const p2p = this.#p2p;
    if (p2p === null || this.#index <= this.#replayTo) return;
    for (const t of this.#pool.values()) {
      const age = this.#index - t.anchor;
      if (t.from !== null || t.carried || age === 0 || age % REANNOUNCE_ANCHORS !== 0) continue;
      try {
        if (!p2p.publish("txs", 0, hexToBytes(t.wtxid), t.bytes)) break;
      } catch {
        // Stopped: nothing to announce to.
        return;
      }
    }
  }

  #indexOutput(pr: Predicate, txId: Uint8Array, index: number): void {
    for (const k of predicateKeys(pr)) {
      let s = this.#addr.get(k);
      if (s === undefined) this.#addr.set(k, s = new Set());
      s.add(outpointKey(txId, index));
    }
  }

  #tick(): void {
    this.#sampleGauges();
    const g = this.#signing;
    if (!this.#running || g === null || this.#creating || !g.ready()) return;
    if (this.seat === null && this.#seatResolved) return;
    this.#creating = true;
    this.#creation = (this.seat === null ? this.#resolveSeat() : this.#createEvent())
      .catch((e) => this.#fatal("Event creation failed", e))
      .finally(() => (this.#creating = false));
  }

  /**
   * Drafts one own event (serial), has the seat signer sign it outside the serial queue (intake
   * goes on while a remote signer answers), then stores, inserts and publishes it (serial). A
   * signer failure is counted and logged by the gate; the node just emits nothing this tick.
   */
  async #createEvent(): Promise<void> {
    const g = this.#signing!;
    const draft = await this.#enqueue(() => this.#draftEvent());
    if (draft === null) return;
    if (g.signer.kind === "remote" && draft !== this.#storedDraft) {
      await this.#enqueue(() => this.#storeDraft(draft));
    }
    const signature = await g.sign(draft);
    if (signature === null) return;
    await this.#enqueue(() => this.#commitOwnEvent(draft, signature));
  }

  /** The next own event, unsigned, when there is something to reference (or a retained one). */
  #draftEvent(): EventDraft<DraftExtra> | null {
    const seat = this.seat!;
    const e = this.#engine;
    // A draft whose signing failed ambiguously goes out again unchanged (signer retry rule).
    const again = this.#signing!.retained(BigInt((e.knownSeqs()[seat] ?? -1) + 1));
    if (again !== null) return again;
    const parents = e.selectParents(seat);
    if (e.k >= 2 && e.tip(seat) !== undefined && parents.length === 0) return null;
    if (e.k >= 2 && e.tip(seat) !== undefined) {
      // Pace: an event once a quorum's worth of other seats moved (rounds advance per hop), or
      // after four intervals with any progress, or at once when work is waiting.
      const seqs = e.knownSeqs();
      let moved = 0;
      for (let v = 0; v < e.k; v++) if (v !== seat && seqs[v]! > (this.#seenAt[v] ?? -1)) moved++;
      const waiting = this.#pendingMints.size > 0 || this.#pool.hasWork(this.#inclusion(seat));
      const idle = this.#ticksSinceEvent++ >= 4;
      if (moved < Math.min(e.k - 1, e.q - 1) && !idle && !waiting) return null;
    }
    this.#seenAt = Array.from(e.knownSeqs());
    this.#ticksSinceEvent = 0;
    const prepared = e.prepareEvent(seat, parents);
    // Own-seat transactions (and others past the fallback wait); the whole event body must stay
    // under the p2p events limit (docs/spec/p2p.md §1).
    const txs: PoolTx[] = this.#pool.select({
      ...this.#inclusion(seat),
      maxTxs: this.#maxTxs,
      maxBytes: MAX_PAYLOAD_BODY_BYTES,
    });
    const mints = [...this.#pendingMints.values()].slice(0, 4);
    const payload = encodeEventPayload({ txs: txs.map((t) => t.st.tx) as Tx[] });
    const decoded = decodeEventPayloadWithIds(payload);
    const { header: base } = buildCodecHeader({
      network: this.#o.genesis.networkId,
      shard: 0,
      creator: seat,
      seq: prepared.seq,
      selfParent: prepared.selfParent,
      parents: prepared.parents,
      voteMask: prepared.voteMask,
      payloadRoot: decoded.payloadRoot,
      payloadTxs: txs.length,
      payloadBytes: payload.length,
    });
    const header = { ...base, extrasHash: eventExtrasHash(mints, []) };
    return { header, id: eventId(header), extra: { txs, mints, payload } };
  }

  /** Inclusion-rule inputs of this seat now (docs/adr/0073-tx-gossip-and-inclusion-rule.md). */
  #inclusion(seat: number) {
    return {
      seat,
      k: this.#engine.k,
      anchor: this.#index,
      fallbackAnchors: DEFAULT_FALLBACK_ANCHORS,
    };
  }

  /**
   * Makes the unsigned draft durable before phantom-signer sees it (with the events it builds on):
   * if the node dies after the signer persisted its mark but before the event was stored, the
   * restarted node sends this very draft again, which the signer answers as a retry (ADR 0057),
   * instead of a new event at that seq, which it would refuse forever.
   */
  async #storeDraft(draft: EventDraft<DraftExtra>): Promise<void> {
    await this.#saveEvents();
    const { header, extra } = draft;
    const body = encodeEventBody(
      { header, mints: extra.mints, evidence: [], signature: new Uint8Array(64) },
      extra.payload,
    );
    const op = this.#kv().atomic();
    let n = 0;
    for (let off = 0; off < body.length || n === 0; off += DAG_CHUNK) {
      op.set(["seat_draft", n++], body.subarray(off, off + DAG_CHUNK));
    }
    for (let i = n; i < this.#draftChunks; i++) op.delete(["seat_draft", i]);
    if (!(await op.commit()).ok) {
      throw new NodeError({ code: "STORE_COMMIT_REFUSED", what: "the seat draft" });
    }
    this.#draftChunks = n;
    this.#storedDraft = draft;
  }

  /** Reloads a draft stored by {@linkcode #storeDraft}; the gate resends it if still next. */
  async #loadDraft(): Promise<void> {
    const parts: Uint8Array[] = [];
    for await (const e of this.#kv().list<Uint8Array>({ prefix: ["seat_draft"] })) {
      parts.push(e.value);
    }
    this.#draftChunks = parts.length;
    const g = this.#signing;
    if (parts.length === 0 || g === null || g.signer.kind !== "remote") return;
    const body = concatBytes(...parts);
    let rec: EventRec;
    try {
      // Unsigned on purpose: everything but the signature is checked.
      rec = decodeEventBody(body, this.#o.genesis, () => true);
    } catch (e) {
      this.#log.warn("Ignoring a stored seat draft that does not decode", {
        error: (e as Error).message,
      });
      return;
    }
    const n = new DataView(body.buffer, body.byteOffset, 4).getUint32(0, false);
    const { header, mints } = rec.event;
    const draft = {
      header,
      id: eventId(header),
      extra: { txs: [], mints, payload: body.slice(4 + n) },
    };
    g.retain(draft);
    this.#storedDraft = draft;
  }

  /** Stores, inserts and publishes a signed own event. */
  async #commitOwnEvent(draft: EventDraft<DraftExtra>, signature: Uint8Array): Promise<void> {
    const { header, id, extra: { txs, mints, payload } } = draft;
    const body = encodeEventBody({ header, mints, evidence: [], signature }, payload);
    const rec = decodeEventBody(body, this.#o.genesis, this.#verifySig);
    for (const t of txs) t.carried = true;
    for (const m of mints) this.#pendingMints.delete(hex(mintId(m)));
    await this.#insert(rec, true);
    await this.#saveEvents();
    try {
      this.#p2p?.publish("events", 0, id, body);
    } catch (err) {
      this.#log.warn("Cannot publish event", { error: (err as Error).message });
    }
  }

  async #antiEntropy(): Promise<void> {
    const p2p = this.#p2p;
    if (p2p === null || !this.#running) return;
    // First what is already here: bodies the engine dropped from its buffer are never delivered
    // again (seen-cache, intake dedupe), so a peer cannot supply them (ADR 0078). Not awaited: the
    // round must not wait behind the intake queue.
    void this.#enqueue(() => this.#refeedDropped()).catch((e) => this.#fatal("Re-feed failed", e));
    const committee = this.#o.genesis.file.committee;
    // One round at a time, each id pulled once per round (anti_entropy.ts, ADR 0078).
    this.#sync ??= new AntiEntropy(
      p2p,
      {
        seatOf: (creator) => committee.indexOf(hex(creator)),
        knownSeqs: () => this.#engine.knownSeqs(),
        holds: (id) => this.#events.has(hex(id)) || this.#engine.refused(id),
        wanted: (limit) => this.#engine.wanted(limit),
      },
      (peer, e) =>
        this.#log.debug("Anti-entropy round with peer failed", { peer, error: e.message }),
    );
    await this.#sync.tick();
  }

  // ---- RPC ----

  /**
   * Registers the chain RPC methods (docs/spec/wallet.md §3, docs/spec/mint.md §8).
   * @param r the node's method registry
   */
  registerRpc(r: MethodRegistry): void {
    const net = this.#o.network;
    r.register(
      "submit_tx",
      "Submit a transaction (encodeTx hex) to the mempool",
      p.object({
        tx: p.hex(0, 100_000),
      }),
      ({ tx }) => this.#submitTx(hexToBytes(tx)),
    );
    r.register(
      "submit_txs",
      "Submit up to 1000 transactions (encodeTx hex); one result or error per item, in order",
      p.object({ txs: p.array(p.hex(0, 100_000), 1000) }),
      ({ txs }) => this.#submitTxs(txs),
    );
    r.register(
      "get_tx",
      "A transaction with its finality status, or null",
      p.object({ txid: p.hex(32) }),
      ({ txid }) => this.#enqueue(() => this.#getTx(txid)),
    );
    r.register(
      "get_utxos",
      "Unspent outputs paying an address, paged by cursor",
      p.object({
        address: p.string({ maxLength: 200 }),
        cursor: p.optional(p.string({ maxLength: 80 })),
      }),
      ({ address, cursor }) => this.#enqueue(() => this.#getUtxos(address, cursor ?? null)),
    );
    r.register(
      "get_balance",
      "Confirmed and pending balance of an address",
      p.object({ address: p.string({ maxLength: 200 }) }),
      ({ address }) => this.#enqueue(() => this.#getBalance(address)),
    );
    r.register(
      "get_history",
      "Finalized credits and debits of an address, newest first, paged by cursor",
      p.object({
        address: p.string({ maxLength: 200 }),
        limit: p.optional(p.integer(1, MAX_HISTORY_PAGE)),
        cursor: p.optional(p.string({ maxLength: 20 })),
      }),
      ({ address, limit, cursor }) =>
        this.#enqueue(() => {
          const key = this.#commitmentOf(address);
          try {
            return historyPageToJson(
              this.#history.page(key, limit ?? DEFAULT_HISTORY_PAGE, cursor ?? null),
            );
          } catch (e) {
            if (!(e instanceof RangeError)) throw e;
            throw new RpcError(RPC_ERROR.INVALID_PARAMS, e.message, { path: "cursor" });
          }
        }),
    );
    r.register("get_fee_floor", "The mempool's fee floor", p.none(), () => ({
      units_per_byte: this.#floor.unitsPerByte.toString(),
      min_fee: this.#floor.minFee.toString(),
    }));
    r.register(
      "get_event",
      "A DAG event by id",
      p.object({ id: p.hex(32) }),
      ({ id }) => this.#getEvent(id),
    );
    r.register(
      "get_anchor",
      "A durable finalized anchor by index (latest when absent)",
      p.object({ index: p.optional(p.integer(0)) }),
      ({ index }) => {
        const rec = index === undefined ? this.#last : this.#records.get(index);
        if (rec === undefined || rec === null || rec.index > (this.#last?.index ?? -1)) {
          throw new RpcError(RPC_ERROR.NOT_FOUND, `Unknown anchor: ${index ?? "latest"}`);
        }
        return rec;
      },
    );
    r.register(
      "get_state_root",
      "State root of the latest durable anchor, with an optional outpoint inclusion proof",
      p.object({ txid: p.optional(p.hex(32)), index: p.optional(p.integer(0, 0xffffffff)) }),
      ({ txid, index }) =>
        this.#enqueue(() => {
          const db = this.#db!;
          const out: Record<string, unknown> = {
            anchor: db.committedAnchor,
            root: hex(db.engine.root()),
          };
          if (txid !== undefined) {
            const o = { txId: hexToBytes(txid), index: index ?? 0 };
            const u = db.engine.getUtxo(o);
            out["utxo"] = u === undefined ? null : toJsonValue({
              ...u,
              predicate: encodePredicate(u.predicate),
            });
            out["proof"] = toJsonValue(db.engine.proveUtxo(o));
          }
          return out;
        }),
    );
    r.register(
      "get_mint_template",
      "A mint template on the finalized mint tip",
      p.object({ payout: p.string({ maxLength: 200 }), tier: p.integer(0, 2) }),
      ({ payout, tier }) => {
        let pr: Predicate;
        try {
          pr = payoutFromAddress(payout, net.name);
        } catch (e) {
          throw new RpcError(
            RPC_ERROR.INVALID_PARAMS,
            `Invalid payout address: ${(e as Error).message}`,
            {
              path: "payout",
            },
          );
        }
        return this.#enqueue(() =>
          this.#mintCall(() => templateToJson(buildTemplate(this.#mint, { payout: pr, tier })))
        );
      },
    );
    r.register(
      "submit_mint_solution",
      "Submit a solved mint (encodeMint hex); carried in an event of this seat",
      p.object({ mint: p.hex(0, 1024) }),
      ({ mint }) =>
        this.#enqueue(() =>
          this.#mintCall(() => {
            if (this.seat === null) {
              throw new RpcError(RPC_ERROR.NOT_READY, "This node holds no committee seat");
            }
            const pending = new Set(this.#pendingMints.keys());
            const c = checkSolution(this.#mint, hexToBytes(mint), pending);
            if (this.#pendingMints.size >= MAX_PENDING_MINTS) {
              throw new RpcError(RPC_ERROR.REJECTED, "Too many pending mints", {
                code: "MINT_QUEUE_FULL",
              });
            }
            this.#pendingMints.set(c.mintId, c.mint);
            return { mintId: c.mintId, height: c.height.toString(), reward: c.reward.toString() };
          })
        ),
    );
    r.register(
      "mint_status",
      "Mint chain status: height, tip, target, emission",
      p.none(),
      () => this.#enqueue(() => mintStatusToJson(mintStatus(this.#mint))),
    );
    r.register(
      "node_stats",
      "Live counters of this node (devnet status line)",
      p.none(),
      () => this.stats(),
    );
  }

  #mintCall<T>(fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      if (e instanceof MintError) {
        const j = mintErrorToRpc(e);
        throw new RpcError(j.code, j.message, j.data);
      }
      throw e;
    }
  }

  /**
   * Admits one transaction from RPC (`from` null) or gossip (a peer id). Outside the serial queue
   * (ADR 0074): the state check only reads, and may see an anchor mid-apply, which is harmless
   * for a mempool policy (apply re-checks everything; a stale entry is swept after the anchor).
   */
  async #admit(bytes: Uint8Array, from: string | null) {
    if (this.#db === null || !this.#running) {
      throw new RpcError(RPC_ERROR.NOT_READY, "The node is not running");
    }
    // Consensus first: while events or anchors are queued, a transaction waits for them (a burst
    // of admissions would otherwise hold the event loop while consensus work waits).
    if (this.#serialDepth > 0) await this.#serial;
    return await admitTx(bytes, from, {
      networkId: this.#o.genesis.networkId,
      floor: this.#floor,
      pool: this.#pool,
      finalized: (id) => this.#txIndex.has(id),
      checkTx: (st) => this.#db!.engine.checkTx(st),
      anchor: this.#index,
      now: performance.now(),
    });
  }

  /**
   * `submit_tx`: admits the transaction and announces it on the shard's `txs` topic, so the seat
   * whose turn it is carries it (docs/adr/0073-tx-gossip-and-inclusion-rule.md). A full node
   * accepts and forwards; only a node with neither seat nor p2p refuses.
   */
  async #submitTx(bytes: Uint8Array): Promise<{ txid: string }> {
    let a;
    try {
      a = await this.#admit(bytes, null);
    } catch (e) {
      if (e instanceof TxAdmissionError) {
        throw new RpcError(RPC_ERROR.REJECTED, e.message, { ...e.data, code: e.code });
      }
      throw e;
    }
    if (a.status === "known") return { txid: a.txid };
    const p2p = this.#p2p;
    if (p2p === null) {
      if (this.seat !== null) return { txid: a.txid };
      this.#pool.delete(a.txid);
      throw new RpcError(
        RPC_ERROR.NOT_READY,
        "This node holds no committee seat and no p2p: submit to a validator",
      );
    }
    // A seat carries what is submitted to it in its next event (Mempool rule, ADR 0073), and the
    // event delivers the body to every peer, so announcing it as well would only send the body
    // twice over each link; #reannounce still announces it if no event carries it for a while.
    if (this.seat !== null) return { txid: a.txid };
    let queued = false;
    try {
      queued = p2p.publish("txs", 0, a.wtxid, a.entry!.bytes);
    } catch (e) {
      this.#log.warn("Cannot announce transaction", { error: (e as Error).message });
    }
    if (!queued) {
      // A full node (seats returned above) that cannot announce would hold a transaction no seat
      // ever sees.
      this.#pool.delete(a.txid);
      throw new RpcError(RPC_ERROR.REJECTED, "Relay queue full: retry later", {
        code: "RELAY_BUSY",
      });
    }
    return { txid: a.txid };
  }

  /** Gossip validator of the `txs` topic: admission, with its verdict (ADR 0073). */
  async #validateTx(body: Uint8Array, from: string): Promise<ValidationResult> {
    try {
      const a = await this.#admit(body, from);
      return a.status === "added"
        ? { verdict: "accept" }
        : { verdict: "ignore", reason: "duplicate" };
    } catch (e) {
      if (e instanceof TxAdmissionError) return { verdict: e.verdict, reason: e.code };
      if (e instanceof RpcError) return { verdict: "ignore", reason: "NOT_READY" };
      throw e;
    }
  }

  /**
   * `submit_txs`: many `submit_tx` calls in one request (load generators, wallets batching); each
   * item gets its own result or error, in order.
   */
  async #submitTxs(txs: string[]): Promise<unknown[]> {
    const out: unknown[] = [];
    for (const tx of txs) {
      try {
        out.push(await this.#submitTx(hexToBytes(tx)));
      } catch (e) {
        if (!(e instanceof RpcError)) throw e;
        out.push({ error: { code: e.code, message: e.message, data: e.data ?? null } });
      }
    }
    return out;
  }

  #getTx(txid: string): unknown {
    const t = this.#pool.get(txid);
    if (t !== undefined) return { tx: hex(t.bytes), status: "pending", anchor: null };
    const f = this.#txIndex.get(txid);
    if (f === undefined) return null;
    const rec = this.#events.get(f.event);
    const bytes = rec?.txBytes[f.pos];
    return {
      tx: bytes === undefined ? null : hex(bytes),
      status: "finalized",
      anchor: f.anchor.toString(),
    };
  }

  #commitmentOf(address: string): string {
    try {
      return hex(decodeAddress(address, this.#o.network.name).commitment);
    } catch (e) {
      throw new RpcError(RPC_ERROR.INVALID_PARAMS, `Invalid address: ${(e as Error).message}`, {
        path: "address",
      });
    }
  }

  #utxosOf(address: string): { key: string; txId: Uint8Array; index: number }[] {
    const set = this.#addr.get(this.#commitmentOf(address));
    if (set === undefined) return [];
    const db = this.#db!;
    const out = [];
    for (const k of [...set].sort()) {
      const [t, i] = k.split(":");
      const txId = hexToBytes(t!);
      const index = Number(i);
      if (db.engine.getUtxo({ txId, index }) === undefined) {
        set.delete(k);
        continue;
      }
      out.push({ key: k, txId, index });
    }
    return out;
  }

  #getUtxos(address: string, cursor: string | null): unknown {
    const db = this.#db!;
    const all = this.#utxosOf(address).filter((u) => cursor === null || u.key > cursor);
    const page = all.slice(0, MAX_GET_UTXOS);
    return {
      utxos: page.map((u) => {
        const x = db.engine.getUtxo({ txId: u.txId, index: u.index })!;
        return {
          txid: hex(u.txId),
          index: u.index,
          amount: x.amount.toString(),
          predicate: hex(encodePredicate(x.predicate)),
          // u64 on the RPC is a decimal string (docs/spec/wallet.md §3), like every amount.
          anchor: x.createdAt.toString(),
        };
      }),
      next_cursor: all.length > page.length ? page[page.length - 1]!.key : null,
    };
  }

  #getBalance(address: string): unknown {
    const db = this.#db!;
    const c = this.#commitmentOf(address);
    let confirmed = 0n;
    const mine = new Set<string>();
    for (const u of this.#utxosOf(address)) {
      confirmed += db.engine.getUtxo({ txId: u.txId, index: u.index })!.amount;
      mine.add(u.key);
    }
    let pending = 0n;
    for (const t of this.#pool.values()) {
      for (const o of t.st.tx.outputs) {
        if (predicateKeys(o.predicate).includes(c)) pending += o.amount;
      }
      for (const i of t.st.tx.inputs) {
        const k = outpointKey(i.prevout.txId, i.prevout.index);
        if (mine.has(k)) pending -= db.engine.getUtxo(i.prevout)?.amount ?? 0n;
      }
    }
    return { confirmed: confirmed.toString(), pending: pending.toString() };
  }

  #getEvent(id: string): unknown {
    const rec = this.#events.get(id);
    if (rec === undefined) throw new RpcError(RPC_ERROR.NOT_FOUND, `Unknown event: "${id}"`);
    const h = rec.header;
    return {
      id,
      creator: h.creator,
      seq: h.seq,
      self_parent: h.selfParent === null ? null : hex(h.selfParent),
      parents: h.parents.map((x) => hex(x)),
      vote_mask: h.voteMask.toString(16).padStart(16, "0"),
      payload_root: hex(h.payloadRoot),
      txs: rec.txs.map((t) => hex(t.txId)),
      mints: rec.event.mints.length,
      round: this.#engine.roundOf(h.id) ?? null,
      consensus_time: this.#engine.consensusTimeOf(h.id) ?? null,
    };
  }
}
