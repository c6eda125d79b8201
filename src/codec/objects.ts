/**
 * Public encode/decode functions and ids of every protocol object (docs/spec/codec.md §4-§5).
 * Decoders are total: for any byte string they return a value or throw a CodecError.
 * @module
 */
import { type Coder, decodeRoot, encodeRoot, failAt, type Reader, type Writer } from "./_coder.ts";
import { CodecError } from "./errors.ts";
import { taggedHash } from "./domains.ts";
import {
  MAX_ANCHOR_BYTES,
  MAX_CLAIM_BYTES,
  MAX_EVENT_BYTES,
  MAX_EVIDENCE_BYTES,
  MAX_MINT_BYTES,
  MAX_PAYLOAD_BYTES,
  MAX_PREDICATE_BYTES,
  MAX_TX_BYTES,
} from "./limits.ts";
import { merkleRoot } from "./merkle.ts";
import {
  type Anchor,
  AnchorCoder,
  type Claim,
  ClaimCoder,
  type ClaimLeaf,
  ClaimLeafCoder,
  type DaAttestation,
  DaAttestationCoder,
  decodeTxFrom,
  type Event,
  EventEvidenceCoder,
  type EventHeader,
  EventHeaderCoder,
  EventMintsCoder,
  type EventPayload,
  EventPayloadCoder,
  type Evidence,
  EvidenceCoder,
  type Mint,
  MintCoder,
  type OutPoint,
  OutPointCoder,
  type Predicate,
  PredicateCoder,
  type SignedEventHeader,
  SignedEventHeaderCoder,
  type Tx,
  TxCoder,
  type TxCore,
  TxCoreCoder,
  type TxOutput,
  TxOutputCoder,
} from "./schema.ts";
import { bytes, list } from "./_coder.ts";
import { MAX_INPUTS, MAX_PAYLOAD_TXS } from "./limits.ts";
import { varUint } from "./_coder.ts";

const payloadCountCoder = varUint(0, 0xffff_ffff);

// ---------------------------------------------------------------------------------------------
// Event coder: the header commits to the hash of the extras (mints + evidence).

const sig64 = bytes(64);

function at<T>(segment: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw e instanceof CodecError ? e._at(segment) : e;
  }
}

function equal32(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= (a[i] as number) ^ (b[i] as number);
  return d === 0;
}

/** Event coder (header, mints, evidence, signature) with the extras-hash check. */
export const EventCoder: Coder<Event> = {
  name: "Event",
  encodeTo(w: Writer, v: Event) {
    at("header", () => EventHeaderCoder.encodeTo(w, v.header));
    const start = w.pos;
    at("mints", () => EventMintsCoder.encodeTo(w, v.mints));
    at("evidence", () => EventEvidenceCoder.encodeTo(w, v.evidence));
    const h = taggedHash("eventExtras", w.buf.subarray(start, w.pos));
    if (!equal32(h, v.header.extrasHash)) {
      failAt("header/extrasHash", "NOT_CANONICAL", "does not match the mints and evidence");
    }
    at("signature", () => sig64.encodeTo(w, v.signature));
  },
  decodeFrom(r: Reader) {
    const header = at("header", () => EventHeaderCoder.decodeFrom(r));
    const start = r.pos;
    const mints = at("mints", () => EventMintsCoder.decodeFrom(r));
    const evidence = at("evidence", () => EventEvidenceCoder.decodeFrom(r));
    const h = taggedHash("eventExtras", r.buf.subarray(start, r.pos));
    if (!equal32(h, header.extrasHash)) {
      failAt("header/extrasHash", "NOT_CANONICAL", "does not match the mints and evidence");
    }
    const signature = at("signature", () => sig64.decodeFrom(r));
    return { header, mints, evidence, signature };
  },
};

// ---------------------------------------------------------------------------------------------
// Encode / decode

/**
 * Encodes a predicate.
 * @param p Predicate.
 * @returns Canonical bytes.
 * @throws {RangeError} If a field is out of range (unsorted multi keys, threshold above n...).
 * @throws {TypeError} If a field has the wrong JS type.
 * @example
 * ```ts
 * import { encodePredicate } from "./mod.ts";
 * encodePredicate({ type: "key", pubkey: new Uint8Array(32) }).length; // 34
 * ```
 */
export function encodePredicate(p: Predicate): Uint8Array {
  return encodeRoot("Predicate", PredicateCoder, p, 64);
}
/**
 * Decodes a predicate.
 * @param b Bytes.
 * @returns The predicate.
 * @throws {CodecError} If `b` is not a canonical predicate encoding.
 * @example
 * ```ts
 * import { decodePredicate, encodePredicate } from "./mod.ts";
 * decodePredicate(encodePredicate({ type: "key", pubkey: new Uint8Array(32) })).type; // "key"
 * ```
 */
export function decodePredicate(b: Uint8Array): Predicate {
  return decodeRoot("Predicate", PredicateCoder, b, MAX_PREDICATE_BYTES);
}

/**
 * Encodes an outpoint.
 * @param o Outpoint.
 * @returns Canonical bytes.
 * @throws {RangeError} If a field is out of range.
 * @throws {TypeError} If a field has the wrong JS type.
 * @example
 * ```ts
 * import { encodeOutPoint } from "./mod.ts";
 * encodeOutPoint({ txId: new Uint8Array(32), index: 1 }).length; // 33
 * ```
 */
export function encodeOutPoint(o: OutPoint): Uint8Array {
  return encodeRoot("OutPoint", OutPointCoder, o, 40);
}
/**
 * Decodes an outpoint.
 * @param b Bytes.
 * @returns The outpoint.
 * @throws {CodecError} If `b` is not a canonical outpoint encoding.
 * @example
 * ```ts
 * import { decodeOutPoint } from "./mod.ts";
 * decodeOutPoint(new Uint8Array(33)).index; // 0
 * ```
 */
