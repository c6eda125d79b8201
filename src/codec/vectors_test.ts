import assert from "node:assert/strict";
import { buildVectors, hex, toJson, unhex } from "./_golden.ts";
import {
  anchorId,
  claimLeafHash,
  CodecError,
  daAttestationDigest,
  decodeAddress,
  decodeAnchor,
  decodeClaim,
  decodeDaAttestation,
  decodeEvent,
  decodeEventHeader,
  decodeEventPayload,
  decodeEvidence,
  decodeMint,
  decodePredicate,
  decodeTx,
  decodeTxWithIds,
  domainKey,
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
  eventId,
  evidenceId,
  merkleProof,
  merkleRoot,
  mintId,
  payloadRoot,
  predicateCommitment,
  sighash,
  txId,
  type TxOutput,
  wtxId,
} from "./mod.ts";

const DIR = new URL("../../testdata/vectors/codec/", import.meta.url);
const read = async (file: string) => JSON.parse(await Deno.readTextFile(new URL(file, DIR)));

interface V {
  name: string;
  object: unknown;
  hex: string;
  ids: Record<string, string>;
}

/** Checks decode(hex) against the JSON object, re-encoding, and each id. */
function check<T>(
  file: string,
  vs: V[],
  dec: (b: Uint8Array) => T,
  enc: (v: T) => Uint8Array,
  ids: Record<string, (v: T) => Uint8Array>,
): void {
  assert.ok(vs.length > 0, `${file}: no vectors`);
  for (const v of vs) {
    const b = unhex(v.hex);
    const obj = dec(b);
    assert.deepStrictEqual(toJson(obj), v.object, `${file} ${v.name}: decoded object`);
    assert.equal(hex(enc(obj)), v.hex, `${file} ${v.name}: re-encoding`);
    for (const [k, f] of Object.entries(ids)) {
      assert.equal(hex(f(obj)), v.ids[k], `${file} ${v.name}: ${k}`);
    }
  }
}

Deno.test("golden vectors: predicates, transactions and payloads", async () => {
  check(
    "predicates.json",
    (await read("predicates.json")).vectors,
    decodePredicate,
    encodePredicate,
    {
      commitment: predicateCommitment,
    },
  );
  const t = await read("transactions.json");
  check("transactions.json", t.vectors, decodeTx, encodeTx, { txId, wtxId });
  for (const v of t.vectors as V[]) {
    const d = decodeTxWithIds(unhex(v.hex));
    assert.equal(hex(d.txId), v.ids.txId, `${v.name}: decodeTxWithIds txId`);
    assert.equal(hex(d.wtxId), v.ids.wtxId, `${v.name}: decodeTxWithIds wtxId`);
  }
  const sh = t.sighash;
  const tx = decodeTx(unhex((t.vectors as V[]).find((v) => v.name === sh.tx)!.hex));
  const spent: TxOutput[] = [{
    amount: BigInt(sh.spentOutputs[0].amount),
    predicate: { type: "key", pubkey: unhex(sh.spentOutputs[0].predicate.pubkey.slice(2)) },
  }];
  assert.equal(hex(sighash(tx, sh.index, spent)), sh.sighash, "sighash");
  const p = await read("payloads.json");
  check("payloads.json", p.vectors, decodeEventPayload, encodeEventPayload, {
    payloadRoot: (x) => payloadRoot(x.txs.map(txId)),
  });
});

Deno.test("golden vectors: events, mints, evidence, claims and anchors", async () => {
  const e = await read("events.json");
  check("events.json", e.headers, decodeEventHeader, encodeEventHeader, { eventId });
  check("events.json", e.vectors, decodeEvent, encodeEvent, { eventId: (x) => eventId(x.header) });
  check("mints.json", (await read("mints.json")).vectors, decodeMint, encodeMint, { mintId });
  const ev = await read("evidence.json");
  check("evidence.json", ev.vectors, decodeEvidence, encodeEvidence, { evidenceId });
  check("evidence.json", [ev.daAttestation], decodeDaAttestation, encodeDaAttestation, {
    digest: daAttestationDigest,
  });
  check("claims.json", (await read("claims.json")).vectors, decodeClaim, encodeClaim, {
    leaf: claimLeafHash,
  });
  check("anchors.json", (await read("anchors.json")).vectors, decodeAnchor, encodeAnchor, {
    anchorId,
  });
});

Deno.test("golden vectors: merkle roots, proofs, domain keys and addresses", async () => {
  for (const v of (await read("merkle.json")).vectors) {
    const items = (v.items as string[]).map(unhex);
    assert.equal(hex(merkleRoot(items)), v.root, `merkle size ${v.size}`);
    items.forEach((_, i) => {
      assert.deepStrictEqual(
        merkleProof(items, i).map(hex),
        v.proofs[i],
        `size ${v.size} index ${i}`,
      );
    });
  }
  for (const v of (await read("domains.json")).vectors) {
    assert.equal(hex(domainKey(v.name)), v.key, v.tag);
  }
  for (const v of (await read("addresses.json")).vectors) {
    const p = decodePredicate(unhex(v.predicate));
    assert.equal(encodeAddress(p, v.network), v.address, v.name);
    assert.equal(hex(decodeAddress(v.address, v.network).commitment), v.commitment, v.name);
  }
});

const DECODERS: Record<string, (b: Uint8Array) => unknown> = {
  Tx: decodeTx,
  Predicate: decodePredicate,
  Mint: decodeMint,
  Event: decodeEvent,
};

Deno.test("golden vectors: every invalid encoding is refused with its code and path", async () => {
  for (const v of (await read("invalid.json")).vectors) {
    const dec = DECODERS[v.name.split("/")[0]];
    assert.ok(dec, v.name);
    let got = "decoded";
    try {
      dec(unhex(v.hex));
    } catch (e) {
      assert.ok(e instanceof CodecError, `${v.name}: ${String(e)}`);
      got = `${e.code} @${e.path}`;
    }
    assert.equal(got, `${v.code} @${v.path}`, v.name);
  }
});

Deno.test("golden vectors: the frozen files equal what the fixtures produce", async () => {
  for (const [file, content] of Object.entries(buildVectors())) {
    assert.deepStrictEqual(content, await read(file), file);
  }
});
