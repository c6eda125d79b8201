import assert from "node:assert/strict";
import { decodeAddress } from "../codec/mod.ts";
import { deriveKey, mnemonicToSeed } from "../signer/mod.ts";
import { addressToPredicate, WalletAccount } from "./account.ts";
import { WalletError } from "./errors.ts";
import { MNEMONIC } from "./_testing.ts";

Deno.test("WalletAccount.create() and fromMnemonic() give the same account", () => {
  const { mnemonic, account } = WalletAccount.create("testnet");
  const again = WalletAccount.fromMnemonic(mnemonic, "testnet");
  assert.equal(again.xpub, account.xpub);
  assert.equal(again.receiveKey(3).address, account.receiveKey(3).address);
  assert.match(account.receiveKey(0).address, /^tpc1/);
  assert.match(WalletAccount.fromMnemonic(mnemonic, "mainnet").receiveKey(0).address, /^pc1/);
});

Deno.test("WalletAccount keys equal the signer's wallet keys at the same path", () => {
  const acct = WalletAccount.fromMnemonic(MNEMONIC, "testnet", 2);
  const seed = mnemonicToSeed(MNEMONIC);
  for (const chain of [0, 1] as const) {
    for (const index of [0, 1, 7]) {
      const k = acct.key(chain, index);
      const d = deriveKey(seed, "testnet", { role: "wallet", account: 2, chain, index });
      assert.deepEqual(k.xOnly, d.xOnlyPublicKey, `${chain}/${index}`);
      assert.deepEqual(k.ref, { role: "wallet", account: 2, chain, index });
    }
  }
});

Deno.test("WalletAccount.fromXpub() derives the same addresses without secrets", () => {
  const acct = WalletAccount.fromMnemonic(MNEMONIC, "mainnet");
  const watch = WalletAccount.fromXpub(acct.xpub, "mainnet", 0);
  assert.equal(watch.changeKey(5).address, acct.changeKey(5).address);
  assert.throws(() => WalletAccount.fromXpub("xpub-nope", "mainnet", 0), TypeError);
});

Deno.test("WalletAccount addresses commit to the key predicate", () => {
  const k = WalletAccount.fromMnemonic(MNEMONIC, "testnet").receiveKey(0);
  const d = decodeAddress(k.address, "testnet");
  assert.deepEqual(d.commitment, k.commitment);
  assert.deepEqual(addressToPredicate(k.address, "testnet"), {
    type: "commit",
    commitment: k.commitment,
  });
});

Deno.test("WalletAccount rejects bad mnemonics, chains and indices", () => {
  assert.throws(() => WalletAccount.fromMnemonic("abandon abandon", "testnet"), TypeError);
  const a = WalletAccount.fromMnemonic(MNEMONIC, "testnet");
  assert.throws(() => a.key(2 as 0, 0), RangeError);
  assert.throws(() => a.key(0, -1), RangeError);
  assert.throws(() => a.key(0, 2 ** 31), RangeError);
});

Deno.test("addressToPredicate() refuses a devnet address on testnet and a testnet one on devnet", () => {
  const dev = WalletAccount.fromMnemonic(MNEMONIC, "devnet").receiveKey(0).address;
  const test = WalletAccount.fromMnemonic(MNEMONIC, "testnet").receiveKey(0).address;
  assert.match(dev, /^dpc1/);
  assert.match(test, /^tpc1/);
  for (
    const [address, network, other] of [[dev, "testnet", "devnet"], [
      test,
      "devnet",
      "testnet",
    ]] as const
  ) {
    assert.throws(
      () => addressToPredicate(address, network),
      (e: unknown) =>
        e instanceof WalletError && e.code === "BAD_ADDRESS" &&
        e.message.includes(`(${other}), expected`) && e.message.includes(`(${network})`),
      `${other} address on ${network}`,
    );
    assert.equal(addressToPredicate(address, other).type, "commit");
  }
});

Deno.test("addressToPredicate() rejects other networks and garbage with BAD_ADDRESS", () => {
  const main = WalletAccount.fromMnemonic(MNEMONIC, "mainnet").receiveKey(0).address;
  for (const bad of [main, "tpc1qqqq", "", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"]) {
    assert.throws(
      () => addressToPredicate(bad, "testnet"),
      (e: unknown) => e instanceof WalletError && e.code === "BAD_ADDRESS",
      bad,
    );
  }
});
