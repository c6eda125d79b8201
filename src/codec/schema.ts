/**
 * Every wire format of protocol v1, declared once as coder values; the TypeScript types are derived
 * from them (docs/spec/codec.md §3-§4). Cross-field rules that make an encoding canonical are
 * enforced here on both encode and decode; validity rules that need state or signatures are not.
 * @module
 */
import { MAX_SUPPLY_UNITS, MINT_TIERS } from "../params/mod.ts";
import {
  bytes,
  type Coder,
  compareBytes,
  fail,
  failAt,
  type Infer,
  list,
  literal,
  option,
  type Reader,
  struct,
  u64,
  uint,
  union,
  varBytes,
  varU64,
  varUint,
  versioned,
  type Writer,
} from "./_coder.ts";
import { CodecError } from "./errors.ts";
import {
  MAX_EVENT_EVIDENCE,
  MAX_EVENT_MINTS,
  MAX_INPUTS,
  MAX_INVALIDITY_PROOF_BYTES,
  MAX_MERKLE_PROOF,
  MAX_MULTI_KEYS,
  MAX_MUSIG_SIGNERS,
  MAX_OTHER_PARENTS,
  MAX_OUTPUTS,
  MAX_PAYLOAD_BYTES,
  MAX_PAYLOAD_TXS,
  MAX_PREIMAGE_BYTES,
  MAX_SEATS,
  MAX_SHARDS,
  MAX_WITNESS_SIGS,
} from "./limits.ts";

/** Version byte of every v1 object (transactions, events, mints, anchors, attestations). */
export const PROTOCOL_VERSION = 1;
/** Version byte of predicates (eUTXO predicates v0). */
export const PREDICATE_VERSION = 0;

const hash32 = bytes(32);
const xonly = bytes(32);
const sig64 = bytes(64);
const networkId = uint(4);
const shard = uint(2, 0, MAX_SHARDS - 1);
const seat = uint(1, 0, MAX_SEATS - 1);

/** An amount in units: u64 little-endian, at most the hard cap. */
export const AmountCoder: Coder<bigint> = u64(MAX_SUPPLY_UNITS);
const positiveAmount: Coder<bigint> = {
  name: "amount",
  encodeTo: (w, v) => {
    AmountCoder.encodeTo(w, v);
    if (v === 0n) fail("OUT_OF_RANGE", "amount 0, expected at least 1", { value: 0n, limit: 1n });
  },
  decodeFrom: (r) => {
    const v = AmountCoder.decodeFrom(r);
    if (v === 0n) fail("OUT_OF_RANGE", "amount 0, expected at least 1", { value: 0n, limit: 1n });
    return v;
  },
};

/** True when all 32 bytes are zero. */
export function isZero32(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) if (b[i] !== 0) return false;
  return true;
}

// ---------------------------------------------------------------------------------------------
// Predicates v0 (docs/spec/transactions.md §2)

const keyP = struct("key", { pubkey: xonly });
const musigP = struct("musig", { key: xonly, signers: uint(1, 2, MAX_MUSIG_SIGNERS) });
const multiP = struct(
  "multi",
  {
    threshold: uint(1, 1, MAX_MULTI_KEYS),
    pubkeys: list(MAX_MULTI_KEYS, xonly, { min: 1, strictlyAscending: compareBytes }),
  },
  (v) => {
    if (v.threshold > v.pubkeys.length) {
      failAt(
        "threshold",
        "OUT_OF_RANGE",
        `threshold ${v.threshold} above ${v.pubkeys.length} keys`,
        {
          value: v.threshold,
          limit: v.pubkeys.length,
        },
      );
    }
  },
);
const hashlockP = struct("hashlock", { hash: hash32, pubkey: xonly });
const commitP = struct("commit", { commitment: hash32 });

const innerVariants = {
  key: { tag: 0, coder: keyP },
  musig: { tag: 1, coder: musigP },
  multi: { tag: 2, coder: multiP },
  hashlock: { tag: 3, coder: hashlockP },
  commit: { tag: 5, coder: commitP },
} as const;

/** Body of a predicate that may sit inside `after` (every type but `after`). */
export const InnerPredicateCoder = union("Predicate", innerVariants);
/** A predicate type other than `after`. */
export type InnerPredicate = Infer<typeof InnerPredicateCoder>;

const afterP = struct("after", { anchor: varU64(), inner: InnerPredicateCoder });

/** Predicate v0: version byte 0, tag, body. */
export const PredicateCoder = versioned(
  PREDICATE_VERSION,
  union("Predicate", { ...innerVariants, after: { tag: 4, coder: afterP } }),
);
/**
 * A spending condition (eUTXO predicate v0): `key` (BIP-340 key), `musig` (MuSig2 aggregate key,
 * verified as a BIP-340 key), `multi` (threshold of sorted unique keys), `hashlock` (preimage and a
 * key), `after` (finalized-anchor lock around another predicate), `commit` (commitment to a
 * predicate revealed at spend time; what addresses pay to).
 */
