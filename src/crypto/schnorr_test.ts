import assert from "node:assert/strict";
import fc from "fast-check";
import { hex, schnorrBackends, testOn, toHex } from "./_testing.ts";
import { fallbackSchnorr } from "./_fallback.ts";
import { CryptoError } from "./errors.ts";
import type { SchnorrBatchItem } from "./_types.ts";
import { schnorrPublicKey, schnorrSign, schnorrVerify, schnorrVerifyBatch } from "./mod.ts";

interface Bip340Row {
  index: number;
  secretKey: string;
  publicKey: string;
  auxRand: string;
  message: string;
  signature: string;
  valid: boolean;
  comment: string;
}

function loadRows(): Bip340Row[] {
  const text = Deno.readTextFileSync(
    new URL("../../testdata/vectors/bip340/test-vectors.csv", import.meta.url),
  );
  const lines = text.trim().split(/\r?\n/).slice(1);
  return lines.map((line) => {
    const f = line.split(",");
    return {
      index: Number(f[0]),
      secretKey: f[1] ?? "",
      publicKey: f[2] ?? "",
      auxRand: f[3] ?? "",
      message: f[4] ?? "",
      signature: f[5] ?? "",
      valid: f[6] === "TRUE",
      comment: f.slice(7).join(","),
    };
  });
}

const rows = loadRows();

Deno.test("BIP-340 vector file holds valid and invalid cases", () => {
  assert.equal(rows.length, 19);
  assert.ok(rows.some((r) => !r.valid) && rows.some((r) => r.valid));
});

for (const c of schnorrBackends) {
  testOn(c, "schnorrSign() and schnorrPublicKey() match every BIP-340 signing vector", (s) => {
    for (const r of rows.filter((r) => r.secretKey !== "")) {
      const sk = hex(r.secretKey);
      assert.equal(toHex(s.schnorrPublicKey(sk)), r.publicKey.toLowerCase(), `pubkey ${r.index}`);
      const sig = s.schnorrSign(hex(r.message), sk, hex(r.auxRand));
      assert.equal(toHex(sig), r.signature.toLowerCase(), `signature ${r.index}`);
    }
  });

  testOn(c, "schnorrVerify() gives the expected result on every BIP-340 vector", (s) => {
    for (const r of rows) {
      const ok = s.schnorrVerify(hex(r.signature), hex(r.message), hex(r.publicKey));
      assert.equal(ok, r.valid, `vector ${r.index} ${r.comment}`);
    }
  });

  testOn(c, "schnorrVerifyBatch() reports each BIP-340 vector's result in order", async (s) => {
    const items: SchnorrBatchItem[] = rows.map((r) => ({
      signature: hex(r.signature),
      message: hex(r.message),
      publicKey: hex(r.publicKey),
    }));
    const expected = rows.map((r) => r.valid);
    assert.deepEqual(await s.schnorrVerifyBatch(items), expected);
    assert.deepEqual(s.schnorrVerifyBatchSync(items), expected);
    // Large enough to be split across threads on the native path: 10 copies, some tampered.
    const many = Array.from({ length: 10 }, () => items).flat();
    const exp = Array.from({ length: 10 }, () => expected).flat();
    const tampered = many.map((it, i) => {
      if (i % 7 !== 3 || !exp[i]) return it;
      exp[i] = false;
      const sig = it.signature.slice();
      sig[63] = (sig[63] ?? 0) ^ 1;
      return { ...it, signature: sig };
    });
    assert.deepEqual(await s.schnorrVerifyBatch(tampered), exp);
    assert.deepEqual(s.schnorrVerifyBatchSync(tampered), exp);
    assert.deepEqual(await s.schnorrVerifyBatch([]), []);
    // In the background (off the calling thread on the native path, small batches included).
    assert.deepEqual(await s.schnorrVerifyBatch(tampered, { background: true }), exp);
    assert.deepEqual(await s.schnorrVerifyBatch(items, { background: true }), expected);
    assert.deepEqual(await s.schnorrVerifyBatch([], { background: true }), []);
  });

  testOn(c, "schnorr functions reject wrong types and lengths before crossing FFI", async (s) => {
    const sk = hex(rows[1]!.secretKey);
    const msg = new Uint8Array(32);
    const isArgError = (e: unknown) => e instanceof TypeError || e instanceof RangeError;
    const calls: [string, () => unknown][] = [
      ["sign sk 31", () => s.schnorrSign(msg, new Uint8Array(31))],
      ["sign sk string", () => s.schnorrSign(msg, "x" as unknown as Uint8Array)],
      ["sign msg array", () => s.schnorrSign([1] as unknown as Uint8Array, sk)],
      ["sign aux 31", () => s.schnorrSign(msg, sk, new Uint8Array(31))],
      ["verify sig 63", () => s.schnorrVerify(new Uint8Array(63), msg, new Uint8Array(32))],
      ["verify pk 33", () => s.schnorrVerify(new Uint8Array(64), msg, new Uint8Array(33))],
      [
        "verify msg null",
        () =>
          s.schnorrVerify(new Uint8Array(64), null as unknown as Uint8Array, new Uint8Array(32)),
      ],
      ["pubkey 0 bytes", () => s.schnorrPublicKey(new Uint8Array(0))],
      ["batch sync not array", () => s.schnorrVerifyBatchSync({} as unknown as SchnorrBatchItem[])],
      [
        "batch sync item",
        () =>
          s.schnorrVerifyBatchSync([
            { signature: new Uint8Array(64), message: msg } as unknown as SchnorrBatchItem,
          ]),
      ],
    ];
    for (const [name, f] of calls) assert.throws(f, isArgError, name);
    await assert.rejects(
      s.schnorrVerifyBatch([{
        signature: new Uint8Array(65),
        message: msg,
        publicKey: new Uint8Array(32),
      }]),
      /batch\[0\]\.signature/,
    );
    const zero = new Uint8Array(32);
    const order = hex("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141");
    for (const bad of [zero, order, new Uint8Array(32).fill(0xff)]) {
      assert.throws(
        () => s.schnorrSign(msg, bad, zero),
        (e: unknown) => e instanceof CryptoError && e.code === "INVALID_SECRET_KEY",
      );
      assert.throws(() => s.schnorrPublicKey(bad), CryptoError);
    }
  });

  testOn(c, "schnorrSign() without auxRand uses fresh randomness and still verifies", (s) => {
    const sk = hex(rows[1]!.secretKey);
    const msg = new Uint8Array([1, 2, 3]);
    const a = s.schnorrSign(msg, sk);
    const b = s.schnorrSign(msg, sk);
    assert.notDeepEqual(a, b);
    assert.ok(s.schnorrVerify(a, msg, s.schnorrPublicKey(sk)));
  });
}