export function decodeOutPoint(b: Uint8Array): OutPoint {
  return decodeRoot("OutPoint", OutPointCoder, b, 64);
}

/**
 * Encodes a transaction output.
 * @param o Output.
 * @returns Canonical bytes.
 * @throws {RangeError} If a field is out of range (amount 0 or above the cap...).
 * @throws {TypeError} If a field has the wrong JS type.
 * @example
 * ```ts
 * import { encodeTxOutput } from "./mod.ts";
 * encodeTxOutput({ amount: 1n, predicate: { type: "key", pubkey: new Uint8Array(32) } }).length; // 42
 * ```
 */
export function encodeTxOutput(o: TxOutput): Uint8Array {
  return encodeRoot("TxOutput", TxOutputCoder, o, 64);
}
/**
 * Decodes a transaction output.
 * @param b Bytes.
 * @returns The output.
 * @throws {CodecError} If `b` is not a canonical output encoding.
 * @example
 * ```ts
 * import { decodeTxOutput, encodeTxOutput } from "./mod.ts";
 * const o = { amount: 5n, predicate: { type: "key" as const, pubkey: new Uint8Array(32) } };
 * decodeTxOutput(encodeTxOutput(o)).amount; // 5n
 * ```
 */
export function decodeTxOutput(b: Uint8Array): TxOutput {
  return decodeRoot("TxOutput", TxOutputCoder, b, MAX_PREDICATE_BYTES + 8);
}

/**
 * Encodes a transaction (core then witnesses).
 * @param tx Transaction.
 * @returns Canonical bytes.
 * @throws {RangeError} If a field is out of range or a count is wrong.
 * @throws {TypeError} If a field has the wrong JS type.
 * @example
 * ```ts
 * import { decodeTx, encodeTx } from "./mod.ts";
 * const key = { type: "key" as const, pubkey: new Uint8Array(32).fill(2) };
 * const tx = {
 *   version: 1 as const, networkId: 3, kind: { type: "transfer" as const },
 *   inputs: [{ prevout: { txId: new Uint8Array(32).fill(1), index: 0 } }],
 *   outputs: [{ amount: 10n, predicate: key }], fee: 1n,
 *   witnesses: [{ sigs: [new Uint8Array(64)], signers: 0, preimage: null, reveal: null }],
 * };
 * decodeTx(encodeTx(tx)).fee; // 1n
 * ```
 */
export function encodeTx(tx: Tx): Uint8Array {
  return encodeRoot("Tx", TxCoder, tx, 256);
}
/**
 * Decodes a transaction.
 * @param b Bytes (at most MAX_TX_BYTES).
 * @returns The transaction.
 * @throws {CodecError} If `b` is not a canonical transaction encoding.
 * @throws {TypeError} If `b` is not a Uint8Array.
 * @example
 * ```ts
 * import { CodecError, decodeTx } from "./mod.ts";
 * try { decodeTx(new Uint8Array([2])); } catch (e) { console.log((e as CodecError).code); } // UNKNOWN_VERSION
 * ```
 */
export function decodeTx(b: Uint8Array): Tx {
  return decodeRoot("Tx", TxCoder, b, MAX_TX_BYTES);
}

/**
 * Encodes the core of a transaction (everything but witnesses): the txId preimage.
 * @param tx Transaction or core.
 * @returns Canonical bytes of the core.
 * @throws {RangeError} If a field is out of range.
 * @throws {TypeError} If a field has the wrong JS type.
 * @example
 * ```ts
 * import { encodeTx, encodeTxCore } from "./mod.ts";
 * const tx = {
 *   version: 1 as const, networkId: 3, kind: { type: "transfer" as const },
 *   inputs: [{ prevout: { txId: new Uint8Array(32).fill(1), index: 0 } }],
 *   outputs: [{ amount: 10n, predicate: { type: "key" as const, pubkey: new Uint8Array(32) } }],
 *   fee: 1n, witnesses: [{ sigs: [new Uint8Array(64)], signers: 0, preimage: null, reveal: null }],
 * };
 * const core = encodeTxCore(tx);
 * encodeTx(tx).subarray(0, core.length).every((b, i) => b === core[i]); // true
 * ```
 */
export function encodeTxCore(tx: TxCore): Uint8Array {
  return encodeRoot("TxCore", TxCoreCoder, tx, 256);
}

/**
 * Transaction id: BLAKE3 under the txid domain of the encoding WITHOUT witnesses.
 * @param tx Transaction or core.
 * @returns 32-byte id.
 * @throws {RangeError} If the transaction is not encodable.
 * @example
 * ```ts
 * import { txId } from "./mod.ts";
 * const tx = {
 *   version: 1 as const, networkId: 3, kind: { type: "transfer" as const },
 *   inputs: [{ prevout: { txId: new Uint8Array(32).fill(1), index: 0 } }],
 *   outputs: [{ amount: 10n, predicate: { type: "key" as const, pubkey: new Uint8Array(32) } }],
 *   fee: 1n, witnesses: [{ sigs: [new Uint8Array(64)], signers: 0, preimage: null, reveal: null }],
 * };
 * const other = { ...tx, witnesses: [{ ...tx.witnesses[0]!, sigs: [] }] };
 * txId(other).every((b, i) => b === txId(tx)[i]); // true
 * ```
 */
export function txId(tx: TxCore): Uint8Array {
  return taggedHash("txId", encodeTxCore(tx));
}

