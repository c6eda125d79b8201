import assert from "node:assert/strict";
import fc from "fast-check";
import { BoundedQueue, ByteBoundedCache, SeenCache, TokenBucket } from "./queue.ts";

Deno.test("BoundedQueue.push() drops and counts beyond capacity", () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 0, max: 200 }), (cap, n) => {
      const q = new BoundedQueue<number>(cap);
      for (let i = 0; i < n; i++) q.push(i);
      assert.equal(q.size, Math.min(cap, n));
      assert.equal(q.dropped, Math.max(0, n - cap));
      for (let i = 0; i < Math.min(cap, n); i++) assert.equal(q.shift(), i, `item ${i}`);
      assert.equal(q.shift(), undefined);
    }),
    { seed: 7 },
  );
});

Deno.test("BoundedQueue.next() waits for a push and ends on close()", async () => {
  const q = new BoundedQueue<string>(2);
  const p = q.next();
  q.push("a");
  assert.equal(await p, "a");
  q.push("b");
  q.close();
  assert.equal(q.push("c"), false, "closed queue refuses");
  const seen: string[] = [];
  for await (const x of q) seen.push(x);
  assert.deepEqual(seen, ["b"]);
});

Deno.test("BoundedQueue() rejects a bad capacity", () => {
  assert.throws(() => new BoundedQueue(0), RangeError);
  assert.throws(() => new BoundedQueue(1.5), RangeError);
});

Deno.test("BoundedQueue.shift() keeps memory proportional to size over many cycles", () => {
  const q = new BoundedQueue<number>(10);
  for (let i = 0; i < 100_000; i++) {
    q.push(i);
    assert.equal(q.shift(), i);
  }
  assert.equal(q.size, 0);
});

Deno.test("SeenCache.add() forgets the oldest key beyond capacity", () => {
  const s = new SeenCache(3);
  for (const k of ["a", "b", "c", "d"]) assert.ok(s.add(k), k);
  assert.equal(s.size, 3);
  assert.ok(!s.has("a"));
  assert.ok(!s.add("d"), "duplicate");
  s.delete("d");
  assert.ok(s.add("d"));
});

Deno.test("ByteBoundedCache.set() never exceeds its byte budget", () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 60 }), (sizes) => {
      const c = new ByteBoundedCache(100);
      sizes.forEach((n, i) => {
        c.set(`k${i}`, new Uint8Array(n));
        assert.ok(c.bytes <= 100, `after ${i}`);
      });
    }),
    { seed: 11 },
  );
  const c = new ByteBoundedCache(10);
  c.set("big", new Uint8Array(11));
  assert.ok(!c.has("big"), "a body above the budget is not stored");
});

Deno.test("TokenBucket.take() refills at its rate up to the burst", () => {
  let now = 0;
  const b = new TokenBucket(10, 20, () => now);
  assert.ok(b.take(20));
  assert.ok(!b.take(1));
  now = 500;
  assert.ok(b.take(5));
  assert.ok(!b.take(1));
  now = 100_000;
  assert.ok(b.take(20));
  assert.ok(!b.take(1), "burst caps the refill");
  assert.throws(() => new TokenBucket(0, 1, () => 0), RangeError);
});
