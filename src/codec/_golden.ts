/**
 * Golden vectors of the codec: fixed objects, their canonical encodings and ids, plus negative
 * cases. `deno run -A src/codec/_golden.ts --write` regenerates testdata/vectors/codec/*.json; the
 * runner (vectors_test.ts) checks the frozen files against the code. Regenerating is a protocol
 * change: review the diff. Private to the codec module.
 * @module
 */
import { bytesToHex } from "@noble/hashes/utils.js";
import { blake3 } from "../crypto/mod.ts";
import {
  anchorId,
  claimLeafHash,
  daAttestationDigest,
  domainKey,
  DOMAINS,
  encodeAddress,
  encodeAnchor,
  encodeClaim,
  encodeDaAttestation,
  encodeEvent,
  encodeEventHeader,
  encodeEventPayload,
  encodeEvidence,
  encodeMint,
  encodePredicate,
  encodeTx,
  eventExtrasHash,
  eventId,
  evidenceId,
  hashlockHash,
  merkleProof,
  merkleRoot,
  mintId,
  payloadRoot,
  predicateCommitment,
  sighash,
  txId,
  wtxId,
} from "./mod.ts";
import type {
  Anchor,
  Claim,
  DaAttestation,
  Event,
  EventHeader,
  Evidence,
  Mint,
  Predicate,
  Tx,
  TxOutput,
} from "./mod.ts";

const enc = new TextEncoder();
/** Deterministic bytes for a label. */
export function fixed(label: string, n = 32): Uint8Array {
  return blake3(enc.encode(label), { dkLen: n });
}
/** Lowercase hex. */
export function hex(b: Uint8Array): string {
  return bytesToHex(b);
}
/** Parses lowercase hex. */
export function unhex(s: string): Uint8Array {
  if (s.length % 2 !== 0 || !/^[0-9a-f]*$/.test(s)) throw new TypeError(`Invalid hex: "${s}"`);
  return Uint8Array.from(s.match(/../g) ?? [], (h) => parseInt(h, 16));
}

/** JSON form of a decoded value: bytes as "0x…" hex, bigints as decimal strings. */
export function toJson(v: unknown): unknown {
  if (v instanceof Uint8Array) return `0x${hex(v)}`;
  if (typeof v === "bigint") return v.toString();
  if (Array.isArray(v)) return v.map(toJson);
  if (typeof v === "object" && v !== null) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toJson(x)]));
  }
  return v;
}

