/**
 * Size, count and rate limits of the p2p layer (docs/spec/p2p.md §5). Every queue and every
 * frame the layer handles is bounded by one of these.
 * @module
 */

/** Gossip topic kinds (docs/spec/p2p.md §2). */
export const TOPIC_KINDS = ["events", "txs", "attestations", "mints", "evidence"] as const;

/** A gossip topic kind; also the kind of body announced on it. */
export type TopicKind = typeof TOPIC_KINDS[number];

/** Length of every body id (BLAKE3-256). */
export const ID_BYTES = 32;

/** Most ids in one announcement. */
export const MAX_ANNOUNCE_IDS = 64;

/** Largest announcement: version, count, then (id, size) per id. */
export const MAX_ANNOUNCE_BYTES = 2 + MAX_ANNOUNCE_IDS * (ID_BYTES + 4);

/**
 * Largest gossipsub RPC frame accepted from a peer. gossipsub batches several messages and control
 * entries in one frame, so this is larger than one announcement; each announcement is then held to
 * {@linkcode MAX_ANNOUNCE_BYTES} by our own decoder.
 */
export const MAX_GOSSIP_FRAME_BYTES = 256 * 1024;

/** Most ids in one pull GET request. */
export const MAX_PULL_IDS = 128;

/** Most ids returned by one RANGE request. */
export const MAX_RANGE_IDS = 512;

/** Most entries in a HAVE summary. */
export const MAX_HAVE_ENTRIES = 1024;

/** Largest pull request frame (a full GET). */
export const MAX_PULL_REQUEST_BYTES = 4 + MAX_PULL_IDS * ID_BYTES;

/** Largest pull response frame; a server withholds bodies beyond it (status 2). */
export const MAX_PULL_RESPONSE_BYTES = 8 * 1024 * 1024;

/**
 * Largest body per kind. Mirrors the codec's MAX_* limits (docs/spec/p2p.md §1); a test checks they
 * agree. Attestations are small fixed-size objects.
 */
export const MAX_BODY_BYTES: { readonly [K in TopicKind]: number } = {
  events: 600_000,
  txs: 100_000,
  attestations: 4_096,
  mints: 1_024,
  evidence: 140_000,
};

/** Tunable limits of one {@linkcode P2pService}; all have defaults ({@linkcode DEFAULT_LIMITS}). */
export interface P2pLimits {
  /** Capacity of the "new body" queue handed to the node; pushes beyond it are dropped. */
  bodyQueue: number;
  /** Capacity of the outgoing announcement queue; announcements beyond it are dropped. */
  publishQueue: number;
  /** Announcements being validated at once; more are answered `ignore` right away. */
  pendingValidations: number;
  /** Ids remembered by the seen-cache. */
  seenCache: number;
  /** Bytes of recently received bodies kept in memory to serve pulls before the node stores them. */
  recentBodiesBytes: number;
  /** Pull requests a peer may make per second (token bucket, burst = 2x). */
  pullRequestsPerSecond: number;
  /** Response bytes served to one peer per second (token bucket, burst = 2x). */
  pullBytesPerSecond: number;
  /** Concurrent inbound pull streams per connection. */
  pullStreamsPerConnection: number;
  /** Largest pull response frame accepted (and produced) by this node. */
  pullResponseBytes: number;
  /** Deadline of one outbound pull in ms. */
  pullTimeoutMs: number;
  /** A peer whose gossip score falls below this is disconnected and refused for a while. */
  disconnectScore: number;
  /** How long a disconnected peer is refused, in ms. */
  banMs: number;
  /** Inbound connections per second accepted from one host (libp2p's default of 5 breaks redials). */
  inboundConnectionsPerSecond: number;
  /**
   * How long a transaction announcement waits for more ids before it is published (ms; 0: at
   * once). Batching turns a burst of n transactions into n/64 gossip messages and pulls.
   */
  announceDelayMs: number;
}

/** Defaults of {@linkcode P2pLimits}. */
export const DEFAULT_LIMITS: Readonly<P2pLimits> = {
  bodyQueue: 4096,
  publishQueue: 8192,
  pendingValidations: 256,
  seenCache: 65_536,
  recentBodiesBytes: 64 * 1024 * 1024,
  pullRequestsPerSecond: 500,
  pullBytesPerSecond: 32 * 1024 * 1024,
  pullStreamsPerConnection: 8,
  pullResponseBytes: MAX_PULL_RESPONSE_BYTES,
  pullTimeoutMs: 10_000,
  disconnectScore: -100,
  banMs: 10 * 60_000,
  inboundConnectionsPerSecond: 100,
  announceDelayMs: 20,
};
