/**
 * Snapshot export/import: the {@linkcode Snapshotter} interface the CLI calls and
 * {@linkcode StateSnapshotter}, its implementation over a node data directory (the state at the
 * last durable finalized anchor, with its state root, in `src/state`'s root-guarded format).
 * @module
 */
import { bytesToHex } from "@noble/hashes/utils.js";
import type { NetworkParams } from "../params/mod.ts";
import {
  KvStore,
  readSnapshotFile,
  restoreSnapshot,
  snapshotChunks,
  StateDb,
  StateError,
  writeSnapshotFile,
} from "../state/mod.ts";

/** File name of the state database inside the network data directory. */
export const STATE_KV_FILE = "state.kv";
/** File name of the node KV (DAG, anchor records) inside the network data directory. */
export const KV_FILE = "chain.kv";

/** What a snapshot operation reports. */
export interface SnapshotInfo {
  /** Finalized anchor the snapshot is taken at (hex id). */
  readonly anchor: string;
  /** Anchor height (count of finalized anchors). */
  readonly height: number;
  /** State root committed by the anchor (hex). */
  readonly stateRoot: string;
  /** Snapshot size in bytes. */
  readonly bytes: number;
}

/** Exports and imports state snapshots. */
export interface Snapshotter {
  /**
   * Writes a snapshot of the latest durable finalized anchor.
   * @param path destination file (must not exist)
   * @returns what was written
   */
  exportTo(path: string): Promise<SnapshotInfo>;
  /**
   * Verifies a snapshot (state root) and installs it as the node's state.
   * @param path source file
   * @returns what was installed
   */
  importFrom(path: string): Promise<SnapshotInfo>;
}

/** Codes of {@linkcode SnapshotError}. */
export type SnapshotErrorCode =
  | "SNAPSHOT_EXISTS"
  | "SNAPSHOT_NO_STATE"
  | "SNAPSHOT_UNREADABLE"
  | "SNAPSHOT_INVALID"
  | "SNAPSHOT_TARGET_NOT_EMPTY";

/** Per-code data of {@linkcode SnapshotError}. */
export type SnapshotErrorData =
  | { code: "SNAPSHOT_EXISTS"; path: string }
  | { code: "SNAPSHOT_NO_STATE"; dir: string }
  | { code: "SNAPSHOT_UNREADABLE"; path: string; reason: string }
  | { code: "SNAPSHOT_INVALID"; path: string; reason: string }
  | { code: "SNAPSHOT_TARGET_NOT_EMPTY"; dir: string; found: string };

/**
 * A refused snapshot export or import. Nothing was changed when it is thrown.
 * @example
 * ```ts
 * import { SnapshotError } from "./snapshot.ts";
 * const e = new SnapshotError({ code: "SNAPSHOT_EXISTS", path: "/tmp/s.bin" });
 * console.assert(e.code === "SNAPSHOT_EXISTS");
 * ```
 */
export class SnapshotError extends Error {
  /** Reason. */
  readonly code: SnapshotErrorCode;
  /** Per-code data. */
  readonly data: SnapshotErrorData;

  /**
   * @param data reason and its details
   * @param options cause
   */
  constructor(data: SnapshotErrorData, options?: ErrorOptions) {
    super(SnapshotError.#message(data), options);
    this.name = "SnapshotError";
    this.code = data.code;
    this.data = data;
  }

  static #message(d: SnapshotErrorData): string {
    switch (d.code) {
      case "SNAPSHOT_EXISTS":
        return `Snapshot file already exists: ${d.path}`;
      case "SNAPSHOT_NO_STATE":
        return `No durable state to export in ${d.dir}`;
      case "SNAPSHOT_UNREADABLE":
        return `Cannot read snapshot ${d.path}: ${d.reason}`;
      case "SNAPSHOT_INVALID":
        return `Snapshot refused (root guard), nothing was installed: ${d.path}: ${d.reason}`;
      case "SNAPSHOT_TARGET_NOT_EMPTY":
        return `Snapshot import needs a data directory without state, found ${d.found} in ${d.dir}`;
    }
  }
}

/** Options of {@linkcode StateSnapshotter}. */
export interface StateSnapshotterOptions {
  /** Network data directory (`<data_dir>/<network>`), locked by the caller. */
  readonly dataDir: string;
  /** Network parameters of the data directory. */
  readonly network: NetworkParams;
}

const hex = bytesToHex;

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