/**
 * Witness transaction id: BLAKE3 under the wtxid domain of the full encoding.
 * @param tx Transaction.
 * @returns 32-byte id.
 * @throws {RangeError} If the transaction is not encodable.
 * @example
 * ```ts
 * import { wtxId } from "./mod.ts";
 * const tx = {
 *   version: 1 as const, networkId: 3, kind: { type: "transfer" as const },
 *   inputs: [{ prevout: { txId: new Uint8Array(32).fill(1), index: 0 } }],
 *   outputs: [{ amount: 10n, predicate: { type: "key" as const, pubkey: new Uint8Array(32) } }],
 *   fee: 1n, witnesses: [{ sigs: [new Uint8Array(64)], signers: 0, preimage: null, reveal: null }],
 * };
 * const other = { ...tx, witnesses: [{ ...tx.witnesses[0]!, sigs: [] }] };
 * wtxId(other).every((b, i) => b === wtxId(tx)[i]); // false
 * ```
 */
export function wtxId(tx: Tx): Uint8Array {
  return taggedHash("wtxId", encodeTx(tx));
}

/** A decoded transaction with its ids, computed from the received bytes without re-encoding. */
export interface DecodedTx {
  /** The transaction. */
  readonly tx: Tx;
  /** Its txId. */
  readonly txId: Uint8Array;
  /** Its wtxId (computed on first access). */
  readonly wtxId: Uint8Array;
  /** Byte length of the encoding without witnesses. */
  readonly coreBytes: number;
}

class DecodedTxImpl implements DecodedTx {
  readonly tx: Tx;
  readonly txId: Uint8Array;
  readonly coreBytes: number;
  #bytes: Uint8Array;
  #wtxId: Uint8Array | undefined;

  constructor(tx: Tx, bytes: Uint8Array, coreBytes: number) {
    this.tx = tx;
    this.coreBytes = coreBytes;
    this.#bytes = bytes;
    this.txId = taggedHash("txId", bytes.subarray(0, coreBytes));
  }

  get wtxId(): Uint8Array {
    this.#wtxId ??= taggedHash("wtxId", this.#bytes);
    return this.#wtxId;
  }
}

let lastCoreEnd = 0;
const txWithCoreEnd: Coder<Tx> = {
  name: "Tx",
  encodeTo: TxCoder.encodeTo,
  decodeFrom(r: Reader) {
    const d = decodeTxFrom(r);
    lastCoreEnd = d.coreEnd;
    return d.tx;
  },
};

/**
 * Decodes a transaction and computes its txId from the input bytes without re-encoding (the fast
 * path of gossip and payload validation); the wtxId is computed on first access.
 * @param b Bytes (at most MAX_TX_BYTES).
 * @returns Transaction and ids.
 * @throws {CodecError} If `b` is not a canonical transaction encoding.
 * @example
 * ```ts
 * import { decodeTxWithIds, encodeTx, txId } from "./mod.ts";
 * const tx = {
 *   version: 1 as const, networkId: 3, kind: { type: "transfer" as const },
 *   inputs: [{ prevout: { txId: new Uint8Array(32).fill(1), index: 0 } }],
 *   outputs: [{ amount: 10n, predicate: { type: "key" as const, pubkey: new Uint8Array(32) } }],
 *   fee: 1n, witnesses: [{ sigs: [new Uint8Array(64)], signers: 0, preimage: null, reveal: null }],
 * };
 * const d = decodeTxWithIds(encodeTx(tx));
 * d.txId.every((b, i) => b === txId(tx)[i]); // true
 * ```
 */
export function decodeTxWithIds(b: Uint8Array): DecodedTx {
  // Size and type are checked by decodeRoot before this copy would matter; copy once, share it.
  const own = b instanceof Uint8Array && b.length <= MAX_TX_BYTES ? b.slice() : b;
  const tx = decodeRoot("Tx", txWithCoreEnd, own, MAX_TX_BYTES, true);
  return new DecodedTxImpl(tx, own, lastCoreEnd);
}

const spentOutputsCoder = list(MAX_INPUTS, TxOutputCoder);

/**
 * Signature hash: what every BIP-340 signature of witness `index` commits to (docs/spec/
 * transactions.md §4). sighash = H_sighash(txId || u32le(index) || H_spent(encode(spentOutputs))),
 * where `spentOutputs` are the outputs the inputs spend, in input order. The kind's extra witness
 * (bond, unbond, claim) uses index = inputs.length.
 * @param tx Transaction or core.
 * @param index Witness index, 0..inputs.length (inputs.length only for kinds with an extra witness).
 * @param spentOutputs The outputs spent by `tx.inputs`, same order and count.
 * @returns 32-byte message to sign.
 * @throws {RangeError} If `index` or the count of `spentOutputs` is wrong, or `tx` is not encodable.
 * @example
 * ```ts
 * import { sighash } from "./mod.ts";
 * const tx = {
 *   version: 1 as const, networkId: 3, kind: { type: "transfer" as const },
 *   inputs: [{ prevout: { txId: new Uint8Array(32).fill(1), index: 0 } }],
 *   outputs: [{ amount: 10n, predicate: { type: "key" as const, pubkey: new Uint8Array(32) } }],
 *   fee: 1n, witnesses: [{ sigs: [new Uint8Array(64)], signers: 0, preimage: null, reveal: null }],
 * };
 * const spent = [{ amount: 11n, predicate: { type: "key" as const, pubkey: new Uint8Array(32) } }];
 * sighash(tx, 0, spent).length; // 32: the BIP-340 message of witness 0
 * ```
 */
export function sighash(tx: TxCore, index: number, spentOutputs: readonly TxOutput[]): Uint8Array {
  const maxIndex = tx.inputs.length + (tx.kind.type === "transfer" ? -1 : 0);
  if (!Number.isInteger(index) || index < 0 || index > maxIndex) {
    throw new RangeError(`Sighash index ${index} out of range 0..${maxIndex}`);
  }
  if (!Array.isArray(spentOutputs) || spentOutputs.length !== tx.inputs.length) {
    throw new RangeError(
      `Sighash needs one spent output per input: ${spentOutputs.length} for ${tx.inputs.length}`,
    );
  }
  const spent = taggedHash(
    "spentOutputs",
    encodeRoot("SpentOutputs", spentOutputsCoder, spentOutputs as TxOutput[], 256),
  );
  const msg = new Uint8Array(68);
  msg.set(txId(tx), 0);
  new DataView(msg.buffer).setUint32(32, index, true);
  msg.set(spent, 36);
  return taggedHash("sighash", msg);
}

