import assert from "node:assert/strict";
import { schnorrPublicKey, schnorrSign, schnorrVerifyBatch } from "../crypto/mod.ts";
import { type SigItem, VerifiedSigCache } from "./sig_cache.ts";

const sk = new Uint8Array(32).fill(7);
const pk = schnorrPublicKey(sk);
function item(n: number): SigItem {
  const message = new Uint8Array(32).fill(n);
  return { signature: schnorrSign(message, sk), message, publicKey: pk };
}

Deno.test("VerifiedSigCache answers valid repeats from the cache, never invalid ones", async () => {
  const cache = new VerifiedSigCache(2);
  let calls = 0;
  const v = (todo: SigItem[]) => {
    calls += todo.length;
    return schnorrVerifyBatch(todo);
  };
  const a = item(1), b = item(2);
  const bad = { ...item(3), message: new Uint8Array(32).fill(4) };
  assert.deepEqual(await cache.verify([a, b, bad], v), [true, true, false]);
  assert.equal(calls, 3);
  assert.deepEqual(await cache.verify([a, bad, b], v), [true, false, true]);
  assert.equal(calls, 4, "only the invalid one is checked again");
  // Same signature and key, other message: a different check.
  assert.deepEqual(await cache.verify([{ ...a, message: b.message }], v), [false]);
  // Capacity 2: a third valid entry evicts the oldest.
  await cache.verify([item(5)], v);
  assert.equal(cache.size, 2);
  const before = calls;
  await cache.verify([a], v);
  assert.equal(calls, before + 1, "evicted entry is verified again");
  assert.throws(() => new VerifiedSigCache(0), RangeError);
});
