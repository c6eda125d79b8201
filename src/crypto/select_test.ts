import assert from "node:assert/strict";
import { nativeStatus, randomBytes, setCryptoLogger } from "./mod.ts";
import { native } from "./_select.ts";

Deno.test("nativeStatus() agrees with the loaded back ends and explains every fallback", () => {
  const s = nativeStatus();
  assert.equal(s.blake3, native.blake3 ? "native" : "fallback");
  assert.equal(s.secp256k1, native.schnorr ? "native" : "fallback");
  assert.equal(s.bls, native.bls ? "native" : "fallback");
  const anyFallback = [s.blake3, s.secp256k1, s.bls].includes("fallback");
  assert.equal(s.reason !== undefined, anyFallback, `reason: ${s.reason}`);
  if (s.blake3 === "native") {
    assert.ok(
      ["portable", "sse2", "sse41", "avx2", "avx512", "neon"].includes(s.blake3Backend ?? ""),
    );
  } else {
    assert.equal(s.blake3Backend, undefined);
  }
  assert.ok(Object.isFrozen(s));
});

Deno.test("setCryptoLogger() reports the selection once per registration", () => {
  const seen: [string, unknown][] = [];
  setCryptoLogger((message, fields) => seen.push([message, fields]));
  assert.deepEqual(seen, [["Crypto back ends selected", nativeStatus()]]);
  assert.throws(() => setCryptoLogger("x" as unknown as () => void), TypeError);
});

Deno.test("PHANTOM_NATIVE=off forces every fallback and says why", async () => {
  const code = `import { nativeStatus } from ${
    JSON.stringify(new URL("./mod.ts", import.meta.url).href)
  };
console.log(JSON.stringify(nativeStatus()));`;
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "eval",
      "--no-check",
      "--config",
      new URL("../../deno.json", import.meta.url).pathname,
      code,
    ],
    env: { PHANTOM_NATIVE: "off" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, stderr);
  const s = JSON.parse(new TextDecoder().decode(out.stdout));
  assert.equal(s.blake3, "fallback");
  assert.equal(s.secp256k1, "fallback");
  assert.equal(s.bls, "fallback");
  assert.match(s.reason, /PHANTOM_NATIVE=off/);
});

Deno.test("randomBytes() returns fresh bytes and rejects bad counts", () => {
  assert.equal(randomBytes(0).length, 0);
  const a = randomBytes(70000);
  assert.equal(a.length, 70000);
  assert.notDeepEqual(randomBytes(32), randomBytes(32));
  assert.ok(a.subarray(65536).some((b) => b !== 0), "bytes past the 64 KiB chunk are filled");
  for (const bad of [-1, 1.5, NaN, 2 ** 21]) {
    assert.throws(() => randomBytes(bad), RangeError, `randomBytes(${bad})`);
  }
});