/**
 * Encodes an event payload.
 * @param p Payload.
 * @returns Canonical bytes.
 * @throws {RangeError} If a field is out of range.
 * @throws {TypeError} If a field has the wrong JS type.
 * @example
 * ```ts
 * import { encodeEventPayload } from "./mod.ts";
 * encodeEventPayload({ txs: [] }); // Uint8Array [0]
 * ```
 */
export function encodeEventPayload(p: EventPayload): Uint8Array {
  return encodeRoot("EventPayload", EventPayloadCoder, p, 4096);
}
/**
 * Decodes an event payload.
 * @param b Bytes (at most MAX_PAYLOAD_BYTES).
 * @returns The payload.
 * @throws {CodecError} If `b` is not a canonical payload encoding.
 * @example
 * ```ts
 * import { decodeEventPayload } from "./mod.ts";
 * decodeEventPayload(new Uint8Array([0])).txs.length; // 0
 * ```
 */
export function decodeEventPayload(b: Uint8Array): EventPayload {
  return decodeRoot("EventPayload", EventPayloadCoder, b, MAX_PAYLOAD_BYTES);
}

/** A decoded event payload with the ids of its transactions, computed from the received bytes. */
export interface DecodedEventPayload {
  /** The payload. */
  readonly payload: EventPayload;
  /** txId of each transaction, in payload order. */
  readonly txIds: Uint8Array[];
  /** merkleRoot(txIds): compare with `EventHeader.payloadRoot`. */
  readonly payloadRoot: Uint8Array;
}

let lastTxIds: Uint8Array[] = [];
const payloadWithIds: Coder<EventPayload> = {
  name: "EventPayload",
  encodeTo: EventPayloadCoder.encodeTo,
  decodeFrom(r: Reader) {
    const ids: Uint8Array[] = [];
    const txs: Tx[] = [];
    const n = at("txs", () => payloadCountCoder.decodeFrom(r));
    if (n > MAX_PAYLOAD_TXS) {
      failAt("txs", "LENGTH_OUT_OF_RANGE", `length ${n} exceeds ${MAX_PAYLOAD_TXS}`, {
        value: n,
        limit: MAX_PAYLOAD_TXS,
      });
    }
    for (let i = 0; i < n; i++) {
      const start = r.pos;
      const d = at("txs", () => at(String(i), () => decodeTxFrom(r)));
      txs.push(d.tx);
      ids.push(taggedHash("txId", r.buf.subarray(start, d.coreEnd)));
    }
    lastTxIds = ids;
    return { txs };
  },
};

/**
 * Decodes an event payload and computes its transaction ids and root from the input bytes (the
 * data-availability check: `payloadRoot` must equal the header's, `txIds.length` its
 * `payloadTxs`, and the input length its `payloadBytes`).
 * @param b Bytes (at most MAX_PAYLOAD_BYTES).
 * @returns Payload, txIds and root.
 * @throws {CodecError} If `b` is not a canonical payload encoding.
 * @example
 * ```ts
 * import { decodeEventPayloadWithIds, EMPTY_MERKLE_ROOT } from "./mod.ts";
 * decodeEventPayloadWithIds(new Uint8Array([0])).payloadRoot; // equals EMPTY_MERKLE_ROOT
 * ```
 */
export function decodeEventPayloadWithIds(b: Uint8Array): DecodedEventPayload {
  const payload = decodeRoot("EventPayload", payloadWithIds, b, MAX_PAYLOAD_BYTES);
  const txIds = lastTxIds;
  return { payload, txIds, payloadRoot: merkleRoot(txIds) };
}

/**
 * Payload root: Merkle root of the payload's transaction ids (EMPTY_MERKLE_ROOT when empty).
 * @param txIds Transaction ids in payload order.
 * @returns 32-byte root for `EventHeader.payloadRoot`.
 * @throws {TypeError} If an id is not 32 bytes.
 * @example
 * ```ts
 * import { EMPTY_MERKLE_ROOT, payloadRoot } from "./mod.ts";
 * payloadRoot([]); // equals EMPTY_MERKLE_ROOT
 * ```
 */
export function payloadRoot(txIds: readonly Uint8Array[]): Uint8Array {
  return merkleRoot(txIds);
}

/**
 * Encodes an event header.
 * @param h Header.
 * @returns Canonical bytes (the eventId preimage).
 * @throws {RangeError} If a field is out of range.
 * @throws {TypeError} If a field has the wrong JS type.
 * @example
 * ```ts
 * import { EMPTY_MERKLE_ROOT, encodeEventHeader, eventExtrasHash } from "./mod.ts";
 * const h = {
 *   version: 1 as const, networkId: 3, shard: 0, creator: 0, epoch: 0n, seq: 0n,
 *   selfParent: new Uint8Array(32), parents: [], payloadRoot: EMPTY_MERKLE_ROOT,
 *   payloadTxs: 0, payloadBytes: 1, voteMask: 1n, extrasHash: eventExtrasHash([], []),
 * };
 * encodeEventHeader(h).length; // 117
 * ```
 */
