import assert from "node:assert/strict";
import fc from "fast-check";
import { blake3Backends, hex, testOn, toHex } from "./_testing.ts";
import { blake3, blake3Batch } from "./mod.ts";
import { fallbackBlake3 } from "./_fallback.ts";

interface Blake3Vectors {
  key: string;
  context_string: string;
  cases: { input_len: number; hash: string; keyed_hash: string; derive_key: string }[];
}

const vectors: Blake3Vectors = JSON.parse(
  Deno.readTextFileSync(
    new URL("../../testdata/vectors/blake3/test_vectors.json", import.meta.url),
  ),
);
const key = new TextEncoder().encode(vectors.key);

function input(len: number): Uint8Array {
  const out = new Uint8Array(len);
  for (let i = 0; i < len; i++) out[i] = i % 251;
  return out;
}

for (const c of blake3Backends) {
  testOn(c, "blake3() matches every official vector in all modes and lengths", (b) => {
    for (const v of vectors.cases) {
      const data = input(v.input_len);
      const modes = [
        ["hash", v.hash, undefined],
        ["keyed_hash", v.keyed_hash, { key }],
        ["derive_key", v.derive_key, { context: vectors.context_string }],
      ] as const;
      for (const [mode, expected, opts] of modes) {
        const xof = expected.length / 2;
        assert.deepEqual(
          toHex(b.blake3(data, { ...opts, dkLen: xof })),
          expected,
          `${mode} len ${v.input_len} xof`,
        );
        assert.deepEqual(
          toHex(b.blake3(data, opts)),
          expected.slice(0, 64),
          `${mode} len ${v.input_len} default`,
        );
        assert.deepEqual(
          toHex(b.blake3(data, { ...opts, dkLen: 7 })),
          expected.slice(0, 14),
          `${mode} len ${v.input_len} short`,
        );
      }
      const raw = b.blake3(data, { context: new TextEncoder().encode(vectors.context_string) });
      assert.deepEqual(
        toHex(raw),
        v.derive_key.slice(0, 64),
        `derive_key raw context len ${v.input_len}`,
      );
    }
  });

  testOn(c, "blake3Batch() equals per-message blake3() on the official inputs", (b) => {
    const inputs = vectors.cases.map((v) => input(v.input_len));
    const out = b.blake3Batch(inputs);
    assert.deepEqual(out.length, inputs.length);
    vectors.cases.forEach((v, i) => {
      assert.deepEqual(
        toHex(out[i] as Uint8Array),
        v.hash.slice(0, 64),
        `batch len ${v.input_len}`,
      );
    });
    const keyed = b.blake3Batch(inputs, { key });
    const derived = b.blake3Batch(inputs, { context: vectors.context_string });
    vectors.cases.forEach((v, i) => {
      assert.deepEqual(
        toHex(keyed[i] as Uint8Array),
        v.keyed_hash.slice(0, 64),
        `keyed batch len ${v.input_len}`,
      );
      assert.deepEqual(
        toHex(derived[i] as Uint8Array),
        v.derive_key.slice(0, 64),
        `derive batch len ${v.input_len}`,
      );
    });
    assert.deepEqual(b.blake3Batch([]), []);
    assert.deepEqual(b.blake3Batch([new Uint8Array(0), new Uint8Array(0)]).map(toHex), [
      vectors.cases[0]!.hash.slice(0, 64),
      vectors.cases[0]!.hash.slice(0, 64),
    ]);
  });

  testOn(
    c,
    "blake3BatchPacked() equals blake3Batch() on the official inputs in every mode",
    (b) => {
      const inputs = vectors.cases.map((v) => input(v.input_len));
      const offsets = new Uint32Array(inputs.length + 1);
      for (let i = 0; i < inputs.length; i++) offsets[i + 1] = offsets[i]! + inputs[i]!.length;
      const packed = new Uint8Array(offsets[inputs.length]!);
      inputs.forEach((m, i) => packed.set(m, offsets[i]!));
      for (const opts of [undefined, { key }, { context: vectors.context_string }]) {
        const out = b.blake3BatchPacked(packed, offsets, opts);
        assert.equal(out.length, 32 * inputs.length);
        const want = b.blake3Batch(inputs, opts);
        inputs.forEach((_, i) => {
          assert.equal(toHex(out.subarray(32 * i, 32 * i + 32)), toHex(want[i]!), `${i}`);
        });
      }
      // Offsets need not start at 0 nor cover the whole buffer; empty messages are allowed.
      const mid = b.blake3BatchPacked(packed, Uint32Array.of(5, 5, 9));
      assert.equal(toHex(mid.subarray(0, 32)), vectors.cases[0]!.hash.slice(0, 64));
      assert.equal(toHex(mid.subarray(32)), toHex(b.blake3(packed.subarray(5, 9))));
      assert.equal(b.blake3BatchPacked(new Uint8Array(0), Uint32Array.of(0)).length, 0);
      assert.equal(
        toHex(b.blake3BatchPacked(new Uint8Array(0), Uint32Array.of(0, 0))),
        vectors.cases[0]!.hash.slice(0, 64),
      );
    },
  );

  testOn(
    c,
    "blake3BatchPacked() gives the official digests in large mixed batches (SIMD groups)",
    (b) => {
      // Each official input 37 times, interleaved: the native path groups messages of 2..16
      // blocks by length and hashes up to 16 side by side, so every group fills and spills.
      const cases = vectors.cases;
      const order: number[] = [];
      for (let r = 0; r < 37; r++) {
        for (let i = 0; i < cases.length; i++) order.push((i * r) % cases.length);
      }
      const offsets = new Uint32Array(order.length + 1);
      order.forEach((ci, i) => offsets[i + 1] = offsets[i]! + cases[ci]!.input_len);
      const packed = new Uint8Array(offsets[order.length]!);
      order.forEach((ci, i) => packed.set(input(cases[ci]!.input_len), offsets[i]!));
      const modes = [
        ["hash", undefined],
        ["keyed_hash", { key }],
        ["derive_key", { context: vectors.context_string }],
      ] as const;
      for (const [mode, opts] of modes) {
        const out = b.blake3BatchPacked(packed, offsets, opts);
        order.forEach((ci, i) => {
          assert.equal(
            toHex(out.subarray(32 * i, 32 * i + 32)),
            cases[ci]![mode].slice(0, 64),
            `${mode} message ${i} (len ${cases[ci]!.input_len})`,
          );
        });
      }
    },
  );

  testOn(c, "blake3BatchPacked() rejects bad offsets before hashing", (b) => {
    const p = new Uint8Array(8);
    assert.throws(() => b.blake3BatchPacked(p, [0, 1] as unknown as Uint32Array), TypeError);
    assert.throws(
      () => b.blake3BatchPacked("x" as unknown as Uint8Array, Uint32Array.of(0)),
      TypeError,
    );
    assert.throws(() => b.blake3BatchPacked(p, new Uint32Array(0)), RangeError);
    assert.throws(() => b.blake3BatchPacked(p, Uint32Array.of(0, 4, 3)), /below entry 1/);
    assert.throws(() => b.blake3BatchPacked(p, Uint32Array.of(0, 9)), /exceeds 8 packed bytes/);
    assert.throws(() => b.blake3BatchPacked(p, Uint32Array.of(0, 1), { key: p }), RangeError);
  });

  testOn(
    c,
    "blake3BatchPacked() equals per-message blake3() on random messages (property)",
    (b) => {
      fc.assert(
        fc.property(fc.array(fc.uint8Array({ maxLength: 2100 }), { maxLength: 12 }), (ms) => {
          const offsets = new Uint32Array(ms.length + 1);
          ms.forEach((m, i) => offsets[i + 1] = offsets[i]! + m.length);
          const packed = new Uint8Array(offsets[ms.length]!);
          ms.forEach((m, i) => packed.set(m, offsets[i]!));
          const out = b.blake3BatchPacked(packed, offsets);
          ms.forEach((m, i) => {
            assert.equal(toHex(out.subarray(32 * i, 32 * i + 32)), toHex(fallbackBlake3.blake3(m)));
          });
        }),
        { numRuns: 60 },
      );
    },
  );

  testOn(c, "blake3() rejects wrong types and lengths before hashing", (b) => {
    const bad: [unknown, unknown][] = [
      ["abc", undefined],
      [null, undefined],
      [[1, 2], undefined],
      [new Uint8Array(1), null],
      [new Uint8Array(1), { key: new Uint8Array(31) }],
      [new Uint8Array(1), { key: new Uint8Array(33) }],
      [new Uint8Array(1), { key: "k".repeat(32) }],
      [new Uint8Array(1), { context: 5 }],
      [new Uint8Array(1), { key, context: "x" }],
      [new Uint8Array(1), { dkLen: -1 }],
      [new Uint8Array(1), { dkLen: 1.5 }],
      [new Uint8Array(1), { dkLen: "32" }],
      [new Uint8Array(1), { dkLen: 2 ** 30 }],
    ];
    for (const [data, opts] of bad) {
      assert.throws(
        () => b.blake3(data as Uint8Array, opts as undefined),
        (e: unknown) => e instanceof TypeError || e instanceof RangeError,
        `blake3(${String(data)}, ${JSON.stringify(opts)})`,
      );
    }
    assert.throws(() => b.blake3Batch("x" as unknown as Uint8Array[]), TypeError);
    assert.throws(
      () => b.blake3Batch([], { dkLen: 64 } as unknown as undefined),
      /dkLen is not supported/,
    );
    assert.throws(() => b.blake3Batch([], { key: new Uint8Array(16) }), RangeError);
    assert.throws(() => b.blake3Batch([], { key, context: "x" }), TypeError);
    assert.throws(
      () => b.blake3Batch([new Uint8Array(1), "x"] as unknown as Uint8Array[]),
      /blake3 batch\[1\]/,
    );
    assert.deepEqual(b.blake3(new Uint8Array(3), { dkLen: 0 }).length, 0);
  });
}

