import assert from "node:assert/strict";
import fc from "fast-check";
import { SignerError } from "./errors.ts";
import {
  MAX_EVENT_BYTES,
  MAX_MUSIG_MSG_BYTES,
  MAX_REQUEST_BYTES,
  MAX_SEAT_TX_BYTES,
  METHOD_ROLES,
  parseRequest,
} from "./protocol.ts";

const SEAT = { role: "seat", account: 0, index: 0 };
const WALLET = { role: "wallet", account: 0, index: 0 };
const H32 = "11".repeat(32);

function req(method: string, params: unknown, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ v: 1, id: 7, method, params, ...extra });
}

function expectError(line: string | Uint8Array, code: string, field?: string): void {
  assert.throws(() => parseRequest(line), (e: unknown) => {
    assert.ok(e instanceof SignerError, `expected SignerError, got ${e}`);
    assert.equal(e.code, code, `line ${String(line).slice(0, 120)}`);
    if (field !== undefined) {
      assert.equal(
        (e.data as { field: string }).field,
        field,
        `line ${String(line).slice(0, 120)}`,
      );
    }
    return true;
  });
}

const GOOD: Record<string, unknown> = {
  get_status: {},
  get_public_key: { key: SEAT },
  get_bls_key: { key: SEAT },
  sign_event: { key: SEAT, event: "00" },
  sign_seat_tx: { key: SEAT, tx: "0102", spent_outputs: ["03"] },
  sign_da_attestation: { key: SEAT, attestation: "01", header: "02" },
  sign_tx: { key: WALLET, sighash: H32 },
  sign_bond: { key: { role: "bond", account: 0, index: 0 }, sighash: H32 },
  sign_payout: { key: { role: "payout", account: 0, index: 0 }, sighash: H32 },
  musig_nonce: { key: WALLET, agg_pubkey: H32, msg: "abcd" },
  musig_sign: {
    key: WALLET,
    session: "ab".repeat(16),
    agg_nonce: "02".repeat(66),
    pubkeys: ["02".repeat(33)],
    msg: "",
    tweaks: [H32],
    is_xonly: [true],
  },
};

Deno.test("parseRequest() accepts a well-formed request of every method", () => {
  for (const [m, p] of Object.entries(GOOD)) {
    assert.equal(parseRequest(req(m, p)).method, m);
  }
});

Deno.test("parseRequest() rejects malformed envelopes", () => {
  expectError("", "REQUEST_MALFORMED", "$");
  expectError("{", "REQUEST_MALFORMED", "$");
  expectError("[]", "REQUEST_MALFORMED", "$");
  expectError(new Uint8Array([0x7b, 0xff, 0x7d]), "REQUEST_MALFORMED", "$");
  expectError(
    JSON.stringify({ id: 1, method: "get_status", params: {} }),
    "REQUEST_UNSUPPORTED_VERSION",
  );
  expectError(req("get_status", {}, { v: 2 }), "REQUEST_UNSUPPORTED_VERSION");
  expectError(req("get_status", {}, { v: "1" }), "REQUEST_UNSUPPORTED_VERSION");
  expectError(req("get_status", {}, { id: -1 }), "REQUEST_MALFORMED", "$.id");
  expectError(req("get_status", {}, { id: 1.5 }), "REQUEST_MALFORMED", "$.id");
  expectError(req("get_status", {}, { id: "x".repeat(65) }), "REQUEST_MALFORMED", "$.id");
  expectError(req("get_status", {}, { id: null }), "REQUEST_MALFORMED", "$.id");
  expectError(req("get_status", {}, { extra: 1 }), "REQUEST_MALFORMED", "$.extra");
  expectError(req("get_status", {}, { auth: 5 }), "REQUEST_MALFORMED", "$.auth");
  expectError(req("sign_anything", {}), "REQUEST_UNKNOWN_METHOD");
  expectError(req(5 as never, {}), "REQUEST_MALFORMED", "$.method");
  expectError(req("get_status", null), "REQUEST_MALFORMED", "params");
  expectError(req("get_status", { a: 1 }), "REQUEST_MALFORMED", "params.a");
  expectError("x".repeat(MAX_REQUEST_BYTES + 1), "REQUEST_TOO_LARGE");
});

