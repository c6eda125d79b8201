import assert from "node:assert/strict";
import fc from "fast-check";
import {
  bytes,
  type Coder,
  decodeRoot,
  encodeRoot,
  list,
  option,
  struct,
  u64,
  uint,
  varBytes,
  varU64,
  varUint,
} from "./_coder.ts";
import { CodecError } from "./errors.ts";

const dec = <T>(c: Coder<T>, b: number[] | Uint8Array): T =>
  decodeRoot("T", c, Uint8Array.from(b), 1 << 20);
const enc = <T>(c: Coder<T>, v: T): Uint8Array => encodeRoot("T", c, v);
function code(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof CodecError) return e.code;
    throw e;
  }
  return "OK";
}

Deno.test("varU64() round-trips every u64 with the minimal LEB128 length", () => {
  const c = varU64();
  fc.assert(
    fc.property(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), (v) => {
      const b = enc(c, v);
      const bits = v === 0n ? 1 : v.toString(2).length;
      assert.equal(b.length, Math.ceil(bits / 7));
      assert.equal(dec(c, b), v);
    }),
    { seed: 1, numRuns: 300 },
  );
  assert.deepStrictEqual(
    enc(c, (1n << 64n) - 1n),
    Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]),
  );
});

Deno.test("varU64() rejects non-minimal encodings, 2^64 and more than 10 bytes", () => {
  const c = varU64();
  assert.equal(code(() => dec(c, [0x80, 0x00])), "NON_MINIMAL_VARINT");
  assert.equal(code(() => dec(c, [0xff, 0x80, 0x00])), "NON_MINIMAL_VARINT");
  assert.equal(code(() => dec(c, [...Array(9).fill(0xff), 0x02])), "VARINT_OVERFLOW");
  assert.equal(code(() => dec(c, [...Array(9).fill(0x80), 0x81, 0x01])), "VARINT_OVERFLOW");
  assert.equal(code(() => dec(c, [0x80])), "TRUNCATED");
  assert.equal(code(() => dec(varU64(10n), [11])), "OUT_OF_RANGE");
  assert.equal(code(() => dec(varU64(200n), [0xc9, 0x01])), "OUT_OF_RANGE");
});

Deno.test("varUint() rejects non-minimal, out-of-range and over-long encodings", () => {
  const c = varUint(0, 0xffff_ffff);
  fc.assert(
    fc.property(fc.nat({ max: 0xffff_ffff }), (v) => assert.equal(dec(c, enc(c, v)), v)),
    { seed: 2, numRuns: 200 },
  );
  assert.equal(code(() => dec(c, [0x80, 0x00])), "NON_MINIMAL_VARINT");
  assert.equal(code(() => dec(c, [0xff, 0xff, 0xff, 0xff, 0x10])), "OUT_OF_RANGE");
  assert.equal(code(() => dec(c, Array(10).fill(0x80))), "VARINT_OVERFLOW");
  assert.equal(code(() => dec(varUint(5, 10), [4])), "OUT_OF_RANGE");
  assert.throws(() => enc(c, -1), RangeError);
  assert.throws(() => enc(c, 1.5), TypeError);
  assert.throws(() => enc(varU64(), 1 as unknown as bigint), TypeError);
  assert.throws(() => enc(varU64(5n), 6n), RangeError);
});

Deno.test("uint() and u64() decode little-endian and check their range", () => {
  assert.equal(dec(uint(2), [0x34, 0x12]), 0x1234);
  assert.equal(dec(uint(4), [1, 0, 0, 0x80]), 0x8000_0001);
  assert.equal(dec(u64(), [1, 0, 0, 0, 0, 0, 0, 0x80]), 0x8000_0000_0000_0001n);
  assert.equal(code(() => dec(uint(1, 0, 63), [64])), "OUT_OF_RANGE");
  assert.equal(code(() => dec(u64(10n), [11, 0, 0, 0, 0, 0, 0, 0])), "OUT_OF_RANGE");
  assert.equal(code(() => dec(uint(4), [1, 2, 3])), "TRUNCATED");
  assert.throws(() => enc(uint(1), 256), RangeError);
  assert.throws(() => enc(uint(1), "1" as unknown as number), TypeError);
  assert.throws(() => enc(u64(), -1n), RangeError);
});

Deno.test("bytes() and varBytes() check lengths before reading", () => {
  assert.throws(() => enc(bytes(4), new Uint8Array(3)), RangeError);
  assert.throws(() => enc(bytes(4), [1, 2, 3, 4] as unknown as Uint8Array), TypeError);
  assert.equal(code(() => dec(varBytes(4), [5, 1, 2, 3, 4, 5])), "LENGTH_OUT_OF_RANGE");
  assert.equal(code(() => dec(varBytes(4, 1), [0])), "LENGTH_OUT_OF_RANGE");
  assert.equal(code(() => dec(varBytes(1 << 20), [0xff, 0xff, 0x3f])), "TRUNCATED");
  assert.throws(() => enc(varBytes(2), new Uint8Array(3)), RangeError);
});

Deno.test("list() rejects counts above max before allocating, and checks order", () => {
  const c = list(3, uint(1), { min: 1, strictlyAscending: (a, b) => a - b });
  assert.deepStrictEqual(dec(c, [2, 1, 2]), [1, 2]);
  assert.equal(code(() => dec(c, [0xff, 0xff, 0xff, 0xff, 0x0f])), "LENGTH_OUT_OF_RANGE");
  assert.equal(code(() => dec(c, [0])), "LENGTH_OUT_OF_RANGE");
  assert.equal(code(() => dec(c, [2, 2, 2])), "NOT_CANONICAL");
  assert.equal(code(() => dec(c, [2, 2, 1])), "NOT_CANONICAL");
  assert.throws(() => enc(c, [3, 1]), /T: 1: elements not strictly ascending/);
  assert.throws(() => enc(c, 5 as unknown as number[]), TypeError);
});

Deno.test("option() accepts only flags 0 and 1", () => {
  const c = option(uint(1));
  assert.equal(dec(c, [0]), null);
  assert.equal(dec(c, [1, 7]), 7);
  assert.equal(code(() => dec(c, [2, 7])), "NOT_CANONICAL");
});

Deno.test("struct() reports the field path and the Writer grows past its first buffer", () => {
  const c = struct("S", { a: uint(1), b: struct("B", { c: varBytes(5000) }) });
  try {
    dec(c, [1, 0x80, 0x00]);
    assert.fail("decoded");
  } catch (e) {
    assert.ok(e instanceof CodecError);
    assert.equal(e.path, "b/c");
    assert.equal(e.object, "T");
    assert.equal(e.message, "Cannot decode T: b/c: non-minimal varint");
  }
  const big = new Uint8Array(4000).fill(7);
  const b = encodeRoot("S", c, { a: 1, b: { c: big } }, 16);
  assert.equal(b.length, 1 + 2 + 4000);
  assert.deepStrictEqual(dec(c, b).b.c, big);
});

Deno.test("decodeRoot() returns views of a private copy of the input", () => {
  const input = Uint8Array.from([1, 2, 3, 4]);
  const v = dec(bytes(4), input);
  input[0] = 9;
  assert.equal(v[0], 1);
  assert.equal(code(() => decodeRoot("T", bytes(4), new Uint8Array(5), 4)), "INPUT_TOO_LARGE");
  assert.throws(() => decodeRoot("T", bytes(4), "abcd" as unknown as Uint8Array, 4), TypeError);
});
