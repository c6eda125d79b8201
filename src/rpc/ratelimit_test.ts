import assert from "node:assert/strict";
import { RateLimiter } from "./ratelimit.ts";

Deno.test("RateLimiter.take() allows the burst, then refills at the rate", () => {
  let t = 0;
  const rl = new RateLimiter({ ratePerSecond: 2, burst: 2, now: () => t });
  assert.equal(rl.take("a"), 0);
  assert.equal(rl.take("a"), 0);
  assert.equal(rl.take("a"), 500);
  assert.equal(rl.take("b"), 0, "clients have separate buckets");
  t = 500;
  assert.equal(rl.take("a"), 0);
  assert.equal(rl.take("a", 3), Infinity, "cost above the burst can never pass");
});

Deno.test("RateLimiter bounds the number of tracked clients", () => {
  const rl = new RateLimiter({ ratePerSecond: 1, burst: 1, maxClients: 3, now: () => 0 });
  for (const c of ["a", "b", "c", "d", "e"]) rl.take(c);
  assert.equal(rl.clients, 3);
});

Deno.test("RateLimiter with rate 0 never limits and rejects bad settings", () => {
  const rl = new RateLimiter({ ratePerSecond: 0, burst: 1 });
  for (let i = 0; i < 100; i++) assert.equal(rl.take("a"), 0);
  assert.throws(() => new RateLimiter({ ratePerSecond: -1, burst: 1 }), RangeError);
  assert.throws(() => new RateLimiter({ ratePerSecond: 1, burst: 0 }), RangeError);
});
