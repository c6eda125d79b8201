/**
 * Snapshot export/import: the {@linkcode Snapshotter} interface the CLI calls and
 * {@linkcode StateSnapshotter}, its implementation over a node data directory. A snapshot is the
 * state of the last durable finalized anchor N (in `src/state`'s root-guarded format) together
 * with the consensus checkpoint at N (DAG window with ordering metadata, anchor id, mint chain
 * tip), so that a node started from it resumes consensus at N and fetches the DAG after N from its
 * peers (docs/spec/state.md §6, docs/adr/0076-snapshot-sync-checkpoint.md, file layout in
 * `snapshot_format.ts`).
 * @module
 */
import { bytesToHex, concatBytes, hexToBytes } from "@noble/hashes/utils.js";
import {
  buildCheckpoint,
  CheckpointError,
  type ConsensusCheckpoint,
  ConsensusEngine,
  toHex,
} from "../consensus/mod.ts";
import { MintChain, type MintChainSnapshot, MintError, mintParamsOf } from "../mint/mod.ts";
import type { NetworkParams } from "../params/mod.ts";
import { KvStore, restoreSnapshot, snapshotChunks, StateDb, StateError } from "../state/mod.ts";
import type { Genesis } from "./genesis.ts";
import {
  decodeNodeCheckpoint,
  decodeSnapshotFile,
  encodeNodeCheckpoint,
  encodeSnapshotFile,
  loadCheckpoint,
  type NodeCheckpoint,
  saveCheckpoint,
} from "./snapshot_format.ts";
import { KV_FILE } from "./node.ts";
import {
  type AnchorRecord,
  consensusCheckpointOf,
  decodeEventBody,
  STATE_KV_FILE,
} from "./validator.ts";

/** What a snapshot operation reports. */
export interface SnapshotInfo {
  /** Finalized anchor the snapshot is taken at (hex id). */
  readonly anchor: string;
  /** Anchor index (count of finalized anchors). */
  readonly height: number;
  /** State root committed by the anchor (hex). */
  readonly stateRoot: string;
  /** Snapshot size in bytes. */
  readonly bytes: number;
  /** Events in the consensus checkpoint. */
  readonly checkpointEvents?: number;
}

/** What the operator trusts when importing (assumeutxo-style: compare with a trusted node). */
export interface SnapshotTrust {
  /** State root of anchor N (hex), e.g. from `get_anchor` on a node the operator trusts. */
  readonly stateRoot?: string;
  /** Anchor id of N (hex). */
  readonly anchorId?: string;
}

/** Exports and imports node snapshots. */
export interface Snapshotter {
  /**
   * Writes a snapshot of the latest durable finalized anchor.
   * @param path destination file (must not exist)
   * @returns what was written
   */
  exportTo(path: string): Promise<SnapshotInfo>;
  /**
   * Verifies a snapshot (digest, network, state root, checkpoint, trusted values) and installs it
   * as the node's state and consensus starting point.
   * @param path source file
   * @param trust values the snapshot must match
   * @returns what was installed
   */
  importFrom(path: string, trust?: SnapshotTrust): Promise<SnapshotInfo>;
}

/** Codes of {@linkcode SnapshotError}. */
export type SnapshotErrorCode =
  | "SNAPSHOT_EXISTS"
  | "SNAPSHOT_NO_STATE"
  | "SNAPSHOT_NO_CHECKPOINT"
  | "SNAPSHOT_UNREADABLE"
  | "SNAPSHOT_INVALID"
  | "SNAPSHOT_WRONG_NETWORK"
  | "SNAPSHOT_UNTRUSTED"
  | "SNAPSHOT_CHECKPOINT_INVALID"
  | "SNAPSHOT_TARGET_NOT_EMPTY";

