import assert from "node:assert/strict";
import { schnorr } from "@noble/curves/secp256k1.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { LocalSignerApi } from "./client.ts";
import { KEY_ROLES, type KeyRef } from "./derive.ts";
import { SignerError } from "./errors.ts";
import { musigAggregateKey, MusigGroup, musigSortKeys } from "./musig.ts";
import { type Method, METHOD_ROLES } from "./protocol.ts";
import { fakeEvent, fakeId, makeSigner } from "./_testing.ts";
import {
  type MusigNonceParams,
  type MusigSignParams,
  type PublicKeyInfo,
  type SigningBackend,
  SoftwareBackend,
} from "./backend.ts";
import { SlashingProtection } from "./slashing.ts";
import { Signer } from "./signer.ts";
import { fakeInspector } from "./_testing.ts";
import { blsPopVerify } from "../crypto/mod.ts";

const SEAT: KeyRef = { role: "seat", account: 0, index: 0 };
const enc = new TextEncoder();

async function call(
  signer: { handleLine(l: Uint8Array): Promise<string> },
  method: string,
  params: unknown,
  extra: Record<string, unknown> = {},
): Promise<Record<string, unknown>> {
  const line = JSON.stringify({ v: 1, id: 1, method, params, ...extra });
  return JSON.parse(await signer.handleLine(enc.encode(line)));
}

function errCode(r: Record<string, unknown>): string | null {
  return r.error ? (r.error as { code: string }).code : null;
}

async function rejectsSigner(p: Promise<unknown>, code: string, slashingCode?: string) {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof SignerError, `expected SignerError, got ${e}`);
    assert.equal(e.code, code);
    if (slashingCode) assert.equal((e.data as { slashingCode: string }).slashingCode, slashingCode);
    return true;
  });
}

Deno.test("Signer.handle() refuses every key role a method is not allowed to use", async () => {
  const { signer } = await makeSigner(await Deno.makeTempDir());
  const sighash = bytesToHex(new Uint8Array(32).fill(1));
  const ev = bytesToHex(fakeEvent(0, 0n, null));
  const paramsFor = (m: Method, key: KeyRef): unknown => {
    switch (m) {
      case "sign_event":
        return { key, event: ev };
      case "sign_seat_tx":
        return { key, tx: "00", spent_outputs: [] };
      case "sign_da_attestation":
        return { key, attestation: "00", header: "00" };
      case "sign_tx":
      case "sign_bond":
      case "sign_payout":
        return { key, sighash };
      case "musig_nonce":
        return { key };
      case "musig_sign":
        return {
          key,
          session: "00".repeat(16),
          agg_nonce: "02".repeat(66),
          pubkeys: ["02".repeat(33)],
          msg: "",
        };
      default:
        return { key };
    }
  };
  let refused = 0;
  for (const m of Object.keys(METHOD_ROLES) as Method[]) {
    if (m === "get_status" || m === "get_public_key") continue;
    for (const role of KEY_ROLES) {
      const key: KeyRef = role === "wallet"
        ? { role, account: 0, index: 0, chain: 0 }
        : { role, account: 0, index: 0 };
      const r = await call(signer, m, paramsFor(m, key));
      if (METHOD_ROLES[m].includes(role)) {
        assert.notEqual(errCode(r), "ROLE_MISMATCH", `${m} with ${role}`);
      } else {
        assert.equal(errCode(r), "ROLE_MISMATCH", `${m} with ${role}`);
        refused++;
      }
    }
  }
  assert.equal(refused, 9 * 3);
});

Deno.test("Signer.handle() signs sighashes with the key of the request's role only", async () => {
  const { signer } = await makeSigner(await Deno.makeTempDir());
  const api = new LocalSignerApi(signer);
  const msg = new Uint8Array(32).fill(3);
  for (const role of ["wallet", "bond", "payout"] as const) {
    const key: KeyRef = { role, account: 0, index: 1 };
    const sig = await api.signSighash(key, msg);
    const pk = await api.getPublicKey(key);
    assert.ok(schnorr.verify(sig, msg, pk.xOnly), role);
    for (const other of KEY_ROLES.filter((r) => r !== role)) {
      const opk = await api.getPublicKey({ role: other, account: 0, index: 1 });
      assert.ok(!schnorr.verify(sig, msg, opk.xOnly), `${role} signature verifies under ${other}`);
    }
  }
  await rejectsSigner(api.signSighash(SEAT, msg), "ROLE_MISMATCH");
});

