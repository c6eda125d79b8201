import assert from "node:assert/strict";
import { createKeystore, openKeystore } from "./keystore.ts";
import { KeystoreError } from "./errors.ts";

const FAST = { n: 1024, r: 8, p: 1 };
const SEED = new Uint8Array(64).map((_, i) => i);

async function fresh(): Promise<string> {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/keystore.json`;
  await createKeystore(path, SEED, "correct horse", {
    network: "testnet",
    label: "t",
    scrypt: FAST,
  });
  return path;
}

async function rejectsCode(p: Promise<unknown>, code: string, field?: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof KeystoreError, `expected KeystoreError, got ${e}`);
    assert.equal(e.code, code);
    if (field !== undefined) assert.equal((e.data as { field: string }).field, field);
    return true;
  });
}

Deno.test("openKeystore() round-trips the seed written by createKeystore()", async () => {
  const path = await fresh();
  const ks = await openKeystore(path, "correct horse");
  assert.deepEqual(ks.seed, SEED);
  assert.equal(ks.network, "testnet");
  assert.equal(ks.label, "t");
  assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600);
});

Deno.test("openKeystore() rejects a wrong passphrase with KEYSTORE_BAD_PASSPHRASE", async () => {
  await rejectsCode(openKeystore(await fresh(), "wrong horse"), "KEYSTORE_BAD_PASSPHRASE");
});

Deno.test("openKeystore() refuses group- or world-readable files", async () => {
  const path = await fresh();
  for (const mode of [0o640, 0o604, 0o660, 0o606]) {
    await Deno.chmod(path, mode);
    await rejectsCode(openKeystore(path, "correct horse"), "KEYSTORE_PERMISSIONS");
  }
});

Deno.test("openKeystore() reports a missing file with KEYSTORE_NOT_FOUND", async () => {
  await rejectsCode(openKeystore("/nonexistent/ks.json", "pw"), "KEYSTORE_NOT_FOUND");
});

Deno.test("createKeystore() refuses to overwrite without the overwrite flag", async () => {
  const path = await fresh();
  await rejectsCode(
    createKeystore(path, SEED, "pw", { network: "testnet", scrypt: FAST }),
    "KEYSTORE_EXISTS",
  );
  await createKeystore(path, SEED, "pw2", { network: "testnet", scrypt: FAST, overwrite: true });
  assert.deepEqual((await openKeystore(path, "pw2")).seed, SEED);
});

Deno.test("openKeystore() detects header tampering through the AEAD associated data", async () => {
  const path = await fresh();
  const j = JSON.parse(await Deno.readTextFile(path));
  j.network = "mainnet";
  await Deno.writeTextFile(path, JSON.stringify(j), { mode: 0o600 });
  await rejectsCode(openKeystore(path, "correct horse"), "KEYSTORE_BAD_PASSPHRASE");
});

Deno.test("openKeystore() names the corrupt field", async () => {
  type J = {
    kdf: Record<string, unknown>;
    cipher: Record<string, unknown>;
    [k: string]: unknown;
  };
  const cases: [string, (j: J) => void][] = [
    ["version", (j) => (j.version = 2)],
    ["network", (j) => (j.network = "regtest")],
    ["label", (j) => (j.label = 5)],
    ["kdf.name", (j) => (j.kdf.name = "pbkdf2")],
    ["kdf.n", (j) => (j.kdf.n = 1000)],
    ["kdf.n", (j) => (j.kdf.n = 2 ** 24)],
    ["kdf.r", (j) => (j.kdf.r = 0)],
    ["kdf.p", (j) => (j.kdf.p = 99)],
    ["kdf.salt", (j) => (j.kdf.salt = "00")],
    ["kdf.salt", (j) => (j.kdf.salt = "ZZ")],
    ["cipher.name", (j) => (j.cipher.name = "aes-128-cbc")],
    ["cipher.nonce", (j) => (j.cipher.nonce = "00")],
    ["ciphertext", (j) => (j.ciphertext = "00")],
    ["extra", (j) => (j.extra = 1)],
  ];
  const path = await fresh();
  const orig = await Deno.readTextFile(path);
  for (const [field, mutate] of cases) {
    const j = JSON.parse(orig);
    mutate(j);
    await Deno.writeTextFile(path, JSON.stringify(j), { mode: 0o600 });
    await rejectsCode(openKeystore(path, "correct horse"), "KEYSTORE_CORRUPT", field);
  }
  await Deno.writeTextFile(path, "{not json", { mode: 0o600 });
  await rejectsCode(openKeystore(path, "correct horse"), "KEYSTORE_CORRUPT", "$");
  await Deno.writeTextFile(path, " ".repeat(20000), { mode: 0o600 });
  await rejectsCode(openKeystore(path, "correct horse"), "KEYSTORE_CORRUPT", "$");
});

Deno.test("createKeystore() rejects bad arguments with TypeError or RangeError", async () => {
  const path = `${await Deno.makeTempDir()}/k.json`;
  await assert.rejects(
    createKeystore(path, new Uint8Array(8), "pw", { network: "testnet", scrypt: FAST }),
    RangeError,
  );
  await assert.rejects(
    createKeystore(path, SEED, "", { network: "testnet", scrypt: FAST }),
    RangeError,
  );
  await assert.rejects(
    createKeystore(path, SEED, "pw", { network: "x" as never, scrypt: FAST }),
    TypeError,
  );
  await assert.rejects(
    createKeystore(path, SEED, "pw", { network: "testnet", scrypt: { n: 3, r: 8, p: 1 } }),
    RangeError,
  );
});
