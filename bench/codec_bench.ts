/**
 * Codec benchmarks: encode, decode and ids of a typical 1-input/2-output transaction and of a
 * 256-transaction event payload. Target: Tx decode + txId ≥ 300k/s on one core
 * (docs/performance.md, "Codec").
 * @module
 */
import {
  decodeEventPayload,
  decodeEventPayloadWithIds,
  decodeTx,
  decodeTxWithIds,
  encodeEventPayload,
  encodeTx,
  MAX_PAYLOAD_TXS,
  payloadRoot,
  type Predicate,
  type Tx,
  txId,
  wtxId,
} from "../src/codec/mod.ts";

const fill = (n: number, v: number) => new Uint8Array(n).fill(v);
const key: Predicate = { type: "key", pubkey: fill(32, 2) };
const commit: Predicate = { type: "commit", commitment: fill(32, 3) };

function makeTx(i: number): Tx {
  const prev = fill(32, 1);
  new DataView(prev.buffer).setUint32(0, i);
  return {
    version: 1,
    networkId: 1,
    kind: { type: "transfer" },
    inputs: [{ prevout: { txId: prev, index: i % 4 } }],
    outputs: [
      { amount: 150_000_000n, predicate: commit },
      { amount: 849_990_000n + BigInt(i), predicate: key },
    ],
    fee: 10_000n,
    witnesses: [{ sigs: [fill(64, 9)], signers: 0, preimage: null, reveal: null }],
  };
}

const TX = makeTx(0);
const TX_BYTES = encodeTx(TX);
const PAYLOAD = { txs: Array.from({ length: MAX_PAYLOAD_TXS }, (_, i) => makeTx(i)) };
const PAYLOAD_BYTES = encodeEventPayload(PAYLOAD);
const TX_IDS = PAYLOAD.txs.map(txId);

// A benchmark of a wrong result is worthless: check the fixtures once.
if (decodeTx(TX_BYTES).fee !== TX.fee) throw new Error("Tx fixture does not round-trip");
if (decodeTxWithIds(TX_BYTES).txId.join() !== txId(TX).join()) throw new Error("txId mismatch");
if (decodeEventPayload(PAYLOAD_BYTES).txs.length !== MAX_PAYLOAD_TXS) {
  throw new Error("Payload fixture does not round-trip");
}

Deno.bench({ group: "tx", name: "Tx.encode", fn: () => void encodeTx(TX) });
Deno.bench({ group: "tx", name: "Tx.decode", baseline: true, fn: () => void decodeTx(TX_BYTES) });
Deno.bench({
  group: "tx",
  name: "Tx.decode+ids (decodeTxWithIds)",
  fn: () => void decodeTxWithIds(TX_BYTES),
});
Deno.bench({ group: "tx", name: "Tx.txId (re-encode + hash)", fn: () => void txId(TX) });
Deno.bench({ group: "tx", name: "Tx.wtxId (re-encode + hash)", fn: () => void wtxId(TX) });

Deno.bench({
  group: "payload",
  name: "EventPayload.encode (256 tx)",
  fn: () => void encodeEventPayload(PAYLOAD),
});
Deno.bench({
  group: "payload",
  name: "EventPayload.decode (256 tx)",
  baseline: true,
  fn: () => void decodeEventPayload(PAYLOAD_BYTES),
});
Deno.bench({
  group: "payload",
  name: "EventPayload.decode+txIds+payloadRoot (256 tx)",
  fn: () => {
    const p = decodeEventPayload(PAYLOAD_BYTES);
    void payloadRoot(p.txs.map(txId));
  },
});
Deno.bench({
  group: "payload",
  name: "EventPayload.decodeWithIds (256 tx, ids + root from bytes)",
  fn: () => void decodeEventPayloadWithIds(PAYLOAD_BYTES),
});
Deno.bench({ group: "payload", name: "payloadRoot (256 ids)", fn: () => void payloadRoot(TX_IDS) });

/** Median of 31 timed batches, in microseconds per call. */
function median(fn: () => void, perBatch: number): number {
  const runs: number[] = [];
  for (let r = 0; r < 31; r++) {
    const t0 = performance.now();
    for (let i = 0; i < perBatch; i++) fn();
    runs.push(((performance.now() - t0) * 1000) / perBatch);
  }
  return runs.sort((a, b) => a - b)[15]!;
}

// `deno run -A bench/codec_bench.ts --median` prints one JSON line of medians (µs per call).
if (import.meta.main && Deno.args.includes("--median")) {
  const out: Record<string, number> = {
    "Tx.encode": median(() => encodeTx(TX), 20_000),
    "Tx.decode": median(() => decodeTx(TX_BYTES), 20_000),
    "Tx.decode+txId": median(() => decodeTxWithIds(TX_BYTES).txId, 20_000),
    "Tx.txId": median(() => txId(TX), 20_000),
    "Tx.wtxId": median(() => wtxId(TX), 20_000),
    "EventPayload.encode": median(() => encodeEventPayload(PAYLOAD), 40),
    "EventPayload.decode": median(() => decodeEventPayload(PAYLOAD_BYTES), 40),
    "EventPayload.decodeWithIds": median(() => decodeEventPayloadWithIds(PAYLOAD_BYTES), 40),
    "payloadRoot": median(() => payloadRoot(TX_IDS), 40),
  };
  const rounded = Object.fromEntries(Object.entries(out).map(([k, v]) => [k, +v.toFixed(3)]));
  console.log(JSON.stringify({ bench: "codec", unit: "us_per_call_median", ...rounded }));
}
