/**
 * The node snapshot file (docs/spec/state.md §6, ADR 0076): a consensus checkpoint (what the
 * validator needs to resume at anchor N without the DAG before it) followed by the state snapshot
 * of anchor N (`src/state`'s root-guarded `PCSNAP01`), closed by a BLAKE3 digest of everything
 * before it so that a truncated or damaged file is refused before anything is parsed.
 *
 * ```
 * file       = "PCNSNP01" | meta_len u32 | meta | state_len u64 | state (PCSNAP01) | blake3 32
 * meta       = "PCNCKP01" | network u32 | genesis_id 32 | k u8
 *            | anchor_index u64 | anchor_height u64 | anchor_round u64 | anchor_id 32 | state_root 32
 *            | mint_tip 32 | mint_next_height u64 | mint_emitted u64 | mint_target 32
 *            | mint_window_start u64 | mint_last_anchor u64
 *            | base_round u64 | count u32 | count x event
 * event      = body_len u32 | body (u32be len | Event | EventPayload) | round u64 | flags u8
 *            | k x hb_seq i32          flags: bit 0 witness, bit 1 ordered at or before anchor N
 * ```
 * Integers are big-endian. The meta part is also what the node keeps in `chain.kv` under
 * `["checkpoint", i]` (chunks of {@linkcode CHECKPOINT_CHUNK} bytes) to restart from it.
 * @module
 */
import { blake3 } from "../crypto/mod.ts";
import type { MintChainSnapshot } from "../mint/mod.ts";
import { MAX_BODY_BYTES } from "../p2p/mod.ts";
import { NodeError } from "./errors.ts";

const FILE_MAGIC = new TextEncoder().encode("PCNSNP01");
const META_MAGIC = new TextEncoder().encode("PCNCKP01");
/** Largest event body a checkpoint may carry (the p2p events limit, docs/spec/p2p.md §1). */
const MAX_EVENT_BODY = MAX_BODY_BYTES.events;
/** KV chunk size of the stored checkpoint (Deno KV values are at most 64 KiB). */
export const CHECKPOINT_CHUNK = 60_000;

/** One event of a node checkpoint: its body and its ordering metadata. */
export interface NodeCheckpointEvent {
  /** Event body as stored and gossiped (`u32be len | Event | EventPayload`). */
  readonly body: Uint8Array;
  /** Round. */
  readonly round: number;
  /** Witness flag. */
  readonly witness: boolean;
  /** Ordered by an anchor at or before the checkpoint. */
  readonly ordered: boolean;
  /** Per seat: highest sequence number in the event's ancestry, -1 when none. */
  readonly hbSeq: readonly number[];
}

/** The meta part of a node snapshot: where consensus, mint chain and state stand at anchor N. */
export interface NodeCheckpoint {
  /** Network id. */
  readonly networkId: number;
  /** Genesis id of the chain. */
  readonly genesisId: Uint8Array;
  /** Committee size k. */
  readonly committeeSize: number;
  /** State anchor index N (count of finalized anchors). */
  readonly anchorIndex: number;
  /** Consensus height of anchor N (its round + 1). */
  readonly anchorHeight: number;
  /** Consensus round of anchor N. */
  readonly anchorRound: number;
  /** Anchor id of N. */
  readonly anchorId: Uint8Array;
  /** State root committed at N. */
  readonly stateRoot: Uint8Array;
  /** Mint chain after the mints of anchors 1..N. */
  readonly mint: MintChainSnapshot;
  /** First round of the full DAG window. */
  readonly base: number;
  /** Window and boundary events, parents first. */
  readonly events: readonly NodeCheckpointEvent[];
}

