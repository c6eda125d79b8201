/**
 * Predicates v0 at the edges (docs/spec/transactions.md §5.3): a real BIP-327 MuSig2 aggregate
 * signature, k-of-n shapes, hash locks, and `after` locks at their exact finalized-anchor index.
 * The happy paths of every predicate are in engine_test.ts.
 */
import assert from "node:assert/strict";
import * as musig from "@scure/btc-signer/musig2.js";
import { hashlockHash, predicateCommitment, type Witness } from "../codec/mod.ts";
import { schnorrSign } from "../crypto/mod.ts";
import { StateEngine } from "./engine.ts";
import { TxError } from "./errors.ts";
import { WORKLOAD_NETWORK } from "./_workload.ts";
import {
  anchorOf,
  Ids,
  keyPred,
  mintOf,
  mintOut,
  mintSpent,
  NOSIG,
  PK,
  sig,
  SK,
  transferOf,
} from "./_testing.ts";
import type { Predicate, StateMint, StateTx } from "./types.ts";

const ids = new Ids(404);

/** An engine at anchor 1 holding one tier-0 mint of 100 units per predicate (all spendable). */
async function holding(preds: Predicate[]): Promise<{ e: StateEngine; ms: StateMint[] }> {
  const e = new StateEngine({ network: WORKLOAD_NETWORK });
  const ms = preds.map((p) => mintOf(ids, 100n, p));
  await e.applyAnchor(anchorOf(ids, 0, ms, []));
  await e.applyAnchor(anchorOf(ids, 1, [], []));
  return { e, ms };
}

/** Spend mint `m` whole into a key(0) output with witness signer `w`. */
const spend = (m: StateMint, w: (i: number, msg: Uint8Array) => Witness): StateTx =>
  transferOf([mintOut(m)], [mintSpent(m)], [100n], 0n, w);

async function codes(e: StateEngine, index: number, txs: StateTx[]): Promise<string[]> {
  const r = await e.applyAnchor(anchorOf(ids, index, [], txs));
  return r.skipped.map((s) => s.code);
}

Deno.test("StateEngine.applyAnchor() accepts a BIP-327 MuSig2 aggregate signature under a musig predicate, and only that", async () => {
  // Three participants aggregate their keys (KeySort + KeyAgg): the predicate holds the x-only
  // aggregate key and the witness one BIP-340 signature, verified as under a plain key.
  const secrets = [SK[0]!, SK[1]!, SK[2]!];
  const pubs = musig.sortKeys(secrets.map((sk) => musig.IndividualPubkey(sk)));
  const byPub = (p: Uint8Array) =>
    secrets.find((sk) => musig.IndividualPubkey(sk).every((b, i) => b === p[i]))!;
  const agg = musig.keyAggExport(musig.keyAggregate(pubs));
  assert.equal(agg.length, 32);
  const pred: Predicate = { type: "musig", key: agg, signers: 3 };
  /** A complete MuSig2 round (nonces, partial signatures, aggregation) among `group`. */
  const round = (group: Uint8Array[]) => (_: number, msg: Uint8Array): Witness => {
    const key = musig.keyAggExport(musig.keyAggregate(group));
    const nonces = group.map((p, i) =>
      musig.nonceGen(p, byPub(p), key, msg, undefined, new Uint8Array(32).fill(i + 1))
    );
    const session = new musig.Session(
      musig.nonceAggregate(nonces.map((n) => n.public)),
      group,
      msg,
    );
    const psigs = group.map((p, i) => session.sign(nonces[i]!.secret, byPub(p)));
    return { ...NOSIG, sigs: [session.partialSigAgg(psigs)] };
  };
  const { e, ms } = await holding([pred]);
  const m = ms[0]!;
  const cases: [string, StateTx][] = [
    ["TX_BAD_SIGNATURE", spend(m, round(pubs.slice(0, 2)))], // a round of two of the three
    ["TX_BAD_SIGNATURE", spend(m, sig(0))], // one participant's own key
    ["TX_BAD_WITNESS", spend(m, (i, msg) => ({ ...round(pubs)(i, msg), signers: 1 }))],
  ];
  for (const [code, t] of cases) {
    await assert.rejects(
      () => e.checkTx(t),
      (err: unknown) => err instanceof TxError && err.code === code,
      code,
    );
  }
  const good = spend(m, round(pubs));
  await e.checkTx(good);
  assert.deepEqual(await codes(e, 2, [...cases.map(([, t]) => t), good]), cases.map(([c]) => c));
  assert.equal(e.getUtxo(mintOut(m)), undefined);
  assert.equal(e.getUtxo({ txId: good.txId, index: 0 })?.amount, 100n);
});

