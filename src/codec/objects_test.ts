import assert from "node:assert/strict";
import fc from "fast-check";
import * as A from "./_arbitrary.ts";
import { CASES, plain } from "./_cases.ts";
import {
  CodecError,
  decodeEvent,
  decodeEventHeader,
  decodeEventPayload,
  decodeEventPayloadWithIds,
  decodePredicate,
  decodeTx,
  decodeTxOutput,
  decodeTxWithIds,
  encodeEvent,
  encodeEventHeader,
  encodeEventPayload,
  encodeMint,
  encodePredicate,
  encodeTx,
  encodeTxCore,
  encodeTxOutput,
  eventExtrasHash,
  mintPowTemplate,
  payloadRoot,
  sighash,
  txId,
  wtxId,
} from "./mod.ts";

for (const c of CASES) {
  Deno.test(`decode${c.name}() inverts encode${c.name}()`, () => {
    fc.assert(
      fc.property(c.arb, (v) => {
        const b = c.enc(v);
        const back = c.dec(b);
        assert.deepStrictEqual(back, plain(v));
        assert.deepStrictEqual(c.enc(back), b, "encode(decode(b)) == b");
      }),
      { seed: 0x5eed, numRuns: 150 },
    );
  });
}

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof CodecError) return `${e.code} @${e.path}`;
    throw e;
  }
  throw new Error("expected a CodecError, decode succeeded");
}

const key = { type: "key" as const, pubkey: new Uint8Array(32).fill(2) };
const baseTx = {
  version: 1 as const,
  networkId: 3,
  kind: { type: "transfer" as const },
  inputs: [{ prevout: { txId: new Uint8Array(32).fill(1), index: 0 } }],
  outputs: [{ amount: 10n, predicate: key }],
  fee: 1n,
  witnesses: [{ sigs: [new Uint8Array(64)], signers: 0, preimage: null, reveal: null }],
};

Deno.test("decodeTx() rejects trailing bytes", () => {
  const b = encodeTx(baseTx);
  assert.equal(codeOf(() => decodeTx(Uint8Array.from([...b, 0]))), "TRAILING_BYTES @");
});

Deno.test("decodeTx() rejects every truncation", () => {
  const b = encodeTx(baseTx);
  for (let n = 0; n < b.length; n++) {
    assert.match(codeOf(() => decodeTx(b.subarray(0, n))), /^TRUNCATED/, `length ${n}`);
  }
});

Deno.test("decodeTx() rejects an unknown version", () => {
  const b = encodeTx(baseTx);
  b[0] = 2;
  assert.equal(codeOf(() => decodeTx(b)), "UNKNOWN_VERSION @version");
});

Deno.test("decodeTx() rejects a non-minimal varint with its field path", () => {
  const b = encodeTx(baseTx);
  // version(1) networkId(4) kind(1) inputCount(1) txId(32) → index at offset 39.
  assert.equal(b[39], 0);
  const bad = Uint8Array.from([...b.subarray(0, 39), 0x80, 0x00, ...b.subarray(40)]);
  try {
    decodeTx(bad);
    assert.fail("decoded");
  } catch (e) {
    assert.ok(e instanceof CodecError);
    assert.equal(e.code, "NON_MINIMAL_VARINT");
    assert.equal(e.path, "inputs/0/prevout/index");
    assert.equal(e.message, "Cannot decode Tx: inputs/0/prevout/index: non-minimal varint");
  }
});

Deno.test("decodeTx() checks a count against its limit before reading items", () => {
  // version, networkId, transfer, inputs count = 2^32-1 (5-byte varint) and nothing else.
  const b = Uint8Array.from([1, 3, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x0f]);
  assert.equal(codeOf(() => decodeTx(b)), "LENGTH_OUT_OF_RANGE @inputs");
});

Deno.test("decodeTx() rejects input above MAX_TX_BYTES before parsing", () => {
  assert.equal(codeOf(() => decodeTx(new Uint8Array(100_001))), "INPUT_TOO_LARGE @");
});

