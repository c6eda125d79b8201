import assert from "node:assert/strict";
import fc from "fast-check";
import { TOPIC_KINDS } from "./limits.ts";
import { parseTopic, pullProtocol, topicName } from "./topics.ts";

Deno.test("topicName() round-trips through parseTopic()", () => {
  fc.assert(
    fc.property(
      fc.constantFrom("mainnet", "testnet", "devnet", "t-0"),
      fc.integer({ min: 0, max: 63 }),
      fc.constantFrom(...TOPIC_KINDS),
      (net, shard, kind) => {
        const t = topicName(net, shard, kind);
        assert.equal(t, `/phantom/${net}/${shard}/${kind}/1`);
        assert.deepEqual(parseTopic(t), { net, shard, kind });
      },
    ),
    { seed: 3 },
  );
});

Deno.test("topicName() rejects bad shards, networks and kinds", () => {
  assert.throws(() => topicName("testnet", 64, "txs"), RangeError);
  assert.throws(() => topicName("testnet", -1, "txs"), RangeError);
  assert.throws(() => topicName("Test/Net", 0, "txs"), TypeError);
  assert.throws(() => topicName("testnet", 0, "blocks" as "txs"), TypeError);
  assert.throws(() => pullProtocol(""), TypeError);
});

Deno.test("parseTopic() refuses foreign and non-canonical topics", () => {
  for (
    const t of [
      "/phantom/testnet/64/txs/1",
      "/phantom/testnet/01/txs/1",
      "/phantom/testnet/0/blocks/1",
      "/phantom/testnet/0/txs/2",
      "/eth2/beacon_block",
    ]
  ) {
    assert.equal(parseTopic(t), undefined, t);
  }
});
