/**
 * fast-check arbitraries of every wire object, for the codec's own tests. Private to the module.
 * @module
 */
import fc from "fast-check";
import { MAX_SUPPLY_UNITS, MINT_TIERS } from "../params/mod.ts";
import { compareBytes } from "./_coder.ts";
import {
  MAX_MUSIG_SIGNERS,
  MAX_OTHER_PARENTS,
  MAX_PAYLOAD_BYTES,
  MAX_PAYLOAD_TXS,
  MAX_SEATS,
  MAX_SHARDS,
} from "./limits.ts";
import { EMPTY_MERKLE_ROOT } from "./merkle.ts";
import { eventExtrasHash } from "./objects.ts";
import type {
  Anchor,
  Claim,
  DaAttestation,
  Event,
  EventHeader,
  EventPayload,
  Evidence,
  InnerPredicate,
  Mint,
  OutPoint,
  Predicate,
  SignedEventHeader,
  Tx,
  TxKind,
  TxOutput,
  Witness,
} from "./schema.ts";

export const bytesN = (n: number): fc.Arbitrary<Uint8Array> =>
  fc.uint8Array({ minLength: n, maxLength: n });
export const hash32 = bytesN(32);
export const bytes64Alt = bytesN(64);
const nonZero32 = hash32.filter((b) => b.some((x) => x !== 0));
export const amount = fc.bigInt({ min: 1n, max: MAX_SUPPLY_UNITS });
const u64 = fc.bigInt({ min: 0n, max: 0xffff_ffff_ffff_ffffn });
const smallU64 = fc.oneof(fc.bigInt({ min: 0n, max: 1000n }), u64);

export const innerPredicate: fc.Arbitrary<InnerPredicate> = fc.oneof(
  hash32.map((pubkey) => ({ type: "key" as const, pubkey })),
  fc.record({ key: hash32, signers: fc.integer({ min: 2, max: MAX_MUSIG_SIGNERS }) }).map((r) => ({
    type: "musig" as const,
    ...r,
  })),
  fc.uniqueArray(hash32, {
    minLength: 1,
    maxLength: 16,
    selector: (b) => Array.from(b).join(","),
  }).chain((keys) => {
    const pubkeys = [...keys].sort(compareBytes);
    return fc.integer({ min: 1, max: pubkeys.length }).map((threshold) => ({
      type: "multi" as const,
      threshold,
      pubkeys,
    }));
  }),
  fc.record({ hash: hash32, pubkey: hash32 }).map((r) => ({ type: "hashlock" as const, ...r })),
  hash32.map((commitment) => ({ type: "commit" as const, commitment })),
);

export const predicate: fc.Arbitrary<Predicate> = fc.oneof(
  innerPredicate,
  fc.record({ anchor: smallU64, inner: innerPredicate }).map((r) => ({
    type: "after" as const,
    ...r,
  })),
);

export const outPoint: fc.Arbitrary<OutPoint> = fc.record({
  txId: hash32,
  index: fc.integer({ min: 0, max: 63 }),
});

export const txOutput: fc.Arbitrary<TxOutput> = fc.record({ amount, predicate });

export const witness: fc.Arbitrary<Witness> = fc.record({
  sigs: fc.array(bytesN(64), { maxLength: 3 }),
  signers: fc.integer({ min: 0, max: 0xffff }),
  preimage: fc.option(fc.uint8Array({ minLength: 1, maxLength: 64 }), { nil: null }),
  reveal: fc.option(predicate, { nil: null }),
});

export const claim: fc.Arbitrary<Claim> = fc.record({
  payoutRoot: hash32,
  index: fc.nat(),
  amount,
  predicate,
  proof: fc.array(hash32, { maxLength: 5 }),
});

export const txKind: fc.Arbitrary<TxKind> = fc.oneof(
  fc.constant({ type: "transfer" as const }),
  fc.record({ seatKey: hash32, blsKey: bytesN(48), blsPop: bytesN(96), amount }).map((r) => ({
    type: "bond" as const,
    ...r,
  })),
  fc.record({ seatKey: hash32, amount }).map((r) => ({ type: "unbond" as const, ...r })),
  claim.map((c) => ({ type: "claim" as const, claim: c })),
);

export const tx: fc.Arbitrary<Tx> = txKind.chain((kind) =>
  fc.record({
    networkId: fc.nat({ max: 0xffff_ffff }),
    inputs: fc.uniqueArray(outPoint, {
      minLength: kind.type === "claim" ? 0 : 1,
      maxLength: 4,
      selector: (o) => `${Array.from(o.txId).join(",")}:${o.index}`,
    }),
    outputs: fc.array(txOutput, { minLength: 1, maxLength: 3 }),
    fee: fc.bigInt({ min: 0n, max: MAX_SUPPLY_UNITS }),
    witnesses: fc.array(witness, { minLength: 5, maxLength: 5 }),
  }).map((r) => ({
    version: 1 as const,
    networkId: r.networkId,
    kind,
    inputs: r.inputs.map((prevout) => ({ prevout })),
    outputs: r.outputs,
    fee: r.fee,
    witnesses: r.witnesses.slice(0, r.inputs.length + (kind.type === "transfer" ? 0 : 1)),
  }))
);

