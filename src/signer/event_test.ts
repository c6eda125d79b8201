import assert from "node:assert/strict";
import { schnorr } from "@noble/curves/secp256k1.js";
import {
  type DaAttestation,
  daAttestationDigest,
  EMPTY_MERKLE_ROOT,
  encodeDaAttestation,
  encodeEventHeader,
  encodeTx,
  encodeTxOutput,
  eventExtrasHash,
  type EventHeader,
  eventId,
  sighash,
  type Tx,
  type TxOutput,
} from "../codec/mod.ts";
import { LocalSignerApi } from "./client.ts";
import { SignerError } from "./errors.ts";
import { codecEventInspector, inspectDaAttestation, inspectSeatTx } from "./event.ts";
import { SoftwareBackend } from "./backend.ts";
import { SlashingProtection } from "./slashing.ts";
import { Signer } from "./signer.ts";
import type { KeyRef } from "./derive.ts";

const NET = 2;
const SEAT: KeyRef = { role: "seat", account: 0, index: 0 };

function header(seq: bigint, selfParent: Uint8Array, mask = 0n): EventHeader {
  return {
    version: 1,
    networkId: NET,
    shard: 3,
    creator: 5,
    epoch: 0n,
    seq,
    selfParent,
    parents: [],
    payloadRoot: EMPTY_MERKLE_ROOT,
    payloadTxs: 0,
    payloadBytes: 1,
    voteMask: mask,
    extrasHash: eventExtrasHash([], []),
  };
}

async function setup(dir: string) {
  const backend = new SoftwareBackend({ seed: new Uint8Array(64).fill(8), network: "testnet" });
  const slashing = await SlashingProtection.open({
    path: `${dir}/s.json`,
    genesisId: new Uint8Array(32),
  });
  const signer = new Signer({ token: null }, {
    backend,
    slashing,
    inspectEvent: codecEventInspector(NET),
    inspectSeatTx: (tx, spent) => inspectSeatTx(NET, tx, spent),
    inspectDa: (a, h) => inspectDaAttestation(NET, a, h),
  });
  return { api: new LocalSignerApi(signer), backend };
}

async function rejectsCode(p: Promise<unknown>, code: string, slashingCode?: string) {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof SignerError, `expected SignerError, got ${e}`);
    assert.equal(e.code, code);
    if (slashingCode) assert.equal((e.data as { slashingCode: string }).slashingCode, slashingCode);
    return true;
  });
}

Deno.test("sign_event with codecEventInspector() signs eventId and refuses equivocation", async () => {
  const dir = await Deno.makeTempDir();
  const { api } = await setup(dir);
  const pk = (await api.getPublicKey(SEAT)).xOnly;
  const h0 = header(0n, new Uint8Array(32));
  const r0 = await api.signEvent(SEAT, encodeEventHeader(h0));
  assert.deepEqual(r0.eventId, eventId(h0));
  assert.ok(schnorr.verify(r0.signature, eventId(h0), pk));
  await rejectsCode(
    api.signEvent(SEAT, encodeEventHeader(header(0n, new Uint8Array(32), 1n))),
    "SLASHING_REFUSED",
    "SLASHING_CONFLICTING_EVENT",
  );
  await api.signEvent(SEAT, encodeEventHeader(header(1n, r0.eventId)));
  // Restart: a fresh signer over the same directory still refuses.
  const again = await setup(dir);
  await rejectsCode(
    again.api.signEvent(SEAT, encodeEventHeader(header(1n, r0.eventId, 7n))),
    "SLASHING_REFUSED",
    "SLASHING_CONFLICTING_EVENT",
  );
  // Bad encodings and other networks are EVENT_INVALID.
  await rejectsCode(api.signEvent(SEAT, new Uint8Array([1, 2, 3])), "EVENT_INVALID");
  await rejectsCode(
    api.signEvent(SEAT, encodeEventHeader({ ...header(2n, r0.eventId), networkId: 1 })),
    "EVENT_INVALID",
  );
  const trailing = new Uint8Array([...encodeEventHeader(header(2n, r0.eventId)), 0]);
  await rejectsCode(api.signEvent(SEAT, trailing), "EVENT_INVALID");
});

