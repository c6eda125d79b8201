import assert from "node:assert/strict";
import fc from "fast-check";
import { p, ParamError } from "./params.ts";

Deno.test("p.hex() accepts exactly the right length of lowercase hex", () => {
  const v = p.hex(4);
  assert.equal(v("00ff10ab", "id"), "00ff10ab");
  for (const bad of ["00FF10AB", "00ff10a", "00ff10ab00", 5, null, "zz00ff10"]) {
    assert.throws(
      () => v(bad, "id"),
      (e: unknown) => e instanceof ParamError && e.path === "id",
      String(bad),
    );
  }
});

Deno.test("p.object() is strict, maps positional params and names nested paths", () => {
  const v = p.object({ a: p.integer(0, 10), b: p.optional(p.array(p.boolean(), 2)) });
  assert.deepEqual(v({ a: 1 }, ""), { a: 1 });
  assert.deepEqual(v([2, [true]], ""), { a: 2, b: [true] });
  assert.throws(
    () => v({ a: 1, c: 2 }, ""),
    (e: unknown) => e instanceof ParamError && e.path === "c",
  );
  assert.throws(
    () => v({ a: 1, b: [true, 1] }, ""),
    (e: unknown) => e instanceof ParamError && e.path === "b/1",
  );
  assert.throws(
    () => v({ a: 1, b: [true, true, true] }, ""),
    (e: unknown) => e instanceof ParamError && e.path === "b",
  );
  assert.throws(() => v("x", ""), ParamError);
});

Deno.test("p.integer() accepts exactly the safe integers in range", () => {
  const v = p.integer(-5, 5);
  fc.assert(
    fc.property(fc.oneof(fc.integer(), fc.double(), fc.string(), fc.constant(null)), (x) => {
      const ok = typeof x === "number" && Number.isSafeInteger(x) && x >= -5 && x <= 5;
      try {
        v(x, "n");
        return ok;
      } catch (e) {
        return !ok && e instanceof ParamError;
      }
    }),
    { seed: 3, numRuns: 500 },
  );
});

Deno.test("p.none() accepts only absent or empty params", () => {
  const v = p.none();
  for (const ok of [undefined, null, [], {}]) assert.deepEqual(v(ok, ""), {});
  for (const bad of [[1], { a: 1 }, "x"]) assert.throws(() => v(bad, ""), ParamError);
});

Deno.test("p.oneOf() and p.string() enforce their sets and lengths", () => {
  assert.equal(p.oneOf(["a", "b"])("a", "m"), "a");
  assert.throws(() => p.oneOf(["a", "b"])("c", "m"), /one of "a", "b"/);
  assert.throws(() => p.string({ maxLength: 2 })("abc", "s"), /at most 2 characters/);
  assert.throws(() => p.string({ pattern: /^x/, what: "x-prefixed" })("y", "s"), /x-prefixed/);
});
