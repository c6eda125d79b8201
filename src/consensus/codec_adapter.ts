/**
 * Adapter between the codec's `SignedEventHeader` (docs/spec/consensus.md §1, src/codec) and the
 * engine's {@linkcode EventHeader}: the only place that knows both shapes.
 * @module
 */
import {
  decodeSignedEventHeader,
  EMPTY_MERKLE_ROOT,
  encodeSignedEventHeader,
  eventExtrasHash,
  type EventHeader as CodecEventHeader,
  eventId,
  PROTOCOL_VERSION,
  type SignedEventHeader,
} from "../codec/mod.ts";
import { ConsensusError } from "./errors.ts";
import type { EventHeader } from "./types.ts";

const ZERO32 = new Uint8Array(32);
const MAX_ENGINE_SEQ = 0x7fffffff;
let emptyExtras: Uint8Array | undefined;

/**
 * Converts a decoded codec signed header to the engine's view.
 * @param s the signed header
 * @param raw its bytes, when at hand (kept for evidence)
 * @returns the engine header (id = codec eventId)
 * @throws {ConsensusError} code "BAD_SEQ" when seq exceeds the engine's 2^31 - 1 bound
 * @example
 * ```ts ignore
 * import { fromSignedHeader } from "./codec_adapter.ts";
 * const h = fromSignedHeader(decodeSignedEventHeader(bytes), bytes);
 * ```
 */
export function fromSignedHeader(s: SignedEventHeader, raw?: Uint8Array): EventHeader {
  const h = s.header;
  if (h.seq > BigInt(MAX_ENGINE_SEQ)) {
    throw new ConsensusError("BAD_SEQ", `Event sequence number too large: ${h.seq}`, {
      creator: h.creator,
    });
  }
  const seq = Number(h.seq);
  const out: EventHeader = {
    id: eventId(h),
    network: h.networkId,
    shard: h.shard,
    creator: h.creator,
    seq,
    selfParent: seq === 0 ? null : h.selfParent,
    parents: h.parents,
    voteMask: h.voteMask,
    payloadRoot: h.payloadRoot,
    signature: s.signature,
  };
  return raw === undefined ? out : { ...out, raw };
}

/**
 * Decodes signed header bytes (codec, canonical) straight into the engine's view.
 * @param bytes `SignedEventHeader` bytes
 * @returns the engine header, with `raw` set to `bytes`
 * @throws {CodecError} on malformed bytes (the caller counts them as "MALFORMED")
 * @throws {ConsensusError} when seq is out of the engine's range
 */
export function decodeWireEvent(bytes: Uint8Array): EventHeader {
  return fromSignedHeader(decodeSignedEventHeader(bytes), bytes);
}

/** Fields of a new event, as prepared by the engine plus the payload summary. */
export interface NewEventFields {
  /** Network id. */
  readonly network: number;
  /** Shard. */
  readonly shard: number;
  /** Creator seat. */
  readonly creator: number;
  /** Committee epoch (0 until epochs exist). */
  readonly epoch?: bigint;
  /** Sequence number. */
  readonly seq: number;
  /** Self-parent id or null at seq 0. */
  readonly selfParent: Uint8Array | null;
  /** Other parents (any order; sorted here as the codec requires). */
  readonly parents: readonly Uint8Array[];
  /** Vote mask from `prepareEvent`. */
  readonly voteMask: bigint;
  /** Payload Merkle root (EMPTY_MERKLE_ROOT when no txs). */
  readonly payloadRoot: Uint8Array;
  /** Number of payload txs. */
  readonly payloadTxs: number;
  /** Payload size in bytes (1 when no txs). */
  readonly payloadBytes: number;
}

/**
 * Builds the codec header of a new event (no mints, no evidence) and its id.
 * @param f the fields
 * @returns the codec header and its eventId (what the creator signs)
 * @example
 * ```ts ignore
 * const { header, id } = buildCodecHeader(fields);
 * const wire = encodeSignedEventHeader({ header, signature: schnorrSign(id, sk) });
 * ```
 */
export function buildCodecHeader(f: NewEventFields): { header: CodecEventHeader; id: Uint8Array } {
  emptyExtras ??= eventExtrasHash([], []);
  const parents = [...f.parents].sort(compareBytes);
  const header: CodecEventHeader = {
    version: PROTOCOL_VERSION,
    networkId: f.network,
    shard: f.shard,
    creator: f.creator,
    epoch: f.epoch ?? 0n,
    seq: BigInt(f.seq),
    selfParent: f.selfParent ?? ZERO32,
    parents,
    payloadRoot: f.payloadRoot,
    payloadTxs: f.payloadTxs,
    payloadBytes: f.payloadBytes,
    voteMask: f.voteMask,
    extrasHash: emptyExtras,
  } as CodecEventHeader;
  return { header, id: eventId(header) };
}

/**
 * Encodes a signed header to wire bytes (codec `SignedEventHeader`).
 * @param header codec header
 * @param signature 64-byte BIP-340 signature over the event id
 * @returns the bytes
 */
export function encodeWireEvent(header: CodecEventHeader, signature: Uint8Array): Uint8Array {
  return encodeSignedEventHeader({ header, signature } as SignedEventHeader);
}

export { EMPTY_MERKLE_ROOT };

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}
