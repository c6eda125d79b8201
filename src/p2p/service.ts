/**
 * The p2p component: js-libp2p 3 (TCP + Noise + Yamux + identify + gossipsub 1.1) carrying small
 * announcements on per-shard topics, bodies pulled by id over `/phantom/<net>/pull/1`, and the
 * anti-entropy calls (HAVE, RANGE, GET) the node's sync logic uses (docs/spec/p2p.md).
 * @module
 */
import { createLibp2p } from "libp2p";
import { tcp } from "@libp2p/tcp";
import { noise } from "@chainsafe/libp2p-noise";
import { yamux } from "@chainsafe/libp2p-yamux";
import { type Identify, identify } from "@libp2p/identify";
import {
  type GossipSub,
  gossipsub,
  type GossipsubMessage,
  StrictNoSign,
  TopicValidatorResult,
} from "@libp2p/gossipsub";
import { createPeerScoreParams, createTopicScoreParams } from "@libp2p/gossipsub/score";
import { KEEP_ALIVE, type Libp2p, type PeerId, type PrivateKey } from "@libp2p/interface";
import { peerIdFromString } from "@libp2p/peer-id";
import { lpStream } from "@libp2p/utils";
import { multiaddr } from "@multiformats/multiaddr";
// The native BLAKE3 when it loads (gossipsub hashes every message it sees for its id).
import { blake3 } from "../crypto/mod.ts";
import { bytesToHex } from "@noble/hashes/utils.js";
import { getLogger } from "@logtape/logtape";
import { P2pError, type Verdict } from "./errors.ts";
import { loadOrCreateIdentity } from "./identity.ts";
import {
  DEFAULT_LIMITS,
  MAX_ANNOUNCE_IDS,
  MAX_BODY_BYTES,
  MAX_GOSSIP_FRAME_BYTES,
  MAX_HAVE_ENTRIES,
  MAX_PULL_IDS,
  MAX_PULL_REQUEST_BYTES,
  type P2pLimits,
  TOPIC_KINDS,
  type TopicKind,
} from "./limits.ts";
import type { P2pMetricsSink } from "./metrics.ts";
import { BoundedQueue, ByteBoundedCache, SeenCache, TokenBucket } from "./queue.ts";
import { parseTopic, pullProtocol, SHARD_COUNT, topicName } from "./topics.ts";
import {
  type AnnouncedId,
  decodeAnnouncement,
  decodePullRequest,
  decodePullResponse,
  encodeAnnouncement,
  encodePullRequest,
  encodePullResponse,
  type HaveEntry,
  type PullItem,
  type PullRequest,
  type PullResponse,
} from "./wire.ts";

/** What a {@linkcode Validator} is asked to judge: one pulled body. */
export interface ValidationInput {
  /** Topic kind the body was announced on (or requested as). */
  kind: TopicKind;
  /** Shard of the topic, `undefined` for bodies fetched through the anti-entropy API. */
  shard: number | undefined;
  /** 32-byte id, already checked to match `body` with the `bodyId` module. */
  id: Uint8Array;
  /** Body bytes. */
  body: Uint8Array;
  /** Peer id (string form) the body came from. */
  from: string;
}

/** A validator's answer: the gossip verdict and, unless accepted, a typed reason code. */
export type ValidationResult<R extends string = string> =
  | { verdict: "accept" }
  | { verdict: "ignore" | "reject"; reason: R };

/**
 * Judges a body before it is delivered to the node and its announcement relayed: `accept` relays,
 * `ignore` drops, `reject` drops and lowers the sender's score (gossipsub P4). The node plugs
 * decode + consensus/state checks in here. Throwing counts as `ignore` with reason `VALIDATOR_ERROR`.
 */
export type Validator<R extends string = string> = (
  input: ValidationInput,
) => ValidationResult<R> | Promise<ValidationResult<R>>;

/** Where the pull protocol serves bodies from (the node's event/tx stores). */
export interface BodyStore {
  /** Whether a body is held. */
  has(id: Uint8Array): boolean | Promise<boolean>;
  /** A held body's bytes, or `undefined`. */
  get(id: Uint8Array): Uint8Array | undefined | Promise<Uint8Array | undefined>;
}

/** Optional index that answers HAVE and RANGE requests (anti-entropy, docs/spec/p2p.md §4.3). */
export interface SyncIndex {
  /** Per-creator latest sequence held (at most MAX_HAVE_ENTRIES entries are sent). */
  have(): HaveEntry[] | Promise<HaveEntry[]>;
  /** Ids of events of `creator` with seq >= `fromSeq`, in seq order, at most `limit`. */
  range(creator: Uint8Array, fromSeq: bigint, limit: number): Uint8Array[] | Promise<Uint8Array[]>;
}

/** A body that arrived, passed validation, and waits for the node in {@linkcode P2pService.bodies}. */
export interface NewBody {
  /** Topic kind. */
  kind: TopicKind;
  /** Shard it was announced on; `undefined` when fetched via the anti-entropy API. */
  shard: number | undefined;
  /** 32-byte id. */
  id: Uint8Array;
  /** Body bytes. */
  body: Uint8Array;
  /** Peer id it came from. */
  from: string;
}