Deno.test("Signer.handle() signs a seat's event chain and refuses equivocation", async () => {
  const { signer } = await makeSigner(await Deno.makeTempDir());
  const api = new LocalSignerApi(signer);
  const pk = (await api.getPublicKey(SEAT)).xOnly;
  const e0 = fakeEvent(0, 0n, null);
  const r0 = await api.signEvent(SEAT, e0);
  assert.deepEqual(r0.eventId, fakeId(e0));
  assert.ok(schnorr.verify(r0.signature, r0.eventId, pk));
  // The same event again is fine (idempotent retry).
  await api.signEvent(SEAT, e0);
  await rejectsSigner(
    api.signEvent(SEAT, fakeEvent(0, 0n, null, "other")),
    "SLASHING_REFUSED",
    "SLASHING_CONFLICTING_EVENT",
  );
  const e1 = fakeEvent(0, 1n, r0.eventId);
  await api.signEvent(SEAT, e1);
  await rejectsSigner(
    api.signEvent(SEAT, fakeEvent(0, 2n, r0.eventId)),
    "SLASHING_REFUSED",
    "SLASHING_SELF_PARENT_CONFLICT",
  );
  await rejectsSigner(
    api.signEvent(SEAT, fakeEvent(0, 5n, fakeId(e1))),
    "SLASHING_REFUSED",
    "SLASHING_SEQ_GAP",
  );
  await rejectsSigner(
    api.signEvent(SEAT, fakeEvent(0, 0n, null)),
    "SLASHING_REFUSED",
    "SLASHING_SEQ_BELOW_HWM",
  );
  await rejectsSigner(api.signEvent(SEAT, new Uint8Array([1, 2])), "EVENT_INVALID");
});

Deno.test("Signer refuses a conflicting event after a restart (store re-opened)", async () => {
  const dir = await Deno.makeTempDir();
  const first = await makeSigner(dir);
  const e0 = fakeEvent(0, 0n, null, "a");
  await new LocalSignerApi(first.signer).signEvent(SEAT, e0);
  first.backend.close();
  // A new process would build everything again from disk: same here.
  const second = await makeSigner(dir);
  const api = new LocalSignerApi(second.signer);
  await rejectsSigner(
    api.signEvent(SEAT, fakeEvent(0, 0n, null, "b")),
    "SLASHING_REFUSED",
    "SLASHING_CONFLICTING_EVENT",
  );
  await api.signEvent(SEAT, fakeEvent(0, 1n, fakeId(e0)));
});

Deno.test("Signer.handle() requires the bearer token when configured", async () => {
  const { signer } = await makeSigner(await Deno.makeTempDir(), { token: "s3cret" });
  assert.equal(errCode(await call(signer, "get_status", {})), "UNAUTHORIZED");
  assert.equal(errCode(await call(signer, "get_status", {}, { auth: "s3cret!" })), "UNAUTHORIZED");
  assert.equal(errCode(await call(signer, "get_status", {}, { auth: "s3cret" })), null);
  const api = new LocalSignerApi(signer, "s3cret");
  await api.getPublicKey(SEAT);
  await rejectsSigner(new LocalSignerApi(signer, "x").getPublicKey(SEAT), "UNAUTHORIZED");
});

