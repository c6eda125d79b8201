/**
 * Helpers for p2p tests (this module's and tests/p2p_*): nodes on 127.0.0.1 ephemeral ports with
 * in-memory stores, a test body-id function, and polling with a deadline (no sleeps-as-waits).
 * @module
 */
import { generateKeyPair } from "@libp2p/crypto/keys";
import { blake3 } from "@noble/hashes/blake3.js";
import type { P2pLimits, TopicKind } from "./limits.ts";
import { MemoryBodyStore } from "./memory_store.ts";
import type { P2pMetricsSink } from "./metrics.ts";
import { P2pService, type Validator } from "./service.ts";

/** Network name used by test nodes. */
export const TEST_NET = "testnet";

/**
 * Test body id: BLAKE3 over `pc-test/<kind>/` and the body (the node plugs in the codec's ids).
 * @param kind topic kind
 * @param body body bytes
 * @returns 32-byte id
 * @example
 * ```ts
 * import { testBodyId } from "./testing.ts";
 * console.assert(testBodyId("txs", new Uint8Array(1)).length === 32);
 * ```
 */
export function testBodyId(kind: TopicKind, body: Uint8Array): Uint8Array {
  const tag = new TextEncoder().encode(`pc-test/${kind}/`);
  const buf = new Uint8Array(tag.length + body.length);
  buf.set(tag);
  buf.set(body, tag.length);
  return blake3(buf);
}

/** Setup of {@linkcode startTestNode}. */
export interface TestNodeSetup {
  /** Store (default a fresh one). */
  store?: MemoryBodyStore;
  /** Validators per kind. */
  validators?: Partial<Record<TopicKind, Validator>>;
  /** Bootstrap multiaddrs. */
  bootstrap?: string[];
  /** Limit overrides. */
  limits?: Partial<P2pLimits>;
  /** Data directory holding the identity key (default: a fresh in-memory key). */
  dataDir?: string;
  /** Metrics sink. */
  metrics?: P2pMetricsSink;
}

/**
 * Starts a {@linkcode P2pService} on 127.0.0.1 subscribed to shard 0 of {@linkcode TEST_NET}.
 * @param setup options
 * @returns the service and its store
 * @example
 * ```ts ignore
 * const { p2p } = await startTestNode();
 * await p2p.stop();
 * ```
 */
export async function startTestNode(
  setup: TestNodeSetup = {},
): Promise<{ p2p: P2pService; store: MemoryBodyStore }> {
  const store = setup.store ?? new MemoryBodyStore();
  const p2p = new P2pService(
    {
      network: TEST_NET,
      ...(setup.dataDir !== undefined
        ? { dataDir: setup.dataDir }
        : { privateKey: await generateKeyPair("Ed25519") }),
      listen: ["/ip4/127.0.0.1/tcp/0"],
      bootstrap: setup.bootstrap ?? [],
      shards: [0],
      ...(setup.limits !== undefined ? { limits: setup.limits } : {}),
    },
    {
      store,
      sync: store,
      bodyId: testBodyId,
      ...(setup.validators !== undefined ? { validators: setup.validators } : {}),
      ...(setup.metrics !== undefined ? { metrics: setup.metrics } : {}),
    },
  );
  await p2p.start();
  return { p2p, store };
}

/**
 * Polls `cond` every 10 ms until it holds, failing after `ms`.
 * @param cond condition
 * @param what description for the timeout error
 * @param ms deadline in ms
 * @throws {Error} when the deadline passes
 * @example
 * ```ts
 * import { waitFor } from "./testing.ts";
 * await waitFor(() => true, "nothing");
 * ```
 */
export async function waitFor(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
