/**
 * P2P transport over js-libp2p 3: TCP + Noise + Yamux + identify + gossipsub 1.1. Gossip carries
 * small announcements (ids and sizes) on `/phantom/<net>/<shard>/<kind>/1`; bodies are pulled by
 * id over `/phantom/<net>/pull/1`, validated by the node's per-kind {@linkcode Validator} before
 * the announcement is relayed, and handed to the node through a bounded queue. HAVE/RANGE/GET
 * give the node's sync logic an anti-entropy API. Every queue, frame and per-peer rate is bounded
 * (docs/spec/p2p.md).
 * @module
 */
export { P2pError, type P2pErrorCode, type P2pErrorData, type Verdict } from "./errors.ts";
export {
  DEFAULT_LIMITS,
  ID_BYTES,
  MAX_ANNOUNCE_BYTES,
  MAX_ANNOUNCE_IDS,
  MAX_BODY_BYTES,
  MAX_GOSSIP_FRAME_BYTES,
  MAX_HAVE_ENTRIES,
  MAX_PULL_IDS,
  MAX_PULL_REQUEST_BYTES,
  MAX_PULL_RESPONSE_BYTES,
  MAX_RANGE_IDS,
  type P2pLimits,
  TOPIC_KINDS,
  type TopicKind,
} from "./limits.ts";
export { type ParsedTopic, parseTopic, pullProtocol, SHARD_COUNT, topicName } from "./topics.ts";
export {
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
export { BoundedQueue, ByteBoundedCache, SeenCache, TokenBucket } from "./queue.ts";
export { IDENTITY_KEY_FILE, loadOrCreateIdentity } from "./identity.ts";
export { createP2pMetrics, type P2pMetrics, type P2pMetricsSink } from "./metrics.ts";
export {
  type BodyStore,
  type FetchResult,
  type NewBody,
  type P2pModules,
  type P2pOptions,
  P2pService,
  type P2pStats,
  type SyncIndex,
  type ValidationInput,
  type ValidationResult,
  type Validator,
} from "./service.ts";
export { MemoryBodyStore } from "./memory_store.ts";