export type Predicate = Infer<typeof PredicateCoder>;

// ---------------------------------------------------------------------------------------------
// Transactions (docs/spec/transactions.md §1)

/** Reference to a transaction output. */
export const OutPointCoder = struct("OutPoint", {
  txId: hash32,
  index: varUint(0, MAX_OUTPUTS - 1),
});
/** Reference to a transaction output: its transaction id and output index. */
export type OutPoint = Infer<typeof OutPointCoder>;

/** Transaction input. */
export const TxInputCoder = struct("TxInput", { prevout: OutPointCoder });
/** Transaction input: the output it spends. */
export type TxInput = Infer<typeof TxInputCoder>;

/** Transaction output. */
export const TxOutputCoder = struct("TxOutput", {
  amount: positiveAmount,
  predicate: PredicateCoder,
});
/** Transaction output: a positive amount and the predicate that guards it. */
export type TxOutput = Infer<typeof TxOutputCoder>;

/** Witness of one input (or of the kind's authorization). */
export const WitnessCoder = struct("Witness", {
  sigs: list(MAX_WITNESS_SIGS, sig64),
  signers: uint(2),
  preimage: option(varBytes(MAX_PREIMAGE_BYTES, 1)),
  reveal: option(PredicateCoder),
});
/**
 * Witness: BIP-340 signatures, the `multi` signer bitmask (bit i = pubkeys[i], 0 otherwise), a
 * hashlock preimage, and the predicate revealed for a `commit` output.
 */
export type Witness = Infer<typeof WitnessCoder>;

/** Claim of a payout leaf (docs/spec/fees.md §4). */
export const ClaimCoder = struct("Claim", {
  payoutRoot: hash32,
  index: varUint(0, 0xffff_ffff),
  amount: positiveAmount,
  predicate: PredicateCoder,
  proof: list(MAX_MERKLE_PROOF, hash32),
});
/** Claim: leaf `index` of the payout tree `payoutRoot`, with its Merkle audit path. */
export type Claim = Infer<typeof ClaimCoder>;

/** Leaf content of a payout tree (hashed with the claim-leaf domain). */
export const ClaimLeafCoder = struct("ClaimLeaf", {
  index: varUint(0, 0xffff_ffff),
  amount: positiveAmount,
  predicate: PredicateCoder,
});
/** Content of one payout-tree leaf. */
export type ClaimLeaf = Infer<typeof ClaimLeafCoder>;

/** Transaction kind and its data. */
export const TxKindCoder = union("TxKind", {
  transfer: { tag: 0, coder: struct("transfer", {}) },
  bond: {
    tag: 1,
    coder: struct("bond", {
      seatKey: xonly,
      blsKey: bytes(48),
      blsPop: bytes(96),
      amount: positiveAmount,
    }),
  },
  unbond: { tag: 2, coder: struct("unbond", { seatKey: xonly, amount: positiveAmount }) },
  claim: { tag: 3, coder: struct("claim", { claim: ClaimCoder }) },
});
/**
 * What a transaction does besides moving coins: `transfer`; `bond` (lock `amount` for a validator
 * seat key with a BLS key and its proof of possession); `unbond` (start releasing `amount`);
 * `claim` (collect a payout leaf). Every kind but `transfer` carries one extra witness.
 */
export type TxKind = Infer<typeof TxKindCoder>;

/** Number of witnesses a kind adds after the per-input witnesses. */
export function extraWitnesses(kind: TxKind): number {
  return kind.type === "transfer" ? 0 : 1;
}

function checkCore(v: { kind: TxKind; inputs: TxInput[] }): void {
  if (v.inputs.length === 0 && v.kind.type !== "claim") {
    failAt("inputs", "LENGTH_OUT_OF_RANGE", "length 0 below 1", { value: 0, limit: 1 });
  }
  const ins = v.inputs;
  for (let i = 1; i < ins.length; i++) {
    const a = (ins[i] as TxInput).prevout;
    for (let j = 0; j < i; j++) {
      const b = (ins[j] as TxInput).prevout;
      if (a.index === b.index && compareBytes(a.txId, b.txId) === 0) {
        failAt(`inputs/${i}`, "NOT_CANONICAL", `duplicate of input ${j}`);
      }
    }
  }
}

/** Transaction without witnesses: what the txId commits to. */
export const TxCoreCoder = struct("TxCore", {
  version: literal(PROTOCOL_VERSION),
  networkId,
  kind: TxKindCoder,
  inputs: list(MAX_INPUTS, TxInputCoder),
  outputs: list(MAX_OUTPUTS, TxOutputCoder, { min: 1 }),
  fee: AmountCoder,
}, checkCore);
/** Transaction without its witnesses. */
export type TxCore = Infer<typeof TxCoreCoder>;