export function encodeEventHeader(h: EventHeader): Uint8Array {
  return encodeRoot("EventHeader", EventHeaderCoder, h, 256);
}
/**
 * Decodes an event header.
 * @param b Bytes.
 * @returns The header.
 * @throws {CodecError} If `b` is not a canonical header encoding.
 * @example
 * ```ts
 * import { decodeEventHeader, EMPTY_MERKLE_ROOT, encodeEventHeader, eventExtrasHash } from "./mod.ts";
 * const h = {
 *   version: 1 as const, networkId: 3, shard: 0, creator: 0, epoch: 0n, seq: 0n,
 *   selfParent: new Uint8Array(32), parents: [], payloadRoot: EMPTY_MERKLE_ROOT,
 *   payloadTxs: 0, payloadBytes: 1, voteMask: 1n, extrasHash: eventExtrasHash([], []),
 * };
 * decodeEventHeader(encodeEventHeader(h)).voteMask; // 1n
 * ```
 */
export function decodeEventHeader(b: Uint8Array): EventHeader {
  return decodeRoot("EventHeader", EventHeaderCoder, b, 512);
}

/**
 * Event id: BLAKE3 under the event domain of the header encoding (no extras, no signature; the
 * header commits to the extras through `extrasHash`).
 * @param h Header (or an event's `header`).
 * @returns 32-byte id, also the message the creator signs.
 * @throws {RangeError} If the header is not encodable.
 * @example
 * ```ts
 * import { EMPTY_MERKLE_ROOT, eventExtrasHash, eventId } from "./mod.ts";
 * const h = {
 *   version: 1 as const, networkId: 3, shard: 0, creator: 0, epoch: 0n, seq: 0n,
 *   selfParent: new Uint8Array(32), parents: [], payloadRoot: EMPTY_MERKLE_ROOT,
 *   payloadTxs: 0, payloadBytes: 1, voteMask: 1n, extrasHash: eventExtrasHash([], []),
 * };
 * eventId(h).length; // 32: the message the creator signs
 * ```
 */
export function eventId(h: EventHeader): Uint8Array {
  return taggedHash("eventId", encodeEventHeader(h));
}

/**
 * Hash of an event's extras, the value of `EventHeader.extrasHash`.
 * @param mints Mints the event carries.
 * @param evidence Evidence the event carries.
 * @returns 32-byte hash of encode(mints) || encode(evidence) under the event-extras domain.
 * @throws {RangeError} If the lists are not encodable.
 * @example
 * ```ts
 * import { eventExtrasHash } from "./mod.ts";
 * eventExtrasHash([], []).length; // 32
 * ```
 */
export function eventExtrasHash(mints: readonly Mint[], evidence: readonly Evidence[]): Uint8Array {
  const a = encodeRoot("Event", EventMintsCoder, mints as Mint[], 64);
  const b = encodeRoot("Event", EventEvidenceCoder, evidence as Evidence[], 64);
  const both = new Uint8Array(a.length + b.length);
  both.set(a, 0);
  both.set(b, a.length);
  return taggedHash("eventExtras", both);
}

/**
 * Encodes a full event.
 * @param e Event.
 * @returns Canonical bytes.
 * @throws {RangeError} If a field is out of range or `header.extrasHash` does not match.
 * @throws {TypeError} If a field has the wrong JS type.
 * @example
 * ```ts
 * import { EMPTY_MERKLE_ROOT, encodeEvent, eventExtrasHash } from "./mod.ts";
 * const h = {
 *   version: 1 as const, networkId: 3, shard: 0, creator: 0, epoch: 0n, seq: 0n,
 *   selfParent: new Uint8Array(32), parents: [], payloadRoot: EMPTY_MERKLE_ROOT,
 *   payloadTxs: 0, payloadBytes: 1, voteMask: 1n, extrasHash: eventExtrasHash([], []),
 * };
 * encodeEvent({ header: h, mints: [], evidence: [], signature: new Uint8Array(64) }).length; // 183
 * ```
 */
export function encodeEvent(e: Event): Uint8Array {
  return encodeRoot("Event", EventCoder, e, 512);
}
/**
 * Decodes a full event, checking that the header's extrasHash matches the mints and evidence.
 * @param b Bytes (at most MAX_EVENT_BYTES).
 * @returns The event.
 * @throws {CodecError} If `b` is not a canonical event encoding.
 * @example
 * ```ts
 * import { decodeEvent, EMPTY_MERKLE_ROOT, encodeEvent, eventExtrasHash } from "./mod.ts";
 * const h = {
 *   version: 1 as const, networkId: 3, shard: 0, creator: 0, epoch: 0n, seq: 0n,
 *   selfParent: new Uint8Array(32), parents: [], payloadRoot: EMPTY_MERKLE_ROOT,
 *   payloadTxs: 0, payloadBytes: 1, voteMask: 1n, extrasHash: eventExtrasHash([], []),
 * };
 * const ev = { header: h, mints: [], evidence: [], signature: new Uint8Array(64) };
 * decodeEvent(encodeEvent(ev)).header.seq; // 0n
 * ```
 */
export function decodeEvent(b: Uint8Array): Event {
  return decodeRoot("Event", EventCoder, b, MAX_EVENT_BYTES);
}

/**
 * Encodes a signed event header.
 * @param s Header and signature.
 * @returns Canonical bytes.
 * @throws {RangeError} If a field is out of range.
 * @throws {TypeError} If a field has the wrong JS type.
 * @example
 * ```ts
 * import { EMPTY_MERKLE_ROOT, encodeSignedEventHeader, eventExtrasHash } from "./mod.ts";
 * const h = {
 *   version: 1 as const, networkId: 3, shard: 0, creator: 0, epoch: 0n, seq: 0n,
 *   selfParent: new Uint8Array(32), parents: [], payloadRoot: EMPTY_MERKLE_ROOT,
 *   payloadTxs: 0, payloadBytes: 1, voteMask: 1n, extrasHash: eventExtrasHash([], []),
 * };
 * encodeSignedEventHeader({ header: h, signature: new Uint8Array(64) }).length; // 181
 * ```
 */
