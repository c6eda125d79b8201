import assert from "node:assert/strict";
import fc from "fast-check";
import { payload as payloadArb, tx as txArb } from "./_arbitrary.ts";
import {
  AddressError,
  CodecError,
  decodeAddress,
  decodeEventPayloadWithIds,
  decodeTxWithIds,
  encodeEventPayload,
  encodeTx,
} from "./mod.ts";
import { CASES } from "./_cases.ts";

/** Calls `dec`; only CodecError may escape, and a successful decode must re-encode to `b`. */
function total(
  name: string,
  dec: (b: Uint8Array) => unknown,
  enc: (v: unknown) => Uint8Array,
  b: Uint8Array,
): void {
  let v: unknown;
  try {
    v = dec(b);
  } catch (e) {
    if (e instanceof CodecError) return;
    throw new Error(`${name}: non-CodecError escaped for ${hex(b)}: ${String(e)}`);
  }
  assert.deepStrictEqual(enc(v), b, `${name}: accepted a non-canonical ${hex(b)}`);
}

function hex(b: Uint8Array): string {
  return Array.from(b.subarray(0, 64), (x) => x.toString(16).padStart(2, "0")).join("") +
    (b.length > 64 ? "…" : "");
}

const mutation = fc.oneof(
  fc.record({
    kind: fc.constant("flip" as const),
    at: fc.nat(),
    bit: fc.integer({ min: 0, max: 7 }),
  }),
  fc.record({
    kind: fc.constant("set" as const),
    at: fc.nat(),
    byte: fc.integer({ min: 0, max: 255 }),
  }),
  fc.record({
    kind: fc.constant("insert" as const),
    at: fc.nat(),
    byte: fc.integer({ min: 0, max: 255 }),
  }),
  fc.record({ kind: fc.constant("delete" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

function mutate(b: Uint8Array, ms: readonly Mutation[]): Uint8Array {
  let out = Array.from(b);
  for (const m of ms) {
    const at = out.length === 0 ? 0 : m.at % (out.length + (m.kind === "insert" ? 1 : 0));
    switch (m.kind) {
      case "flip":
        if (out.length > 0) out[at] = (out[at] as number) ^ (1 << m.bit);
        break;
      case "set":
        if (out.length > 0) out[at] = m.byte;
        break;
      case "insert":
        out.splice(at, 0, m.byte);
        break;
      case "delete":
        out.splice(at, 1);
        break;
      case "truncate":
        out = out.slice(0, at);
        break;
    }
  }
  return Uint8Array.from(out);
}

for (const c of CASES) {
  Deno.test(`decode${c.name}() throws only CodecError on random bytes`, () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (b) => total(c.name, c.dec, c.enc, b)),
      { seed: 0xf022, numRuns: 400 },
    );
  });

  Deno.test(`decode${c.name}() throws only CodecError on mutated encodings`, () => {
    fc.assert(
      fc.property(c.arb, fc.array(mutation, { minLength: 1, maxLength: 3 }), (v, ms) => {
        total(c.name, c.dec, c.enc, mutate(c.enc(v), ms));
      }),
      { seed: 0xf023, numRuns: 300 },
    );
  });
}

Deno.test("decodeTx() refuses large random inputs quickly", () => {
  const tx = CASES.find((c) => c.name === "Tx")!;
  const payload = CASES.find((c) => c.name === "EventPayload")!;
  // Long runs of 0xff make every count huge: the limit check must fire before any allocation.
  for (const n of [1_000, 99_999, 100_000, 100_001]) {
    const b = new Uint8Array(n).fill(0xff);
    b[0] = 1;
    total("Tx", tx.dec, tx.enc, b);
    total("EventPayload", payload.dec, payload.enc, b);
  }
});

Deno.test("decodeTxWithIds() and decodeEventPayloadWithIds() throw only CodecError on mutations", () => {
  fc.assert(
    fc.property(
      txArb,
      payloadArb,
      fc.array(mutation, { minLength: 1, maxLength: 3 }),
      (t, p, ms) => {
        total(
          "TxWithIds",
          (b) => decodeTxWithIds(b).tx,
          (v) => encodeTx(v as never),
          mutate(encodeTx(t), ms),
        );
        total(
          "PayloadWithIds",
          (b) => decodeEventPayloadWithIds(b).payload,
          (v) => encodeEventPayload(v as never),
          mutate(encodeEventPayload(p), ms),
        );
      },
    ),
    { seed: 0xf024, numRuns: 150 },
  );
});

Deno.test("decodeAddress() throws only AddressError on random strings", () => {
  const chars = fc.constantFrom(..."qpzry9x8gf2tvdw0s3jn54khce6mua7lQPZRY1bio ?\u00e9".split(""));
  const prefixed = fc.tuple(
    fc.constantFrom("pc1", "tpc1", "dpc1", "PC1", "bc1", "1", ""),
    fc.string({ unit: chars, maxLength: 100 }),
  )
    .map(([a, b]) => a + b);
  fc.assert(
    fc.property(fc.oneof(prefixed, fc.string({ maxLength: 120 })), (s) => {
      try {
        decodeAddress(s);
      } catch (e) {
        if (!(e instanceof AddressError)) throw new Error(`${JSON.stringify(s)}: ${String(e)}`);
      }
    }),
    { seed: 0xad, numRuns: 500 },
  );
});
