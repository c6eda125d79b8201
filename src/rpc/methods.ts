/**
 * The node's built-in JSON-RPC methods and the documents they return. Engine-backed methods
 * (submit_tx, submit_txs, get_tx, get_utxos, get_balance, get_history, get_fee_floor, get_event,
 * get_anchor, get_state_root, mint RPCs, node_stats) are registered by the node wiring with one
 * `registry.register(...)` line each.
 * @module
 */
import { p } from "./params.ts";
import type { MethodRegistry } from "./registry.ts";

/** Synchronisation state reported by `/status/node`. */
export type SyncState = "starting" | "syncing" | "synced" | "stopping";

/** The `/status/node` document (also the result of the `status` method). */
export interface NodeStatus {
  readonly version: string;
  readonly network: string;
  /** Shard this node serves, or null until consensus assigns one. */
  readonly shard: number | null;
  /** Committee seat index (0..63) this node holds, or null. */
  readonly seat: number | null;
  /** Seat public key (x-only hex), or null when no key is loaded. */
  readonly seat_pubkey: string | null;
  /** Latest durable finalized anchor, or null before the first one. */
  readonly latest_anchor: { readonly id: string; readonly height: number } | null;
  readonly peers: number;
  readonly sync_state: SyncState;
  /** Native crypto backends (from src/crypto nativeStatus() once exported), or null. */
  readonly native_crypto: unknown;
  readonly caches: {
    readonly header: { readonly entries: number; readonly size: number; readonly capacity: number };
    readonly payload: {
      readonly entries: number;
      readonly size: number;
      readonly capacity: number;
    };
  };
  /** Seconds since the process started. */
  readonly uptime_seconds: number;
  /** Health of the seat signer (phantom-signer or the dev-only key file), null for a full node. */
  readonly signer: SignerHealth | null;
}

/** The `signer` member of {@linkcode NodeStatus}. */
export interface SignerHealth {
  /** `remote` (phantom-signer) or `key_file` (dev-only). */
  readonly kind: string;
  /** False from a failed signer request until the next one succeeds. */
  readonly ok: boolean;
  /** Own events signed since the process started. */
  readonly events_signed: number;
  /** The failure that made `ok` false (node error code and message), else null. */
  readonly last_error: { readonly code: string; readonly message: string } | null;
}

/** The `mempool_info` result. */
export interface MempoolInfo {
  /** Transactions waiting. */
  readonly txs: number;
  /** Their encoded size in bytes. */
  readonly bytes: number;
}

/** What the built-in methods read from. */
export interface NodeMethodSources {
  /** Current status document. */
  readonly status: () => NodeStatus | Promise<NodeStatus>;
  /** Mempool summary (zeros until the state engine is wired). */
  readonly mempool: () => MempoolInfo | Promise<MempoolInfo>;
}

/**
 * Registers `status`, `mempool_info` and `rpc_methods`.
 * @param registry the registry
 * @param sources status and mempool providers
 * @throws {Error} when a name is already registered
 * @example
 * ```ts
 * import { MethodRegistry, registerNodeMethods } from "./mod.ts";
 * const r = new MethodRegistry();
 * registerNodeMethods(r, { status: () => { throw new Error("unused"); }, mempool: () => ({ txs: 0, bytes: 0 }) });
 * console.assert(r.has("mempool_info"));
 * ```
 */
export function registerNodeMethods(registry: MethodRegistry, sources: NodeMethodSources): void {
  registry.register(
    "status",
    "Node health: network, shard, seat, latest anchor, peers, sync",
    p.none(),
    () => sources.status(),
  );
  registry.register(
    "mempool_info",
    "Number and size of transactions in the mempool",
    p.none(),
    () => sources.mempool(),
  );
  registry.register("rpc_methods", "Lists the registered methods", p.none(), () => registry.list());
}