Deno.test("schnorrSign() of mod.ts round-trips through schnorrVerifyBatch()", async () => {
  const sk = new Uint8Array(32).fill(9);
  const message = new TextEncoder().encode("PhantomCoin");
  const signature = schnorrSign(message, sk);
  const publicKey = schnorrPublicKey(sk);
  assert.ok(schnorrVerify(signature, message, publicKey));
  assert.deepEqual(await schnorrVerifyBatch([{ signature, message, publicKey }]), [true]);
});

const [, nativeCase] = schnorrBackends;
if (nativeCase !== undefined) {
  const secretKey = fc.uint8Array({ minLength: 32, maxLength: 32 }).filter((k) =>
    k.some((b) => b !== 0) && k[0] !== 0xff
  );
  const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 });

  testOn(nativeCase, "schnorr native and fallback agree on random keys, messages and aux", (n) => {
    fc.assert(
      fc.property(secretKey, fc.uint8Array({ maxLength: 200 }), bytes32, (sk, msg, aux) => {
        const pk = n.schnorrPublicKey(sk);
        assert.deepEqual(pk, fallbackSchnorr.schnorrPublicKey(sk));
        const sig = n.schnorrSign(msg, sk, aux);
        assert.deepEqual(sig, fallbackSchnorr.schnorrSign(msg, sk, aux));
        assert.ok(fallbackSchnorr.schnorrVerify(sig, msg, pk));
        assert.ok(n.schnorrVerify(sig, msg, pk));
      }),
      { seed: 340, numRuns: 40 },
    );
  });

  testOn(nativeCase, "schnorrVerify() native and fallback agree on corrupted inputs", (n) => {
    const sk = hex(rows[1]!.secretKey);
    const msg = new Uint8Array([7, 7, 7]);
    const sig = n.schnorrSign(msg, sk, new Uint8Array(32));
    const pk = n.schnorrPublicKey(sk);
    fc.assert(
      fc.property(
        fc.nat(64 + 32 + msg.length - 1),
        fc.integer({ min: 1, max: 255 }),
        bytes32,
        (pos, flip, randomPk) => {
          const s2 = sig.slice();
          const p2 = pk.slice();
          const m2 = msg.slice();
          if (pos < 64) s2[pos] = (s2[pos] ?? 0) ^ flip;
          else if (pos < 96) p2[pos - 64] = (p2[pos - 64] ?? 0) ^ flip;
          else m2[pos - 96] = (m2[pos - 96] ?? 0) ^ flip;
          assert.equal(n.schnorrVerify(s2, m2, p2), fallbackSchnorr.schnorrVerify(s2, m2, p2));
          assert.equal(n.schnorrVerify(s2, m2, p2), false);
          assert.equal(
            n.schnorrVerify(sig, msg, randomPk),
            fallbackSchnorr.schnorrVerify(sig, msg, randomPk),
          );
        },
      ),
      { seed: 341, numRuns: 40 },
    );
  });
}