const witnessesCoder = list(MAX_INPUTS + 1, WitnessCoder);

/** Transaction: core fields then witnesses. */
export type Tx = TxCore & { witnesses: Witness[] };

function checkWitnessCount(tx: Tx): void {
  const want = tx.inputs.length + extraWitnesses(tx.kind);
  if (tx.witnesses.length !== want) {
    failAt("witnesses", "LENGTH_OUT_OF_RANGE", `length ${tx.witnesses.length}, expected ${want}`, {
      value: tx.witnesses.length,
      limit: want,
    });
  }
}

/** Decodes a transaction and reports where its core ends (for the txId). */
export function decodeTxFrom(r: Reader): { tx: Tx; coreEnd: number } {
  const core = TxCoreCoder.decodeFrom(r);
  const coreEnd = r.pos;
  let witnesses: Witness[];
  try {
    witnesses = witnessesCoder.decodeFrom(r);
  } catch (e) {
    throw e instanceof CodecError ? e._at("witnesses") : e;
  }
  const tx = core as Tx;
  tx.witnesses = witnesses;
  checkWitnessCount(tx);
  return { tx, coreEnd };
}

/** Transaction coder. */
export const TxCoder: Coder<Tx> = {
  name: "Tx",
  encodeTo(w: Writer, v: Tx) {
    TxCoreCoder.encodeTo(w, v);
    try {
      witnessesCoder.encodeTo(w, v.witnesses);
    } catch (e) {
      throw e instanceof CodecError ? e._at("witnesses") : e;
    }
    checkWitnessCount(v);
  },
  decodeFrom: (r) => decodeTxFrom(r).tx,
};

/** Event payload: the transactions an event carries (data-availability object). */
export const EventPayloadCoder = struct("EventPayload", {
  txs: list(MAX_PAYLOAD_TXS, TxCoder),
});
/** Event payload: up to B transactions; the event header commits to their Merkle root. */
export type EventPayload = Infer<typeof EventPayloadCoder>;

// ---------------------------------------------------------------------------------------------
// Mints (docs/spec/mint.md §1)

/** Mint: a PoW coin emission. The nonce is the last field (PoW preimage = encoding). */
export const MintCoder = struct("Mint", {
  version: literal(PROTOCOL_VERSION),
  networkId,
  prevMintId: hash32,
  height: varU64(),
  target: hash32,
  tier: uint(1, 0, MINT_TIERS - 1),
  payout: PredicateCoder,
  nonce: u64(),
}, (v) => {
  if ((v.height === 0n) !== isZero32(v.prevMintId)) {
    failAt("prevMintId", "NOT_CANONICAL", "must be all-zero exactly when height is 0");
  }
  if (isZero32(v.target)) failAt("target", "OUT_OF_RANGE", "target is zero");
});
/**
 * Mint: emission by proof of work. `target` is a 256-bit big-endian threshold, `tier` selects the
 * maturity (0/1/2), `payout` receives the reward; `nonce` (u64 LE) is the last 8 bytes.
 */
export type Mint = Infer<typeof MintCoder>;

// ---------------------------------------------------------------------------------------------
// Events (docs/spec/consensus.md §1)

/** Event header: everything the eventId and the creator's signature commit to. */
export const EventHeaderCoder = struct("EventHeader", {
  version: literal(PROTOCOL_VERSION),
  networkId,
  shard,
  creator: seat,
  epoch: varU64(),
  seq: varU64(),
  selfParent: hash32,
  parents: list(MAX_OTHER_PARENTS, hash32, { strictlyAscending: compareBytes }),
  payloadRoot: hash32,
  payloadTxs: varUint(0, MAX_PAYLOAD_TXS),
  payloadBytes: varUint(1, MAX_PAYLOAD_BYTES),
  voteMask: u64(),
  extrasHash: hash32,
}, (v) => {
  if ((v.seq === 0n) !== isZero32(v.selfParent)) {
    failAt("selfParent", "NOT_CANONICAL", "must be all-zero exactly when seq is 0");
  }
  for (let i = 0; i < v.parents.length; i++) {
    const p = v.parents[i] as Uint8Array;
    if (isZero32(p)) failAt(`parents/${i}`, "NOT_CANONICAL", "zero parent id");
    if (compareBytes(p, v.selfParent) === 0) {
      failAt(`parents/${i}`, "NOT_CANONICAL", "other parent equals the self-parent");
    }
  }
  if (v.payloadTxs === 0 && v.payloadBytes !== 1) {
    failAt("payloadBytes", "NOT_CANONICAL", `empty payload has 1 byte, got ${v.payloadBytes}`);
  }
});
/**
 * Event header (DAG vertex without its extras and signature): network, shard, creator seat,
 * committee epoch, sequence number, self-parent (zero only for seq 0), up to P-1 other parents
 * (sorted, unique), payload commitment (root, tx count, byte length), vote mask (bit i = seat i),
 * and the hash of the extras (mints and evidence).
 */