/** Options of {@linkcode P2pService}. */
export interface P2pOptions {
  /** Network name used in topics and the protocol id, e.g. `testnet`. */
  network: string;
  /** Directory holding the identity key; ignored when `privateKey` is given. */
  dataDir?: string;
  /** Identity to use instead of the key file (tests, simulators). */
  privateKey?: PrivateKey;
  /** Listen multiaddrs; default `/ip4/0.0.0.0/tcp/0`. */
  listen?: string[];
  /** Bootstrap peer multiaddrs (with `/p2p/<id>`), dialled on start and kept alive. */
  bootstrap?: string[];
  /** Shards whose topics we subscribe to; default all 64. */
  shards?: number[];
  /** Overrides of {@linkcode DEFAULT_LIMITS}. */
  limits?: Partial<P2pLimits>;
}

/** Dependencies of {@linkcode P2pService}. */
export interface P2pModules {
  /** Serves pull requests. */
  store: BodyStore;
  /** Computes a body's id (BLAKE3 over its domain-separated encoding, from the codec). */
  bodyId: (kind: TopicKind, body: Uint8Array) => Uint8Array;
  /** Per-kind validators; a kind without one accepts every well-formed body. */
  validators?: Partial<Record<TopicKind, Validator>>;
  /** Answers HAVE and RANGE; without it those requests get an empty answer. */
  sync?: SyncIndex;
  /** Metrics hooks. */
  metrics?: P2pMetricsSink;
  /** Monotonic clock in ms for rate limits and bans; default `performance.now`. */
  now?: () => number;
  /**
   * Kinds whose accepted bodies are queued to {@linkcode P2pService.bodies}; default all. A node
   * whose validator already consumed a kind (the mempool admits transactions) leaves it out, so
   * that kind cannot fill the queue other kinds need.
   */
  deliver?: readonly TopicKind[];
}

/** Result of {@linkcode P2pService.fetchIds}. */
export interface FetchResult {
  /** Bodies that matched their id and were accepted by the validator (also queued to `bodies`). */
  bodies: NewBody[];
  /** Ids no asked peer served (or whose body was refused). */
  missing: Uint8Array[];
}

/** Counters and queue depths for tests and status pages. */
export interface P2pStats {
  /** Bodies waiting for the node. */
  bodyQueue: number;
  /** Bodies dropped because the body queue was full. */
  bodyDrops: number;
  /** Announcements waiting to be published. */
  publishQueue: number;
  /** Announcements dropped because the publish queue was full. */
  publishDrops: number;
  /** Announcements being validated. */
  pendingValidations: number;
  /** Ids in the seen-cache. */
  seen: number;
  /** Bytes in the recent-bodies cache. */
  recentBytes: number;
  /** Verdicts given to inbound announcements. */
  verdicts: Record<Verdict, number>;
  /** Peers currently banned. */
  banned: number;
}

interface GossipRouter extends GossipSub {
  reportMessageValidationResult(msgId: string, source: string, result: TopicValidatorResult): void;
  getScore(peer: string): number;
  getMeshPeers(topic: string): string[];
}

type Services = { identify: Identify; pubsub: GossipSub };

/** Outbound pull slots of one peer: active pulls, of which bulk (txs), and the two wait lines. */
interface Slots {
  active: number;
  bulk: number;
  urgent: (() => void)[];
  waiters: (() => void)[];
}

interface Outgoing {
  topic: string;
  item: AnnouncedId;
}

const hex = bytesToHex;
/** Most peers remembered in the ban and pull-penalty maps. */
const MAX_BANS = 4096;
const log = getLogger(["phantom", "p2p"]);

/**
 * The p2p component. `start()` loads (or creates) the identity key, starts libp2p, subscribes to
 * the topics of the configured shards, serves the pull protocol and dials bootstrap peers;
 * `stop()` closes everything. Accepted bodies reach the node through the bounded
 * {@linkcode P2pService.bodies} queue.
 *
 * @example
 * ```ts ignore
 * import { P2pService } from "./service.ts";
 * const p2p = new P2pService(
 *   { network: "devnet", dataDir: "/tmp/pc", listen: ["/ip4/127.0.0.1/tcp/0"], shards: [0] },
 *   { store: { has: () => false, get: () => undefined }, bodyId: (_k, b) => b.slice(0, 32) },
 * );
 * await p2p.start();
 * for await (const body of p2p.bodies) console.log(body.kind, body.from);
 * ```
 */
export class P2pService {
  /** Component name. */
  readonly name = "p2p";
  /** Bodies that passed validation, for the node to consume (bounded; full = drop + count). */
  readonly bodies: BoundedQueue<NewBody>;
  /** Effective limits. */
  readonly limits: Readonly<P2pLimits>;