Deno.test("decodeTx() rejects a varint above 2^64 - 1", () => {
  const b = encodeTx(baseTx);
  const over = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02];
  const bad = Uint8Array.from([...b.subarray(0, 39), ...over, ...b.subarray(40)]);
  assert.match(codeOf(() => decodeTx(bad)), /^(VARINT_OVERFLOW|OUT_OF_RANGE) @inputs\/0/);
});

Deno.test("decodeTx() rejects duplicate inputs", () => {
  const tx = { ...baseTx, inputs: [baseTx.inputs[0]!, baseTx.inputs[0]!] };
  assert.throws(
    () => encodeTx({ ...tx, witnesses: [...baseTx.witnesses, ...baseTx.witnesses] }),
    RangeError,
  );
  const ok = encodeTx({
    ...tx,
    inputs: [baseTx.inputs[0]!, { prevout: { txId: new Uint8Array(32).fill(1), index: 1 } }],
    witnesses: [...baseTx.witnesses, ...baseTx.witnesses],
  });
  // Turn the second input's index 1 into 0.
  const i = 1 + 4 + 1 + 1 + 33 + 32;
  assert.equal(ok[i], 1);
  ok[i] = 0;
  assert.equal(codeOf(() => decodeTx(ok)), "NOT_CANONICAL @inputs/1");
});

Deno.test("decodeTx() rejects a witness count that does not match the inputs", () => {
  const b = encodeTx(baseTx);
  const w = encodeTx(
    ({ ...baseTx, witnesses: [] as never[] }).witnesses.length === 0 ? baseTx : baseTx,
  );
  assert.deepStrictEqual(w, b);
  assert.throws(() => encodeTx({ ...baseTx, witnesses: [] }), RangeError);
  // Replace the witness list (count 1 + 1 witness) by an empty list.
  const core = encodeTxCore(baseTx);
  assert.equal(
    codeOf(() => decodeTx(Uint8Array.from([...core, 0]))),
    "LENGTH_OUT_OF_RANGE @witnesses",
  );
});

Deno.test("decodeTx() rejects zero inputs unless the kind is claim", () => {
  assert.throws(
    () => encodeTx({ ...baseTx, inputs: [], witnesses: [] }),
    /inputs: length 0 below 1/,
  );
});

Deno.test("decodeTxOutput() rejects amount 0 and amounts above the cap", () => {
  const b = encodeTxOutput({ amount: 1n, predicate: key });
  const zero = b.slice();
  zero[0] = 0;
  assert.equal(codeOf(() => decodeTxOutput(zero)), "OUT_OF_RANGE @amount");
  const big = b.slice();
  new DataView(big.buffer).setBigUint64(0, 5_000_000_000_000_001n, true);
  assert.equal(codeOf(() => decodeTxOutput(big)), "OUT_OF_RANGE @amount");
  assert.throws(
    () => encodeTxOutput({ amount: 5_000_000_000_000_001n, predicate: key }),
    RangeError,
  );
});

Deno.test("encodeTx() throws TypeError for a wrong JS type", () => {
  assert.throws(() => encodeTx({ ...baseTx, fee: 1 as unknown as bigint }), TypeError);
});

Deno.test("decodePredicate() rejects unknown versions and tags", () => {
  const b = encodePredicate(key);
  assert.equal(
    codeOf(() => decodePredicate(Uint8Array.from([1, ...b.subarray(1)]))),
    "UNKNOWN_VERSION @version",
  );
  assert.equal(
    codeOf(() => decodePredicate(Uint8Array.from([0, 6, ...b.subarray(2)]))),
    "UNKNOWN_TAG @",
  );
});

Deno.test("decodePredicate() rejects nested after", () => {
  const inner = encodePredicate({ type: "after", anchor: 5n, inner: key });
  // version 0, tag after (4), anchor 7, then the inner body (tag after again).
  const nested = Uint8Array.from([0, 4, 7, ...inner.subarray(1)]);
  assert.match(codeOf(() => decodePredicate(nested)), /^UNKNOWN_TAG @inner/);
});