const sortedKeys = [fixed("multi/a"), fixed("multi/b"), fixed("multi/c")].sort((a, b) => {
  for (let i = 0; i < 32; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
});

/** Named predicates, one per type. */
export const PREDICATES: Record<string, Predicate> = {
  key: { type: "key", pubkey: fixed("key/alice") },
  musig: { type: "musig", key: fixed("musig/agg"), signers: 3 },
  multi: { type: "multi", threshold: 2, pubkeys: sortedKeys },
  hashlock: {
    type: "hashlock",
    hash: hashlockHash(enc.encode("secret")),
    pubkey: fixed("key/bob"),
  },
  after: { type: "after", anchor: 150_000n, inner: { type: "key", pubkey: fixed("key/carol") } },
  commit: {
    type: "commit",
    commitment: predicateCommitment({ type: "key", pubkey: fixed("key/dave") }),
  },
};

const sig = (label: string) => fixed(`sig/${label}`, 64);
const noWitnessData = { signers: 0, preimage: null, reveal: null };

/** 1-input, 2-output transfer: the typical transaction of the benchmarks. */
export const TX_TRANSFER: Tx = {
  version: 1,
  networkId: 1,
  kind: { type: "transfer" },
  inputs: [{ prevout: { txId: fixed("prev/0"), index: 1 } }],
  outputs: [
    { amount: 150_000_000n, predicate: PREDICATES.commit! },
    { amount: 849_990_000n, predicate: PREDICATES.key! },
  ],
  fee: 10_000n,
  witnesses: [{ sigs: [sig("alice")], ...noWitnessData }],
};

/** Spent output of TX_TRANSFER's input. */
export const TX_TRANSFER_SPENT: TxOutput[] = [{
  amount: 1_000_000_000n,
  predicate: PREDICATES.key!,
}];

const claim: Claim = (() => {
  const leaves = [0, 1, 2].map((i) => ({
    index: i,
    amount: BigInt(1000 + i),
    predicate: PREDICATES.key!,
  }));
  const items = leaves.map(claimLeafHash);
  return {
    payoutRoot: merkleRoot(items),
    index: 2,
    amount: 1002n,
    predicate: PREDICATES.key!,
    proof: merkleProof(items, 2),
  };
})();

/** One transaction of every kind and predicate/witness shape. */
export const TXS: Record<string, Tx> = {
  transfer: TX_TRANSFER,
  multiInput: {
    version: 1,
    networkId: 2,
    kind: { type: "transfer" },
    inputs: [
      { prevout: { txId: fixed("prev/1"), index: 0 } },
      { prevout: { txId: fixed("prev/2"), index: 63 } },
    ],
    outputs: [{ amount: 5n, predicate: PREDICATES.after! }],
    fee: 0n,
    witnesses: [
      { sigs: [sig("m1"), sig("m2")], signers: 0b101, preimage: null, reveal: null },
      {
        sigs: [sig("bob")],
        signers: 0,
        preimage: enc.encode("secret"),
        reveal: PREDICATES.hashlock!,
      },
    ],
  },
  bond: {
    version: 1,
    networkId: 3,
    kind: {
      type: "bond",
      seatKey: fixed("seat/0"),
      blsKey: fixed("bls/0", 48),
      blsPop: fixed("pop/0", 96),
      amount: 1_000_000_000_000n,
    },
    inputs: [{ prevout: { txId: fixed("prev/3"), index: 0 } }],
    outputs: [{ amount: 1n, predicate: PREDICATES.musig! }],
    fee: 100n,
    witnesses: [{ sigs: [sig("w")], ...noWitnessData }, { sigs: [sig("seat")], ...noWitnessData }],
  },
  unbond: {
    version: 1,
    networkId: 3,
    kind: { type: "unbond", seatKey: fixed("seat/0"), amount: 1_000_000_000_000n },
    inputs: [{ prevout: { txId: fixed("prev/4"), index: 2 } }],
    outputs: [{ amount: 10n, predicate: PREDICATES.key! }],
    fee: 1n,
    witnesses: [{ sigs: [sig("w")], ...noWitnessData }, { sigs: [sig("seat")], ...noWitnessData }],
  },
  claim: {
    version: 1,
    networkId: 1,
    kind: { type: "claim", claim },
    inputs: [],
    outputs: [{ amount: 1000n, predicate: PREDICATES.multi! }],
    fee: 2n,
    witnesses: [{ sigs: [sig("claimer")], ...noWitnessData }],
  },
};

/** Genesis mint and its successor. */
export const MINTS: Record<string, Mint> = (() => {
  const genesis: Mint = {
    version: 1,
    networkId: 1,
    prevMintId: new Uint8Array(32),
    height: 0n,
    target: unhex("00000000ffff" + "00".repeat(26)),
    tier: 0,
    payout: PREDICATES.key!,
    nonce: 123_456_789n,
  };
  return {
    genesis,
    next: {
      ...genesis,
      prevMintId: mintId(genesis),
      height: 1n,
      tier: 2,
      payout: PREDICATES.commit!,
      nonce: 0xffff_ffff_ffff_ffffn,
    },
  };
})();

/** Payload of two transactions. */
export const PAYLOAD = { txs: [TX_TRANSFER, TXS.multiInput!] };

const header: EventHeader = {
  version: 1,
  networkId: 1,
  shard: 63,
  creator: 20,
  epoch: 7n,
  seq: 1000n,
  selfParent: fixed("event/self"),
  parents: [fixed("event/p1"), fixed("event/p2"), fixed("event/p3")].sort((a, b) => {
    for (let i = 0; i < 32; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
    return 0;
  }),
  payloadRoot: payloadRoot(PAYLOAD.txs.map(txId)),
  payloadTxs: 2,
  payloadBytes: encodeEventPayload(PAYLOAD).length,
  voteMask: 0x1f_ffffn,
  extrasHash: eventExtrasHash([], []),
};

const genesisHeader: EventHeader = {
  ...header,
  seq: 0n,
  epoch: 0n,
  selfParent: new Uint8Array(32),
  parents: [],
  payloadRoot: merkleRoot([]),
  payloadTxs: 0,
  payloadBytes: 1,
  voteMask: 0n,
};

const da = (root: string): DaAttestation => ({
  version: 1,
  networkId: 1,
  shard: 63,
  seat: 4,
  epoch: 7n,
  eventId: eventId(header),
  payloadRoot: fixed(root),
  signature: sig(`da/${root}`),
});

/** One evidence of every kind. */
export const EVIDENCE: Record<string, Evidence> = {
  equivocation: {
    type: "equivocation",
    a: { header, signature: sig("eq/a") },
    b: { header: { ...header, voteMask: 1n }, signature: sig("eq/b") },
  },
  voteInvalid: {
    type: "voteInvalid",
    vote: { header, signature: sig("vi/vote") },
    invalid: { header: genesisHeader, signature: sig("vi/invalid") },
    reason: 3,
    proof: enc.encode("proof bytes"),
  },
  conflictingDa: { type: "conflictingDa", a: da("da/a"), b: da("da/b") },
};

/** Events: genesis (empty) and one with a mint and evidence. */
export const EVENTS: Record<string, Event> = {
  genesis: { header: genesisHeader, mints: [], evidence: [], signature: sig("ev/genesis") },
  full: {
    header: {
      ...header,
      extrasHash: eventExtrasHash([MINTS.next!], [EVIDENCE.equivocation!]),
    },
    mints: [MINTS.next!],
    evidence: [EVIDENCE.equivocation!],
    signature: sig("ev/full"),
  },
};

/** Anchors 0 and 1. */
export const ANCHORS: Record<string, Anchor> = (() => {
  const a0: Anchor = {
    version: 1,
    networkId: 1,
    index: 0n,
    round: 0n,
    anchorEventId: eventId(genesisHeader),
    orderedEventsRoot: merkleRoot([eventId(genesisHeader)]),
    stateRoot: fixed("state/0"),
    payoutRoot: new Uint8Array(32),
    voteMask: 0x1f_ffffn,
    prevAnchorId: new Uint8Array(32),
  };
  return {
    genesis: a0,
    next: {
      ...a0,
      index: 1n,
      round: 3n,
      anchorEventId: eventId(header),
      orderedEventsRoot: merkleRoot([eventId(header), fixed("event/x")]),
      stateRoot: fixed("state/1"),
      payoutRoot: claim.payoutRoot,
      prevAnchorId: anchorId(a0),
    },
  };
})();

/** A positive vector. */
export interface Vector {
  name: string;
  object: unknown;
  hex: string;
  ids: Record<string, string>;
}

/** A negative vector: bytes every decoder must refuse with this code and path. */
export interface BadVector {
  name: string;
  hex: string;
  code: string;
  path: string;
}

/** Builds every vector file's content, keyed by file name. */
export function buildVectors(): Record<string, unknown> {
  const v = (
    name: string,
    object: unknown,
    bytes: Uint8Array,
    ids: Record<string, Uint8Array>,
  ) => ({
    name,
    object: toJson(object),
    hex: hex(bytes),
    ids: Object.fromEntries(Object.entries(ids).map(([k, x]) => [k, hex(x)])),
  });
  const predicates = Object.entries(PREDICATES).map(([n, p]) =>
    v(n, p, encodePredicate(p), { commitment: predicateCommitment(p) })
  );
  const txs = Object.entries(TXS).map(([n, t]) =>
    v(n, t, encodeTx(t), { txId: txId(t), wtxId: wtxId(t) })
  );
  const t = TX_TRANSFER;
  const bad = badVectors();
  const merkle = [0, 1, 2, 3, 4, 5, 7, 8, 9].map((n) => {
    const items = Array.from({ length: n }, (_, i) => fixed(`leaf/${i}`));
    return {
      size: n,
      items: items.map(hex),
      root: hex(merkleRoot(items)),
      proofs: items.map((_, i) => merkleProof(items, i).map(hex)),
    };
  });
  return {
    "predicates.json": { vectors: predicates },
    "transactions.json": {
      vectors: txs,
      sighash: {
        tx: "transfer",
        spentOutputs: toJson(TX_TRANSFER_SPENT),
        index: 0,
        sighash: hex(sighash(t, 0, TX_TRANSFER_SPENT)),
      },
    },
    "payloads.json": {
      vectors: [v("two-txs", PAYLOAD, encodeEventPayload(PAYLOAD), {
        payloadRoot: payloadRoot(PAYLOAD.txs.map(txId)),
      })],
    },
    "events.json": {
      headers: [v("header", header, encodeEventHeader(header), { eventId: eventId(header) })],
      vectors: Object.entries(EVENTS).map(([n, e]) =>
        v(n, e, encodeEvent(e), { eventId: eventId(e.header) })
      ),
    },
    "mints.json": {
      vectors: Object.entries(MINTS).map(([n, m]) => v(n, m, encodeMint(m), { mintId: mintId(m) })),
    },
    "evidence.json": {
      vectors: Object.entries(EVIDENCE).map(([n, e]) =>
        v(n, e, encodeEvidence(e), { evidenceId: evidenceId(e) })
      ),
      daAttestation: v("da", da("da/a"), encodeDaAttestation(da("da/a")), {
        digest: daAttestationDigest(da("da/a")),
      }),
    },
    "claims.json": {
      vectors: [v("claim", claim, encodeClaim(claim), { leaf: claimLeafHash(claim) })],
    },
    "anchors.json": {
      vectors: Object.entries(ANCHORS).map(([n, a]) =>
        v(n, a, encodeAnchor(a), { anchorId: anchorId(a) })
      ),
    },
    "merkle.json": { vectors: merkle },
    "domains.json": {
      vectors: Object.entries(DOMAINS).map(([name, tag]) => ({
        name,
        tag,
        key: hex(domainKey(name as keyof typeof DOMAINS)),
      })),
    },
    "addresses.json": {
      vectors: Object.entries(PREDICATES).flatMap(([n, p]) =>
        (["mainnet", "testnet", "devnet"] as const).map((net) => ({
          name: `${n}/${net}`,
          network: net,
          predicate: hex(encodePredicate(p)),
          commitment: hex(predicateCommitment(p)),
          address: encodeAddress(p, net),
        }))
      ),
    },
    "invalid.json": { vectors: bad },
  };
}

function badVectors(): BadVector[] {
  const tx = encodeTx(TX_TRANSFER);
  const out: BadVector[] = [];
  const add = (name: string, b: Uint8Array | number[], code: string, path: string) =>
    out.push({ name: `Tx/${name}`, hex: hex(Uint8Array.from(b)), code, path });
  add("empty", [], "TRUNCATED", "version");
  add("trailing byte", [...tx, 0], "TRAILING_BYTES", "");
  add("unknown version", [2, ...tx.subarray(1)], "UNKNOWN_VERSION", "version");
  add("unknown kind", [...tx.subarray(0, 5), 9, ...tx.subarray(6)], "UNKNOWN_TAG", "kind");
  add("truncated", tx.subarray(0, tx.length - 1), "TRUNCATED", "witnesses/0/reveal");
  add(
    "non-minimal index",
    [...tx.subarray(0, 39), 0x81, 0x00, ...tx.subarray(40)],
    "NON_MINIMAL_VARINT",
    "inputs/0/prevout/index",
  );
  add(
    "index out of range",
    [...tx.subarray(0, 39), 64, ...tx.subarray(40)],
    "OUT_OF_RANGE",
    "inputs/0/prevout/index",
  );
  add(
    "too many inputs",
    [...tx.subarray(0, 6), 65, ...tx.subarray(7)],
    "LENGTH_OUT_OF_RANGE",
    "inputs",
  );
  return out.concat([
    {
      name: "Predicate/unsorted multi",
      hex: hex(Uint8Array.from([0, 2, 1, 2, ...sortedKeys[1]!, ...sortedKeys[0]!])),
      code: "NOT_CANONICAL",
      path: "pubkeys/1",
    },
    {
      name: "Predicate/nested after",
      hex: hex(Uint8Array.from([0, 4, 1, 4, 1, 0, ...fixed("k")])),
      code: "UNKNOWN_TAG",
      path: "inner",
    },
    {
      name: "Predicate/unknown version",
      hex: hex(Uint8Array.from([1, 0, ...fixed("k")])),
      code: "UNKNOWN_VERSION",
      path: "version",
    },
    {
      name: "Mint/height 0 with a previous mint",
      hex: hex(encodeMint(MINTS.next!).map((x, i) => (i === 37 ? 0 : x))),
      code: "NOT_CANONICAL",
      path: "prevMintId",
    },
    {
      name: "Event/extras hash mismatch",
      hex: hex(Uint8Array.from([...encodeEventHeader(EVENTS.full!.header), 0, 0, ...sig("x")])),
      code: "NOT_CANONICAL",
      path: "header/extrasHash",
    },
  ]);
}

if (import.meta.main && Deno.args.includes("--write")) {
  const dir = new URL("../../testdata/vectors/codec/", import.meta.url);
  await Deno.mkdir(dir, { recursive: true });
  for (const [file, content] of Object.entries(buildVectors())) {
    await Deno.writeTextFile(new URL(file, dir), JSON.stringify(content, null, 1) + "\n");
  }
  console.log(`wrote ${Object.keys(buildVectors()).length} files to ${dir.pathname}`);
}
