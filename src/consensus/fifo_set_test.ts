import assert from "node:assert/strict";
import fc from "fast-check";
import { FifoSet } from "./fifo_set.ts";

Deno.test("FifoSet keeps at most cap members, forgetting the oldest, and ignores re-adds", () => {
  const s = new FifoSet(3);
  for (const k of ["a", "b", "c"]) assert.ok(s.add(k, 0));
  assert.equal(s.add("a", 9), false, "a member keeps its place");
  assert.ok(s.add("d", 1));
  assert.deepEqual(["a", "b", "c", "d"].map((k) => s.has(k)), [false, true, true, true]);
  assert.ok(s.delete("c"));
  assert.equal(s.delete("c"), false);
  assert.ok(s.add("e", 2));
  assert.ok(s.add("f", 3));
  assert.deepEqual(["b", "d", "e", "f"].map((k) => s.has(k)), [false, true, true, true]);
  assert.equal(s.forgetWhile((t) => t < 3), 2);
  assert.deepEqual(["d", "e", "f"].map((k) => s.has(k)), [false, false, true]);
  const none = new FifoSet(0);
  assert.equal(none.add("x", 0), true);
  assert.equal(none.size, 0);
  assert.throws(() => new FifoSet(-1), RangeError);
  assert.throws(() => new FifoSet(1.5), RangeError);
});

Deno.test("FifoSet matches a reference model under random adds, deletes and tag cuts", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 40 }),
      fc.array(
        fc.tuple(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 120 })),
        { minLength: 300, maxLength: 3000 },
      ),
      (cap, ops) => {
        const s = new FifoSet(cap);
        const model: [string, number][] = []; // oldest first
        let tag = 0;
        for (const [op, v] of ops) {
          const key = `k${v}`;
          if (op < 6) {
            const had = model.some(([k]) => k === key);
            assert.equal(s.add(key, tag), !had);
            if (!had) model.push([key, tag]);
            while (model.length > cap) model.shift();
            if (op === 0) tag++;
          } else if (op < 9) {
            const i = model.findIndex(([k]) => k === key);
            assert.equal(s.delete(key), i >= 0);
            if (i >= 0) model.splice(i, 1);
          } else {
            const cut = tag - 3;
            let n = 0;
            while (model.length > 0 && model[0]![1] < cut) {
              model.shift();
              n++;
            }
            assert.equal(s.forgetWhile((t) => t < cut), n);
          }
          assert.equal(s.size, model.length);
        }
        for (let v = 0; v <= 120; v++) {
          assert.equal(s.has(`k${v}`), model.some(([k]) => k === `k${v}`), `k${v}`);
        }
      },
    ),
    { seed: 25, numRuns: 200 },
  );
});

Deno.test("FifoSet stays ordered when most entries were deleted (marks added then consumed)", () => {
  const s = new FifoSet(1000);
  for (let i = 0; i < 500; i++) s.add(`old${i}`, i);
  // Early payload marks: added, then consumed by their header, many times over.
  for (let i = 0; i < 5000; i++) {
    assert.ok(s.add(`tmp${i}`, 500));
    assert.ok(s.delete(`tmp${i}`));
  }
  assert.equal(s.size, 500);
  for (let i = 0; i < 600; i++) s.add(`new${i}`, 600);
  // 1 100 added over a cap of 1 000: exactly the 100 oldest are forgotten, in order.
  assert.equal(s.size, 1000);
  assert.equal(s.has("old99"), false);
  assert.equal(s.has("old100"), true);
  assert.equal(s.forgetWhile((t) => t < 450), 350);
  assert.equal(s.has("old449"), false);
  assert.equal(s.has("old450"), true);
});