class W {
  #parts: Uint8Array[] = [];
  bytes(b: Uint8Array): this {
    this.#parts.push(b);
    return this;
  }
  #n(len: number, f: (d: DataView) => void): this {
    const b = new Uint8Array(len);
    f(new DataView(b.buffer));
    this.#parts.push(b);
    return this;
  }
  u8(n: number): this {
    return this.#n(1, (d) => d.setUint8(0, n));
  }
  u32(n: number): this {
    return this.#n(4, (d) => d.setUint32(0, n));
  }
  i32(n: number): this {
    return this.#n(4, (d) => d.setInt32(0, n));
  }
  u64(n: number | bigint): this {
    return this.#n(8, (d) => d.setBigUint64(0, BigInt(n)));
  }
  u256(n: bigint): this {
    const b = new Uint8Array(32);
    let x = n;
    for (let i = 31; i >= 0; i--) {
      b[i] = Number(x & 255n);
      x >>= 8n;
    }
    return this.bytes(b);
  }
  finish(): Uint8Array {
    const out = new Uint8Array(this.#parts.reduce((a, p) => a + p.length, 0));
    let o = 0;
    for (const p of this.#parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }
}

class R {
  #o = 0;
  readonly #b: Uint8Array;
  readonly #d: DataView;
  constructor(b: Uint8Array) {
    this.#b = b;
    this.#d = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }
  get remaining(): number {
    return this.#b.length - this.#o;
  }
  #need(n: number, what: string): number {
    if (n > this.remaining) {
      throw new RangeError(`Snapshot truncated: ${what} needs ${n} bytes, ${this.remaining} left`);
    }
    const o = this.#o;
    this.#o += n;
    return o;
  }
  bytes(n: number, what: string): Uint8Array {
    const o = this.#need(n, what);
    return this.#b.slice(o, o + n);
  }
  u8(what: string): number {
    return this.#d.getUint8(this.#need(1, what));
  }
  u32(what: string): number {
    return this.#d.getUint32(this.#need(4, what));
  }
  i32(what: string): number {
    return this.#d.getInt32(this.#need(4, what));
  }
  u64(what: string): bigint {
    return this.#d.getBigUint64(this.#need(8, what));
  }
  u53(what: string): number {
    const v = this.u64(what);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new RangeError(`Snapshot ${what} too large: ${v}`);
    }
    return Number(v);
  }
  u256(what: string): bigint {
    let x = 0n;
    for (const b of this.bytes(32, what)) x = (x << 8n) | BigInt(b);
    return x;
  }
  end(): void {
    if (this.remaining !== 0) throw new RangeError(`Snapshot has ${this.remaining} trailing bytes`);
  }
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * Encodes the meta part of a node snapshot.
 * @param c the checkpoint
 * @returns its bytes
 */
export function encodeNodeCheckpoint(c: NodeCheckpoint): Uint8Array {
  const w = new W().bytes(META_MAGIC).u32(c.networkId).bytes(c.genesisId).u8(c.committeeSize)
    .u64(c.anchorIndex).u64(c.anchorHeight).u64(c.anchorRound).bytes(c.anchorId)
    .bytes(c.stateRoot)
    .bytes(c.mint.tipMintId).u64(c.mint.nextHeight).u64(c.mint.emitted).u256(c.mint.target)
    .u64(c.mint.windowStartAnchor).u64(c.mint.lastAnchor)
    .u64(c.base).u32(c.events.length);
  for (const e of c.events) {
    w.u32(e.body.length).bytes(e.body).u64(e.round).u8((e.witness ? 1 : 0) | (e.ordered ? 2 : 0));
    for (const s of e.hbSeq) w.i32(s);
  }
  return w.finish();
}

/**
 * Decodes the meta part of a node snapshot (layout only: the consumer checks the content).
 * @param bytes the meta bytes
 * @returns the checkpoint
 * @throws {RangeError} on a malformed or truncated layout
 */
export function decodeNodeCheckpoint(bytes: Uint8Array): NodeCheckpoint {
  const r = new R(bytes);
  if (!equal(r.bytes(META_MAGIC.length, "magic"), META_MAGIC)) {
    throw new RangeError("Snapshot checkpoint has a bad magic");
  }
  const networkId = r.u32("network");
  const genesisId = r.bytes(32, "genesis id");
  const committeeSize = r.u8("committee size");
  if (committeeSize < 1 || committeeSize > 64) {
    throw new RangeError(`Snapshot committee size out of range: ${committeeSize}`);
  }
  const anchorIndex = r.u53("anchor index");
  const anchorHeight = r.u53("anchor height");
  const anchorRound = r.u53("anchor round");
  const anchorId = r.bytes(32, "anchor id");
  const stateRoot = r.bytes(32, "state root");
  const mint: MintChainSnapshot = {
    tipMintId: r.bytes(32, "mint tip"),
    nextHeight: r.u64("mint height"),
    emitted: r.u64("mint emitted"),
    target: r.u256("mint target"),
    windowStartAnchor: r.u64("mint window start"),
    lastAnchor: r.u64("mint last anchor"),
  };
  const base = r.u53("base round");
  const count = r.u32("event count");
  // Each event takes at least 4 + 8 + 1 + 4k bytes: bound the count before allocating.
  if (count > r.remaining / (13 + 4 * committeeSize)) {
    throw new RangeError(`Snapshot event count ${count} exceeds the data`);
  }
  const events: NodeCheckpointEvent[] = [];
  for (let i = 0; i < count; i++) {
    const len = r.u32(`event ${i} length`);
    if (len > MAX_EVENT_BODY) throw new RangeError(`Snapshot event ${i} of ${len} bytes`);
    const body = r.bytes(len, `event ${i}`);
    const round = r.u53(`event ${i} round`);
    const flags = r.u8(`event ${i} flags`);
    if (flags > 3) throw new RangeError(`Snapshot event ${i} has unknown flags ${flags}`);
    const hbSeq: number[] = [];
    for (let v = 0; v < committeeSize; v++) hbSeq.push(r.i32(`event ${i} clock`));
    events.push({ body, round, witness: (flags & 1) !== 0, ordered: (flags & 2) !== 0, hbSeq });
  }
  r.end();
  return {
    networkId,
    genesisId,
    committeeSize,
    anchorIndex,
    anchorHeight,
    anchorRound,
    anchorId,
    stateRoot,
    mint,
    base,
    events,
  };
}

/**
 * Frames meta and state into a snapshot file with its closing digest.
 * @param meta {@linkcode encodeNodeCheckpoint} output
 * @param state `PCSNAP01` state snapshot bytes
 * @returns the file bytes
 */
export function encodeSnapshotFile(meta: Uint8Array, state: Uint8Array): Uint8Array {
  const body = new W().bytes(FILE_MAGIC).u32(meta.length).bytes(meta).u64(state.length)
    .bytes(state).finish();
  const out = new Uint8Array(body.length + 32);
  out.set(body);
  out.set(blake3(body), body.length);
  return out;
}

/**
 * Splits a snapshot file into meta and state after checking magic, lengths and digest.
 * @param bytes the file
 * @returns the meta and state parts
 * @throws {RangeError} on a bad magic, bad lengths, truncation or a digest mismatch
 */
export function decodeSnapshotFile(bytes: Uint8Array): { meta: Uint8Array; state: Uint8Array } {
  if (bytes.length < FILE_MAGIC.length + 32) {
    throw new RangeError(`Snapshot truncated: ${bytes.length} bytes`);
  }
  if (!equal(bytes.subarray(0, FILE_MAGIC.length), FILE_MAGIC)) {
    throw new RangeError("Snapshot file has a bad magic (not a node snapshot)");
  }
  const body = bytes.subarray(0, bytes.length - 32);
  if (!equal(blake3(body), bytes.subarray(bytes.length - 32))) {
    throw new RangeError("Snapshot digest mismatch: the file is truncated or damaged");
  }
  const r = new R(body);
  r.bytes(FILE_MAGIC.length, "magic");
  const meta = r.bytes(r.u32("meta length"), "meta");
  const state = r.bytes(r.u53("state length"), "state");
  r.end();
  return { meta, state };
}

/**
 * Stores the checkpoint meta in the node KV (`["checkpoint", i]`, one atomic commit).
 * @param kv node KV
 * @param meta meta bytes
 * @param extra further writes in the same commit (the anchor record of N)
 * @throws {NodeError} `STORE_COMMIT_REFUSED` when the commit is refused (nothing was written)
 */
export async function saveCheckpoint(
  kv: Deno.Kv,
  meta: Uint8Array,
  extra: (op: Deno.AtomicOperation) => void = () => {},
): Promise<void> {
  const op = kv.atomic();
  for (let i = 0, off = 0; off < meta.length; i++, off += CHECKPOINT_CHUNK) {
    op.set(["checkpoint", i], meta.subarray(off, off + CHECKPOINT_CHUNK));
  }
  extra(op);
  const r = await op.commit();
  if (!r.ok) throw new NodeError({ code: "STORE_COMMIT_REFUSED", what: "the checkpoint" });
}

/**
 * Reads the checkpoint meta a snapshot import stored in the node KV.
 * @param kv node KV
 * @returns the meta bytes, or null when the node did not start from a snapshot
 */
export async function loadCheckpoint(kv: Deno.Kv): Promise<Uint8Array | null> {
  const parts: Uint8Array[] = [];
  for await (const e of kv.list<Uint8Array>({ prefix: ["checkpoint"] })) parts.push(e.value);
  if (parts.length === 0) return null;
  return parts.length === 1 ? parts[0]! : parts.reduce((w, p) => w.bytes(p), new W()).finish();
}