export function encodeSignedEventHeader(s: SignedEventHeader): Uint8Array {
  return encodeRoot("SignedEventHeader", SignedEventHeaderCoder, s, 320);
}
/**
 * Decodes a signed event header.
 * @param b Bytes.
 * @returns Header and signature.
 * @throws {CodecError} If `b` is not canonical.
 * @example
 * ```ts
 * import { decodeSignedEventHeader, EMPTY_MERKLE_ROOT, encodeSignedEventHeader, eventExtrasHash } from "./mod.ts";
 * const h = {
 *   version: 1 as const, networkId: 3, shard: 0, creator: 0, epoch: 0n, seq: 0n,
 *   selfParent: new Uint8Array(32), parents: [], payloadRoot: EMPTY_MERKLE_ROOT,
 *   payloadTxs: 0, payloadBytes: 1, voteMask: 1n, extrasHash: eventExtrasHash([], []),
 * };
 * const b = encodeSignedEventHeader({ header: h, signature: new Uint8Array(64) });
 * decodeSignedEventHeader(b).signature.length; // 64
 * ```
 */
export function decodeSignedEventHeader(b: Uint8Array): SignedEventHeader {
  return decodeRoot("SignedEventHeader", SignedEventHeaderCoder, b, 576);
}

/**
 * Encodes a mint.
 * @param m Mint.
 * @returns Canonical bytes; they are also the PoW preimage (nonce = last 8 bytes, u64 LE).
 * @throws {RangeError} If a field is out of range.
 * @throws {TypeError} If a field has the wrong JS type.
 * @example
 * ```ts
 * import { encodeMint } from "./mod.ts";
 * const m = {
 *   version: 1 as const, networkId: 3, prevMintId: new Uint8Array(32), height: 0n,
 *   target: new Uint8Array(32).fill(0xff), tier: 0,
 *   payout: { type: "key" as const, pubkey: new Uint8Array(32) }, nonce: 7n,
 * };
 * const pre = encodeMint(m);
 * pre[pre.length - 8]; // 7: the nonce, u64 little-endian, last
 * ```
 */
export function encodeMint(m: Mint): Uint8Array {
  return encodeRoot("Mint", MintCoder, m, 128);
}
/**
 * Decodes a mint.
 * @param b Bytes (at most MAX_MINT_BYTES).
 * @returns The mint.
 * @throws {CodecError} If `b` is not canonical.
 * @example
 * ```ts
 * import { decodeMint, encodeMint } from "./mod.ts";
 * const m = {
 *   version: 1 as const, networkId: 3, prevMintId: new Uint8Array(32), height: 0n,
 *   target: new Uint8Array(32).fill(0xff), tier: 0,
 *   payout: { type: "key" as const, pubkey: new Uint8Array(32) }, nonce: 7n,
 * };
 * decodeMint(encodeMint(m)).tier; // 0
 * ```
 */
export function decodeMint(b: Uint8Array): Mint {
  return decodeRoot("Mint", MintCoder, b, MAX_MINT_BYTES);
}

/**
 * PoW template of a mint: its encoding without the trailing 8-byte nonce. The PoW preimage is
 * template || u64le(nonce), which equals encodeMint(m).
 * @param m Mint (its nonce is ignored).
 * @returns Template bytes.
 * @throws {RangeError} If the mint is not encodable.
 * @example
 * ```ts
 * import { encodeMint, mintPowTemplate } from "./mod.ts";
 * const m = {
 *   version: 1 as const, networkId: 3, prevMintId: new Uint8Array(32), height: 0n,
 *   target: new Uint8Array(32).fill(0xff), tier: 0,
 *   payout: { type: "key" as const, pubkey: new Uint8Array(32) }, nonce: 7n,
 * };
 * mintPowTemplate(m).length === encodeMint(m).length - 8; // true
 * ```
 */
export function mintPowTemplate(m: Mint): Uint8Array {
  const full = encodeMint(m);
  return full.slice(0, full.length - 8);
}

/**
 * Mint id: BLAKE3 under the mint domain of the full encoding (nonce included).
 * @param m Mint.
 * @returns 32-byte id.
 * @throws {RangeError} If the mint is not encodable.
 * @example
 * ```ts
 * import { mintId } from "./mod.ts";
 * const m = {
 *   version: 1 as const, networkId: 3, prevMintId: new Uint8Array(32), height: 0n,
 *   target: new Uint8Array(32).fill(0xff), tier: 0,
 *   payout: { type: "key" as const, pubkey: new Uint8Array(32) }, nonce: 7n,
 * };
 * const next = { ...m, height: 1n, prevMintId: mintId(m) };
 * next.prevMintId.length; // 32
 * ```
 */
export function mintId(m: Mint): Uint8Array {
  return taggedHash("mintId", encodeMint(m));
}

/**
 * Encodes slashing evidence.
 * @param e Evidence.
 * @returns Canonical bytes.
 * @throws {RangeError} If a field is out of range.
 * @throws {TypeError} If a field has the wrong JS type.
 * @example
 * ```ts
 * import { EMPTY_MERKLE_ROOT, encodeEvidence, eventExtrasHash } from "./mod.ts";
 * const h = {
 *   version: 1 as const, networkId: 3, shard: 0, creator: 0, epoch: 0n, seq: 0n,
 *   selfParent: new Uint8Array(32), parents: [], payloadRoot: EMPTY_MERKLE_ROOT,
 *   payloadTxs: 0, payloadBytes: 1, voteMask: 1n, extrasHash: eventExtrasHash([], []),
 * };
 * const sh = { header: h, signature: new Uint8Array(64) };
 * const e = { type: "equivocation" as const, a: sh, b: { ...sh, header: { ...h, voteMask: 3n } } };
 * encodeEvidence(e)[0]; // 0: the equivocation tag
 * ```
 */