Deno.test("decodePredicate() rejects unsorted, duplicate or over-threshold multi keys", () => {
  const k1 = new Uint8Array(32).fill(1);
  const k2 = new Uint8Array(32).fill(2);
  const good = encodePredicate({ type: "multi", threshold: 2, pubkeys: [k1, k2] });
  assert.throws(
    () => encodePredicate({ type: "multi", threshold: 1, pubkeys: [k2, k1] }),
    /pubkeys\/1: elements not strictly ascending/,
  );
  const dup = Uint8Array.from([...good.subarray(0, 4), ...k1, ...k1]);
  assert.equal(codeOf(() => decodePredicate(dup)), "NOT_CANONICAL @pubkeys/1");
  const over = good.slice();
  over[2] = 3;
  assert.equal(codeOf(() => decodePredicate(over)), "OUT_OF_RANGE @threshold");
  const zero = good.slice();
  zero[2] = 0;
  assert.equal(codeOf(() => decodePredicate(zero)), "OUT_OF_RANGE @threshold");
});

Deno.test("decodeTx() rejects an option flag other than 0 or 1", () => {
  const b = encodeTx(baseTx);
  // Last two bytes are the preimage and reveal flags (both 0).
  const bad = b.slice();
  bad[bad.length - 2] = 2;
  assert.equal(codeOf(() => decodeTx(bad)), "NOT_CANONICAL @witnesses/0/preimage");
});

const header = {
  version: 1 as const,
  networkId: 3,
  shard: 5,
  creator: 7,
  epoch: 0n,
  seq: 1n,
  selfParent: new Uint8Array(32).fill(9),
  parents: [new Uint8Array(32).fill(3), new Uint8Array(32).fill(4)],
  payloadRoot: new Uint8Array(32).fill(8),
  payloadTxs: 1,
  payloadBytes: 200,
  voteMask: 0b101n,
  extrasHash: eventExtrasHash([], []),
};

Deno.test("decodeEventHeader() enforces seat, shard, parents and self-parent rules", () => {
  assert.throws(
    () => encodeEventHeader({ ...header, creator: 64 }),
    /creator: value 64 out of range/,
  );
  assert.throws(() => encodeEventHeader({ ...header, shard: 64 }), /shard: value 64 out of range/);
  assert.throws(
    () => encodeEventHeader({ ...header, parents: [header.parents[1]!, header.parents[0]!] }),
    /parents\/1: elements not strictly ascending/,
  );
  assert.throws(
    () => encodeEventHeader({ ...header, parents: [header.selfParent] }),
    /parents\/0: other parent equals the self-parent/,
  );
  assert.throws(
    () => encodeEventHeader({ ...header, seq: 0n }),
    /selfParent: must be all-zero exactly when seq is 0/,
  );
  assert.throws(
    () =>
      encodeEventHeader({
        ...header,
        parents: [1, 2, 3, 4].map((i) => new Uint8Array(32).fill(i + 10)),
      }),
    /parents: length 4 exceeds 3/,
  );
  const b = encodeEventHeader(header);
  const zeroSelf = b.slice();
  zeroSelf.fill(0, 10, 42); // selfParent follows version, networkId, shard, creator, epoch, seq
  assert.equal(codeOf(() => decodeEventHeader(zeroSelf)), "NOT_CANONICAL @selfParent");
});

Deno.test("decodeEvent() rejects an extrasHash that does not match", () => {
  const ev = { header, mints: [], evidence: [], signature: new Uint8Array(64) };
  const b = encodeEvent(ev);
  assert.throws(
    () => encodeEvent({ ...ev, header: { ...header, extrasHash: new Uint8Array(32) } }),
    /header\/extrasHash: does not match/,
  );
  const h = encodeEventHeader(header);
  const bad = b.slice();
  bad[h.length - 1]! ^= 1;
  assert.equal(codeOf(() => decodeEvent(bad)), "NOT_CANONICAL @header/extrasHash");
});

