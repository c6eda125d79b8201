/**
 * Metrics hooks of the p2p layer: a small sink interface the service calls, and a prom-client
 * implementation (`pc_p2p_*`).
 * @module
 */
import { Counter, Gauge, type Registry } from "prom-client";
import type { Verdict } from "./errors.ts";
import type { TopicKind } from "./limits.ts";

/** What the p2p service reports; every method is optional to implement cheaply. */
export interface P2pMetricsSink {
  /** An inbound announcement got a verdict; `reason` is an error code or `ok`/`duplicate`. */
  verdict?(kind: TopicKind, verdict: Verdict, reason: string): void;
  /** A pull finished: `direction` out (we asked) or in (we served). */
  pull?(direction: "in" | "out", result: "ok" | "refused" | "error" | "rate_limited"): void;
  /** Bytes moved: gossip data or pull frames, in or out. */
  bytes?(channel: "gossip" | "pull", direction: "in" | "out", n: number): void;
  /** An item was dropped because a bounded queue was full. */
  dropped?(queue: "body" | "publish" | "validation"): void;
  /** Connected peer count changed. */
  peers?(n: number): void;
  /** A peer was disconnected and banned for its score. */
  banned?(): void;
}

/** prom-client metrics of the p2p layer, also usable as a {@linkcode P2pMetricsSink}. */
export interface P2pMetrics extends Required<P2pMetricsSink> {
  /** `pc_p2p_gossip_messages_total{kind,verdict,reason}`. */
  messages: Counter<"kind" | "verdict" | "reason">;
  /** `pc_p2p_pulls_total{direction,result}`. */
  pulls: Counter<"direction" | "result">;
  /** `pc_p2p_traffic_bytes_total{channel,direction}`. */
  traffic: Counter<"channel" | "direction">;
  /** `pc_p2p_queue_drops_total{queue}`. */
  drops: Counter<"queue">;
  /** `pc_p2p_peers`. */
  peerCount: Gauge;
  /** `pc_p2p_bans_total`. */
  bans: Counter;
}

/**
 * Creates and registers the p2p metrics.
 * @param registry prom-client registry
 * @returns the metrics, usable directly as the service's `metrics` module
 * @example
 * ```ts
 * import { Registry } from "prom-client";
 * import { createP2pMetrics } from "./metrics.ts";
 * const m = createP2pMetrics(new Registry());
 * m.verdict("txs", "accept", "ok");
 * ```
 */
export function createP2pMetrics(registry: Registry): P2pMetrics {
  const registers = [registry];
  const messages = new Counter({
    name: "pc_p2p_gossip_messages_total",
    help: "Inbound gossip announcements by topic kind, verdict and reason",
    labelNames: ["kind", "verdict", "reason"] as const,
    registers,
  });
  const pulls = new Counter({
    name: "pc_p2p_pulls_total",
    help: "Pull requests by direction and result",
    labelNames: ["direction", "result"] as const,
    registers,
  });
  const traffic = new Counter({
    name: "pc_p2p_traffic_bytes_total",
    help: "Bytes of gossip data and pull frames by direction",
    labelNames: ["channel", "direction"] as const,
    registers,
  });
  const drops = new Counter({
    name: "pc_p2p_queue_drops_total",
    help: "Items dropped because a bounded queue was full",
    labelNames: ["queue"] as const,
    registers,
  });
  const peerCount = new Gauge({ name: "pc_p2p_peers", help: "Connected peers", registers });
  const bans = new Counter({
    name: "pc_p2p_bans_total",
    help: "Peers disconnected for a low gossip score",
    registers,
  });
  return {
    messages,
    pulls,
    traffic,
    drops,
    peerCount,
    bans,
    verdict: (kind, verdict, reason) => messages.inc({ kind, verdict, reason }),
    pull: (direction, result) => pulls.inc({ direction, result }),
    bytes: (channel, direction, n) => traffic.inc({ channel, direction }, n),
    dropped: (queue) => drops.inc({ queue }),
    peers: (n) => peerCount.set(n),
    banned: () => bans.inc(),
  };
}