/**
 * The {@linkcode Snapshotter} over a node's data directory: the state database `state.kv`
 * (StateDb) and the node KV `chain.kv` (anchor records, for the anchor id). Run it with the
 * data-dir lock held and the node stopped.
 *
 * Export writes the state of the last durable finalized anchor (root-guarded format of
 * `snapshotChunks`). Import verifies the root and installs the state into a data directory that
 * has neither `state.kv` nor `chain.kv`. The node cannot yet start from an imported state: the
 * validator re-derives anchors from its stored DAG, which a snapshot does not carry, so its
 * start refuses such a directory (`CHAIN_MISMATCH`); docs/operations.md "Snapshots".
 * @example
 * ```ts ignore
 * import { DEVNET } from "../params/mod.ts";
 * import { StateSnapshotter } from "./snapshot.ts";
 * const s = new StateSnapshotter({ dataDir: "/var/lib/phantom/devnet", network: DEVNET });
 * const info = await s.exportTo("/tmp/state.snap");
 * ```
 */
export class StateSnapshotter implements Snapshotter {
  readonly #o: StateSnapshotterOptions;

  /** @param options data directory and network */
  constructor(options: StateSnapshotterOptions) {
    this.#o = options;
  }

  /**
   * Writes the state snapshot of the last durable finalized anchor.
   * @param path destination file (must not exist)
   * @returns anchor, height, state root and size
   * @throws {SnapshotError} `SNAPSHOT_EXISTS` or `SNAPSHOT_NO_STATE`
   */
  async exportTo(path: string): Promise<SnapshotInfo> {
    const dir = this.#o.dataDir;
    if (await exists(path)) throw new SnapshotError({ code: "SNAPSHOT_EXISTS", path });
    if (!(await exists(`${dir}/${STATE_KV_FILE}`))) {
      throw new SnapshotError({ code: "SNAPSHOT_NO_STATE", dir });
    }
    const store = await KvStore.open(`${dir}/${STATE_KV_FILE}`);
    try {
      const db = await StateDb.open(store, { network: this.#o.network });
      const height = db.committedAnchor;
      if (height < 0) throw new SnapshotError({ code: "SNAPSHOT_NO_STATE", dir });
      const root = hex(db.engine.root());
      const anchor = await this.#anchorId(height, root);
      const tmp = `${path}.partial`;
      const bytes = await writeSnapshotFile(tmp, snapshotChunks(db.engine));
      await Deno.rename(tmp, path);
      return { anchor, height, stateRoot: root, bytes };
    } finally {
      store.close();
    }
  }

  async #anchorId(height: number, root: string): Promise<string> {
    const path = `${this.#o.dataDir}/${KV_FILE}`;
    if (!(await exists(path))) return "";
    const kv = await Deno.openKv(path);
    try {
      const e = await kv.get<string>(["anchor", BigInt(height)]);
      if (e.value === null) return "";
      const r = JSON.parse(e.value) as { id?: unknown; root?: unknown };
      return r.root === root && typeof r.id === "string" ? r.id : "";
    } finally {
      kv.close();
    }
  }

  /**
   * Verifies the snapshot's state root and installs it as `state.kv` of a data directory
   * without state.
   * @param path snapshot file
   * @returns anchor (empty: a snapshot carries no anchor id), height, state root and size
   * @throws {SnapshotError} `SNAPSHOT_UNREADABLE`, `SNAPSHOT_INVALID` (corrupt or root
   *   mismatch) or `SNAPSHOT_TARGET_NOT_EMPTY`; nothing is changed when thrown
   */
  async importFrom(path: string): Promise<SnapshotInfo> {
    const dir = this.#o.dataDir;
    let bytes: Uint8Array;
    try {
      bytes = await readSnapshotFile(path);
    } catch (e) {
      throw new SnapshotError({
        code: "SNAPSHOT_UNREADABLE",
        path,
        reason: e instanceof Error ? e.message : String(e),
      }, { cause: e });
    }
    let engine;
    try {
      engine = restoreSnapshot(bytes, { network: this.#o.network });
    } catch (e) {
      if (e instanceof StateError || e instanceof RangeError) {
        throw new SnapshotError({ code: "SNAPSHOT_INVALID", path, reason: e.message }, {
          cause: e,
        });
      }
      throw e;
    }
    for (const f of [STATE_KV_FILE, KV_FILE]) {
      for (const suffix of ["", "-wal", "-shm"]) {
        if (await exists(`${dir}/${f}${suffix}`)) {
          throw new SnapshotError({ code: "SNAPSHOT_TARGET_NOT_EMPTY", dir, found: f + suffix });
        }
      }
    }
    await Deno.mkdir(dir, { recursive: true });
    const store = await KvStore.open(`${dir}/${STATE_KV_FILE}`);
    try {
      const db = await StateDb.importState(store, engine);
      return {
        anchor: "",
        height: db.committedAnchor,
        stateRoot: hex(engine.root()),
        bytes: bytes.length,
      };
    } finally {
      store.close();
    }
  }
}