Deno.test("Signer musig_sign refuses a second use of a secret nonce", async () => {
  const { signer } = await makeSigner(await Deno.makeTempDir());
  const other = await makeSigner(await Deno.makeTempDir(), { seed: new Uint8Array(64).fill(1) });
  const a = new LocalSignerApi(signer);
  const b = new LocalSignerApi(other.signer);
  const ka: KeyRef = { role: "wallet", account: 0, index: 0 };
  const pks = musigSortKeys([
    (await a.getPublicKey(ka)).compressed,
    (await b.getPublicKey(ka)).compressed,
  ]);
  const agg = musigAggregateKey(pks);
  const msg = new Uint8Array(32).fill(4);
  const na = await a.musigNonce(ka, { aggPublicKey: agg, msg });
  const nb = await b.musigNonce(ka, { aggPublicKey: agg, msg });
  const { nonceAggregate } = await import("@scure/btc-signer/musig2.js");
  const aggNonce = nonceAggregate([na.publicNonce, nb.publicNonce]);
  const p = { session: na.session, aggNonce, publicKeys: pks, msg };
  await a.musigSign(ka, p);
  await rejectsSigner(a.musigSign(ka, p), "NONCE_REUSED");
  await rejectsSigner(a.musigSign(ka, { ...p, msg: new Uint8Array(32) }), "NONCE_REUSED");
  await rejectsSigner(a.musigSign(ka, { ...p, session: "ab".repeat(16) }), "NONCE_UNKNOWN");
  // A session bound to a message refuses another message, and is consumed by the attempt.
  const nc = await a.musigNonce(ka, { aggPublicKey: agg, msg });
  await rejectsSigner(
    a.musigSign(ka, { ...p, session: nc.session, msg: new Uint8Array(32) }),
    "MUSIG_INVALID",
  );
  await rejectsSigner(a.musigSign(ka, { ...p, session: nc.session }), "NONCE_REUSED");
  // Another key cannot use this key's session.
  const nd = await a.musigNonce(ka, { msg });
  await rejectsSigner(
    a.musigSign({ ...ka, index: 1 }, { ...p, session: nd.session }),
    "MUSIG_INVALID",
  );
});

Deno.test("Signer musig_sign refuses a session from before a restart and bad round-2 inputs", async () => {
  const dir = await Deno.makeTempDir();
  const first = await makeSigner(dir);
  const other = await makeSigner(await Deno.makeTempDir(), { seed: new Uint8Array(64).fill(1) });
  const ka: KeyRef = { role: "wallet", account: 0, index: 0 };
  const a = new LocalSignerApi(first.signer);
  const b = new LocalSignerApi(other.signer);
  const pks = musigSortKeys([
    (await a.getPublicKey(ka)).compressed,
    (await b.getPublicKey(ka)).compressed,
  ]);
  const msg = new Uint8Array(32).fill(6);
  const na = await a.musigNonce(ka, { aggPublicKey: musigAggregateKey(pks), msg });
  const nb = await b.musigNonce(ka, { msg });
  const { nonceAggregate } = await import("@scure/btc-signer/musig2.js");
  const p = {
    session: na.session,
    aggNonce: nonceAggregate([na.publicNonce, nb.publicNonce]),
    publicKeys: pks,
    msg,
  };
  // The process restarts between round 1 and round 2: the secret nonce was never written down,
  // so the new process cannot sign with it (the nonce can only be lost, never used twice).
  first.backend.close();
  const second = await makeSigner(dir);
  const a2 = new LocalSignerApi(second.signer);
  await rejectsSigner(a2.musigSign(ka, p), "NONCE_UNKNOWN");
  // Round-2 inputs that cannot be right are MUSIG_INVALID. The own-key check comes before the
  // session is taken, so the session survives it; a bad aggregate nonce consumes it.
  const stranger = (await b.getPublicKey(ka)).compressed;
  const nd = await a2.musigNonce(ka, { msg });
  await rejectsSigner(
    a2.musigSign(ka, { ...p, session: nd.session, publicKeys: [stranger] }),
    "MUSIG_INVALID",
  );
  const badNonce = { ...p, session: nd.session, aggNonce: new Uint8Array(66).fill(7) };
  await rejectsSigner(a2.musigSign(ka, badNonce), "MUSIG_INVALID");
  await rejectsSigner(a2.musigSign(ka, badNonce), "NONCE_REUSED");
});

Deno.test("MusigGroup.sign() produces a BIP-340 signature for 2-of-2 and 5-of-5", async () => {
  for (const n of [2, 5]) {
    const parts = [];
    for (let i = 0; i < n; i++) {
      const s = await makeSigner(await Deno.makeTempDir(), {
        seed: new Uint8Array(64).fill(100 + i),
      });
      parts.push({
        api: new LocalSignerApi(s.signer),
        key: { role: "wallet", account: 0, index: 0 } as KeyRef,
      });
    }
    const g = new MusigGroup(parts);
    const msg = new Uint8Array(32).fill(n);
    const sig = await g.sign(msg);
    const { aggregate } = await g.keys();
    assert.ok(schnorr.verify(sig, msg, aggregate), `${n}-of-${n}`);
    // Order of participants does not change the aggregate key.
    assert.deepEqual((await new MusigGroup(parts.toReversed()).keys()).aggregate, aggregate);
  }
});