export type EventHeader = Infer<typeof EventHeaderCoder>;

/** Header plus the creator's signature: the unit of equivocation evidence. */
export const SignedEventHeaderCoder = struct("SignedEventHeader", {
  header: EventHeaderCoder,
  signature: sig64,
});
/** Event header with the creator's BIP-340 signature over its eventId. */
export type SignedEventHeader = Infer<typeof SignedEventHeaderCoder>;

/** Data-availability attestation (docs/spec/consensus.md §4; provisional layout). */
export const DaAttestationCoder = struct("DaAttestation", {
  version: literal(PROTOCOL_VERSION),
  networkId,
  shard,
  seat,
  epoch: varU64(),
  eventId: hash32,
  payloadRoot: hash32,
  signature: sig64,
});
/** A seat's signed statement that it holds the payload with `payloadRoot` of event `eventId`. */
export type DaAttestation = Infer<typeof DaAttestationCoder>;

/** Slashing evidence (docs/spec/slashing.md §2). */
export const EvidenceCoder = union("Evidence", {
  equivocation: {
    tag: 0,
    coder: struct("equivocation", { a: SignedEventHeaderCoder, b: SignedEventHeaderCoder }, (v) => {
      const a = v.a.header;
      const b = v.b.header;
      if (
        a.networkId !== b.networkId || a.shard !== b.shard || a.creator !== b.creator ||
        a.epoch !== b.epoch || a.seq !== b.seq
      ) {
        failAt("b/header", "NOT_CANONICAL", "headers are not for the same (shard, creator, seq)");
      }
    }),
  },
  voteInvalid: {
    tag: 1,
    coder: struct("voteInvalid", {
      vote: SignedEventHeaderCoder,
      invalid: SignedEventHeaderCoder,
      reason: uint(1),
      proof: varBytes(MAX_INVALIDITY_PROOF_BYTES),
    }),
  },
  conflictingDa: {
    tag: 2,
    coder: struct("conflictingDa", { a: DaAttestationCoder, b: DaAttestationCoder }, (v) => {
      if (v.a.seat !== v.b.seat || v.a.shard !== v.b.shard || v.a.networkId !== v.b.networkId) {
        failAt("b", "NOT_CANONICAL", "attestations are not from the same seat");
      }
    }),
  },
});
/**
 * Slashing evidence: `equivocation` (two signed headers for one slot), `voteInvalid` (an event
 * voting for an invalid one, with a reason code and proof), `conflictingDa` (two contradicting
 * availability attestations by one seat).
 */
export type Evidence = Infer<typeof EvidenceCoder>;

/** Mints of an event. */
export const EventMintsCoder = list(MAX_EVENT_MINTS, MintCoder);
/** Evidence of an event. */
export const EventEvidenceCoder = list(MAX_EVENT_EVIDENCE, EvidenceCoder);

/** Full event: header, extras (mints, evidence), signature. */
export interface Event {
  /** Signed header. */
  header: EventHeader;
  /** Mints carried in full (their hash with the evidence is `header.extrasHash`). */
  mints: Mint[];
  /** Slashing evidence carried in full. */
  evidence: Evidence[];
  /** BIP-340 signature by the creator's seat key over the eventId. */
  signature: Uint8Array;
}

// ---------------------------------------------------------------------------------------------
// Anchors (docs/spec/consensus.md §5)

/** Anchor: the finality record of one finalized anchor event. */
export const AnchorCoder = struct("Anchor", {
  version: literal(PROTOCOL_VERSION),
  networkId,
  index: varU64(),
  round: varU64(),
  anchorEventId: hash32,
  orderedEventsRoot: hash32,
  stateRoot: hash32,
  payoutRoot: hash32,
  voteMask: u64(),
  prevAnchorId: hash32,
}, (v) => {
  if ((v.index === 0n) !== isZero32(v.prevAnchorId)) {
    failAt("prevAnchorId", "NOT_CANONICAL", "must be all-zero exactly when index is 0");
  }
});
/**
 * Anchor (finality record): global anchor index, DAG round, anchor event id, Merkle root of the
 * events it orders, state root after applying them, payout root of its fee distribution (zero when
 * none), the vote mask that finalized it, and the previous anchor's id (zero for index 0).
 */
export type Anchor = Infer<typeof AnchorCoder>;