Deno.test("sign_seat_tx signs the extra witness of a bond naming the seat key only", async () => {
  const { api } = await setup(await Deno.makeTempDir());
  const seatKey = (await api.getPublicKey(SEAT)).xOnly;
  const spent: TxOutput = {
    amount: 2_000n,
    predicate: { type: "key", pubkey: new Uint8Array(32).fill(2) },
  };
  const tx = (kind: Tx["kind"]): Tx => ({
    version: 1,
    networkId: NET,
    kind,
    inputs: [{ prevout: { txId: new Uint8Array(32).fill(1), index: 0 } }],
    outputs: [{ amount: 900n, predicate: { type: "key", pubkey: new Uint8Array(32).fill(3) } }],
    fee: 100n,
    witnesses: [0, 1].map(() => ({ sigs: [], signers: 0, preimage: null, reveal: null })),
  });
  const bond = tx({
    type: "bond",
    seatKey,
    blsKey: new Uint8Array(48),
    blsPop: new Uint8Array(96),
    amount: 1_000n,
  });
  const r = await api.signSeatTx(SEAT, encodeTx(bond), [encodeTxOutput(spent)]);
  const want = sighash(bond, 1, [spent]);
  assert.deepEqual(r.sighash, want);
  assert.ok(schnorr.verify(r.signature, want, seatKey));
  const other = tx({ type: "unbond", seatKey: new Uint8Array(32).fill(9), amount: 1n });
  await rejectsCode(api.signSeatTx(SEAT, encodeTx(other), [encodeTxOutput(spent)]), "TX_INVALID");
  const transfer = {
    ...tx({ type: "transfer" }),
    witnesses: [{ sigs: [], signers: 0, preimage: null, reveal: null }],
  };
  await rejectsCode(
    api.signSeatTx(SEAT, encodeTx(transfer), [encodeTxOutput(spent)]),
    "TX_INVALID",
  );
  await rejectsCode(api.signSeatTx(SEAT, encodeTx(bond), []), "TX_INVALID");
  await rejectsCode(api.signSeatTx(SEAT, new Uint8Array([1]), []), "TX_INVALID");
  // A wallet key cannot authorize seat transactions.
  await rejectsCode(
    api.signSeatTx({ role: "wallet", account: 0, index: 0 }, encodeTx(bond), [
      encodeTxOutput(spent),
    ]),
    "ROLE_MISMATCH",
  );
});

Deno.test("sign_da_attestation signs only attestations consistent with the event header", async () => {
  const { api } = await setup(await Deno.makeTempDir());
  const pk = (await api.getPublicKey(SEAT)).xOnly;
  const h = header(0n, new Uint8Array(32));
  const att: DaAttestation = {
    version: 1,
    networkId: NET,
    shard: h.shard,
    seat: 9,
    epoch: h.epoch,
    eventId: eventId(h),
    payloadRoot: h.payloadRoot,
    signature: new Uint8Array(64),
  };
  const r = await api.signDaAttestation(SEAT, encodeDaAttestation(att), encodeEventHeader(h));
  assert.deepEqual(r.digest, daAttestationDigest(att));
  assert.ok(schnorr.verify(r.signature, r.digest, pk));
  const bad: [string, DaAttestation][] = [
    ["payload root", { ...att, payloadRoot: new Uint8Array(32).fill(1) }],
    ["event id", { ...att, eventId: new Uint8Array(32).fill(1) }],
    ["shard", { ...att, shard: 4 }],
    ["epoch", { ...att, epoch: 1n }],
    ["network", { ...att, networkId: 1 }],
    ["signature", { ...att, signature: new Uint8Array(64).fill(1) }],
  ];
  for (const [what, a] of bad) {
    await assert.rejects(
      api.signDaAttestation(SEAT, encodeDaAttestation(a), encodeEventHeader(h)),
      (e: unknown) => e instanceof SignerError && e.code === "EVENT_INVALID",
      what,
    );
  }
  await rejectsCode(
    api.signDaAttestation(SEAT, new Uint8Array([1]), encodeEventHeader(h)),
    "EVENT_INVALID",
  );
  await rejectsCode(
    api.signDaAttestation(
      { role: "bond", account: 0, index: 0 },
      encodeDaAttestation(att),
      encodeEventHeader(h),
    ),
    "ROLE_MISMATCH",
  );
});
