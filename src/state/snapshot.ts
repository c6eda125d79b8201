/**
 * State snapshots (docs/spec/state.md §5): the full entry set at one anchor, with its root.
 * Restoring recomputes the root from the entries and refuses the snapshot (root guard) unless it
 * equals the recorded root and, when given, the root the caller trusts (e.g. from a finalized
 * anchor). File I/O is in `kv_store.ts` (`writeSnapshotFile` / `readSnapshotFile`).
 *
 * Layout: `"PCSNAP01" | anchor u64 | root 32 | count u64 | count x (key 37 | len u32 | value)`.
 * @module
 */
import { Reader, toHex, Writer } from "./_bytes.ts";
import { STATE_KEY_LEN, StateCommitment } from "./commitment.ts";
import { StateEngine, type StateEngineOptions } from "./engine.ts";
import { StateError } from "./errors.ts";

const MAGIC = new TextEncoder().encode("PCSNAP01");
/** Largest entry value a snapshot may carry (DoS bound while parsing). */
const MAX_VALUE = 4096;

/**
 * Serialize the engine's state as snapshot chunks (about 1 MiB each), streaming.
 * @param engine State at its last applied anchor.
 * @returns Iterator of byte chunks; their concatenation is the snapshot.
 * @example
 * ```ts
 * import { snapshotChunks, restoreSnapshot } from "./snapshot.ts";
 * import { StateEngine } from "./engine.ts";
 * import { DEVNET } from "../params/mod.ts";
 * const e = new StateEngine({ network: DEVNET });
 * await e.applyAnchor({ index: 0, events: [] });
 * const bytes = new Uint8Array([...snapshotChunks(e)].flatMap((c) => [...c]));
 * console.assert(restoreSnapshot(bytes, { network: DEVNET }).anchor === 0);
 * ```
 */
export function* snapshotChunks(engine: StateEngine): Generator<Uint8Array> {
  const root = engine.root();
  const c = engine.commitment;
  yield new Writer().bytes(MAGIC).u64(Math.max(0, engine.anchor)).bytes(root).u64(c.size).finish();
  // Entries straight from the latin1 strings into 1 MiB buffers (no per-entry typed arrays).
  const CHUNK = 1 << 20;
  let buf = new Uint8Array(CHUNK);
  let o = 0;
  for (const [k, v] of c.entriesS()) {
    const need = k.length + 4 + v.length;
    if (o + need > buf.length) {
      yield buf.subarray(0, o);
      buf = new Uint8Array(Math.max(CHUNK, need));
      o = 0;
    }
    for (let i = 0; i < k.length; i++) buf[o++] = k.charCodeAt(i);
    const n = v.length;
    buf[o++] = n >>> 24;
    buf[o++] = (n >>> 16) & 255;
    buf[o++] = (n >>> 8) & 255;
    buf[o++] = n & 255;
    for (let i = 0; i < n; i++) buf[o++] = v.charCodeAt(i);
  }
  if (o > 0) yield buf.subarray(0, o);
}

/** A decoded, root-verified snapshot. */
export interface DecodedSnapshot {
  /** Anchor recorded in the header. */
  anchor: number;
  /** Root recorded in the header and recomputed from the entries. */
  root: Uint8Array;
  /** The entries. */
  commitment: StateCommitment;
}

/**
 * Decode snapshot bytes into a commitment and verify the root (root guard), without building an
 * engine (the durable layer replays its write-ahead log on top first).
 * @param bytes The snapshot.
 * @param expectedRoot Root the caller trusts; when given, the snapshot must match it too.
 * @returns Anchor, root and entries.
 * @throws {StateError} `SNAPSHOT_CORRUPT` or `SNAPSHOT_ROOT_MISMATCH`.
 */
export function decodeSnapshot(bytes: Uint8Array, expectedRoot?: Uint8Array): DecodedSnapshot {
  const c = new StateCommitment();
  let anchor: number, root: Uint8Array;
  try {
    const r = new Reader(bytes, "snapshot");
    const magic = r.bytes(MAGIC.length);
    if (toHex(magic) !== toHex(MAGIC)) throw new RangeError("Cannot decode snapshot: bad magic");
    anchor = r.u53();
    root = r.bytes(32).slice();
    const count = r.u64();
    // Each entry takes at least 41 bytes: bound the count before looping.
    if (count > BigInt(Math.floor(r.remaining / (STATE_KEY_LEN + 4)))) {
      throw new RangeError(`Cannot decode snapshot: count ${count} exceeds the data`);
    }
    for (let i = 0n; i < count; i++) {
      const k = r.bytes(STATE_KEY_LEN);
      const len = r.u32();
      if (len > MAX_VALUE) {
        throw new RangeError(`Cannot decode snapshot: entry ${i} value of ${len} bytes`);
      }
      const before = c.size;
      c.set(k, r.bytes(len));
      if (c.size === before) throw new RangeError(`Cannot decode snapshot: duplicate entry ${i}`);
    }
    r.end();
  } catch (e) {
    if (e instanceof RangeError || e instanceof TypeError) {
      throw new StateError("SNAPSHOT_CORRUPT", { detail: e.message });
    }
    throw e;
  }
  const actual = c.root();
  if (toHex(actual) !== toHex(root)) {
    throw new StateError("SNAPSHOT_ROOT_MISMATCH", {
      anchor,
      expectedRoot: toHex(root),
      actualRoot: toHex(actual),
    });
  }
  if (expectedRoot !== undefined && toHex(expectedRoot) !== toHex(actual)) {
    throw new StateError("SNAPSHOT_ROOT_MISMATCH", {
      anchor,
      expectedRoot: toHex(expectedRoot),
      actualRoot: toHex(actual),
    });
  }
  return { anchor, root, commitment: c };
}

/**
 * Restore a state from snapshot bytes, verifying the root (root guard).
 * @param bytes The snapshot.
 * @param options Engine options for the restored engine.
 * @param expectedRoot Root the caller trusts; when given, the snapshot must match it too.
 * @returns An engine at the snapshot's anchor.
 * @throws {StateError} `SNAPSHOT_CORRUPT` (bad layout, duplicate entries, anchor mismatch) or
 *   `SNAPSHOT_ROOT_MISMATCH` (recomputed root differs from the recorded or expected root).
 */
export function restoreSnapshot(
  bytes: Uint8Array,
  options: StateEngineOptions,
  expectedRoot?: Uint8Array,
): StateEngine {
  const { anchor, commitment } = decodeSnapshot(bytes, expectedRoot);
  let engine: StateEngine;
  try {
    engine = new StateEngine(options, commitment);
  } catch (e) {
    if (e instanceof StateError) throw new StateError("SNAPSHOT_CORRUPT", { detail: e.message });
    throw e;
  }
  if (Math.max(0, engine.anchor) !== anchor) {
    throw new StateError("SNAPSHOT_CORRUPT", {
      anchor,
      detail: `global entry says anchor ${engine.anchor}`,
    });
  }
  return engine;
}
