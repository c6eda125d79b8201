/**
 * Batched signature hashes: the codec's `sighash` (docs/spec/transactions.md §4) for every
 * witness of many transactions, with the three BLAKE3 steps (txId, spent outputs, sighash) done
 * as three keyed `blake3Batch` calls per batch instead of three FFI calls per witness, and the
 * transaction core encoded once per transaction instead of once per witness. Byte-identical to
 * `sighash(tx, i, spent)` (pinned by `_sighash_test.ts`).
 * @module
 */
import {
  domainKey,
  encodeTxCore,
  encodeTxOutput,
  MAX_INPUTS,
  type Tx,
  type TxOutput,
} from "../codec/mod.ts";
import { blake3Batch } from "../crypto/mod.ts";

const K_TXID = domainKey("txId");
const K_SPENT = domainKey("spentOutputs");
const K_SIGHASH = domainKey("sighash");

/** One transaction's share of a batch: its encodings and how many witnesses it signs. */
export interface SighashJob {
  /** `encodeTxCore(tx)`. */
  core: Uint8Array;
  /** Encoding of the spent-outputs list. */
  spent: Uint8Array;
  /** Number of witnesses (inputs, plus one for bond/unbond/claim). */
  n: number;
}

/**
 * Encode what the sighashes of `tx` need; throws exactly when the codec's `sighash` would
 * (unencodable core or spent outputs), so callers can fall back to it for the error.
 */
export function sighashJob(tx: Tx, spent: readonly TxOutput[]): SighashJob {
  if (spent.length !== tx.inputs.length || spent.length > MAX_INPUTS) {
    throw new RangeError(
      `Sighash needs one spent output per input: ${spent.length} for ${tx.inputs.length}`,
    );
  }
  const core = encodeTxCore(tx);
  const parts: Uint8Array[] = [];
  let len = 1; // LEB128 count, a single byte since MAX_INPUTS < 128
  for (const o of spent) {
    const e = encodeTxOutput(o);
    parts.push(e);
    len += e.length;
  }
  const enc = new Uint8Array(len);
  enc[0] = spent.length;
  let at = 1;
  for (const p of parts) {
    enc.set(p, at);
    at += p.length;
  }
  const n = tx.inputs.length + (tx.kind.type === "transfer" ? 0 : 1);
  return { core, spent: enc, n };
}

/**
 * Every sighash of every job, in three batched hash calls.
 * @param jobs From {@linkcode sighashJob}.
 * @returns Per job, its `n` messages (views into one shared buffer).
 */
export function sighashBatch(jobs: readonly SighashJob[]): Uint8Array[][] {
  if (jobs.length === 0) return [];
  const ids = blake3Batch(jobs.map((j) => j.core), { key: K_TXID });
  const spent = blake3Batch(jobs.map((j) => j.spent), { key: K_SPENT });
  let total = 0;
  for (const j of jobs) total += j.n;
  const buf = new Uint8Array(68 * total);
  const view = new DataView(buf.buffer);
  const msgs = new Array<Uint8Array>(total);
  let m = 0;
  for (let k = 0; k < jobs.length; k++) {
    for (let i = 0; i < jobs[k]!.n; i++) {
      const at = 68 * m;
      buf.set(ids[k]!, at);
      view.setUint32(at + 32, i, true);
      buf.set(spent[k]!, at + 36);
      msgs[m++] = buf.subarray(at, at + 68);
    }
  }
  const hs = total === 0 ? [] : blake3Batch(msgs, { key: K_SIGHASH });
  const out: Uint8Array[][] = [];
  m = 0;
  for (const j of jobs) {
    out.push(hs.slice(m, m + j.n));
    m += j.n;
  }
  return out;
}
