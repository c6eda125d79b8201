/**
 * Canonical binary codec of PhantomCoin protocol v1 (docs/spec/codec.md): the wire formats of
 * predicates, transactions, event payloads, events, mints, evidence, claims and anchors, declared
 * once as coder values with their TypeScript types derived from them; the domain-separated BLAKE3
 * ids (txId, wtxId, sighash, eventId, mintId, anchorId, evidenceId...); Merkle roots and proofs;
 * and Bech32m addresses. Decoders are canonical and total: any byte string either decodes to the
 * one value whose encoding it is, or throws a {@linkcode CodecError} naming the field path.
 *
 * @example
 * ```ts
 * import { decodeTxWithIds, encodeTx } from "./mod.ts";
 * // const { tx, txId } = decodeTxWithIds(encodeTx(tx));
 * ```
 * @module
 */
export {
  AddressError,
  type AddressErrorCode,
  CodecError,
  type CodecErrorCode,
  type CodecErrorData,
} from "./errors.ts";
export { type Domain, domainKey, DOMAINS, taggedHash } from "./domains.ts";
export {
  MAX_ANCHOR_BYTES,
  MAX_CLAIM_BYTES,
  MAX_EVENT_BYTES,
  MAX_EVENT_EVIDENCE,
  MAX_EVENT_MINTS,
  MAX_EVIDENCE_BYTES,
  MAX_INPUTS,
  MAX_INVALIDITY_PROOF_BYTES,
  MAX_MERKLE_PROOF,
  MAX_MINT_BYTES,
  MAX_MULTI_KEYS,
  MAX_MUSIG_SIGNERS,
  MAX_OTHER_PARENTS,
  MAX_OUTPUTS,
  MAX_PAYLOAD_BYTES,
  MAX_PAYLOAD_TXS,
  MAX_PREDICATE_BYTES,
  MAX_PREIMAGE_BYTES,
  MAX_SEATS,
  MAX_SHARDS,
  MAX_TX_BYTES,
  MAX_WITNESS_SIGS,
} from "./limits.ts";
export {
  type Anchor,
  type Claim,
  type ClaimLeaf,
  type DaAttestation,
  type Event,
  type EventHeader,
  type EventPayload,
  type Evidence,
  extraWitnesses,
  type InnerPredicate,
  isZero32,
  type Mint,
  type OutPoint,
  type Predicate,
  PREDICATE_VERSION,
  PROTOCOL_VERSION,
  type SignedEventHeader,
  type Tx,
  type TxCore,
  type TxInput,
  type TxKind,
  type TxOutput,
  type Witness,
} from "./schema.ts";
export {
  anchorId,
  claimLeafHash,
  daAttestationDigest,
  decodeAnchor,
  decodeClaim,
  decodeDaAttestation,
  type DecodedEventPayload,
  type DecodedTx,
  decodeEvent,
  decodeEventHeader,
  decodeEventPayload,
  decodeEventPayloadWithIds,
  decodeEvidence,
  decodeMint,
  decodeOutPoint,
  decodePredicate,
  decodeSignedEventHeader,
  decodeTx,
  decodeTxOutput,
  decodeTxWithIds,
  encodeAnchor,
  encodeClaim,
  encodeDaAttestation,
  encodeEvent,
  encodeEventHeader,
  encodeEventPayload,
  encodeEvidence,
  encodeMint,
  encodeOutPoint,
  encodePredicate,
  encodeSignedEventHeader,
  encodeTx,
  encodeTxCore,
  encodeTxOutput,
  eventExtrasHash,
  eventId,
  evidenceId,
  hashlockHash,
  mintId,
  mintPowTemplate,
  payloadRoot,
  predicateCommitment,
  sighash,
  txId,
  wtxId,
} from "./objects.ts";
export {
  EMPTY_MERKLE_ROOT,
  merkleLeaf,
  merkleNode,
  merkleProof,
  merkleRoot,
  verifyMerkleProof,
} from "./merkle.ts";
export {
  ADDRESS_PROGRAM_BYTES,
  ADDRESS_VERSION,
  decodeAddress,
  type DecodedAddress,
  encodeAddress,
  MAX_ADDRESS_LENGTH,
} from "./address.ts";
