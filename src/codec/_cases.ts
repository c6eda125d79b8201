/**
 * The table of every public object codec with its arbitrary, shared by the round-trip and fuzz
 * tests. Private to the codec module.
 * @module
 */
import type fc from "fast-check";
import * as A from "./_arbitrary.ts";
import {
  decodeAnchor,
  decodeClaim,
  decodeDaAttestation,
  decodeEvent,
  decodeEventHeader,
  decodeEventPayload,
  decodeEvidence,
  decodeMint,
  decodeOutPoint,
  decodePredicate,
  decodeSignedEventHeader,
  decodeTx,
  decodeTxOutput,
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
  encodeTxOutput,
} from "./mod.ts";

/** One object codec under test. */
export interface Case {
  name: string;
  arb: fc.Arbitrary<unknown>;
  enc: (v: unknown) => Uint8Array;
  dec: (b: Uint8Array) => unknown;
}

function mk<T>(
  name: string,
  arb: fc.Arbitrary<T>,
  enc: (v: T) => Uint8Array,
  dec: (b: Uint8Array) => T,
): Case {
  return { name, arb, enc: (v) => enc(v as T), dec };
}

/** Every public object codec, shared with the fuzz tests. */
export const CASES: Case[] = [
  mk("Predicate", A.predicate, encodePredicate, decodePredicate),
  mk("OutPoint", A.outPoint, encodeOutPoint, decodeOutPoint),
  mk("TxOutput", A.txOutput, encodeTxOutput, decodeTxOutput),
  mk("Tx", A.tx, encodeTx, decodeTx),
  mk("EventPayload", A.payload, encodeEventPayload, decodeEventPayload),
  mk("EventHeader", A.eventHeader, encodeEventHeader, decodeEventHeader),
  mk("SignedEventHeader", A.signedHeader, encodeSignedEventHeader, decodeSignedEventHeader),
  mk("Event", A.event, encodeEvent, decodeEvent),
  mk("Mint", A.mint, encodeMint, decodeMint),
  mk("Evidence", A.evidence, encodeEvidence, decodeEvidence),
  mk("DaAttestation", A.daAttestation, encodeDaAttestation, decodeDaAttestation),
  mk("Claim", A.claim, encodeClaim, decodeClaim),
  mk("Anchor", A.anchor, encodeAnchor, decodeAnchor),
];

/** Deep copy with ordinary prototypes (fast-check records have a null prototype). */
export function plain<T>(v: T): T {
  if (v instanceof Uint8Array || typeof v !== "object" || v === null) return v;
  if (Array.isArray(v)) return v.map(plain) as T;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = plain(x);
  return out as T;
}
