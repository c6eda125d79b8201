import assert from "node:assert/strict";
import fc from "fast-check";
import { Prng } from "./prng.ts";

Deno.test("Prng() gives the same stream for the same seed", () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 2 ** 40 }), (seed) => {
      const a = new Prng(seed);
      const b = new Prng(seed);
      for (let i = 0; i < 20; i++) assert.equal(a.nextU32(), b.nextU32(), `seed ${seed} step ${i}`);
    }),
    { seed: 42, numRuns: 50 },
  );
});

Deno.test("Prng() streams differ between seeds and stay in range", () => {
  const a = new Prng(1);
  const b = new Prng(2);
  assert.notEqual(a.nextU32(), b.nextU32());
  for (let i = 0; i < 1000; i++) {
    const f = a.float();
    assert.ok(f >= 0 && f < 1, `float ${f}`);
    const n = a.int(7);
    assert.ok(Number.isInteger(n) && n >= 0 && n < 7, `int ${n}`);
  }
});

Deno.test("Prng.int() is roughly uniform", () => {
  const p = new Prng(99);
  const counts = new Array<number>(4).fill(0);
  for (let i = 0; i < 4000; i++) counts[p.int(4)]!++;
  for (const c of counts) assert.ok(c > 850 && c < 1150, `count ${c}`);
});

Deno.test("Prng() rejects a non-integer seed", () => {
  assert.throws(() => new Prng(1.5), RangeError);
  assert.throws(() => new Prng(1).int(0), RangeError);
});
