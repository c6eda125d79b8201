/**
 * The node runtime frame: wires the data-dir lock, the KV database, the flush queue, the event
 * caches, metrics and the RPC server into one {@linkcode Lifecycle}. Consensus, state, mint and
 * p2p plug in later as extra components and RPC registrations.
 * @module
 */
import { Registry } from "prom-client";
import type { Logger } from "@logtape/logtape";
import { type AllMetrics, createAllMetrics } from "../metrics/mod.ts";
import {
  type MempoolInfo,
  MethodRegistry,
  type NodeStatus,
  registerNodeMethods,
  RpcServer,
  type SignerHealth,
  type SyncState,
} from "../rpc/mod.ts";
import type { LoadedConfig } from "./config.ts";
import { DataDirLock } from "./datadir.ts";
import { type Component, Lifecycle } from "./lifecycle.ts";
import { nodeLogger } from "./logging.ts";
import { CachedEventReader, KvEventStore } from "./store.ts";

/** File name of the node's Deno KV database inside `<data_dir>/<network>`. */
export const KV_FILE = "chain.kv";

/**
 * Serialises durable KV commits and times them into `pc_node_kv_flush_seconds`. On stop it
 * refuses new flushes and waits for the one in progress, so that shutdown never cuts a commit.
 *
 * @example
 * ```ts
 * import { FlushQueue } from "./node.ts";
 * const q = new FlushQueue();
 * await q.start();
 * await q.flush(async () => {});
 * await q.stop();
 * ```
 */
export class FlushQueue implements Component {
  /** Component name. */
  readonly name = "flush";
  readonly #observe: ((seconds: number) => void) | undefined;
  readonly #depth: ((pending: number) => void) | undefined;
  readonly #now: () => number;
  #tail: Promise<void> = Promise.resolve();
  #open = false;
  #pending = 0;

  /**
   * @param options `observe` receives each flush duration in seconds, `depth` the number of
   *   pending flushes after each change, `now` is a monotonic clock in ms
   */
  constructor(
    options: {
      observe?: (seconds: number) => void;
      depth?: (pending: number) => void;
      now?: () => number;
    } = {},
  ) {
    this.#observe = options.observe;
    this.#depth = options.depth;
    this.#now = options.now ?? (() => performance.now());
  }

  /** Opens the queue. */
  start(): void {
    this.#open = true;
  }

  /** Flushes waiting or running. */
  get pending(): number {
    return this.#pending;
  }

  /**
   * Runs a commit after the previous ones.
   * @param commit the durable write
   * @returns when this commit is durable
   * @throws {Error} when the queue is stopped, or what the commit throws
   */
  flush(commit: () => Promise<void>): Promise<void> {
    if (!this.#open) return Promise.reject(new Error("Cannot flush: the flush queue is stopped"));
    this.#pending++;
    this.#depth?.(this.#pending);
    const run = this.#tail.then(async () => {
      const t0 = this.#now();
      try {
        await commit();
      } finally {
        this.#pending--;
        this.#depth?.(this.#pending);
        this.#observe?.((this.#now() - t0) / 1000);
      }
    });
    // The chain must survive a failed commit; the caller sees the failure through `run`.
    this.#tail = run.catch(() => {});
    return run;
  }

  /** Refuses new flushes and waits for queued ones. */
  async stop(): Promise<void> {
    this.#open = false;
    await this.#tail;
  }
}

/** Options of {@linkcode PhantomNode}. */
export interface PhantomNodeOptions {
  /** Effective configuration and data directory. */
  readonly loaded: LoadedConfig;
  /** Software version for status and `pc_node_info`. */
  readonly version: string;
}

/** Pluggable parts; every field optional so the frame runs before the engines exist. */
export interface PhantomNodeModules {
  /** Components started after KV/flush and before RPC (consensus, state, p2p, ...). */
  readonly components?: readonly Component[];
  /** Native crypto status for /status/node (src/crypto nativeStatus()). */
  readonly nativeStatus?: () => unknown;
  /** Number of connected peers. */
  readonly peers?: () => number;
  /** Mempool summary. */
  readonly mempool?: () => MempoolInfo;
  /** Latest durable finalized anchor. */
  readonly latestAnchor?: () => { id: string; height: number } | null;
  /** Shard and seat assigned by consensus. */
  readonly seat?: () => { shard: number | null; seat: number | null };
  /** Seat public key hex, if a key is loaded. */
  readonly seatPubkey?: string;
  /** Seat signer health for /status/node; absent or null for a full node. */
  readonly signer?: () => SignerHealth | null;
  /** Replaces the default logger. */
  readonly logger?: Logger;
}