  readonly #opts: P2pOptions;
  readonly #mods: P2pModules;
  readonly #now: () => number;
  readonly #metrics: P2pMetricsSink;
  readonly #seen: SeenCache;
  readonly #recent: ByteBoundedCache;
  readonly #inflight = new Set<string>();
  readonly #publishQueue: BoundedQueue<Outgoing>;
  readonly #buckets = new Map<string, { req: TokenBucket; bytes: TokenBucket }>();
  readonly #banned = new Map<string, number>();
  readonly #penalty = new Map<string, number>();
  readonly #slots = new Map<string, Slots>();
  readonly #verdicts: Record<Verdict, number> = { accept: 0, ignore: 0, reject: 0 };
  #node: Libp2p<Services> | undefined;
  #gossip: GossipRouter | undefined;
  /** Announcements being validated, per kind: a flood of one kind cannot starve another. */
  readonly #pendingBy = new Map<TopicKind, number>();
  #pending = 0;
  #draining: Promise<void> | undefined;
  /** Ends a pending announcement window early (set while a `txs` publish waits for more ids). */
  #wake: (() => void) | undefined;
  #stopping = false;

  /**
   * @param options network, identity, addresses, shards and limits
   * @param modules store, id function, validators, sync index, metrics, clock
   * @throws {TypeError} on a bad network name
   * @throws {RangeError} on a bad shard or limit
   */
  constructor(options: P2pOptions, modules: P2pModules) {
    pullProtocol(options.network);
    for (const s of options.shards ?? []) topicName(options.network, s, "events");
    this.#opts = options;
    this.#mods = modules;
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.#now = modules.now ?? (() => performance.now());
    this.#metrics = modules.metrics ?? {};
    this.bodies = new BoundedQueue(this.limits.bodyQueue);
    this.#publishQueue = new BoundedQueue(this.limits.publishQueue);
    this.#seen = new SeenCache(this.limits.seenCache);
    this.#recent = new ByteBoundedCache(this.limits.recentBodiesBytes);
  }

  /** Our peer id (string form). @throws {P2pError} `NOT_STARTED` before start */
  get peerId(): string {
    return this.#started().peerId.toString();
  }

  /** Our listen multiaddrs with `/p2p/<id>`. @throws {P2pError} `NOT_STARTED` before start */
  get multiaddrs(): string[] {
    return this.#started().getMultiaddrs().map((m) => m.toString());
  }

  /** The underlying libp2p node, for diagnostics. @throws {P2pError} `NOT_STARTED` */
  get libp2p(): Libp2p<Services> {
    return this.#started();
  }

