import assert from "node:assert/strict";
import {
  MAX_EVENT_BYTES,
  MAX_EVIDENCE_BYTES,
  MAX_MINT_BYTES,
  MAX_SHARDS,
  MAX_TX_BYTES,
} from "../codec/mod.ts";
import { MAX_BODY_BYTES } from "./limits.ts";
import { SHARD_COUNT } from "./topics.ts";

Deno.test("MAX_BODY_BYTES agrees with the codec's limits", () => {
  assert.equal(MAX_BODY_BYTES.events, MAX_EVENT_BYTES);
  assert.equal(MAX_BODY_BYTES.txs, MAX_TX_BYTES);
  assert.equal(MAX_BODY_BYTES.mints, MAX_MINT_BYTES);
  assert.equal(MAX_BODY_BYTES.evidence, MAX_EVIDENCE_BYTES);
  assert.equal(SHARD_COUNT, MAX_SHARDS);
});
