/**
 * phantom-miner client logic (docs/spec/mint.md §9): fetch a mint template over JSON-RPC, search
 * nonces on the worker pool, submit solutions, refresh on a new template, and report a live status
 * line. The miner is stateless: the node decides everything; the miner only hashes.
 * @module
 */
import { hex } from "@scure/base";
import {
  type MintTemplate,
  type PowJob,
  powJob,
  solutionToHex,
  templateFromJson,
  templateMint,
} from "../mint/mod.ts";
import { MINT_TIERS } from "../params/mod.ts";
import { MinerPool, type PoolSolution } from "./pool.ts";
import { type JsonRpcTransport, MinerRpcError } from "./rpc.ts";

/** The part of a {@linkcode MinerPool} the client uses (a fake in tests). */
export interface HashPool {
  /** Start the workers. */
  start(): Promise<void>;
  /** Search nonces, superseding any running search. */
  search(job: PowJob, startNonce?: bigint): Promise<PoolSolution | null>;
  /** Stop the running search. */
  cancel(): void;
  /** Total hashes so far. */
  hashes(): bigint;
  /** Terminate the workers. */
  stop(): Promise<void>;
  /** BLAKE3 path in use. */
  readonly hasher: "native" | "fallback" | undefined;
}

/** Options of a {@linkcode PhantomMiner}. */
export interface PhantomMinerOptions {
  /** Bech32m address that receives the rewards. */
  readonly payout: string;
  /** Maturity tier to ask for (0, 1 or 2; default 2, the full reward). */
  readonly tier?: number;
  /** Hashing threads (default 1). */
  readonly threads?: number;
  /** Milliseconds between template polls; 0 disables polling (default 2000). */
  readonly refreshMs?: number;
  /** Milliseconds between status lines; 0 disables them (default 1000). */
  readonly statusMs?: number;
  /** Milliseconds to wait for an accepted solution's mint to be finalized before mining the same
   * template again (default 60000). */
  readonly resubmitAfterMs?: number;
}

/** Injected dependencies of a {@linkcode PhantomMiner}. */
export interface PhantomMinerModules {
  /** JSON-RPC transport to the node. */
  readonly rpc: JsonRpcTransport;
  /** Hashing pool (default: a {@linkcode MinerPool} with `threads` workers). */
  readonly pool?: HashPool;
  /** Receives the status line (default: none). */
  readonly status?: (line: string) => void;
  /** Receives log events (default: none). */
  readonly log?: (msg: string, data?: Record<string, unknown>) => void;
  /** Called after every submission. */
  readonly onSubmit?: (r: SubmitOutcome) => void;
  /** Milliseconds clock (default `performance.now`). */
  readonly now?: () => number;
  /** Random u64 source for the starting nonce (default: crypto.getRandomValues). */
  readonly randomNonce?: () => bigint;
}

/** Result of one submission. */
export interface SubmitOutcome {
  /** Height of the submitted mint. */
  readonly height: bigint;
  /** Nonce found. */
  readonly nonce: bigint;
  /** Whether the node accepted it. */
  readonly accepted: boolean;
  /** Rejection reason (a MintError code such as MINT_STALE, or an RPC error code). */
  readonly reason?: string;
}

/** Counters of a running miner. */
export interface MinerStats {
  /** Solutions found. */
  readonly found: number;
  /** Solutions the node accepted. */
  readonly accepted: number;
  /** Solutions the node rejected. */
  readonly rejected: number;
  /** Rejections per reason. */
  readonly rejectedByReason: Readonly<Record<string, number>>;
  /** Failed RPC calls. */
  readonly rpcErrors: number;
  /** Hashes per second over the last status interval. */
  readonly hashrate: number;
  /** Total hashes. */
  readonly hashes: bigint;
  /** Height of the template being mined, if any. */
  readonly height: bigint | undefined;
  /** BLAKE3 path of the pool. */
  readonly hasher: string;
}

function defaultRandomNonce(): bigint {
  const b = new BigUint64Array(1);
  crypto.getRandomValues(b);
  // Keep clear of the top of the u64 space so a search never runs out of nonces in practice.
  return b[0]! >> 1n;
}

function templateKey(t: MintTemplate): string {
  return `${t.height}:${hex.encode(t.prevMintId)}:${t.target.toString(16)}:${t.tier}`;
}

/**
 * Format a hash rate with SI units.
 * @param hps hashes per second
 * @returns e.g. `"1.25 MH/s"`
 * @example
 * ```ts
 * import { formatHashrate } from "./client.ts";
 * console.assert(formatHashrate(1250000) === "1.25 MH/s");
 * ```
 */
