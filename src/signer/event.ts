/**
 * Protocol-v1 adapters from codec to the signer: what an unsigned event header and a bond/unbond
 * transaction mean for signing (docs/spec/keys.md sections 4.4 and 4.5).
 * @module
 */
import {
  daAttestationDigest,
  decodeDaAttestation,
  decodeEventHeader,
  decodeTx,
  decodeTxOutput,
  eventId,
  isZero32,
  sighash,
  type TxOutput,
} from "../codec/mod.ts";
import type { DaView, EventInspector, SeatTxView } from "./signer.ts";

/**
 * Inspector for protocol v1: the node sends `encodeEventHeader(header)`; the signer decodes it
 * canonically, requires the configured network id, and signs `eventId(header)`.
 * @param networkId u32 network id the signer serves
 * @returns the inspector
 * @example
 * ```ts
 * import { codecEventInspector } from "./event.ts";
 * const inspect = codecEventInspector(2);
 * console.assert(typeof inspect === "function");
 * ```
 */
export function codecEventInspector(networkId: number): EventInspector {
  return (b) => {
    const h = decodeEventHeader(b);
    if (h.networkId !== networkId) {
      throw new RangeError(`Event network id ${h.networkId} is not ${networkId}`);
    }
    const id = eventId(h);
    return {
      shard: h.shard,
      creator: h.creator,
      epoch: h.epoch,
      seq: h.seq,
      selfParent: isZero32(h.selfParent) ? null : h.selfParent,
      id,
      signingHash: id,
    };
  };
}

/**
 * Decodes a bond/unbond transaction (`encodeTx`, witnesses may be placeholders) and its spent
 * outputs, and computes the sighash of the extra witness that the seat key must sign
 * (docs/spec/transactions.md section 1: index = inputs.length).
 * @param networkId network id the signer serves
 * @param tx encoded transaction
 * @param spentOutputs encoded outputs spent by its inputs, in input order
 * @returns what is being authorized
 * @throws {CodecError} on malformed encodings
 * @throws {RangeError} on another network, another kind, or a spent-output count mismatch
 * @example
 * ```ts
 * import { inspectSeatTx } from "./event.ts";
 * console.assert(typeof inspectSeatTx === "function");
 * ```
 */
export function inspectSeatTx(
  networkId: number,
  tx: Uint8Array,
  spentOutputs: readonly Uint8Array[],
): SeatTxView {
  const t = decodeTx(tx);
  if (t.networkId !== networkId) {
    throw new RangeError(`Transaction network id ${t.networkId} is not ${networkId}`);
  }
  if (t.kind.type !== "bond" && t.kind.type !== "unbond") {
    throw new RangeError(`Transaction kind "${t.kind.type}" needs no seat authorization`);
  }
  if (spentOutputs.length !== t.inputs.length) {
    throw new RangeError(
      `Spent outputs: ${spentOutputs.length} given for ${t.inputs.length} inputs`,
    );
  }
  const spent: TxOutput[] = spentOutputs.map((o) => decodeTxOutput(o));
  return {
    kind: t.kind.type,
    seatKey: t.kind.seatKey,
    amount: t.kind.amount,
    sighash: sighash(t, t.inputs.length, spent),
  };
}

/**
 * Checks a data-availability attestation against the header of the event it attests
 * (docs/spec/keys.md 4.6): same network, shard and epoch, `eventId(header)` equals the attested
 * id, and the attested payload root is the header's. Since the event id commits to the payload
 * root, a signer that only signs such attestations can never sign two attestations for one event
 * with different payload roots. The attestation's signature field must be all zero.
 * @param networkId network id the signer serves
 * @param attestation `encodeDaAttestation` bytes with a zero signature
 * @param header `encodeEventHeader` bytes of the attested event
 * @returns the digest to sign and the attesting seat
 * @throws {CodecError} on malformed encodings
 * @throws {RangeError} on any mismatch
 * @example
 * ```ts
 * import { inspectDaAttestation } from "./event.ts";
 * console.assert(typeof inspectDaAttestation === "function");
 * ```
 */
export function inspectDaAttestation(
  networkId: number,
  attestation: Uint8Array,
  header: Uint8Array,
): DaView {
  const a = decodeDaAttestation(attestation);
  const h = decodeEventHeader(header);
  if (a.networkId !== networkId || h.networkId !== networkId) {
    throw new RangeError(`Attestation network id ${a.networkId} is not ${networkId}`);
  }
  if (a.signature.some((b) => b !== 0)) {
    throw new RangeError("Attestation signature field must be zero in a signing request");
  }
  if (a.shard !== h.shard || a.epoch !== h.epoch) {
    throw new RangeError("Attestation shard or epoch differs from the event's");
  }
  const id = eventId(h);
  if (!id.every((b, i) => b === a.eventId[i])) {
    throw new RangeError("Attestation event id is not the id of the given header");
  }
  if (!h.payloadRoot.every((b, i) => b === a.payloadRoot[i])) {
    throw new RangeError("Attestation payload root differs from the event header's");
  }
  return { seat: a.seat, digest: daAttestationDigest(a) };
}
