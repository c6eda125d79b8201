import assert from "node:assert/strict";
import { schnorr } from "@noble/curves/secp256k1.js";
import { mnemonicToSeed, SignerError } from "../signer/mod.ts";
import { MNEMONIC } from "./_testing.ts";
import { WalletAccount } from "./account.ts";
import { SeedSigner } from "./seed_signer.ts";

Deno.test("SeedSigner signs wallet sighashes with the account's keys and refuses other roles", async () => {
  const s = new SeedSigner(mnemonicToSeed(MNEMONIC), "devnet");
  const key = WalletAccount.fromMnemonic(MNEMONIC, "devnet").changeKey(3);
  const pk = await s.getPublicKey(key.ref);
  assert.deepEqual(pk.xOnly, key.xOnly, "the same key as the account's xpub derivation");
  const msg = new Uint8Array(32).fill(9);
  assert.ok(schnorr.verify(await s.signSighash(key.ref, msg), msg, key.xOnly));
  await assert.rejects(s.signSighash(key.ref, new Uint8Array(31)), RangeError);
  const seat = { role: "seat" as const, account: 0, index: 0 };
  for (
    const call of [
      () => s.signSighash(seat, msg),
      () => s.getPublicKey(seat),
      () => s.signEvent(seat),
      () => s.musigNonce(key.ref),
    ]
  ) {
    // A rejected Promise, never a synchronous throw: call() itself must not throw.
    await assert.rejects(call(), (e: unknown) => {
      assert.ok(e instanceof SignerError && e.code === "ROLE_MISMATCH", String(e));
      return true;
    });
  }
  s.close();
});