Deno.test("StateEngine.applyAnchor() refuses k-of-n witnesses with a wrong key, an out-of-order signature, a mask bit past n or extra signatures", async () => {
  const keys = [PK[0]!, PK[1]!, PK[2]!].sort((a, b) => Buffer.compare(a, b));
  const skOf = (pk: Uint8Array) => SK[PK.indexOf(pk)]!;
  const pred: Predicate = { type: "multi", threshold: 2, pubkeys: keys };
  /** Signatures by `signers` (indexes into `keys`, in the given order) under mask `mask`. */
  const w = (mask: number, signers: number[]) => (_: number, msg: Uint8Array): Witness => ({
    ...NOSIG,
    signers: mask,
    sigs: signers.map((j) => schnorrSign(msg, j < 0 ? SK[3]! : skOf(keys[j]!))),
  });
  const { e, ms } = await holding([pred]);
  const m = ms[0]!;
  const cases: [string, StateTx][] = [
    ["TX_BAD_SIGNATURE", spend(m, w(0b011, [1, 0]))], // key order swapped
    ["TX_BAD_SIGNATURE", spend(m, w(0b011, [0, -1]))], // a key outside the set
    ["TX_BAD_WITNESS", spend(m, w(0b1001, [0, 0]))], // bit 3 names no key (n = 3)
    ["TX_BAD_WITNESS", spend(m, w(0b111, [0, 1, 2]))], // three signatures for threshold 2
    ["TX_BAD_WITNESS", spend(m, w(0b011, [0]))], // mask and signature count disagree
  ];
  const good = spend(m, w(0b110, [1, 2]));
  assert.deepEqual(await codes(e, 2, [...cases.map(([, t]) => t), good]), cases.map(([c]) => c));
  assert.equal(e.getUtxo({ txId: good.txId, index: 0 })?.amount, 100n);
});

Deno.test("StateEngine.applyAnchor() needs both the preimage and the signature for a hash lock", async () => {
  const pre = new TextEncoder().encode("open sesame");
  const pred: Predicate = { type: "hashlock", hash: hashlockHash(pre), pubkey: PK[1]! };
  const { e, ms } = await holding([pred]);
  const m = ms[0]!;
  const cases: [string, StateTx][] = [
    ["TX_BAD_SIGNATURE", spend(m, (i, msg) => ({ ...sig(0)(i, msg), preimage: pre }))],
    ["TX_BAD_WITNESS", spend(m, sig(1))], // no preimage
    ["TX_BAD_WITNESS", spend(m, (i, msg) => ({ ...sig(1)(i, msg), preimage: pre.slice(1) }))],
  ];
  const good = spend(m, (i, msg) => ({ ...sig(1)(i, msg), preimage: pre }));
  assert.deepEqual(await codes(e, 2, [...cases.map(([, t]) => t), good]), cases.map(([c]) => c));
});

Deno.test("StateEngine.applyAnchor() unlocks an after predicate exactly at its finalized-anchor index, also behind a commitment", async () => {
  // Locked until anchor 4: spendable at 4, not at 3 (no off-by-one), through checkTx (the next
  // anchor) and applyAnchor alike; the same inside a revealed commit predicate.
  const after: Predicate = { type: "after", anchor: 4n, inner: { type: "key", pubkey: PK[2]! } };
  const commit: Predicate = { type: "commit", commitment: predicateCommitment(after) };
  const { e, ms } = await holding([after, commit]);
  const [ma, mc] = [ms[0]!, ms[1]!];
  const direct = spend(ma, sig(2));
  const revealed = spend(mc, (i, msg) => ({ ...sig(2)(i, msg), reveal: after }));
  assert.deepEqual(await codes(e, 2, [direct, revealed]), ["TX_LOCKED", "TX_LOCKED"]);
  for (const t of [direct, revealed]) {
    await assert.rejects(
      () => e.checkTx(t), // evaluated at anchor 3
      (err: unknown) =>
        err instanceof TxError && err.code === "TX_LOCKED" && err.data.spendableAt === 4,
    );
  }
  assert.deepEqual(await codes(e, 3, [direct, revealed]), ["TX_LOCKED", "TX_LOCKED"]);
  await e.checkTx(direct); // evaluated at anchor 4
  assert.deepEqual(await codes(e, 4, [direct, revealed]), []);
});

Deno.test("StateEngine.applyAnchor() refuses a commit reveal that is itself a commit, and a signature over another input's sighash", async () => {
  const inner: Predicate = { type: "commit", commitment: predicateCommitment(keyPred(0)) };
  const outer: Predicate = { type: "commit", commitment: predicateCommitment(inner) };
  const { e, ms } = await holding([outer, keyPred(0), keyPred(0)]);
  const nested = spend(ms[0]!, (i, msg) => ({ ...sig(0)(i, msg), reveal: inner }));
  // Two inputs under the same key: witness 1 re-uses the signature made for input 0.
  let first: Witness | undefined;
  const reuse = transferOf(
    [mintOut(ms[1]!), mintOut(ms[2]!)],
    [mintSpent(ms[1]!), mintSpent(ms[2]!)],
    [200n],
    0n,
    (i, msg) => (first = i === 0 ? sig(0)(i, msg) : first!),
  );
  assert.deepEqual(await codes(e, 2, [nested, reuse]), ["TX_BAD_WITNESS", "TX_BAD_SIGNATURE"]);
});
