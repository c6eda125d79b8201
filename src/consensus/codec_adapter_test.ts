import assert from "node:assert/strict";
import { CodecError, EMPTY_MERKLE_ROOT } from "../codec/mod.ts";
import { buildCodecHeader, decodeWireEvent, encodeWireEvent } from "./codec_adapter.ts";

const fields = {
  network: 3,
  shard: 5,
  creator: 7,
  seq: 9,
  selfParent: new Uint8Array(32).fill(1),
  parents: [new Uint8Array(32).fill(9), new Uint8Array(32).fill(4)],
  voteMask: (1n << 20n) | 1n,
  payloadRoot: EMPTY_MERKLE_ROOT,
  payloadTxs: 0,
  payloadBytes: 1,
};

Deno.test("decodeWireEvent() round-trips a codec SignedEventHeader into the engine view", () => {
  const { header, id } = buildCodecHeader(fields);
  const wire = encodeWireEvent(header, new Uint8Array(64).fill(2));
  const h = decodeWireEvent(wire);
  assert.deepEqual(h.id, id);
  assert.equal(h.network, 3);
  assert.equal(h.shard, 5);
  assert.equal(h.creator, 7);
  assert.equal(h.seq, 9);
  assert.equal(h.voteMask, fields.voteMask);
  // The codec requires strictly ascending other parents; the adapter sorts them.
  assert.deepEqual(h.parents, [fields.parents[1], fields.parents[0]]);
  assert.deepEqual(h.raw, wire);
});

Deno.test("decodeWireEvent() maps seq 0 to a null self-parent and rejects malformed bytes", () => {
  const { header } = buildCodecHeader({ ...fields, seq: 0, selfParent: null, parents: [] });
  const h = decodeWireEvent(encodeWireEvent(header, new Uint8Array(64)));
  assert.equal(h.selfParent, null);
  const wire = encodeWireEvent(header, new Uint8Array(64));
  assert.throws(() => decodeWireEvent(new Uint8Array([...wire, 0])), CodecError);
  assert.throws(() => decodeWireEvent(wire.subarray(0, 10)), CodecError);
});