/**
 * One node process. `start()` takes the data-dir lock, opens KV, starts the flush queue, the
 * plugged-in components and the RPC server; `stop()` stops them in reverse order.
 *
 * @example
 * ```ts
 * import { loadConfig, PhantomNode } from "./mod.ts";
 * const dir = await Deno.makeTempDir();
 * const loaded = loadConfig({ env: { HOME: dir }, flags: { "node.data_dir": dir, "rpc.port": "0" } });
 * const node = new PhantomNode({ loaded, version: "0.0.0" });
 * await node.start();
 * await node.stop();
 * ```
 */
export class PhantomNode {
  /** JSON-RPC methods; register engine methods here before `start()`. */
  readonly rpcMethods: MethodRegistry = new MethodRegistry();
  /** Metrics registry (null when metrics.enabled is false). */
  readonly metricsRegistry: Registry | null;
  /** Metric objects by area (null when disabled). */
  readonly metrics: AllMetrics | null;
  /** Durable commit queue. */
  readonly flushQueue: FlushQueue;
  readonly #lifecycle: Lifecycle;
  readonly #opts: PhantomNodeOptions;
  readonly #mods: PhantomNodeModules;
  readonly #log: Logger;
  #lock: DataDirLock | null = null;
  #kv: Deno.Kv | null = null;
  #events: CachedEventReader | null = null;
  #rpc: RpcServer | null = null;
  #sync: SyncState = "starting";

