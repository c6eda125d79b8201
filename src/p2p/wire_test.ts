import assert from "node:assert/strict";
import fc from "fast-check";
import { P2pError } from "./errors.ts";
import { MAX_ANNOUNCE_BYTES, MAX_ANNOUNCE_IDS, MAX_PULL_IDS, TOPIC_KINDS } from "./limits.ts";
import {
  decodeAnnouncement,
  decodePullRequest,
  decodePullResponse,
  encodeAnnouncement,
  encodePullRequest,
  encodePullResponse,
  type PullRequest,
  type PullResponse,
} from "./wire.ts";

const id32 = fc.uint8Array({ minLength: 32, maxLength: 32 });
const u32 = fc.integer({ min: 0, max: 0xffff_ffff });

/** fast-check records have a null prototype; structuredClone gives plain objects to compare. */
const plain = <T>(x: T): T => structuredClone(x);

function code(e: unknown): string {
  return e instanceof P2pError ? e.code : `not a P2pError: ${String(e)}`;
}

Deno.test("encodeAnnouncement() round-trips through decodeAnnouncement()", () => {
  fc.assert(
    fc.property(
      fc.array(fc.record({ id: id32, size: u32 }), { minLength: 1, maxLength: MAX_ANNOUNCE_IDS }),
      (items) => {
        const bytes = encodeAnnouncement(items);
        assert.ok(bytes.length <= MAX_ANNOUNCE_BYTES);
        assert.deepEqual(plain(decodeAnnouncement(bytes)), plain(items));
      },
    ),
    { seed: 0x0a17, numRuns: 200 },
  );
});

Deno.test("decodeAnnouncement() rejects malformed input with typed codes", () => {
  const good = encodeAnnouncement([{ id: new Uint8Array(32).fill(1), size: 5 }]);
  const cases: [string, Uint8Array, string][] = [
    ["empty", new Uint8Array(0), "ANNOUNCE_MALFORMED"],
    ["unknown version", Uint8Array.of(2, ...good.subarray(1)), "ANNOUNCE_MALFORMED"],
    ["zero count", Uint8Array.of(1, 0), "ANNOUNCE_MALFORMED"],
    ["count above max", Uint8Array.of(1, MAX_ANNOUNCE_IDS + 1), "ANNOUNCE_MALFORMED"],
    ["truncated", good.subarray(0, good.length - 1), "ANNOUNCE_MALFORMED"],
    ["trailing bytes", Uint8Array.of(...good, 0), "ANNOUNCE_MALFORMED"],
    ["oversized", new Uint8Array(MAX_ANNOUNCE_BYTES + 1), "MESSAGE_TOO_LARGE"],
  ];
  for (const [name, bytes, want] of cases) {
    assert.throws(() => decodeAnnouncement(bytes), (e) => code(e) === want, name);
    try {
      decodeAnnouncement(bytes);
    } catch (e) {
      assert.equal((e as P2pError).verdict, "reject", `${name}: verdict`);
    }
  }
});

Deno.test("encodeAnnouncement() rejects bad arguments", () => {
  assert.throws(() => encodeAnnouncement([]), RangeError);
  const many = Array.from({ length: MAX_ANNOUNCE_IDS + 1 }, () => ({
    id: new Uint8Array(32),
    size: 1,
  }));
  assert.throws(() => encodeAnnouncement(many), RangeError);
  assert.throws(() => encodeAnnouncement([{ id: new Uint8Array(31), size: 1 }]), TypeError);
  assert.throws(() => encodeAnnouncement([{ id: new Uint8Array(32), size: -1 }]), RangeError);
});

const requestArb: fc.Arbitrary<PullRequest> = fc.oneof(
  fc.record({
    type: fc.constant("get" as const),
    kind: fc.constantFrom(...TOPIC_KINDS),
    ids: fc.array(id32, { minLength: 1, maxLength: MAX_PULL_IDS }),
  }),
  fc.constant({ type: "have" as const }),
  fc.record({
    type: fc.constant("range" as const),
    creator: id32,
    fromSeq: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
    limit: fc.integer({ min: 1, max: 512 }),
  }),
);