export function encodeEvidence(e: Evidence): Uint8Array {
  return encodeRoot("Evidence", EvidenceCoder, e, 512);
}
/**
 * Decodes slashing evidence.
 * @param b Bytes (at most MAX_EVIDENCE_BYTES).
 * @returns The evidence.
 * @throws {CodecError} If `b` is not canonical.
 * @example
 * ```ts
 * import { decodeEvidence, EMPTY_MERKLE_ROOT, encodeEvidence, eventExtrasHash } from "./mod.ts";
 * const h = {
 *   version: 1 as const, networkId: 3, shard: 0, creator: 0, epoch: 0n, seq: 0n,
 *   selfParent: new Uint8Array(32), parents: [], payloadRoot: EMPTY_MERKLE_ROOT,
 *   payloadTxs: 0, payloadBytes: 1, voteMask: 1n, extrasHash: eventExtrasHash([], []),
 * };
 * const sh = { header: h, signature: new Uint8Array(64) };
 * const e = { type: "equivocation" as const, a: sh, b: { ...sh, header: { ...h, voteMask: 3n } } };
 * decodeEvidence(encodeEvidence(e)).type; // "equivocation"
 * ```
 */
export function decodeEvidence(b: Uint8Array): Evidence {
  return decodeRoot("Evidence", EvidenceCoder, b, MAX_EVIDENCE_BYTES);
}
/**
 * Evidence id: BLAKE3 under the evidence domain of the encoding (for deduplication).
 * @param e Evidence.
 * @returns 32-byte id.
 * @throws {RangeError} If the evidence is not encodable.
 * @example
 * ```ts
 * import { EMPTY_MERKLE_ROOT, eventExtrasHash, evidenceId } from "./mod.ts";
 * const h = {
 *   version: 1 as const, networkId: 3, shard: 0, creator: 0, epoch: 0n, seq: 0n,
 *   selfParent: new Uint8Array(32), parents: [], payloadRoot: EMPTY_MERKLE_ROOT,
 *   payloadTxs: 0, payloadBytes: 1, voteMask: 1n, extrasHash: eventExtrasHash([], []),
 * };
 * const sh = { header: h, signature: new Uint8Array(64) };
 * const e = { type: "equivocation" as const, a: sh, b: { ...sh, header: { ...h, voteMask: 3n } } };
 * evidenceId(e).length; // 32
 * ```
 */
export function evidenceId(e: Evidence): Uint8Array {
  return taggedHash("evidenceId", encodeEvidence(e));
}

/**
 * Encodes a data-availability attestation.
 * @param a Attestation.
 * @returns Canonical bytes.
 * @throws {RangeError} If a field is out of range.
 * @throws {TypeError} If a field has the wrong JS type.
 * @example
 * ```ts
 * import { encodeDaAttestation } from "./mod.ts";
 * const att = {
 *   version: 1 as const, networkId: 3, shard: 0, seat: 2, epoch: 0n,
 *   eventId: new Uint8Array(32).fill(1), payloadRoot: new Uint8Array(32).fill(2),
 *   signature: new Uint8Array(64),
 * };
 * encodeDaAttestation(att).length; // 137
 * ```
 */
export function encodeDaAttestation(a: DaAttestation): Uint8Array {
  return encodeRoot("DaAttestation", DaAttestationCoder, a, 192);
}
/**
 * Decodes a data-availability attestation.
 * @param b Bytes.
 * @returns The attestation.
 * @throws {CodecError} If `b` is not canonical.
 * @example
 * ```ts
 * import { decodeDaAttestation, encodeDaAttestation } from "./mod.ts";
 * const att = {
 *   version: 1 as const, networkId: 3, shard: 0, seat: 2, epoch: 0n,
 *   eventId: new Uint8Array(32).fill(1), payloadRoot: new Uint8Array(32).fill(2),
 *   signature: new Uint8Array(64),
 * };
 * decodeDaAttestation(encodeDaAttestation(att)).seat; // 2
 * ```
 */
export function decodeDaAttestation(b: Uint8Array): DaAttestation {
  return decodeRoot("DaAttestation", DaAttestationCoder, b, 256);
}
/**
 * Message a seat signs for a DA attestation: BLAKE3 under the da-attestation domain of its
 * encoding with the signature field omitted.
 * @param a Attestation (its signature is ignored).
 * @returns 32-byte message.
 * @throws {RangeError} If the attestation is not encodable.
 * @example
 * ```ts
 * import { daAttestationDigest } from "./mod.ts";
 * const att = {
 *   version: 1 as const, networkId: 3, shard: 0, seat: 2, epoch: 0n,
 *   eventId: new Uint8Array(32).fill(1), payloadRoot: new Uint8Array(32).fill(2),
 *   signature: new Uint8Array(64),
 * };
 * daAttestationDigest(att).length; // 32: the message the seat signs
 * ```
 */
export function daAttestationDigest(a: DaAttestation): Uint8Array {
  const full = encodeDaAttestation(a);
  return taggedHash("daAttestation", full.subarray(0, full.length - 64));
}

/**
 * Encodes a claim.
 * @param c Claim.
 * @returns Canonical bytes.
 * @throws {RangeError} If a field is out of range.
 * @throws {TypeError} If a field has the wrong JS type.
 * @example
 * ```ts
 * import { encodeClaim } from "./mod.ts";
 * const claim = {
 *   payoutRoot: new Uint8Array(32), index: 0, amount: 5n,
 *   predicate: { type: "key" as const, pubkey: new Uint8Array(32) }, proof: [],
 * };
 * encodeClaim(claim).length; // 76
 * ```
 */