export const payload: fc.Arbitrary<EventPayload> = fc.record({
  txs: fc.array(tx, { maxLength: 3 }),
});

export const mint: fc.Arbitrary<Mint> = fc.record({
  networkId: fc.nat({ max: 0xffff_ffff }),
  height: smallU64,
  prev: nonZero32,
  target: nonZero32,
  tier: fc.integer({ min: 0, max: MINT_TIERS - 1 }),
  payout: predicate,
  nonce: u64,
}).map((r) => ({
  version: 1 as const,
  networkId: r.networkId,
  prevMintId: r.height === 0n ? new Uint8Array(32) : r.prev,
  height: r.height,
  target: r.target,
  tier: r.tier,
  payout: r.payout,
  nonce: r.nonce,
}));

export const eventHeader: fc.Arbitrary<EventHeader> = fc.record({
  networkId: fc.nat({ max: 0xffff_ffff }),
  shard: fc.integer({ min: 0, max: MAX_SHARDS - 1 }),
  creator: fc.integer({ min: 0, max: MAX_SEATS - 1 }),
  epoch: smallU64,
  seq: smallU64,
  self: nonZero32,
  parents: fc.uniqueArray(nonZero32, {
    maxLength: MAX_OTHER_PARENTS,
    selector: (b) => Array.from(b).join(","),
  }),
  payloadRoot: hash32,
  payloadTxs: fc.integer({ min: 0, max: MAX_PAYLOAD_TXS }),
  payloadBytes: fc.integer({ min: 1, max: MAX_PAYLOAD_BYTES }),
  voteMask: u64,
  extrasHash: hash32,
}).map((r) => {
  const selfParent = r.seq === 0n ? new Uint8Array(32) : r.self;
  const parents = r.parents.filter((p) => compareBytes(p, selfParent) !== 0).sort(compareBytes);
  return {
    version: 1 as const,
    networkId: r.networkId,
    shard: r.shard,
    creator: r.creator,
    epoch: r.epoch,
    seq: r.seq,
    selfParent,
    parents,
    payloadRoot: r.payloadTxs === 0 ? EMPTY_MERKLE_ROOT : r.payloadRoot,
    payloadTxs: r.payloadTxs,
    payloadBytes: r.payloadTxs === 0 ? 1 : r.payloadBytes,
    voteMask: r.voteMask,
    extrasHash: r.extrasHash,
  };
});

export const signedHeader: fc.Arbitrary<SignedEventHeader> = fc.record({
  header: eventHeader,
  signature: bytesN(64),
});

export const daAttestation: fc.Arbitrary<DaAttestation> = fc.record({
  version: fc.constant(1 as const),
  networkId: fc.nat({ max: 0xffff_ffff }),
  shard: fc.integer({ min: 0, max: MAX_SHARDS - 1 }),
  seat: fc.integer({ min: 0, max: MAX_SEATS - 1 }),
  epoch: smallU64,
  eventId: hash32,
  payloadRoot: hash32,
  signature: bytesN(64),
});

export const evidence: fc.Arbitrary<Evidence> = fc.oneof(
  fc.record({ a: signedHeader, b: signedHeader }).map(({ a, b }) => ({
    type: "equivocation" as const,
    a,
    b: {
      header: {
        ...b.header,
        networkId: a.header.networkId,
        shard: a.header.shard,
        creator: a.header.creator,
        epoch: a.header.epoch,
        seq: a.header.seq,
        selfParent: a.header.selfParent,
        parents: [],
      },
      signature: b.signature,
    },
  })),
  fc.record({
    vote: signedHeader,
    invalid: signedHeader,
    reason: fc.integer({ min: 0, max: 255 }),
    proof: fc.uint8Array({ maxLength: 100 }),
  }).map((r) => ({ type: "voteInvalid" as const, ...r })),
  fc.record({ a: daAttestation, b: daAttestation }).map(({ a, b }) => ({
    type: "conflictingDa" as const,
    a,
    b: { ...b, networkId: a.networkId, shard: a.shard, seat: a.seat },
  })),
);

export const event: fc.Arbitrary<Event> = fc.record({
  header: eventHeader,
  mints: fc.array(mint, { maxLength: 2 }),
  evidence: fc.array(evidence, { maxLength: 2 }),
  signature: bytesN(64),
}).map((r) => ({
  header: { ...r.header, extrasHash: eventExtrasHash(r.mints, r.evidence) },
  mints: r.mints,
  evidence: r.evidence,
  signature: r.signature,
}));

export const anchor: fc.Arbitrary<Anchor> = fc.record({
  networkId: fc.nat({ max: 0xffff_ffff }),
  index: smallU64,
  round: smallU64,
  anchorEventId: hash32,
  orderedEventsRoot: hash32,
  stateRoot: hash32,
  payoutRoot: hash32,
  voteMask: u64,
  prev: nonZero32,
}).map(({ prev, ...r }) => ({
  version: 1 as const,
  ...r,
  prevAnchorId: r.index === 0n ? new Uint8Array(32) : prev,
}));