export function formatHashrate(hps: number): string {
  const units = ["H/s", "kH/s", "MH/s", "GH/s", "TH/s"];
  let v = hps;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v.toFixed(2)} ${units[i]}`;
}

/**
 * The phantom-miner client: a long-lived component with `start()`/`stop()`.
 *
 * @example
 * ```ts
 * import { httpJsonRpc, PhantomMiner } from "./mod.ts";
 * const miner = new PhantomMiner(
 *   { payout: "dpc1...", threads: 1, refreshMs: 0, statusMs: 0 },
 *   { rpc: httpJsonRpc("http://127.0.0.1:8645") },
 * );
 * console.assert(miner.stats().found === 0);
 * ```
 */
export class PhantomMiner {
  readonly #payout: string;
  readonly #tier: number;
  readonly #refreshMs: number;
  readonly #statusMs: number;
  readonly #resubmitAfterMs: number;
  readonly #rpc: JsonRpcTransport;
  readonly #pool: HashPool;
  readonly #status: (line: string) => void;
  readonly #log: (msg: string, data?: Record<string, unknown>) => void;
  readonly #onSubmit: ((r: SubmitOutcome) => void) | undefined;
  readonly #now: () => number;
  readonly #randomNonce: () => bigint;

  #running = false;
  #timers: ReturnType<typeof setInterval>[] = [];
  #currentKey: string | undefined;
  #current: MintTemplate | undefined;
  #waitingKey: string | undefined;
  #waitingSince = 0;
  #refreshing: Promise<void> | undefined;
  #found = 0;
  #accepted = 0;
  #rejected = 0;
  #rejectedByReason: Record<string, number> = {};
  #rpcErrors = 0;
  #rpcDown = false;
  #lastSample: { t: number; h: bigint } = { t: 0, h: 0n };
  #hashrate = 0;

  /**
   * @param options payout address, tier, threads and intervals
   * @param modules RPC transport and optional pool, sinks and clock
   * @throws {RangeError} for an out-of-range tier, thread count or interval
   */
  constructor(options: PhantomMinerOptions, modules: PhantomMinerModules) {
    // Default: the last (longest) tier, which pays the full base reward (docs/spec/mint.md §5).
    const tier = options.tier ?? MINT_TIERS - 1;
    if (!Number.isInteger(tier) || tier < 0 || tier > 255) {
      throw new RangeError(`Tier out of range: ${tier}`);
    }
    for (
      const [k, v] of Object.entries({
        refreshMs: options.refreshMs,
        statusMs: options.statusMs,
        resubmitAfterMs: options.resubmitAfterMs,
      })
    ) {
      if (v !== undefined && (!Number.isFinite(v) || v < 0)) {
        throw new RangeError(`Interval "${k}" out of range: ${v}`);
      }
    }
    this.#payout = options.payout;
    this.#tier = tier;
    this.#refreshMs = options.refreshMs ?? 2000;
    this.#statusMs = options.statusMs ?? 1000;
    this.#resubmitAfterMs = options.resubmitAfterMs ?? 60_000;
    this.#rpc = modules.rpc;
    this.#pool = modules.pool ?? new MinerPool({ threads: options.threads ?? 1 });
    this.#status = modules.status ?? (() => {});
    this.#log = modules.log ?? (() => {});
    this.#onSubmit = modules.onSubmit;
    this.#now = modules.now ?? (() => performance.now());
    this.#randomNonce = modules.randomNonce ?? defaultRandomNonce;
  }

  /**
   * Start the pool, fetch the first template and begin mining; then poll for new templates.
   * @returns when the pool is started and the first refresh has run
   * @throws {Error} when the pool cannot start
   */
  async start(): Promise<void> {
    if (this.#running) return;
    await this.#pool.start();
    this.#running = true;
    this.#lastSample = { t: this.#now(), h: this.#pool.hashes() };
    if (this.#refreshMs > 0) {
      this.#timers.push(setInterval(() => void this.refresh(), this.#refreshMs));
    }
    if (this.#statusMs > 0) {
      this.#timers.push(setInterval(() => this.#status(this.statusLine()), this.#statusMs));
    }
    this.#log("Miner started", { tier: this.#tier, hasher: this.#pool.hasher ?? "unknown" });
    await this.refresh();
  }

  /**
   * Fetch the template; start mining it when it differs from the one being mined. Concurrent
   * calls share one fetch. RPC failures are counted and logged, never thrown.
   * @returns when the template has been handled
   */
  refresh(): Promise<void> {
    if (!this.#running) return Promise.resolve();
    this.#refreshing ??= this.#refresh().finally(() => {
      this.#refreshing = undefined;
    });
    return this.#refreshing;
  }

  async #refresh(): Promise<void> {
    let t: MintTemplate;
    try {
      const raw = await this.#rpc.call("get_mint_template", {
        payout: this.#payout,
        tier: this.#tier,
      });
      t = templateFromJson(raw);
    } catch (e) {
      this.#rpcErrors++;
      // Log the transition only: a node that is down would otherwise flood the log every poll.
      if (!this.#rpcDown) this.#log("Template fetch failed", { error: (e as Error).message });
      this.#rpcDown = true;
      return;
    }
    if (this.#rpcDown) this.#log("Template fetch recovered");
    this.#rpcDown = false;
    if (!this.#running) return;
    const key = templateKey(t);
    if (key === this.#currentKey) return;
    if (key === this.#waitingKey && this.#now() - this.#waitingSince < this.#resubmitAfterMs) {
      // Our accepted solution for this template is on its way to finality: mining the same
      // height again would only race ourselves.
      return;
    }
    this.#waitingKey = undefined;
    this.#mine(t, key);
  }

  #mine(t: MintTemplate, key: string): void {
    this.#currentKey = key;
    this.#current = t;
    let job: PowJob;
    try {
      job = powJob(templateMint(t, 0n));
    } catch (e) {
      this.#log("Template is not minable", { error: (e as Error).message });
      this.#currentKey = undefined;
      this.#current = undefined;
      return;
    }
    this.#pool.search(job, this.#randomNonce()).then(
      (s) => this.#onFound(t, key, s),
      (e) => this.#log("Search failed", { error: (e as Error).message }),
    );
  }

  async #onFound(t: MintTemplate, key: string, s: PoolSolution | null): Promise<void> {
    if (s === null || !this.#running) return;
    this.#found++;
    if (this.#currentKey === key) {
      this.#currentKey = undefined;
      this.#current = undefined;
    }
    const hex = solutionToHex(templateMint(t, s.nonce));
    let outcome: SubmitOutcome;
    try {
      await this.#rpc.call("submit_mint_solution", { mint: hex });
      this.#accepted++;
      this.#waitingKey = key;
      this.#waitingSince = this.#now();
      outcome = { height: t.height, nonce: s.nonce, accepted: true };
      this.#log("Solution accepted", { height: t.height.toString() });
    } catch (e) {
      const reason = e instanceof MinerRpcError ? e.data.reason ?? e.code : "ERROR";
      this.#rejected++;
      this.#rejectedByReason[reason] = (this.#rejectedByReason[reason] ?? 0) + 1;
      outcome = { height: t.height, nonce: s.nonce, accepted: false, reason };
      this.#log("Solution rejected", { height: t.height.toString(), reason });
    }
    this.#onSubmit?.(outcome);
    await this.refresh();
  }

  /**
   * Counters and the current hash rate.
   * @returns stats
   */
  stats(): MinerStats {
    const now = this.#now();
    const h = this.#pool.hashes();
    const dt = now - this.#lastSample.t;
    if (dt >= 250) {
      this.#hashrate = Number(h - this.#lastSample.h) / (dt / 1000);
      this.#lastSample = { t: now, h };
    }
    return {
      found: this.#found,
      accepted: this.#accepted,
      rejected: this.#rejected,
      rejectedByReason: { ...this.#rejectedByReason },
      rpcErrors: this.#rpcErrors,
      hashrate: this.#hashrate,
      hashes: h,
      height: this.#current?.height,
      hasher: this.#pool.hasher ?? "unknown",
    };
  }

  /**
   * One-line status: height, hash rate, found/accepted/rejected.
   * @returns the line
   */
  statusLine(): string {
    const s = this.stats();
    const h = s.height === undefined ? "waiting" : `height ${s.height}`;
    return `${h} | ${
      formatHashrate(s.hashrate)
    } (${s.hasher}) | found ${s.found} accepted ${s.accepted} rejected ${s.rejected}`;
  }

  /**
   * Stop polling, cancel the search and terminate the workers.
   * @returns when stopped
   */
  async stop(): Promise<void> {
    this.#running = false;
    for (const t of this.#timers) clearInterval(t);
    this.#timers = [];
    this.#pool.cancel();
    await this.#refreshing;
    await this.#pool.stop();
    this.#log("Miner stopped", { found: this.#found, accepted: this.#accepted });
  }
}