Deno.test("encodePullRequest() round-trips through decodePullRequest()", () => {
  fc.assert(
    fc.property(requestArb, (req) => {
      assert.deepEqual(plain(decodePullRequest(encodePullRequest(req))), plain(req));
    }),
    { seed: 0x9011, numRuns: 200 },
  );
});

Deno.test("decodePullRequest() rejects malformed frames", () => {
  const get = encodePullRequest({ type: "get", kind: "txs", ids: [new Uint8Array(32)] });
  const cases: [string, Uint8Array][] = [
    ["empty", new Uint8Array(0)],
    ["unknown type", Uint8Array.of(9)],
    ["unknown kind", Uint8Array.of(1, 9, 0, 1, ...new Uint8Array(32))],
    ["zero ids", Uint8Array.of(1, 0, 0, 0)],
    ["too many ids", Uint8Array.of(1, 0, 0xff, 0xff)],
    ["truncated get", get.subarray(0, get.length - 1)],
    ["trailing get", Uint8Array.of(...get, 0)],
    ["trailing have", Uint8Array.of(2, 0)],
    ["range limit zero", Uint8Array.of(3, ...new Uint8Array(32), ...new Uint8Array(8), 0, 0)],
  ];
  for (const [name, bytes] of cases) {
    assert.throws(() => decodePullRequest(bytes), (e) => code(e) === "PULL_MALFORMED", name);
  }
});

const responseArb: fc.Arbitrary<PullResponse> = fc.oneof(
  fc.record({
    type: fc.constant("get" as const),
    items: fc.array(
      fc.oneof(
        fc.constant({ status: "missing" as const }),
        fc.constant({ status: "withheld" as const }),
        fc.record({ status: fc.constant("body" as const), body: fc.uint8Array({ maxLength: 64 }) }),
      ),
      { maxLength: 20 },
    ),
  }),
  fc.record({
    type: fc.constant("have" as const),
    entries: fc.array(
      fc.record({ creator: id32, seq: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }) }),
      {
        maxLength: 20,
      },
    ),
  }),
  fc.record({ type: fc.constant("range" as const), ids: fc.array(id32, { maxLength: 20 }) }),
  fc.record({
    type: fc.constant("error" as const),
    reason: fc.constantFrom("rate_limited" as const, "bad_request" as const, "unknown" as const),
  }),
);

Deno.test("encodePullResponse() round-trips through decodePullResponse()", () => {
  fc.assert(
    fc.property(responseArb, (res) => {
      const n = res.type === "get" ? res.items.length : 0;
      assert.deepEqual(plain(decodePullResponse(encodePullResponse(res), n)), plain(res));
    }),
    { seed: 0x5e5, numRuns: 200 },
  );
});

Deno.test("decodePullResponse() rejects a count that differs from the request", () => {
  const bytes = encodePullResponse({ type: "get", items: [{ status: "missing" }] });
  assert.throws(() => decodePullResponse(bytes, 2), (e) => code(e) === "PULL_MALFORMED");
  const body = encodePullResponse({
    type: "get",
    items: [{ status: "body", body: Uint8Array.of(1, 2) }],
  });
  assert.throws(
    () => decodePullResponse(body.subarray(0, body.length - 1), 1),
    (e) => code(e) === "PULL_MALFORMED",
    "truncated body",
  );
  assert.throws(
    () => decodePullResponse(Uint8Array.of(1, 0, 1, 7), 1),
    (e) => code(e) === "PULL_MALFORMED",
    "status 7",
  );
});

Deno.test("decodePullResponse() returns plain copies, not views into a Node Buffer", () => {
  const bytes = encodePullResponse({ type: "range", ids: [new Uint8Array(32).fill(3)] });
  // deno-lint-ignore no-node-globals
  const { Buffer } = globalThis as unknown as { Buffer?: { from(b: Uint8Array): Uint8Array } };
  const input = Buffer !== undefined ? Buffer.from(bytes) : bytes.slice();
  const res = decodePullResponse(input, 0);
  input.fill(0);
  assert.equal(res.type, "range");
  if (res.type === "range") assert.equal(res.ids[0]?.[0], 3);
});