  /**
   * @param options configuration and version
   * @param modules engines and providers (all optional)
   */
  constructor(options: PhantomNodeOptions, modules: PhantomNodeModules = {}) {
    this.#opts = options;
    this.#mods = modules;
    this.#log = modules.logger ?? nodeLogger("node");
    const cfg = options.loaded.config;
    if (cfg["metrics.enabled"]) {
      this.metricsRegistry = new Registry();
      this.metrics = createAllMetrics(this.metricsRegistry);
      this.metrics.node.info.set({ network: cfg["node.network"], version: options.version }, 1);
      this.metrics.node.queueDepth.set({ queue: "flush" }, 0);
    } else {
      this.metricsRegistry = null;
      this.metrics = null;
    }
    this.flushQueue = new FlushQueue({
      observe: (s) => this.metrics?.node.kvFlush.observe(s),
      depth: (n) => this.metrics?.node.queueDepth.set({ queue: "flush" }, n),
    });
    this.#lifecycle = new Lifecycle((e) => {
      if (e.kind === "stop_failed") {
        this.#log.error("Component failed to stop", {
          component: e.component,
          error: String(e.error),
        });
      } else {
        this.#log.debug("Lifecycle", { event: e.kind, component: e.component });
      }
    });
    registerNodeMethods(this.rpcMethods, {
      status: () => this.status(),
      mempool: () => this.#mods.mempool?.() ?? { txs: 0, bytes: 0 },
    });
    this.#assemble();
  }

  /** The data directory in use (`<data_dir>/<network>`). */
  get dataDir(): string {
    return this.#opts.loaded.networkDir;
  }

  /** The RPC server once started (for its bound port), else null. */
  get rpc(): RpcServer | null {
    return this.#rpc;
  }

  /** The cached event reader once KV is open, else null. */
  get events(): CachedEventReader | null {
    return this.#events;
  }

  /** The open KV database once started, else null. */
  get kv(): Deno.Kv | null {
    return this.#kv;
  }

  #assemble(): void {
    const cfg = this.#opts.loaded.config;
    const dir = this.dataDir;
    this.#lifecycle.add({
      name: "datadir",
      start: async () => {
        this.#lock = await DataDirLock.acquire(dir);
        if (this.#lock.stalePid !== null) {
          this.#log.warn("Replaced stale data directory lock", {
            dir,
            stale_pid: this.#lock.stalePid,
          });
        }
      },
      stop: async () => {
        await this.#lock?.release();
        this.#lock = null;
      },
    });
    this.#lifecycle.add({
      name: "kv",
      start: async () => {
        this.#kv = await Deno.openKv(`${dir}/${KV_FILE}`);
        const shards = cfg["node.cache.shards"];
        this.#events = new CachedEventReader(new KvEventStore(this.#kv), {
          headerCap: cfg["node.cache.header_cap"],
          payloadCap: cfg["node.cache.payload_cap"],
          ...(shards === 0 ? {} : { shards }),
        }, this.metrics?.node);
      },
      stop: () => {
        this.#kv?.close();
        this.#kv = null;
      },
    });
    this.#lifecycle.add(this.flushQueue);
    for (const c of this.#mods.components ?? []) this.#lifecycle.add(c);
    if (cfg["rpc.enabled"]) {
      this.#rpc = new RpcServer({
        hostname: cfg["rpc.listen"],
        port: cfg["rpc.port"],
        maxBodyBytes: cfg["rpc.max_body_bytes"],
        maxBatch: cfg["rpc.max_batch"],
        rateLimitRps: cfg["rpc.rate_limit_rps"],
        rateLimitBurst: cfg["rpc.rate_limit_burst"],
      }, {
        registry: this.rpcMethods,
        status: () => this.status(),
        ...(this.metricsRegistry === null ? {} : { metricsRegistry: this.metricsRegistry }),
        ...(this.metrics === null ? {} : { metrics: this.metrics.rpc }),
        logger: nodeLogger("rpc"),
      });
      this.#lifecycle.add(this.#rpc);
    }
  }

  /**
   * Starts every component in order.
   * @throws {NodeError} DATA_DIR_LOCKED / DATA_DIR_UNUSABLE, or a component's start error (the
   *   components already started are stopped first)
   */
  async start(): Promise<void> {
    const cfg = this.#opts.loaded.config;
    this.#log.info("Starting node", {
      version: this.#opts.version,
      network: cfg["node.network"],
      data_dir: this.dataDir,
      config: this.#opts.loaded.configPath,
    });
    for (const w of this.#opts.loaded.warnings) this.#log.warn(w);
    await this.#lifecycle.start();
    this.#sync = "synced";
    this.#log.info("Node started", {
      rpc: this.#rpc === null ? null : `http://${this.#rpc.hostname}:${this.#rpc.port}`,
    });
  }

  /**
   * Stops intake (RPC, p2p), finishes the current flush, closes KV, releases the lock.
   * Safe to call more than once; later calls wait for the first.
   * @throws the first component stop error
   */
  async stop(): Promise<void> {
    if (this.#lifecycle.state === "new") return;
    this.#sync = "stopping";
    this.#log.info("Stopping node");
    await this.#lifecycle.stop();
    this.#log.info("Node stopped");
  }

  /** @returns the `/status/node` document */
  status(): NodeStatus {
    const cfg = this.#opts.loaded.config;
    const seat = this.#mods.seat?.() ?? { shard: null, seat: null };
    const h = this.#events?.headers.stats();
    const pl = this.#events?.payloads.stats();
    return {
      version: this.#opts.version,
      network: cfg["node.network"],
      shard: seat.shard,
      seat: seat.seat,
      seat_pubkey: this.#mods.seatPubkey ?? null,
      latest_anchor: this.#mods.latestAnchor?.() ?? null,
      peers: this.#mods.peers?.() ?? 0,
      sync_state: this.#sync,
      native_crypto: this.#mods.nativeStatus?.() ?? null,
      caches: {
        header: {
          entries: h?.entries ?? 0,
          size: h?.size ?? 0,
          capacity: cfg["node.cache.header_cap"],
        },
        payload: {
          entries: pl?.entries ?? 0,
          size: pl?.size ?? 0,
          capacity: cfg["node.cache.payload_cap"],
        },
      },
      uptime_seconds: Math.round(performance.now() / 1000),
      signer: this.#mods.signer?.() ?? null,
    };
  }
}

/**
 * Starts a node and runs it until SIGINT or SIGTERM, then stops it gracefully. The signal
 * handlers are installed before the node starts, so a signal that arrives while it starts leads
 * to a clean stop right after. A second signal during shutdown exits at once with status 130.
 * @param node a node that has not been started
 * @param log logger for the shutdown messages
 * @returns when the node has stopped
 * @throws the node's start or stop error
 */
export async function runUntilSignal(
  node: PhantomNode,
  log: Logger = nodeLogger("node"),
): Promise<void> {
  const { promise, resolve } = Promise.withResolvers<Deno.Signal>();
  let received = 0;
  const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
  const onSignal = (sig: Deno.Signal) => () => {
    received++;
    if (received > 1) {
      log.error("Second signal during shutdown: exiting now", { signal: sig });
      Deno.exit(130);
    }
    resolve(sig);
  };
  const handlers = signals.map((s) => [s, onSignal(s)] as const);
  for (const [s, h] of handlers) Deno.addSignalListener(s, h);
  try {
    await node.start();
    const sig = await promise;
    log.info("Shutdown requested", { signal: sig });
    await node.stop();
  } finally {
    for (const [s, h] of handlers) Deno.removeSignalListener(s, h);
  }
}