Deno.test("blake3() and blake3Batch() of mod.ts agree with the fallback", () => {
  const data = input(1025);
  assert.deepEqual(toHex(blake3(data)), toHex(fallbackBlake3.blake3(data)));
  assert.deepEqual(blake3Batch([data]).map(toHex), [toHex(fallbackBlake3.blake3(data))]);
});

const [, nativeCase] = blake3Backends;
if (nativeCase !== undefined) {
  testOn(nativeCase, "blake3() native and fallback agree on random inputs and options", (n) => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 5000 }),
        fc.integer({ min: 0, max: 300 }),
        fc.oneof(
          fc.constant(undefined),
          fc.uint8Array({ minLength: 32, maxLength: 32 }).map((k) => ({ key: k })),
          fc.string().map((s) => ({ context: s })),
          fc.uint8Array({ maxLength: 80 }).map((s) => ({ context: s })),
        ),
        (data, dkLen, opts) => {
          const o = { ...opts, dkLen };
          assert.deepEqual(n.blake3(data, o), fallbackBlake3.blake3(data, o));
        },
      ),
      { seed: 0x5eed, numRuns: 300 },
    );
  });

  testOn(nativeCase, "blake3Batch() native and fallback agree on random message lists", (n) => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 2100 }), { maxLength: 40 }),
        fc.oneof(
          fc.constant(undefined),
          fc.uint8Array({ minLength: 32, maxLength: 32 }).map((k) => ({ key: k })),
          fc.string().map((c) => ({ context: c })),
        ),
        (msgs, opts) => {
          assert.deepEqual(
            n.blake3Batch(msgs, opts).map(toHex),
            fallbackBlake3.blake3Batch(msgs, opts).map(toHex),
          );
        },
      ),
      { seed: 0xb1a, numRuns: 100 },
    );
  });

  testOn(nativeCase, "blake3() native handles large inputs and subarray views", (n) => {
    const big = new Uint8Array((1 << 20) + 3).map((_, i) => i * 7);
    assert.deepEqual(toHex(n.blake3(big)), toHex(fallbackBlake3.blake3(big)));
    const view = big.subarray(5, 5000);
    assert.deepEqual(
      toHex(n.blake3(view, { dkLen: 64 })),
      toHex(fallbackBlake3.blake3(view, { dkLen: 64 })),
    );
    assert.deepEqual(toHex(n.blake3(hex("00"))), toHex(fallbackBlake3.blake3(hex("00"))));
  });
}