/** Per-code data of {@linkcode SnapshotError}. */
export type SnapshotErrorData =
  | { code: "SNAPSHOT_EXISTS"; path: string }
  | { code: "SNAPSHOT_NO_STATE"; dir: string }
  | { code: "SNAPSHOT_NO_CHECKPOINT"; dir: string; reason: string }
  | { code: "SNAPSHOT_UNREADABLE"; path: string; reason: string }
  | { code: "SNAPSHOT_INVALID"; path: string; reason: string }
  | { code: "SNAPSHOT_WRONG_NETWORK"; path: string; expected: string; actual: string }
  | {
    code: "SNAPSHOT_UNTRUSTED";
    path: string;
    what: "state root" | "anchor id";
    trusted: string;
    actual: string;
  }
  | { code: "SNAPSHOT_CHECKPOINT_INVALID"; path: string; reason: string }
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
      case "SNAPSHOT_NO_CHECKPOINT":
        return `Cannot build the consensus checkpoint in ${d.dir}: ${d.reason}`;
      case "SNAPSHOT_UNREADABLE":
        return `Cannot read snapshot ${d.path}: ${d.reason}`;
      case "SNAPSHOT_INVALID":
        return `Snapshot refused (root guard), nothing was installed: ${d.path}: ${d.reason}`;
      case "SNAPSHOT_WRONG_NETWORK":
        return `Snapshot is for another chain, nothing was installed: ${d.path}: expected ${d.expected}, got ${d.actual}`;
      case "SNAPSHOT_UNTRUSTED":
        return `Snapshot ${d.what} differs from the trusted one, nothing was installed: ${d.path}: trusted ${d.trusted}, got ${d.actual}`;
      case "SNAPSHOT_CHECKPOINT_INVALID":
        return `Snapshot checkpoint refused, nothing was installed: ${d.path}: ${d.reason}`;
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
  /** The chain's genesis (committee keys, genesis id). */
  readonly genesis: Genesis;
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
 * Builds the consensus engine of a chain, optionally resuming from a checkpoint: the same
 * configuration as the validator's.
 */
function chainEngine(
  g: Genesis,
  verify: (sig: Uint8Array, msg: Uint8Array, key: Uint8Array) => boolean,
  checkpoint?: ConsensusCheckpoint,
): ConsensusEngine {
  return new ConsensusEngine({
    network: g.networkId,
    shard: 0,
    committeeSize: g.committee.length,
    genesisId: g.genesisId,
    verifySignature: (ev) => {
      const key = g.committee[ev.creator];
      return key !== undefined && verify(ev.signature, ev.id, key);
    },
    ...(checkpoint === undefined ? {} : { checkpoint }),
  });
}

/**
 * The {@linkcode Snapshotter} over a node's data directory: the state database `state.kv`
 * (StateDb) and the node KV `chain.kv` (stored DAG, anchor records, checkpoint of an earlier
 * import). Run it with the data-dir lock held and the node stopped.
 *
 * Export re-derives the anchors from the stored DAG (from genesis, or from the checkpoint the
 * directory was imported from) up to the durable anchor N, checks each against its record, and
 * writes the checkpoint at N plus the state. Import refuses a snapshot unless its digest, network,
 * genesis, state root (root guard), checkpoint (signatures and metadata, `CheckpointError`
 * checks) and the operator's trusted root / anchor id all hold, then installs `state.kv` and the
 * checkpoint and anchor record N in `chain.kv` of a data directory that has neither;
 * docs/operations.md "Snapshots".
 * @example
 * ```ts ignore
 * import { DEVNET } from "../params/mod.ts";
 * import { StateSnapshotter } from "./snapshot.ts";
 * const s = new StateSnapshotter({ dataDir: "/var/lib/phantom/devnet", network: DEVNET, genesis });
 * const info = await s.exportTo("/tmp/node.snap");
 * ```
 */
export class StateSnapshotter implements Snapshotter {
  readonly #o: StateSnapshotterOptions;

  /** @param options data directory, network and genesis */
  constructor(options: StateSnapshotterOptions) {
    if (options.genesis.networkId !== options.network.networkId) {
      throw new RangeError(
        `Genesis network ${options.genesis.networkId} differs from ${options.network.networkId}`,
      );
    }
    this.#o = options;
  }

