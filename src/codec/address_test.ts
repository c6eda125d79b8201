import assert from "node:assert/strict";
import fc from "fast-check";
import { bech32, bech32m } from "@scure/base";
import { hash32, predicate } from "./_arbitrary.ts";
import { AddressError, decodeAddress, encodeAddress, predicateCommitment } from "./mod.ts";

const vectors = JSON.parse(
  await Deno.readTextFile(
    new URL("../../testdata/vectors/bech32m/bip350_generic.json", import.meta.url),
  ),
) as { valid: string[]; invalid: { string: string; reason: string }[] };

Deno.test("bech32m passes the BIP-350 generic vectors", () => {
  for (const s of vectors.valid) {
    const d = bech32m.decode(s as `${string}1${string}`, 90);
    assert.equal(bech32m.encode(d.prefix, d.words, 90), s.toLowerCase(), s);
  }
  for (const { string: s, reason } of vectors.invalid) {
    assert.throws(
      () => bech32m.decode(s as `${string}1${string}`, 90),
      `${JSON.stringify(s)}: ${reason}`,
    );
  }
});

Deno.test("decodeAddress() refuses every BIP-350 string with AddressError", () => {
  for (const s of [...vectors.valid, ...vectors.invalid.map((v) => v.string)]) {
    assert.throws(() => decodeAddress(s), AddressError, JSON.stringify(s));
  }
});

Deno.test("decodeAddress() inverts encodeAddress() on every network", () => {
  fc.assert(
    fc.property(predicate, fc.constantFrom("mainnet", "testnet", "devnet" as const), (p, net) => {
      const a = encodeAddress(p, net);
      const prefix = { mainnet: "pc", testnet: "tpc", devnet: "dpc" }[net];
      assert.match(a, new RegExp(`^${prefix}1q[02-9ac-hj-np-z]{58}$`));
      const d = decodeAddress(a, net);
      assert.deepStrictEqual(d.commitment, predicateCommitment(p));
      assert.equal(d.version, 0);
      assert.deepStrictEqual(decodeAddress(a.toUpperCase()).commitment, d.commitment);
    }),
    { seed: 11, numRuns: 80 },
  );
});

function codeOf(s: string, net?: "mainnet" | "testnet" | "devnet"): string {
  try {
    decodeAddress(s, net);
  } catch (e) {
    if (e instanceof AddressError) return e.code;
    throw e;
  }
  return "OK";
}

Deno.test("decodeAddress() refuses mixed case, wrong HRP, bech32, bad padding and length", () => {
  const c = new Uint8Array(32).fill(7);
  const good = encodeAddress(c, "mainnet");
  assert.equal(codeOf(good), "OK");
  const mixed = good.slice(0, 10) + good.slice(10).toUpperCase();
  assert.equal(codeOf(mixed), "INVALID_BECH32M");
  assert.equal(codeOf(good, "testnet"), "WRONG_HRP");
  assert.equal(codeOf(encodeAddress(c, "testnet"), "mainnet"), "WRONG_HRP");
  assert.equal(codeOf(bech32m.encode("bc", [0, ...bech32m.toWords(c)])), "WRONG_HRP");
  const legacy = bech32.encode("pc", [0, ...bech32.toWords(c)]);
  assert.equal(codeOf(legacy), "INVALID_BECH32M");
  assert.throws(() => decodeAddress(legacy), /bech32 checksum, expected bech32m/);
  // 52 words carry 260 bits: non-zero padding bits in the last word.
  const words = [0, ...bech32m.toWords(c)];
  words[words.length - 1] = words[words.length - 1]! | 1;
  assert.equal(codeOf(bech32m.encode("pc", words)), "BAD_PADDING");
  // Two extra words leave 6 padding bits (more than 4): excess padding.
  assert.equal(codeOf(bech32m.encode("pc", [0, ...bech32m.toWords(c), 0, 0])), "BAD_PADDING");
  // One extra word makes a 33-byte program.
  assert.equal(codeOf(bech32m.encode("pc", [0, ...bech32m.toWords(c), 0])), "BAD_PROGRAM_LENGTH");
  assert.equal(
    codeOf(bech32m.encode("pc", [0, ...bech32m.toWords(new Uint8Array(20))])),
    "BAD_PROGRAM_LENGTH",
  );
  assert.equal(codeOf(bech32m.encode("pc", [1, ...bech32m.toWords(c)])), "UNKNOWN_VERSION");
  assert.equal(codeOf(bech32m.encode("pc", [])), "BAD_PROGRAM_LENGTH");
  const flipped = good.slice(0, -1) + (good.endsWith("q") ? "p" : "q");
  assert.equal(codeOf(flipped), "INVALID_BECH32M");
});

Deno.test("decodeAddress() refuses an address of each other network with WRONG_HRP", () => {
  const c = new Uint8Array(32).fill(9);
  const nets = ["mainnet", "testnet", "devnet"] as const;
  for (const from of nets) {
    const a = encodeAddress(c, from);
    assert.deepStrictEqual(decodeAddress(a).commitment, c, `${from}: any known network`);
    for (const to of nets) {
      assert.equal(codeOf(a, to), from === to ? "OK" : "WRONG_HRP", `${from} address on ${to}`);
    }
  }
  // Devnet and testnet used to share "tpc": each is now refused on the other, and the message
  // names both networks.
  const dev = encodeAddress(c, "devnet");
  const test = encodeAddress(c, "testnet");
  assert.ok(dev.startsWith("dpc1q") && test.startsWith("tpc1q"));
  assert.throws(
    () => decodeAddress(dev, "testnet"),
    (e: unknown) =>
      e instanceof AddressError && e.code === "WRONG_HRP" && e.address === dev &&
      /prefix "dpc" \(devnet\), expected "tpc" \(testnet\)/.test(e.message),
  );
  assert.throws(
    () => decodeAddress(test, "devnet"),
    (e: unknown) =>
      e instanceof AddressError && e.code === "WRONG_HRP" &&
      /prefix "tpc" \(testnet\), expected "dpc" \(devnet\)/.test(e.message),
  );
  // An upper-case address keeps its network.
  assert.equal(codeOf(dev.toUpperCase(), "testnet"), "WRONG_HRP");
  assert.equal(codeOf(dev.toUpperCase(), "devnet"), "OK");
});

Deno.test("encodeAddress() rejects a commitment that is not 32 bytes", () => {
  assert.throws(() => encodeAddress(new Uint8Array(31), "mainnet"), TypeError);
  assert.throws(() => encodeAddress(new Uint8Array(32), "moonnet" as "mainnet"), RangeError);
  fc.assert(
    fc.property(hash32, (h) => {
      assert.deepStrictEqual(decodeAddress(encodeAddress(h, "devnet")).commitment, h);
    }),
    { seed: 3, numRuns: 30 },
  );
});