  /** The topics this node subscribes to. */
  get topics(): string[] {
    const shards = this.#opts.shards ?? Array.from({ length: SHARD_COUNT }, (_, i) => i);
    return shards.flatMap((s) => TOPIC_KINDS.map((k) => topicName(this.#opts.network, s, k)));
  }

  /**
   * Starts libp2p, subscribes, registers the pull protocol and dials bootstrap peers (a failed
   * bootstrap dial is logged, not fatal).
   * @throws {P2pError} `IDENTITY_KEY` when the key file cannot be used
   */
  async start(): Promise<void> {
    if (this.#node !== undefined) return;
    if (this.#stopping) throw new Error("P2pService cannot restart after stop(): create a new one");
    const privateKey = this.#opts.privateKey ??
      await loadOrCreateIdentity(this.#opts.dataDir ?? ".");
    const topics = this.topics;
    const topicParams = Object.fromEntries(topics.map((t) => [t, TOPIC_SCORE]));
    const isBanned = (peer: PeerId) => this.#isBanned(peer.toString());
    const node = await createLibp2p<Services>({
      privateKey,
      addresses: { listen: this.#opts.listen ?? ["/ip4/0.0.0.0/tcp/0"] },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      connectionManager: {
        // libp2p's default (5/s per host) refuses fast redials from one host such as loopback.
        inboundConnectionThreshold: this.limits.inboundConnectionsPerSecond,
      },
      connectionGater: {
        denyDialPeer: isBanned,
        denyInboundEncryptedConnection: isBanned,
        denyOutboundEncryptedConnection: isBanned,
      },
      services: {
        identify: identify(),
        pubsub: gossipsub({
          // Announcements are content-addressed: no author signature, id = BLAKE3(topic, data),
          // so the same announcement relayed by two peers is one message (docs/spec/p2p.md §3).
          globalSignaturePolicy: StrictNoSign,
          msgIdFn: (msg) => blake3(concat(new TextEncoder().encode(msg.topic + "\0"), msg.data)),
          asyncValidation: true,
          allowPublishToZeroTopicPeers: true,
          ignoreDuplicatePublishError: true,
          allowedTopics: topics,
          maxInboundDataLength: MAX_GOSSIP_FRAME_BYTES,
          // gossipsub 17 has no bound of its own on unsent data per peer: cap it.
          maxOutboundBufferSize: 4 * MAX_GOSSIP_FRAME_BYTES,
          scoreParams: createPeerScoreParams({
            topics: topicParams,
            appSpecificScore: (p) => -(this.#penalty.get(p) ?? 0),
            appSpecificWeight: 1,
          }),
          scoreThresholds: {
            gossipThreshold: -10,
            publishThreshold: -50,
            graylistThreshold: -80,
          },
        }),
      },
    });
    const router = node.services.pubsub as Partial<GossipRouter>;
    if (
      typeof router.reportMessageValidationResult !== "function" ||
      typeof router.getScore !== "function"
    ) {
      await node.stop();
      throw new Error("Unsupported gossipsub build: reportMessageValidationResult is missing");
    }
    this.#node = node;
    this.#gossip = router as GossipRouter;
    this.#gossip.addEventListener("gossipsub:message", (e) => this.#onGossip(e.detail));
    // gossipsub refreshes scores on its heartbeat, so a flood is judged there as well as per reject.
    this.#gossip.addEventListener("gossipsub:heartbeat", () => {
      for (const p of node.getPeers()) this.#checkScore(p.toString());
    });
    node.addEventListener("peer:connect", () => this.#metrics.peers?.(node.getPeers().length));
    node.addEventListener("peer:disconnect", (e) => {
      this.#buckets.delete(e.detail.toString());
      this.#metrics.peers?.(node.getPeers().length);
    });
    await node.handle(
      pullProtocol(this.#opts.network),
      (stream, connection) => this.#servePull(stream, connection.remotePeer.toString()),
      {
        maxInboundStreams: this.limits.pullStreamsPerConnection,
        maxOutboundStreams: this.limits.pullStreamsPerConnection,
      },
    );
    for (const t of topics) this.#gossip.subscribe(t);
    await Promise.all((this.#opts.bootstrap ?? []).map((a) => this.#dialBootstrap(a)));
  }

  /**
   * Stops libp2p and closes the body queue; pending pulls fail with `PULL_FAILED`. A stopped
   * service cannot be started again (create a new one).
   */
  async stop(): Promise<void> {
    const node = this.#node;
    if (node === undefined) return;
    this.#stopping = true;
    this.#publishQueue.close();
    await this.#draining;
    this.#node = undefined;
    this.#gossip = undefined;
    await node.stop();
    this.bodies.close();
  }

  /**
   * Dials a peer (multiaddr with `/p2p/<id>`).
   * @param addr multiaddr string
   * @returns the remote peer id
   * @throws {Error} when the dial fails
   */
  async dial(addr: string): Promise<string> {
    const conn = await this.#started().dial(multiaddr(addr));
    return conn.remotePeer.toString();
  }

  /**
   * Publishes a body of ours: keeps it to serve pulls, marks it seen, and queues its announcement.
   * Announcements are batched per topic (up to MAX_ANNOUNCE_IDS ids) from a bounded queue.
   * @param kind topic kind
   * @param shard shard number
   * @param id 32-byte body id
   * @param body body bytes
   * @returns `false` when the publish queue was full and the announcement was dropped (counted);
   *   the body stays servable, so anti-entropy still finds it
   * @throws {RangeError} on a body above its kind's limit or a bad shard
   * @throws {P2pError} `NOT_STARTED`
   */
  publish(kind: TopicKind, shard: number, id: Uint8Array, body: Uint8Array): boolean {
    this.#started();
    const topic = topicName(this.#opts.network, shard, kind);
    if (body.length > MAX_BODY_BYTES[kind]) {
      throw new RangeError(
        `Body too large for "${kind}": ${body.length} bytes exceeds ${MAX_BODY_BYTES[kind]}`,
      );
    }
    const key = hex(id);
    this.#recent.set(key, body);
    this.#seen.add(key);
    if (!this.#publishQueue.push({ topic, item: { id, size: body.length } })) {
      this.#metrics.dropped?.("publish");
      return false;
    }
    // Transactions come one by one (RPC, admission): wait a moment so one announcement carries
    // many ids (gossipsub 17 has no publish buffer of its own). Anything else, or a full batch,
    // goes out at once.
    const now = kind !== "txs" || this.#publishQueue.size >= MAX_ANNOUNCE_IDS ||
      this.limits.announceDelayMs === 0;
    if (this.#draining === undefined) {
      const wait = now ? Promise.resolve() : new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.limits.announceDelayMs);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#draining = wait
        .then(() => {
          this.#wake = undefined;
          return this.#drain();
        })
        .finally(() => (this.#draining = undefined));
    } else if (now) {
      // An event (or a full batch) does not wait out a pending transaction window.
      this.#wake?.();
    }
    return true;
  }

  /**
   * Waits until queued announcements are handed to gossipsub.
   * @returns when the publish queue is empty
   */
  async flush(): Promise<void> {
    while (this.#draining !== undefined) await this.#draining;
  }

  /**
   * Fetches bodies by id (anti-entropy, docs/spec/p2p.md §4): asks `peer`, or each connected peer
   * in turn for what is still missing, in batches of MAX_PULL_IDS. Bodies are checked against their
   * ids and validated; accepted ones are queued to `bodies` and returned.
   * @param kind kind of every id
   * @param ids ids to fetch (any number; duplicates are fetched once)
   * @param peer peer id to ask; default every connected peer in turn
   * @returns accepted bodies and the ids still missing
   * @throws {P2pError} `NOT_STARTED`
   */
  async fetchIds(kind: TopicKind, ids: readonly Uint8Array[], peer?: string): Promise<FetchResult> {
    const node = this.#started();
    const want = new Map<string, Uint8Array>();
    for (const id of ids) want.set(hex(id), id);
    const bodies: NewBody[] = [];
    const peers = peer !== undefined ? [peer] : node.getPeers().map((p) => p.toString());
    for (const p of peers) {
      if (want.size === 0) break;
      for (const batch of chunks([...want.values()], MAX_PULL_IDS)) {
        let got: { accepted: NewBody[]; verdict: Verdict };
        try {
          got = await this.#pullAndValidate(p, kind, undefined, batch);
        } catch (e) {
          if (!(e instanceof P2pError)) throw e;
          log.debug("Fetch from peer failed", { peer: p, code: e.code });
          break;
        }
        for (const b of got.accepted) {
          want.delete(hex(b.id));
          bodies.push(b);
        }
      }
    }
    return { bodies, missing: [...want.values()] };
  }

  /**
   * Asks a peer for its HAVE summary (per-creator latest seq), so a node that was offline learns
   * what it misses.
   * @param peer peer id
   * @returns the peer's entries (at most MAX_HAVE_ENTRIES)
   * @throws {P2pError} `PULL_*` when the request fails or the answer is malformed
   */
  async fetchHave(peer: string): Promise<HaveEntry[]> {
    const res = await this.#pull(peer, { type: "have" });
    if (res.type !== "have") throw this.#unexpected(peer, res);
    return res.entries;
  }

  /**
   * Asks a peer for the ids of `creator`'s events from `fromSeq` on (then use `fetchIds`).
   * @param peer peer id
   * @param creator 32-byte creator id
   * @param fromSeq first sequence number wanted
   * @param limit most ids (1..MAX_RANGE_IDS)
   * @returns ids in sequence order
   * @throws {P2pError} `PULL_*` when the request fails or the answer is malformed
   */
  async fetchRange(
    peer: string,
    creator: Uint8Array,
    fromSeq: bigint,
    limit: number,
  ): Promise<Uint8Array[]> {
    const res = await this.#pull(peer, { type: "range", creator, fromSeq, limit });
    if (res.type !== "range") throw this.#unexpected(peer, res);
    if (res.ids.length > limit) {
      this.#penalise(peer, 10);
      throw new P2pError("PULL_MALFORMED", { detail: `${res.ids.length} ids for limit ${limit}` });
    }
    return res.ids;
  }

  /**
   * The gossip score of a peer (0 for unknown peers).
   * @param peer peer id
   * @returns the score
   */
  score(peer: string): number {
    return this.#gossip?.getScore(peer) ?? 0;
  }

  /** Connected peer ids. @returns peer ids */
  peers(): string[] {
    return this.#node?.getPeers().map((p) => p.toString()) ?? [];
  }

  /**
   * Peers subscribed to a topic that we know of.
   * @param kind topic kind
   * @param shard shard
   * @returns peer ids
   */
  subscribers(kind: TopicKind, shard: number): string[] {
    const topic = topicName(this.#opts.network, shard, kind);
    return this.#gossip?.getSubscribers(topic).map((p) => p.toString()) ?? [];
  }

  /** Queue depths and counters. @returns a snapshot */
  stats(): P2pStats {
    return {
      bodyQueue: this.bodies.size,
      bodyDrops: this.bodies.dropped,
      publishQueue: this.#publishQueue.size,
      publishDrops: this.#publishQueue.dropped,
      pendingValidations: this.#pending,
      seen: this.#seen.size,
      recentBytes: this.#recent.bytes,
      verdicts: { ...this.#verdicts },
      banned: [...this.#banned.values()].filter((until) => until > this.#now()).length,
    };
  }

  #started(): Libp2p<Services> {
    if (this.#node === undefined) throw new P2pError("NOT_STARTED", {});
    return this.#node;
  }

  async #dialBootstrap(addr: string): Promise<void> {
    try {
      const ma = multiaddr(addr);
      const conn = await this.#started().dial(ma);
      await this.#started().peerStore.merge(conn.remotePeer, {
        tags: { [KEEP_ALIVE]: { value: 1 } },
      });
    } catch (e) {
      log.warn("Bootstrap dial failed", { addr, error: String(e) });
    }
  }

  async #drain(): Promise<void> {
    // Batch per topic: each loop takes what is queued now and publishes one announcement per
    // topic with up to MAX_ANNOUNCE_IDS ids.
    while (this.#publishQueue.size > 0 && this.#gossip !== undefined) {
      const batches = new Map<string, AnnouncedId[]>();
      let taken = 0;
      for (let o = this.#publishQueue.shift(); o !== undefined; o = this.#publishQueue.shift()) {
        const list = batches.get(o.topic) ?? [];
        list.push(o.item);
        batches.set(o.topic, list);
        if (++taken >= MAX_ANNOUNCE_IDS * 8) break;
      }
      for (const [topic, items] of batches) {
        for (const batch of chunks(items, MAX_ANNOUNCE_IDS)) {
          const data = encodeAnnouncement(batch);
          const gossip = this.#gossip;
          if (gossip === undefined) return;
          try {
            await gossip.publish(topic, data);
            this.#metrics.bytes?.("gossip", "out", data.length);
          } catch (e) {
            // Publishing is best effort: anti-entropy recovers what a failed publish missed.
            log.warn("Publish failed", { topic, error: String(e) });
          }
        }
      }
    }
  }

  #onGossip(detail: GossipsubMessage): void {
    const gossip = this.#gossip;
    if (gossip === undefined) return;
    const { msgId, msg, propagationSource } = detail;
    const source = propagationSource.toString();
    const parsed = parseTopic(msg.topic);
    if (parsed === undefined || parsed.net !== this.#opts.network) {
      gossip.reportMessageValidationResult(msgId, source, TopicValidatorResult.Reject);
      return;
    }
    const kind = parsed.kind;
    if ((this.#pendingBy.get(kind) ?? 0) >= this.limits.pendingValidations) {
      this.#metrics.dropped?.("validation");
      this.#report(msgId, source, kind, "ignore", "VALIDATION_QUEUE_FULL");
      return;
    }
    this.#pending++;
    this.#pendingBy.set(kind, (this.#pendingBy.get(kind) ?? 0) + 1);
    this.#metrics.bytes?.("gossip", "in", msg.data.length);
    this.#judge(parsed.kind, parsed.shard, msg.data, source)
      .then(({ verdict, reason }) => this.#report(msgId, source, parsed.kind, verdict, reason))
      .catch((e) => {
        log.error("Announcement handling failed", { error: String(e) });
        this.#report(msgId, source, parsed.kind, "ignore", "INTERNAL");
      })
      .finally(() => {
        this.#pending--;
        this.#pendingBy.set(kind, this.#pendingBy.get(kind)! - 1);
      });
  }

  #report(msgId: string, source: string, kind: TopicKind, verdict: Verdict, reason: string) {
    this.#verdicts[verdict]++;
    this.#metrics.verdict?.(kind, verdict, reason);
    const gossip = this.#gossip;
    if (gossip === undefined) return;
    gossip.reportMessageValidationResult(msgId, source, verdict as TopicValidatorResult);
    if (verdict === "reject") this.#checkScore(source);
  }

  #checkScore(peer: string): void {
    const node = this.#node;
    if (node === undefined || this.score(peer) >= this.limits.disconnectScore) return;
    if (this.#isBanned(peer)) return;
    this.#banned.set(peer, this.#now() + this.limits.banMs);
    // Keep the ban list bounded: beyond MAX_BANS forget the oldest bans (insertion order).
    for (const p of this.#banned.keys()) {
      if (this.#banned.size <= MAX_BANS) break;
      this.#banned.delete(p);
    }
    this.#metrics.banned?.();
    log.info("Peer banned for low gossip score", { peer, score: this.score(peer) });
    node.hangUp(peerIdFromString(peer)).catch((e) => {
      log.debug("Hang-up failed", { peer, error: String(e) });
    });
  }

  #isBanned(peer: string): boolean {
    const until = this.#banned.get(peer);
    return until !== undefined && until > this.#now();
  }

  #penalise(peer: string, points: number): void {
    // Bounded: penalties of peers beyond MAX_BANS are not tracked (the gossip score still is).
    if (this.#penalty.size >= MAX_BANS && !this.#penalty.has(peer)) return;
    this.#penalty.set(peer, (this.#penalty.get(peer) ?? 0) + points);
    this.#checkScore(peer);
  }

  async #judge(
    kind: TopicKind,
    shard: number,
    data: Uint8Array,
    source: string,
  ): Promise<{ verdict: Verdict; reason: string }> {
    let items: AnnouncedId[];
    try {
      items = decodeAnnouncement(data);
    } catch (e) {
      if (e instanceof P2pError) return { verdict: "reject", reason: e.code };
      throw e;
    }
    if (items.some((it) => it.size > MAX_BODY_BYTES[kind])) {
      return { verdict: "reject", reason: "BODY_TOO_LARGE" };
    }
    const need: Uint8Array[] = [];
    const sizes: number[] = [];
    for (const { id, size } of items) {
      const key = hex(id);
      if (this.#seen.has(key) || this.#inflight.has(key) || need.some((n) => hex(n) === key)) {
        continue;
      }
      if (await this.#mods.store.has(id)) {
        this.#seen.add(key);
        continue;
      }
      need.push(id);
      sizes.push(size);
    }
    if (need.length === 0) return { verdict: "ignore", reason: "duplicate" };
    try {
      const { accepted, verdict, reason } = await this.#pullAndValidate(
        source,
        kind,
        shard,
        need,
        sizes,
      );
      if (verdict === "reject") return { verdict, reason };
      return accepted.length > 0 ? { verdict: "accept", reason: "ok" } : { verdict, reason };
    } catch (e) {
      if (e instanceof P2pError) return { verdict: e.verdict, reason: e.code };
      throw e;
    }
  }

  /**
   * Pulls `ids` from `peer`, checks each body against its id and validates it. Accepted bodies
   * are cached, marked seen and queued. The worst verdict is returned with its reason.
   */
  async #pullAndValidate(
    peer: string,
    kind: TopicKind,
    shard: number | undefined,
    ids: Uint8Array[],
    sizes?: number[],
  ): Promise<{ accepted: NewBody[]; verdict: Verdict; reason: string }> {
    const keys = ids.map(hex);
    const mine = keys.filter((k) => !this.#inflight.has(k));
    for (const k of mine) this.#inflight.add(k);
    try {
      const res = await this.#pull(peer, { type: "get", kind, ids });
      if (res.type !== "get") throw this.#unexpected(peer, res);
      const accepted: NewBody[] = [];
      let verdict: Verdict = "ignore";
      let reason = "missing";
      for (let i = 0; i < ids.length; i++) {
        const item = res.items[i] as PullItem;
        const id = ids[i] as Uint8Array;
        if (item.status !== "body") continue;
        const body = item.body;
        if (body.length > MAX_BODY_BYTES[kind] || !equal(this.#mods.bodyId(kind, body), id)) {
          this.#penalise(peer, 10);
          return { accepted, verdict: "reject", reason: "PULL_BODY_MISMATCH" };
        }
        if (sizes !== undefined && sizes[i] !== body.length) {
          // The announcer stated a size its own body does not have (docs/spec/p2p.md §3).
          return { accepted, verdict: "reject", reason: "SIZE_MISMATCH" };
        }
        const key = keys[i] as string;
        if (this.#seen.has(key)) continue;
        const input: ValidationInput = { kind, shard, id, body, from: peer };
        let result: ValidationResult;
        try {
          result = await (this.#mods.validators?.[kind]?.(input) ?? { verdict: "accept" });
        } catch (e) {
          log.error("Validator threw", { kind, error: String(e) });
          result = { verdict: "ignore", reason: "VALIDATOR_ERROR" };
        }
        if (result.verdict === "reject") {
          this.#seen.add(key);
          return { accepted, verdict: "reject", reason: result.reason };
        }
        if (result.verdict === "ignore") {
          this.#seen.add(key);
          reason = result.reason;
          continue;
        }
        const nb: NewBody = { kind, shard, id, body, from: peer };
        if ((this.#mods.deliver?.includes(kind) ?? true) && !this.bodies.push(nb)) {
          // Not marked seen: a later announcement or anti-entropy may bring it again.
          this.#metrics.dropped?.("body");
          reason = "BODY_QUEUE_FULL";
          continue;
        }
        this.#seen.add(key);
        this.#recent.set(key, body);
        accepted.push(nb);
        verdict = "accept";
        reason = "ok";
      }
      return { accepted, verdict, reason };
    } finally {
      for (const k of mine) this.#inflight.delete(k);
    }
  }

  #unexpected(peer: string, res: PullResponse): P2pError {
    if (res.type === "error") return new P2pError("PULL_REFUSED", { reason: res.reason });
    this.#penalise(peer, 10);
    return new P2pError("PULL_MALFORMED", { detail: `unexpected "${res.type}" response` });
  }

  async #pull(peer: string, req: PullRequest): Promise<PullResponse> {
    // At most pullStreamsPerConnection pulls in flight per peer: the server refuses more streams,
    // and a burst of announcements must queue here rather than fail there. The waiters are bounded
    // by the validation limit plus the callers of the anti-entropy API.
    // Transaction pulls wait behind every other kind (events carry consensus; a transaction flood
    // must not delay it), and may hold at most all but two of the slots.
    const slot = this.#slots.get(peer) ?? { active: 0, bulk: 0, urgent: [], waiters: [] };
    this.#slots.set(peer, slot);
    const bulk = req.type === "get" && req.kind === "txs";
    const max = this.limits.pullStreamsPerConnection;
    const bulkMax = Math.max(1, max - 2);
    if (slot.active >= max || (bulk && (slot.bulk >= bulkMax || slot.waiters.length > 0))) {
      await new Promise<void>((resolve) => (bulk ? slot.waiters : slot.urgent).push(resolve));
    } else slot.active++;
    if (bulk) slot.bulk++;
    try {
      return await this.#pullNow(peer, req);
    } finally {
      if (bulk) slot.bulk--;
      // Hand the slot on: urgent waiters first, bulk ones while under their share.
      const next = slot.urgent.shift() ??
        (slot.bulk < bulkMax ? slot.waiters.shift() : undefined);
      if (next !== undefined) next();
      else if (--slot.active === 0 && slot.waiters.length === 0) this.#slots.delete(peer);
    }
  }

  async #pullNow(peer: string, req: PullRequest): Promise<PullResponse> {
    const node = this.#started();
    const max = this.limits.pullResponseBytes;
    const signal = AbortSignal.timeout(this.limits.pullTimeoutMs);
    let frame: Uint8Array;
    const request = encodePullRequest(req);
    try {
      const stream = await node.dialProtocol(
        peerIdFromString(peer),
        pullProtocol(this.#opts.network),
        { signal },
      );
      try {
        const lp = lpStream(stream, { maxDataLength: max });
        await lp.write(request, { signal });
        this.#metrics.bytes?.("pull", "out", request.length);
        frame = (await lp.read({ signal })).subarray();
        this.#metrics.bytes?.("pull", "in", frame.length);
        await stream.close({ signal });
      } catch (e) {
        stream.abort(e instanceof Error ? e : new Error(String(e)));
        throw e;
      }
    } catch (e) {
      const name = e instanceof Error ? e.name : "";
      if (name === "InvalidDataLengthError" || name === "InvalidDataLengthLengthError") {
        this.#metrics.pull?.("out", "refused");
        this.#penalise(peer, 20);
        throw new P2pError("PULL_RESPONSE_TOO_LARGE", { max });
      }
      this.#metrics.pull?.("out", "error");
      throw new P2pError("PULL_FAILED", { peer, detail: String(e) });
    }
    let res: PullResponse;
    try {
      res = decodePullResponse(frame, req.type === "get" ? req.ids.length : 0);
    } catch (e) {
      this.#metrics.pull?.("out", "error");
      if (e instanceof P2pError) this.#penalise(peer, 10);
      throw e;
    }
    this.#metrics.pull?.("out", res.type === "error" ? "refused" : "ok");
    return res;
  }

  #bucket(peer: string): { req: TokenBucket; bytes: TokenBucket } {
    let b = this.#buckets.get(peer);
    if (b === undefined) {
      const { pullRequestsPerSecond: r, pullBytesPerSecond: y } = this.limits;
      b = {
        req: new TokenBucket(r, 2 * r, this.#now),
        bytes: new TokenBucket(y, 2 * y, this.#now),
      };
      this.#buckets.set(peer, b);
    }
    return b;
  }

  async #servePull(
    stream: Parameters<Parameters<Libp2p["handle"]>[1]>[0],
    peer: string,
  ): Promise<void> {
    const signal = AbortSignal.timeout(this.limits.pullTimeoutMs);
    try {
      const lp = lpStream(stream, { maxDataLength: MAX_PULL_REQUEST_BYTES });
      const frame = (await lp.read({ signal })).subarray();
      this.#metrics.bytes?.("pull", "in", frame.length);
      const bucket = this.#bucket(peer);
      let res: PullResponse;
      if (!bucket.req.take(1)) {
        res = { type: "error", reason: "rate_limited" };
        this.#metrics.pull?.("in", "rate_limited");
      } else {
        let req: PullRequest | undefined;
        try {
          req = decodePullRequest(frame);
        } catch (e) {
          if (!(e instanceof P2pError)) throw e;
          this.#penalise(peer, 10);
        }
        res = req === undefined
          ? { type: "error", reason: "bad_request" }
          : await this.#answer(req, bucket.bytes);
        this.#metrics.pull?.("in", res.type === "error" ? "refused" : "ok");
      }
      const out = encodePullResponse(res);
      await lp.write(out, { signal });
      this.#metrics.bytes?.("pull", "out", out.length);
      await stream.close({ signal });
    } catch (e) {
      this.#metrics.pull?.("in", "error");
      log.debug("Serving pull failed", { peer, error: String(e) });
      stream.abort(e instanceof Error ? e : new Error(String(e)));
    }
  }

  async #answer(req: PullRequest, bytes: TokenBucket): Promise<PullResponse> {
    if (req.type === "have") {
      const entries = (await this.#mods.sync?.have()) ?? [];
      return { type: "have", entries: entries.slice(0, MAX_HAVE_ENTRIES) };
    }
    if (req.type === "range") {
      const ids = (await this.#mods.sync?.range(req.creator, req.fromSeq, req.limit)) ?? [];
      return { type: "range", ids: ids.slice(0, req.limit) };
    }
    // Stay inside the requester's frame limit (the largest we would accept ourselves) and the
    // peer's byte budget; what does not fit is `withheld` and can be asked for again.
    let budget = this.limits.pullResponseBytes - 3 - 5 * req.ids.length;
    const items: PullItem[] = [];
    for (const id of req.ids) {
      const key = hex(id);
      const body = this.#recent.get(key) ?? await this.#mods.store.get(id);
      if (body === undefined) items.push({ status: "missing" });
      else if (body.length > budget || !bytes.take(body.length)) items.push({ status: "withheld" });
      else {
        budget -= body.length;
        items.push({ status: "body", body });
      }
    }
    return { type: "get", items };
  }
}

const TOPIC_SCORE = createTopicScoreParams({
  topicWeight: 1,
  timeInMeshWeight: 0.01,
  timeInMeshQuantum: 1000,
  timeInMeshCap: 100,
  firstMessageDeliveriesWeight: 0.5,
  firstMessageDeliveriesDecay: 0.9,
  firstMessageDeliveriesCap: 20,
  // Quiet topics are normal (a shard may be idle): no P3/P3b penalty for missing deliveries.
  meshMessageDeliveriesWeight: 0,
  meshFailurePenaltyWeight: 0,
  // P4: one invalid announcement costs -20, n of them -20·n² (decays 1%/s).
  invalidMessageDeliveriesWeight: -20,
  invalidMessageDeliveriesDecay: 0.99,
});

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function chunks<T>(list: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}
