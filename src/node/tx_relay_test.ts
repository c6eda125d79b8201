import assert from "node:assert/strict";
import { bytesToHex } from "@noble/hashes/utils.js";
import { decodeTx, decodeTxWithIds, encodeTx, type Tx } from "../codec/mod.ts";
import { Mempool } from "./mempool.ts";
import { type AdmissionContext, admissionVerdict, admitTx, TxAdmissionError } from "./tx_relay.ts";
import { maturedFaucet, transfer } from "./_txtesting.ts";

const { faucet, engine, coins } = await maturedFaucet(8);

function ctx(pool: Mempool, finalized = new Set<string>()): AdmissionContext {
  return {
    networkId: 0 + decodeTx(transfer(faucet, coins[0]!)).networkId,
    floor: { unitsPerByte: 1n, minFee: 1_000n },
    pool,
    finalized: (id) => finalized.has(id),
    checkTx: (st) => engine.checkTx(st),
    anchor: 7,
    now: 123,
  };
}

async function refusal(p: Promise<unknown>): Promise<TxAdmissionError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof TxAdmissionError) return e;
    throw e;
  }
  throw new Error("admission did not fail");
}

Deno.test("admitTx adds a valid tx once, with wtxid and anchor, and dedups by txid", async () => {
  const pool = new Mempool({ maxTxs: 10, maxBytes: 1 << 20, perPeerTxs: 10 });
  const bytes = transfer(faucet, coins[0]!);
  const a = await admitTx(bytes, "peerA", ctx(pool));
  assert.equal(a.status, "added");
  assert.equal(a.txid, bytesToHex(decodeTxWithIds(bytes).txId));
  assert.equal(bytesToHex(a.wtxid), bytesToHex(decodeTxWithIds(bytes).wtxId));
  assert.equal(a.entry?.anchor, 7);
  assert.equal(a.entry?.from, "peerA");
  assert.equal((await admitTx(bytes, "peerB", ctx(pool))).status, "known");
  assert.equal(pool.size, 1);
  const done = transfer(faucet, coins[1]!);
  const fin = new Set([bytesToHex(decodeTxWithIds(done).txId)]);
  assert.equal((await admitTx(done, null, ctx(pool, fin))).status, "known");
  assert.equal(pool.size, 1, "a finalized txid is not pooled again");
});

Deno.test("admitTx refusals carry codes and gossip verdicts and change nothing", async () => {
  const pool = new Mempool({ maxTxs: 10, maxBytes: 1 << 20, perPeerTxs: 10 });
  const malformed = await refusal(admitTx(Uint8Array.of(0), null, ctx(pool)));
  assert.equal(malformed.code, "TX_MALFORMED");
  assert.equal(malformed.verdict, "reject");
  const cheap = await refusal(admitTx(transfer(faucet, coins[2]!, 10n), null, ctx(pool)));
  assert.equal(cheap.code, "TX_FEE_TOO_LOW");
  assert.equal(cheap.verdict, "ignore");
  // A flipped signature bit: invalid whatever the state.
  const tx = decodeTx(transfer(faucet, coins[3]!)) as Tx;
  const sig = tx.witnesses[0]!.sigs[0]!.slice();
  sig[5]! ^= 1;
  const bad = encodeTx({ ...tx, witnesses: [{ ...tx.witnesses[0]!, sigs: [sig] }] } as Tx);
  const badSig = await refusal(admitTx(bad, "peerX", ctx(pool)));
  assert.equal(badSig.code, "TX_BAD_SIGNATURE");
  assert.equal(badSig.verdict, "reject");
  // Unknown input: may be a race with a spend elsewhere, only ignored.
  const ghost = transfer(faucet, { txid: "ab".repeat(32), index: 0, amount: 5_000n });
  const unknown = await refusal(admitTx(ghost, null, ctx(pool)));
  assert.equal(unknown.code, "TX_UNKNOWN_INPUT");
  assert.equal(unknown.verdict, "ignore");
  assert.equal(pool.size, 0);
  // A second spend of a pooled input.
  await admitTx(transfer(faucet, coins[4]!), null, ctx(pool));
  const ds = await refusal(admitTx(transfer(faucet, coins[4]!, 2_000n), null, ctx(pool)));
  assert.equal(ds.code, "TX_DOUBLE_SPEND");
  assert.equal(ds.verdict, "ignore");
  // Bounds.
  const full = new Mempool({ maxTxs: 1, maxBytes: 1 << 20, perPeerTxs: 1 });
  await admitTx(transfer(faucet, coins[5]!), "p", ctx(full));
  assert.equal(
    (await refusal(admitTx(transfer(faucet, coins[6]!), "q", ctx(full)))).code,
    "MEMPOOL_FULL",
  );
  assert.equal(pool.size, 1);
  assert.equal(admissionVerdict("TX_WRONG_NETWORK"), "reject");
  assert.equal(admissionVerdict("MEMPOOL_PEER_QUOTA"), "ignore");
});