Deno.test("get_bls_key returns a seat's BLS key with a valid proof of possession", async () => {
  const { signer } = await makeSigner(await Deno.makeTempDir());
  const api = new LocalSignerApi(signer);
  const a = await api.getBlsKey(SEAT);
  assert.equal(a.publicKey.length, 48);
  assert.ok(blsPopVerify(a.publicKey, a.pop));
  const b = await api.getBlsKey({ ...SEAT, index: 1 });
  assert.notDeepEqual(a.publicKey, b.publicKey);
  await rejectsSigner(api.getBlsKey({ role: "wallet", account: 0, index: 0 }), "ROLE_MISMATCH");
});

Deno.test("SoftwareBackend.close() wipes secrets", async () => {
  const b = new SoftwareBackend({ seed: new Uint8Array(64).fill(1), network: "testnet" });
  const { session } = await b.musigNonce({ key: { role: "wallet", account: 0, index: 0 } });
  b.close();
  await assert.rejects(
    b.musigPartialSign({
      key: { role: "wallet", account: 0, index: 0 },
      session,
      aggNonce: new Uint8Array(66),
      publicKeys: [],
      msg: new Uint8Array(0),
    }),
    (e: unknown) => e instanceof SignerError && e.code === "NONCE_UNKNOWN",
  );
});

/**
 * A second back end written against the interface only, as a PKCS#11 one would be: it keeps its
 * own key store (here a software one it owns) and logs what it is asked to do.
 */
class LoggingBackend implements SigningBackend {
  readonly kind = "logging";
  readonly network = "testnet" as const;
  readonly calls: string[] = [];
  readonly #inner = new SoftwareBackend({ seed: new Uint8Array(64).fill(5), network: "testnet" });
  publicKey(ref: KeyRef): Promise<PublicKeyInfo> {
    return this.#inner.publicKey(ref);
  }
  blsKey(ref: KeyRef): Promise<{ publicKey: Uint8Array; pop: Uint8Array }> {
    return this.#inner.blsKey(ref);
  }
  signSchnorr(ref: KeyRef, msg: Uint8Array): Promise<Uint8Array> {
    this.calls.push(`signSchnorr ${ref.role}`);
    return this.#inner.signSchnorr(ref, msg);
  }
  musigNonce(p: MusigNonceParams): Promise<{ session: string; publicNonce: Uint8Array }> {
    this.calls.push("musigNonce");
    return this.#inner.musigNonce(p);
  }
  musigPartialSign(p: MusigSignParams): Promise<Uint8Array> {
    this.calls.push("musigPartialSign");
    return this.#inner.musigPartialSign(p);
  }
  close(): void {
    this.#inner.close();
  }
}

Deno.test("Signer serves any SigningBackend with role policy and slashing protection above it", async () => {
  const backend = new LoggingBackend();
  const slashing = await SlashingProtection.open({
    path: `${await Deno.makeTempDir()}/s.json`,
    genesisId: new Uint8Array(32).fill(9),
  });
  const never = () => {
    throw new Error("not used");
  };
  const signer = new Signer({ token: null }, {
    backend,
    slashing,
    inspectEvent: fakeInspector,
    inspectSeatTx: never,
    inspectDa: never,
  });
  const status = await call(signer, "get_status", {});
  assert.equal((status.result as { backend: string }).backend, "logging");
  const api = new LocalSignerApi(signer);
  const pk = (await api.getPublicKey(SEAT)).xOnly;
  const r = await api.signEvent(SEAT, fakeEvent(0, 0n, null));
  assert.ok(schnorr.verify(r.signature, r.eventId, pk));
  // Refusals happen before the back end is asked: it never sees a conflicting event or a
  // request with the wrong role.
  await rejectsSigner(api.signEvent(SEAT, fakeEvent(0, 0n, null, "b")), "SLASHING_REFUSED");
  await rejectsSigner(api.signSighash(SEAT, new Uint8Array(32)), "ROLE_MISMATCH");
  await api.signSighash({ role: "wallet", account: 0, index: 0 }, new Uint8Array(32));
  assert.deepEqual(backend.calls, ["signSchnorr seat", "signSchnorr wallet"]);
  backend.close();
});