Deno.test("decodeMint() requires prevMintId zero exactly at height 0 and a non-zero target", () => {
  const m = {
    version: 1 as const,
    networkId: 1,
    prevMintId: new Uint8Array(32),
    height: 0n,
    target: new Uint8Array(32).fill(0xff),
    tier: 2,
    payout: key,
    nonce: 42n,
  };
  const b = encodeMint(m);
  assert.deepStrictEqual(mintPowTemplate(m), b.subarray(0, b.length - 8));
  assert.throws(() => encodeMint({ ...m, height: 1n }), /prevMintId/);
  assert.throws(() => encodeMint({ ...m, target: new Uint8Array(32) }), /target: target is zero/);
  assert.throws(() => encodeMint({ ...m, tier: 3 }), /tier: value 3 out of range/);
});

Deno.test("txId() ignores witnesses and wtxId() does not", () => {
  fc.assert(
    fc.property(A.tx, A.bytes64Alt, (tx, sig) => {
      const other = { ...tx, witnesses: tx.witnesses.map((w) => ({ ...w, sigs: [sig] })) };
      assert.deepStrictEqual(txId(other), txId(tx));
      const d = decodeTxWithIds(encodeTx(tx));
      assert.deepStrictEqual(d.txId, txId(tx));
      assert.deepStrictEqual(d.wtxId, wtxId(tx));
      if (
        tx.witnesses.length > 0 &&
        !tx.witnesses.every((w) => w.sigs.length === 1 && w.sigs[0]!.every((x, i) => x === sig[i]))
      ) {
        assert.notDeepStrictEqual(wtxId(other), wtxId(tx));
      }
    }),
    { seed: 7, numRuns: 60 },
  );
});

Deno.test("sighash() commits to the witness index and the spent outputs", () => {
  const spent = [{ amount: 100n, predicate: key }];
  const a = sighash(baseTx, 0, spent);
  assert.equal(a.length, 32);
  assert.notDeepStrictEqual(sighash(baseTx, 0, [{ amount: 101n, predicate: key }]), a);
  assert.throws(() => sighash(baseTx, 1, spent), RangeError);
  assert.throws(() => sighash(baseTx, 0, []), RangeError);
  const unbond = { ...baseTx, kind: { type: "unbond" as const, seatKey: key.pubkey, amount: 5n } };
  assert.notDeepStrictEqual(sighash(unbond, 1, spent), sighash(unbond, 0, spent));
});

Deno.test("decodeEventPayloadWithIds() agrees with decodeEventPayload() and txId()", () => {
  fc.assert(
    fc.property(A.payload, fc.array(fc.nat(), { maxLength: 2 }), (p, cuts) => {
      const b = encodeEventPayload(p);
      const d = decodeEventPayloadWithIds(b);
      assert.deepStrictEqual(d.payload, decodeEventPayload(b));
      assert.deepStrictEqual(d.txIds, p.txs.map(txId));
      assert.deepStrictEqual(d.payloadRoot, payloadRoot(p.txs.map(txId)));
      // Same verdict and error as decodeEventPayload on truncations.
      for (const c of cuts) {
        const t = b.subarray(0, c % b.length);
        let e1 = "ok";
        let e2 = "ok";
        try {
          decodeEventPayload(t);
        } catch (e) {
          e1 = e instanceof CodecError ? e.message : `other: ${String(e)}`;
        }
        try {
          decodeEventPayloadWithIds(t);
        } catch (e) {
          e2 = e instanceof CodecError ? e.message : `other: ${String(e)}`;
        }
        assert.equal(e2, e1);
      }
    }),
    { seed: 99, numRuns: 80 },
  );
  const huge = Uint8Array.from([0x81, 0x02]); // 257 transactions
  assert.throws(() => decodeEventPayloadWithIds(huge), /txs: length 257 exceeds 256/);
  assert.throws(() => decodeEventPayload(huge), /txs: length 257 exceeds 256/);
});
