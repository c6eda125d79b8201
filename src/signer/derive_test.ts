import assert from "node:assert/strict";
import fc from "fast-check";
import { bytesToHex } from "@noble/hashes/utils.js";
import {
  checkKeyRef,
  deriveKey,
  generateMnemonic,
  KEY_ROLES,
  keyPath,
  mnemonicToSeed,
  validateMnemonic,
  walletAccountXpub,
} from "./derive.ts";

const SEED = new Uint8Array(64).fill(7);

Deno.test("keyPath() puts each role on its own hardened subtree", () => {
  assert.equal(
    keyPath("mainnet", { role: "wallet", account: 0, index: 5 }),
    "m/9770'/0'/0'/0'/0/5",
  );
  assert.equal(
    keyPath("mainnet", { role: "wallet", account: 1, index: 5, chain: 1 }),
    "m/9770'/0'/0'/1'/1/5",
  );
  assert.equal(keyPath("mainnet", { role: "seat", account: 0, index: 3 }), "m/9770'/0'/1'/0'/3'");
  assert.equal(keyPath("testnet", { role: "bond", account: 2, index: 0 }), "m/9770'/1'/2'/2'/0'");
  assert.equal(keyPath("testnet", { role: "payout", account: 0, index: 0 }), "m/9770'/1'/3'/0'/0'");
});

Deno.test("deriveKey() gives distinct keys for every role, network and index", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 1000 }),
      fc.integer({ min: 0, max: 3 }),
      (index, acct) => {
        const seen = new Set<string>();
        for (const net of ["mainnet", "testnet"] as const) {
          for (const role of KEY_ROLES) {
            const k = deriveKey(SEED, net, { role, account: acct, index });
            const h = bytesToHex(k.xOnlyPublicKey);
            assert.ok(!seen.has(h), `duplicate key for ${net}/${role}/${acct}/${index}`);
            seen.add(h);
          }
        }
      },
    ),
    { numRuns: 20, seed: 1 },
  );
});

Deno.test("deriveKey() is deterministic and x-only is the compressed key minus its prefix", () => {
  const a = deriveKey(SEED, "mainnet", { role: "seat", account: 0, index: 0 });
  const b = deriveKey(SEED, "mainnet", { role: "seat", account: 0, index: 0 });
  assert.deepEqual(a, b);
  assert.equal(a.publicKey.length, 33);
  assert.deepEqual(a.publicKey.slice(1), a.xOnlyPublicKey);
});

Deno.test("checkKeyRef() rejects wrong types and ranges naming the value", () => {
  const bad: [unknown, typeof TypeError | typeof RangeError][] = [
    [null, TypeError],
    [{ role: "miner", account: 0, index: 0 }, TypeError],
    [{ role: "seat", account: -1, index: 0 }, RangeError],
    [{ role: "seat", account: 0, index: 2 ** 31 }, RangeError],
    [{ role: "seat", account: 0, index: 1.5 }, TypeError],
    [{ role: "seat", account: "0", index: 0 }, TypeError],
    [{ role: "seat", account: 0, index: 0, chain: 0 }, TypeError],
    [{ role: "wallet", account: 0, index: 0, chain: 2 }, RangeError],
  ];
  for (const [ref, cls] of bad) {
    assert.throws(() => checkKeyRef(ref as never), cls, `case ${JSON.stringify(ref)}`);
  }
});

Deno.test("mnemonicToSeed() accepts generated mnemonics and rejects bad checksums", () => {
  const m = generateMnemonic();
  assert.ok(validateMnemonic(m));
  assert.equal(mnemonicToSeed(m).length, 64);
  const words = m.split(" ");
  words[23] = words[23] === "abandon" ? "zoo" : "abandon";
  assert.throws(() => mnemonicToSeed(words.join(" ")), TypeError);
});

Deno.test("mnemonicToSeed() matches the BIP-39 reference vector", () => {
  // BIP-39 test vector 1 (passphrase "TREZOR").
  const seed = mnemonicToSeed(
    "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about",
    "TREZOR",
  );
  assert.equal(
    bytesToHex(seed),
    "c55257c360c07c72029aebc1b53c05ed0362ada38ead3e3e9efa3708e53495531f09a6987599d18264c1e1c92f2cf141630c7a3c4ab7c81b2f001698e7463b04",
  );
});

Deno.test("walletAccountXpub() yields an xpub", () => {
  assert.match(walletAccountXpub(SEED, "mainnet", 0), /^xpub/);
});