Deno.test("parseRequest() rejects a bad key reference in every keyed method", () => {
  const badKeys: unknown[] = [
    undefined,
    "seat",
    { role: "miner", account: 0, index: 0 },
    { role: "seat", account: -1, index: 0 },
    { role: "seat", account: 0, index: 2 ** 31 },
    { role: "seat", account: 0 },
    { role: "seat", account: 0, index: 0, chain: 1 },
    { role: "wallet", account: 0, index: 0, chain: 3 },
    { role: "seat", account: 0, index: 0, x: 1 },
  ];
  for (const m of Object.keys(GOOD).filter((m) => m !== "get_status")) {
    for (const k of badKeys) {
      const p = { ...(GOOD[m] as object), key: k };
      assert.throws(() => parseRequest(req(m, p)), (e: unknown) => {
        assert.ok(
          e instanceof SignerError && e.code === "REQUEST_MALFORMED",
          `${m} ${JSON.stringify(k)}`,
        );
        assert.match((e.data as { field: string }).field, /^params\.key/);
        return true;
      });
    }
  }
});

Deno.test("parseRequest() rejects bad fields of each method, naming the field", () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ["sign_event", { event: "" }, "params.event"],
    ["sign_event", { event: "0" }, "params.event"],
    ["sign_event", { event: "AB" }, "params.event"],
    ["sign_event", { event: 12 }, "params.event"],
    ["sign_event", { event: "00".repeat(MAX_EVENT_BYTES + 1) }, "params.event"],
    ["sign_event", { event: undefined }, "params.event"],
    ["sign_seat_tx", { tx: "" }, "params.tx"],
    ["sign_seat_tx", { tx: undefined }, "params.tx"],
    ["sign_seat_tx", { spent_outputs: undefined }, "params.spent_outputs"],
    ["sign_seat_tx", { spent_outputs: [""] }, "params.spent_outputs[0]"],
    ["sign_seat_tx", { spent_outputs: Array(65).fill("00") }, "params.spent_outputs"],
    ["sign_seat_tx", { spent_outputs: ["00".repeat(1025)] }, "params.spent_outputs[0]"],
    ["sign_da_attestation", { attestation: "00".repeat(257) }, "params.attestation"],
    ["sign_da_attestation", { attestation: undefined }, "params.attestation"],
    ["sign_da_attestation", { header: "" }, "params.header"],
    ["sign_da_attestation", { header: 7 }, "params.header"],
    ["sign_tx", { sighash: "11".repeat(31) }, "params.sighash"],
    ["sign_tx", { sighash: "11".repeat(33) }, "params.sighash"],
    ["sign_tx", { sighash: null }, "params.sighash"],
    ["sign_bond", { sighash: "zz".repeat(32) }, "params.sighash"],
    ["sign_payout", { sighash: undefined }, "params.sighash"],
    ["sign_payout", { extra: 1 }, "params.extra"],
    ["musig_nonce", { agg_pubkey: "11".repeat(33) }, "params.agg_pubkey"],
    ["musig_nonce", { msg: "11".repeat(1025) }, "params.msg"],
    ["musig_nonce", { msg: 1 }, "params.msg"],
    ["musig_sign", { session: "ab" }, "params.session"],
    ["musig_sign", { session: 1 }, "params.session"],
    ["musig_sign", { agg_nonce: "02".repeat(65) }, "params.agg_nonce"],
    ["musig_sign", { pubkeys: [] }, "params.pubkeys"],
    ["musig_sign", { pubkeys: "02" }, "params.pubkeys"],
    ["musig_sign", { pubkeys: Array(65).fill("02".repeat(33)) }, "params.pubkeys"],
    ["musig_sign", { pubkeys: ["02".repeat(32)] }, "params.pubkeys[0]"],
    ["musig_sign", { msg: undefined }, "params.msg"],
    ["musig_sign", { tweaks: [H32, H32], is_xonly: [true] }, "params.is_xonly"],
    ["musig_sign", { tweaks: ["11"], is_xonly: [true] }, "params.tweaks[0]"],
    ["musig_sign", { tweaks: Array(9).fill(H32), is_xonly: Array(9).fill(true) }, "params.tweaks"],
    ["musig_sign", { is_xonly: ["yes"] }, "params.is_xonly[0]"],
    // Fields the first list left without a case of their own (audit of issue 9).
    ["sign_seat_tx", { tx: "zz" }, "params.tx"],
    ["sign_seat_tx", { tx: "00".repeat(MAX_SEAT_TX_BYTES + 1) }, "params.tx"],
    ["sign_seat_tx", { spent_outputs: "03" }, "params.spent_outputs"],
    ["sign_seat_tx", { spent_outputs: [3] }, "params.spent_outputs[0]"],
    ["sign_da_attestation", { attestation: "" }, "params.attestation"],
    ["sign_da_attestation", { attestation: "0G" }, "params.attestation"],
    ["sign_da_attestation", { header: "00".repeat(MAX_EVENT_BYTES + 1) }, "params.header"],
    ["sign_da_attestation", { header: undefined }, "params.header"],
    ["sign_bond", { sighash: undefined }, "params.sighash"],
    ["sign_payout", { sighash: "11".repeat(31) }, "params.sighash"],
    ["musig_nonce", { agg_pubkey: 5 }, "params.agg_pubkey"],
    ["musig_nonce", { msg: "abc" }, "params.msg"],
    ["musig_sign", { session: undefined }, "params.session"],
    ["musig_sign", { session: "AB".repeat(16) }, "params.session"],
    ["musig_sign", { agg_nonce: undefined }, "params.agg_nonce"],
    ["musig_sign", { agg_nonce: "zz".repeat(66) }, "params.agg_nonce"],
    ["musig_sign", { pubkeys: undefined }, "params.pubkeys"],
    ["musig_sign", { msg: "0" }, "params.msg"],
    ["musig_sign", { msg: "00".repeat(MAX_MUSIG_MSG_BYTES + 1) }, "params.msg"],
    ["musig_sign", { tweaks: H32, is_xonly: [true] }, "params.tweaks"],
    ["musig_sign", { is_xonly: true }, "params.is_xonly"],
  ];
  for (const [m, patch, field] of cases) {
    const p: Record<string, unknown> = { ...(GOOD[m] as object), ...patch };
    for (const k of Object.keys(patch)) if (patch[k] === undefined) delete p[k];
    expectError(req(m, p), "REQUEST_MALFORMED", field);
  }
});

Deno.test("parseRequest() refuses an unknown field and missing params in every method", () => {
  // Every method of the protocol has a well-formed case above: the lists cannot drift apart.
  assert.deepEqual(Object.keys(GOOD).sort(), Object.keys(METHOD_ROLES).sort());
  for (const [m, p] of Object.entries(GOOD)) {
    expectError(req(m, { ...(p as object), extra: 1 }), "REQUEST_MALFORMED", "params.extra");
    expectError(req(m, []), "REQUEST_MALFORMED", "params");
    expectError(JSON.stringify({ v: 1, id: 1, method: m }), "REQUEST_MALFORMED", "params");
  }
});

Deno.test("parseRequest() never throws anything but SignerError on random input (property)", () => {
  fc.assert(
    fc.property(fc.oneof(fc.string(), fc.json(), fc.uint8Array({ maxLength: 200 })), (x) => {
      try {
        parseRequest(x);
      } catch (e) {
        assert.ok(e instanceof SignerError, `non-SignerError ${e}`);
      }
    }),
    { numRuns: 500, seed: 11 },
  );
});