export function encodeClaim(c: Claim): Uint8Array {
  return encodeRoot("Claim", ClaimCoder, c, 256);
}
/**
 * Decodes a claim.
 * @param b Bytes.
 * @returns The claim.
 * @throws {CodecError} If `b` is not canonical.
 * @example
 * ```ts
 * import { decodeClaim, encodeClaim } from "./mod.ts";
 * const claim = {
 *   payoutRoot: new Uint8Array(32), index: 0, amount: 5n,
 *   predicate: { type: "key" as const, pubkey: new Uint8Array(32) }, proof: [],
 * };
 * decodeClaim(encodeClaim(claim)).amount; // 5n
 * ```
 */
export function decodeClaim(b: Uint8Array): Claim {
  return decodeRoot("Claim", ClaimCoder, b, MAX_CLAIM_BYTES);
}
/**
 * Payout-tree item of a leaf: BLAKE3 under the claim-leaf domain of encode({index, amount,
 * predicate}). The payout root is merkleRoot of these items in index order.
 * @param leaf Leaf content (or a Claim).
 * @returns 32-byte item for merkleRoot / verifyMerkleProof.
 * @throws {RangeError} If the leaf is not encodable.
 * @example
 * ```ts
 * import { claimLeafHash, merkleRoot, verifyMerkleProof } from "./mod.ts";
 * const claim = {
 *   payoutRoot: new Uint8Array(32), index: 0, amount: 5n,
 *   predicate: { type: "key" as const, pubkey: new Uint8Array(32) }, proof: [],
 * };
 * const root = merkleRoot([claimLeafHash(claim)]);
 * verifyMerkleProof(claimLeafHash(claim), 0, 1, [], root); // true
 * ```
 */
export function claimLeafHash(leaf: ClaimLeaf): Uint8Array {
  const { index, amount, predicate } = leaf;
  return taggedHash(
    "claimLeaf",
    encodeRoot("ClaimLeaf", ClaimLeafCoder, { index, amount, predicate }, 64),
  );
}

/**
 * Encodes an anchor (finality record).
 * @param a Anchor.
 * @returns Canonical bytes.
 * @throws {RangeError} If a field is out of range.
 * @throws {TypeError} If a field has the wrong JS type.
 * @example
 * ```ts
 * import { encodeAnchor } from "./mod.ts";
 * const a = {
 *   version: 1 as const, networkId: 3, index: 0n, round: 0n,
 *   anchorEventId: new Uint8Array(32).fill(1), orderedEventsRoot: new Uint8Array(32),
 *   stateRoot: new Uint8Array(32), payoutRoot: new Uint8Array(32), voteMask: 1n,
 *   prevAnchorId: new Uint8Array(32),
 * };
 * encodeAnchor(a).length; // 175
 * ```
 */
export function encodeAnchor(a: Anchor): Uint8Array {
  return encodeRoot("Anchor", AnchorCoder, a, 256);
}
/**
 * Decodes an anchor.
 * @param b Bytes.
 * @returns The anchor.
 * @throws {CodecError} If `b` is not canonical.
 * @example
 * ```ts
 * import { decodeAnchor, encodeAnchor } from "./mod.ts";
 * const a = {
 *   version: 1 as const, networkId: 3, index: 0n, round: 0n,
 *   anchorEventId: new Uint8Array(32).fill(1), orderedEventsRoot: new Uint8Array(32),
 *   stateRoot: new Uint8Array(32), payoutRoot: new Uint8Array(32), voteMask: 1n,
 *   prevAnchorId: new Uint8Array(32),
 * };
 * decodeAnchor(encodeAnchor(a)).index; // 0n
 * ```
 */
export function decodeAnchor(b: Uint8Array): Anchor {
  return decodeRoot("Anchor", AnchorCoder, b, MAX_ANCHOR_BYTES);
}
/**
 * Anchor id: BLAKE3 under the anchor domain of the encoding.
 * @param a Anchor.
 * @returns 32-byte id (the next anchor's prevAnchorId).
 * @throws {RangeError} If the anchor is not encodable.
 * @example
 * ```ts
 * import { anchorId } from "./mod.ts";
 * const a = {
 *   version: 1 as const, networkId: 3, index: 0n, round: 0n,
 *   anchorEventId: new Uint8Array(32).fill(1), orderedEventsRoot: new Uint8Array(32),
 *   stateRoot: new Uint8Array(32), payoutRoot: new Uint8Array(32), voteMask: 1n,
 *   prevAnchorId: new Uint8Array(32),
 * };
 * const next = { ...a, index: 1n, prevAnchorId: anchorId(a) };
 * next.prevAnchorId.length; // 32
 * ```
 */
export function anchorId(a: Anchor): Uint8Array {
  return taggedHash("anchorId", encodeAnchor(a));
}

/**
 * Predicate commitment: BLAKE3 under the predicate domain of the canonical predicate encoding. It
 * is the address program and the value of a `commit` predicate.
 * @param p Predicate.
 * @returns 32-byte commitment.
 * @throws {RangeError} If the predicate is not encodable.
 * @example
 * ```ts
 * import { predicateCommitment } from "./mod.ts";
 * predicateCommitment({ type: "key", pubkey: new Uint8Array(32) }).length; // 32
 * ```
 */
export function predicateCommitment(p: Predicate): Uint8Array {
  return taggedHash("predicate", encodePredicate(p));
}

/**
 * Hashlock hash of a preimage: BLAKE3 under the hashlock domain.
 * @param preimage 1..MAX_PREIMAGE_BYTES bytes.
 * @returns 32-byte hash for a `hashlock` predicate.
 * @throws {TypeError} If `preimage` is not a Uint8Array.
 * @example
 * ```ts
 * import { hashlockHash } from "./mod.ts";
 * hashlockHash(new Uint8Array([1])).length; // 32
 * ```
 */
export function hashlockHash(preimage: Uint8Array): Uint8Array {
  if (!(preimage instanceof Uint8Array)) {
    throw new TypeError(`Hashlock preimage must be a Uint8Array: ${typeof preimage}`);
  }
  return taggedHash("hashlock", preimage);
}
