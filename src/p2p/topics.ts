/**
 * Gossip topic and protocol names (docs/spec/p2p.md §2).
 * @module
 */
import { TOPIC_KINDS, type TopicKind } from "./limits.ts";

/** Number of shards a topic may name (S = 64). */
export const SHARD_COUNT = 64;

const NET_RE = /^[a-z0-9][a-z0-9-]{0,31}$/;

function checkNet(net: string): void {
  if (typeof net !== "string" || !NET_RE.test(net)) {
    throw new TypeError(`Invalid network name: "${String(net)}"`);
  }
}

function checkShard(shard: number): void {
  if (!Number.isInteger(shard) || shard < 0 || shard >= SHARD_COUNT) {
    throw new RangeError(`Shard out of range 0..${SHARD_COUNT - 1}: ${String(shard)}`);
  }
}

/**
 * The gossip topic of a kind on a network and shard: `/phantom/<net>/<shard>/<kind>/1`.
 * @param net network name, e.g. `testnet`
 * @param shard shard number 0..63
 * @param kind topic kind
 * @returns the topic string
 * @throws {TypeError} on a bad network name or kind
 * @throws {RangeError} on a shard out of range
 * @example
 * ```ts
 * import { topicName } from "./topics.ts";
 * console.assert(topicName("testnet", 3, "events") === "/phantom/testnet/3/events/1");
 * ```
 */
export function topicName(net: string, shard: number, kind: TopicKind): string {
  checkNet(net);
  checkShard(shard);
  if (!(TOPIC_KINDS as readonly string[]).includes(kind)) {
    throw new TypeError(`Unknown topic kind: "${String(kind)}"`);
  }
  return `/phantom/${net}/${shard}/${kind}/1`;
}

/** A parsed topic name. */
export interface ParsedTopic {
  /** Network name. */
  net: string;
  /** Shard number. */
  shard: number;
  /** Topic kind. */
  kind: TopicKind;
}

/**
 * Parses a topic made by {@linkcode topicName}.
 * @param topic topic string
 * @returns its parts, or `undefined` when it is not one of ours
 * @example
 * ```ts
 * import { parseTopic } from "./topics.ts";
 * console.assert(parseTopic("/phantom/testnet/3/txs/1")?.kind === "txs");
 * console.assert(parseTopic("/other") === undefined);
 * ```
 */
export function parseTopic(topic: string): ParsedTopic | undefined {
  const m = /^\/phantom\/([a-z0-9-]+)\/(0|[1-9][0-9]?)\/([a-z]+)\/1$/.exec(topic);
  if (m === null) return undefined;
  const [, net, shardText, kind] = m;
  const shard = Number(shardText);
  if (net === undefined || !NET_RE.test(net) || shard >= SHARD_COUNT) return undefined;
  if (!(TOPIC_KINDS as readonly string[]).includes(kind ?? "")) return undefined;
  return { net, shard, kind: kind as TopicKind };
}

/**
 * The pull (request/response) protocol id of a network: `/phantom/<net>/pull/1`.
 * @param net network name
 * @returns the protocol id
 * @throws {TypeError} on a bad network name
 * @example
 * ```ts
 * import { pullProtocol } from "./topics.ts";
 * console.assert(pullProtocol("devnet") === "/phantom/devnet/pull/1");
 * ```
 */
export function pullProtocol(net: string): string {
  checkNet(net);
  return `/phantom/${net}/pull/1`;
}