  /**
   * Writes the snapshot of the last durable finalized anchor (checkpoint + state).
   * @param path destination file (must not exist)
   * @returns anchor, index, state root, size and checkpoint event count
   * @throws {SnapshotError} `SNAPSHOT_EXISTS`, `SNAPSHOT_NO_STATE` or `SNAPSHOT_NO_CHECKPOINT`
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
      const n = db.committedAnchor;
      if (n < 0) throw new SnapshotError({ code: "SNAPSHOT_NO_STATE", dir });
      const root = hex(db.engine.root());
      const noCp = (reason: string) =>
        new SnapshotError({ code: "SNAPSHOT_NO_CHECKPOINT", dir, reason });
      if (n === 0) throw noCp("no finalized anchor after genesis yet");
      if (!(await exists(`${dir}/${KV_FILE}`))) throw noCp(`no ${KV_FILE}`);
      const kv = await Deno.openKv(`${dir}/${KV_FILE}`);
      let meta: Uint8Array, events: number, anchorId: string;
      try {
        ({ meta, events, anchorId } = await this.#checkpointAt(kv, n, root, noCp));
      } finally {
        kv.close();
      }
      const file = encodeSnapshotFile(meta, concatBytes(...snapshotChunks(db.engine)));
      const tmp = `${path}.partial`;
      await Deno.writeFile(tmp, file);
      await Deno.rename(tmp, path);
      return {
        anchor: anchorId,
        height: n,
        stateRoot: root,
        bytes: file.length,
        checkpointEvents: events,
      };
    } finally {
      store.close();
    }
  }

  /** Re-derives anchors 1..n from the stored DAG and builds the checkpoint meta at n. */
  async #checkpointAt(
    kv: Deno.Kv,
    n: number,
    root: string,
    noCp: (reason: string) => SnapshotError,
  ): Promise<{ meta: Uint8Array; events: number; anchorId: string }> {
    const g = this.#o.genesis;
    const records = new Map<number, AnchorRecord>();
    for await (const e of kv.list<string>({ prefix: ["anchor"] })) {
      const r = JSON.parse(e.value) as AnchorRecord;
      records.set(r.index, r);
    }
    const rec = records.get(n);
    if (rec === undefined || rec.root !== root) {
      throw noCp(`no anchor record ${n} with root ${root}`);
    }
    // Stored bodies were checked before they were stored: no signature checks on the replay.
    const trusted = () => true;
    const bodies = new Map<string, Uint8Array>();
    let engine: ConsensusEngine;
    let mint: MintChain;
    let index = 0;
    type At = { round: number; height: number; id: Uint8Array; mint: MintChainSnapshot };
    let at: At | null = null;
    const prev = await loadCheckpoint(kv);
    if (prev === null) {
      engine = chainEngine(g, trusted);
      mint = new MintChain(mintParamsOf(this.#o.network));
    } else {
      // Imported earlier: the replay starts at that checkpoint instead of genesis.
      const c = decodeNodeCheckpoint(prev);
      const { checkpoint, recs } = consensusCheckpointOf(c, g, trusted);
      for (const r of recs) bodies.set(toHex(r.header.id), r.body);
      engine = chainEngine(g, trusted, checkpoint);
      mint = new MintChain(mintParamsOf(this.#o.network), { snapshot: c.mint });
      index = c.anchorIndex;
      if (index === n) {
        at = { round: c.anchorRound, height: c.anchorHeight, id: c.anchorId, mint: c.mint };
      }
    }
    const drain = () => {
      for (const a of engine.takeAnchors()) {
        if (++index > n) continue;
        for (const h of a.events) {
          const ev = decodeEventBody(bodies.get(toHex(h.id))!, g, trusted).event;
          for (const m of ev.mints) {
            try {
              mint.apply(m, BigInt(index));
            } catch (e) {
              // Stale or invalid mint: skipped by every node alike (docs/spec/mint.md §6).
              if (!(e instanceof MintError)) throw e;
            }
          }
        }
        const r = records.get(index);
        if (r !== undefined && r.id !== hex(a.id)) {
          throw noCp(`re-derived anchor ${index} is ${hex(a.id)}, the record says ${r.id}`);
        }
        if (index === n) at = { round: a.round, height: a.height, id: a.id, mint: mint.snapshot() };
      }
    };
    drain();
    const stored: { n: bigint; parts: Uint8Array[] }[] = [];
    for await (const e of kv.list<Uint8Array>({ prefix: ["dag"] })) {
      const k = e.key[1] as bigint;
      const last = stored[stored.length - 1];
      if (last !== undefined && last.n === k) last.parts.push(e.value);
      else stored.push({ n: k, parts: [e.value] });
    }
    for (const { parts } of stored) {
      const body = concatBytes(...parts);
      const r = decodeEventBody(body, g, trusted);
      bodies.set(toHex(r.header.id), body);
      engine.receive(r.header, true);
      drain();
    }
    if (at === null) throw noCp(`the stored DAG re-derives only ${index} of ${n} anchors`);
    const a: At = at;
    if (hex(a.id) !== rec.id) throw noCp(`anchor ${n} is ${hex(a.id)}, the record says ${rec.id}`);
    let cp: ConsensusCheckpoint;
    try {
      cp = buildCheckpoint(engine, { round: a.round, anchorId: a.id });
    } catch (e) {
      if (e instanceof CheckpointError) throw noCp(e.message);
      throw e;
    }
    const meta = encodeNodeCheckpoint({
      networkId: g.networkId,
      genesisId: g.genesisId,
      committeeSize: g.committee.length,
      anchorIndex: n,
      anchorHeight: a.height,
      anchorRound: a.round,
      anchorId: a.id,
      stateRoot: hexToBytes(root),
      mint: a.mint,
      base: cp.base,
      events: cp.events.map((e) => ({
        body: bodies.get(toHex(e.header.id))!,
        round: e.round,
        witness: e.witness,
        ordered: e.ordered,
        hbSeq: e.hbSeq,
      })),
    });
    return { meta, events: cp.events.length, anchorId: hex(a.id) };
  }

  /**
   * Verifies a snapshot and installs it into a data directory without state: `state.kv` from the
   * state part, then the checkpoint and the anchor record of N in `chain.kv`.
   * @param path snapshot file
   * @param trust state root and/or anchor id the snapshot must carry
   * @returns anchor, index, state root, size and checkpoint event count
   * @throws {SnapshotError} `SNAPSHOT_UNREADABLE`, `SNAPSHOT_INVALID` (digest, layout, root
   *   guard), `SNAPSHOT_WRONG_NETWORK`, `SNAPSHOT_UNTRUSTED`, `SNAPSHOT_CHECKPOINT_INVALID` or
   *   `SNAPSHOT_TARGET_NOT_EMPTY`; nothing is changed when thrown
   */
  async importFrom(path: string, trust: SnapshotTrust = {}): Promise<SnapshotInfo> {
    const dir = this.#o.dataDir;
    const g = this.#o.genesis;
    let bytes: Uint8Array;
    try {
      bytes = await Deno.readFile(path);
    } catch (e) {
      throw new SnapshotError({
        code: "SNAPSHOT_UNREADABLE",
        path,
        reason: e instanceof Error ? e.message : String(e),
      }, { cause: e });
    }
    const invalid = (e: unknown) =>
      new SnapshotError({ code: "SNAPSHOT_INVALID", path, reason: (e as Error).message }, {
        cause: e,
      });
    const cpInvalid = (reason: string, cause?: unknown) =>
      new SnapshotError({ code: "SNAPSHOT_CHECKPOINT_INVALID", path, reason }, { cause });
    let c: NodeCheckpoint, stateBytes: Uint8Array, metaBytes: Uint8Array;
    try {
      const f = decodeSnapshotFile(bytes);
      metaBytes = f.meta;
      stateBytes = f.state;
      c = decodeNodeCheckpoint(f.meta);
    } catch (e) {
      if (e instanceof RangeError) throw invalid(e);
      throw e;
    }
    if (c.networkId !== g.networkId || hex(c.genesisId) !== hex(g.genesisId)) {
      throw new SnapshotError({
        code: "SNAPSHOT_WRONG_NETWORK",
        path,
        expected: `network ${g.networkId} genesis ${hex(g.genesisId)}`,
        actual: `network ${c.networkId} genesis ${hex(c.genesisId)}`,
      });
    }
    if (trust.anchorId !== undefined && trust.anchorId.toLowerCase() !== hex(c.anchorId)) {
      throw new SnapshotError({
        code: "SNAPSHOT_UNTRUSTED",
        path,
        what: "anchor id",
        trusted: trust.anchorId,
        actual: hex(c.anchorId),
      });
    }
    let engine;
    try {
      engine = restoreSnapshot(stateBytes, { network: this.#o.network });
    } catch (e) {
      if (e instanceof StateError || e instanceof RangeError) throw invalid(e);
      throw e;
    }
    const root = hex(engine.root());
    if (trust.stateRoot !== undefined && trust.stateRoot.toLowerCase() !== root) {
      throw new SnapshotError({
        code: "SNAPSHOT_UNTRUSTED",
        path,
        what: "state root",
        trusted: trust.stateRoot,
        actual: root,
      });
    }
    if (root !== hex(c.stateRoot) || engine.anchor !== c.anchorIndex) {
      throw cpInvalid(
        `checkpoint is at anchor ${c.anchorIndex} root ${hex(c.stateRoot)}, the state at ` +
          `anchor ${engine.anchor} root ${root}`,
      );
    }
    if (c.committeeSize !== g.committee.length || c.anchorHeight !== c.anchorRound + 1) {
      throw cpInvalid(`committee size ${c.committeeSize} or anchor height ${c.anchorHeight}`);
    }
    try {
      new MintChain(mintParamsOf(this.#o.network), { snapshot: c.mint });
    } catch (e) {
      if (e instanceof RangeError) throw cpInvalid(`mint chain: ${e.message}`, e);
      throw e;
    }
    // Dry run: the engine checks signatures and metadata exactly as the node will at start.
    try {
      const { checkpoint } = consensusCheckpointOf(c, g);
      chainEngine(g, () => true, checkpoint);
    } catch (e) {
      if (e instanceof Error) {
        throw cpInvalid((e as Error).message, e);
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
    const record: AnchorRecord = {
      index: c.anchorIndex,
      height: c.anchorHeight,
      round: c.anchorRound,
      id: hex(c.anchorId),
      root,
      events: [],
      txs: 0,
      mints: 0,
      skipped: [],
    };
    try {
      const store = await KvStore.open(`${dir}/${STATE_KV_FILE}`);
      try {
        await StateDb.importState(store, engine);
      } finally {
        store.close();
      }
      const kv = await Deno.openKv(`${dir}/${KV_FILE}`);
      try {
        await saveCheckpoint(kv, metaBytes, (op) => {
          op.set(["anchor", BigInt(c.anchorIndex)], JSON.stringify(record));
        });
      } finally {
        kv.close();
      }
    } catch (e) {
      // A failed write must not leave a half-installed directory behind.
      for (const f of [STATE_KV_FILE, KV_FILE]) {
        for (const suffix of ["", "-wal", "-shm"]) {
          await Deno.remove(`${dir}/${f}${suffix}`).catch(() => {});
        }
      }
      throw e;
    }
    return {
      anchor: hex(c.anchorId),
      height: c.anchorIndex,
      stateRoot: root,
      bytes: bytes.length,
      checkpointEvents: c.events.length,
    };
  }
}
