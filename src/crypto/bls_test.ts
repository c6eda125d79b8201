import assert from "node:assert/strict";
import fc from "fast-check";
import { blsBackends, testOn, toHex } from "./_testing.ts";
import { fallbackBls } from "./_fallback.ts";
import { CryptoError } from "./errors.ts";
import { BLS_PUBLIC_KEY_CACHE_SIZE, PublicKeyCache } from "./_bls_common.ts";
import { blsFastAggregateVerify, blsKeyGen, blsSecretKeyToPublicKey, blsSign } from "./mod.ts";

const enc = new TextEncoder();
const sks = [1, 2, 3].map((i) => fallbackBls.blsKeyGen(new Uint8Array(32).fill(i)));
const msg = enc.encode("anchor 42");
const isArgError = (e: unknown) => e instanceof TypeError || e instanceof RangeError;
const infinityG1 = new Uint8Array(48);
infinityG1[0] = 0xc0;
const infinityG2 = new Uint8Array(96);
infinityG2[0] = 0xc0;

for (const c of blsBackends) {
  testOn(c, "blsSign() and blsVerify() round-trip and reject wrong message, key, encoding", (b) => {
    const pks = sks.map((sk) => b.blsSecretKeyToPublicKey(sk));
    const sig = b.blsSign(msg, sks[0]!);
    assert.equal(sig.length, 96);
    assert.equal(pks[0]!.length, 48);
    assert.ok(b.blsVerify(sig, msg, pks[0]!));
    assert.equal(b.blsVerify(sig, enc.encode("anchor 43"), pks[0]!), false);
    assert.equal(b.blsVerify(sig, msg, pks[1]!), false);
    const flipped = sig.slice();
    flipped[50] = (flipped[50] ?? 0) ^ 1;
    assert.equal(b.blsVerify(flipped, msg, pks[0]!), false);
    assert.equal(b.blsVerify(sig, msg, infinityG1), false, "identity public key");
    assert.equal(b.blsVerify(infinityG2, msg, pks[0]!), false, "identity signature");
    assert.equal(b.blsVerify(new Uint8Array(96), msg, new Uint8Array(48)), false, "zero bytes");
  });

  testOn(c, "blsFastAggregateVerify() accepts the aggregate of all signers only", (b) => {
    const pks = sks.map((sk) => b.blsSecretKeyToPublicKey(sk));
    const agg = b.blsAggregateSignatures(sks.map((sk) => b.blsSign(msg, sk)));
    assert.ok(b.blsFastAggregateVerify(agg, msg, pks));
    assert.equal(b.blsFastAggregateVerify(agg, msg, pks.slice(0, 2)), false);
    assert.equal(b.blsFastAggregateVerify(agg, enc.encode("other"), pks), false);
    assert.equal(b.blsFastAggregateVerify(agg, msg, [...pks.slice(0, 2), infinityG1]), false);
    const aggPk = b.blsAggregatePublicKeys(pks);
    assert.ok(b.blsVerify(agg, msg, aggPk), "aggregate key verifies the aggregate signature");
  });

  testOn(c, "blsPopProve() proofs verify for their key only", (b) => {
    const pk0 = b.blsSecretKeyToPublicKey(sks[0]!);
    const pk1 = b.blsSecretKeyToPublicKey(sks[1]!);
    const pop = b.blsPopProve(sks[0]!);
    assert.ok(b.blsPopVerify(pk0, pop));
    assert.equal(b.blsPopVerify(pk1, pop), false);
    // A PoP is not a signature over the key bytes under the message DST (domain separation).
    assert.equal(b.blsPopVerify(pk0, b.blsSign(pk0, sks[0]!)), false);
    assert.equal(b.blsVerify(pop, pk0, pk0), false);
    assert.equal(b.blsPopVerify(infinityG1, infinityG2), false);
  });

  testOn(c, "bls functions reject wrong types, lengths and invalid points", (b) => {
    const sig = b.blsSign(msg, sks[0]!);
    const pk = b.blsSecretKeyToPublicKey(sks[0]!);
    const calls: [string, () => unknown][] = [
      ["pk of 31 bytes", () => b.blsSecretKeyToPublicKey(new Uint8Array(31))],
      ["sign string", () => b.blsSign("m" as unknown as Uint8Array, sks[0]!)],
      ["verify sig 95", () => b.blsVerify(sig.subarray(1), msg, pk)],
      ["verify pk 49", () => b.blsVerify(sig, msg, new Uint8Array(49))],
      ["aggregate empty", () => b.blsAggregateSignatures([])],
      ["aggregate not array", () => b.blsAggregatePublicKeys(pk as unknown as Uint8Array[])],
      ["aggregate pk 47", () => b.blsAggregatePublicKeys([pk, new Uint8Array(47)])],
      ["fast verify no keys", () => b.blsFastAggregateVerify(sig, msg, [])],
      ["pop sig 0", () => b.blsPopVerify(pk, new Uint8Array(0))],
      ["keygen 31", () => b.blsKeyGen(new Uint8Array(31))],
    ];
    for (const [name, f] of calls) assert.throws(f, isArgError, name);
    const rOrder = Uint8Array.from(
      "73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001".match(/../g)!,
      (h) => parseInt(h, 16),
    );
    for (const bad of [new Uint8Array(32), rOrder]) {
      assert.throws(
        () => b.blsSign(msg, bad),
        (e: unknown) => e instanceof CryptoError && e.code === "INVALID_SECRET_KEY",
      );
      assert.throws(() => b.blsPopProve(bad), CryptoError);
    }
    assert.throws(
      () => b.blsAggregatePublicKeys([pk, infinityG1]),
      (e: unknown) =>
        e instanceof CryptoError && e.code === "BLS_INVALID_POINT" && e.data.index === 1,
    );
    assert.throws(
      () => b.blsAggregateSignatures([sig, new Uint8Array(96)]),
      (e: unknown) =>
        e instanceof CryptoError && e.code === "BLS_INVALID_POINT" && e.data.index === 1,
    );
  });
}

Deno.test("blsFastAggregateVerify() of mod.ts verifies a 3-signer aggregate", () => {
  const sk = blsKeyGen(new Uint8Array(32).fill(4));
  const sig = blsSign(msg, sk);
  assert.ok(blsFastAggregateVerify(sig, msg, [blsSecretKeyToPublicKey(sk)]));
});

const [, nativeCase] = blsBackends;
if (nativeCase !== undefined) {
  testOn(
    nativeCase,
    "bls native and fallback give identical bytes on random keys and messages",
    (n) => {
      fc.assert(
        fc.property(
          fc.uint8Array({ minLength: 32, maxLength: 64 }),
          fc.uint8Array({ maxLength: 100 }),
          (ikm, m) => {
            const sk = n.blsKeyGen(ikm);
            assert.deepEqual(sk, fallbackBls.blsKeyGen(ikm));
            const pk = n.blsSecretKeyToPublicKey(sk);
            assert.deepEqual(pk, fallbackBls.blsSecretKeyToPublicKey(sk));
            const sig = n.blsSign(m, sk);
            assert.deepEqual(sig, fallbackBls.blsSign(m, sk));
            assert.ok(fallbackBls.blsVerify(sig, m, pk));
            const sigs = [sig, n.blsSign(m, sks[0]!)];
            assert.deepEqual(
              n.blsAggregateSignatures(sigs),
              fallbackBls.blsAggregateSignatures(sigs),
            );
            const pks = [pk, n.blsSecretKeyToPublicKey(sks[0]!)];
            assert.deepEqual(
              n.blsAggregatePublicKeys(pks),
              fallbackBls.blsAggregatePublicKeys(pks),
            );
          },
        ),
        { seed: 381, numRuns: 4 },
      );
    },
  );

  testOn(nativeCase, "blsKeyGen() matches blst's IETF KeyGen", async () => {
    const blst = await import("@chainsafe/blst");
    for (let i = 0; i < 5; i++) {
      const ikm = new Uint8Array(32 + i).map((_, j) => j * 31 + i);
      assert.equal(
        toHex(fallbackBls.blsKeyGen(ikm)),
        toHex(blst.SecretKey.fromKeygen(ikm).toBytes()),
        `ikm ${i}`,
      );
    }
  });
}

Deno.test("PublicKeyCache.get() decodes once, never stores invalid keys, stays bounded", () => {
  let calls = 0;
  const cache = new PublicKeyCache((b: Uint8Array) => {
    calls++;
    return b[0] === 0 ? undefined : b[0];
  });
  const key = new Uint8Array([5, 1, 2]);
  assert.equal(cache.get(key), 5);
  assert.equal(cache.get(key.slice()), 5);
  assert.equal(calls, 1, "second lookup is a hit");
  assert.equal(cache.get(new Uint8Array([0, 1])), undefined);
  assert.equal(cache.get(new Uint8Array([0, 1])), undefined);
  assert.equal(calls, 3, "invalid keys are decoded every time");
  for (let i = 0; i < BLS_PUBLIC_KEY_CACHE_SIZE + 10; i++) {
    cache.get(new Uint8Array([1, i & 0xff, i >> 8]));
  }
  const before = calls;
  cache.get(key);
  assert.equal(calls, before + 1, "the full cache started over");
});
