/**
 * Golden pins of the state engine's observable output for fixed workloads: roots, receipts, the
 * per-anchor delta and the entry order. Performance work must leave these byte-identical; a
 * change here is a consensus change (a hard fork), never a refactoring.
 */
import assert from "node:assert/strict";
import { sighash, type Tx, txId } from "../codec/mod.ts";
import { blake3, schnorrPublicKey, schnorrSign } from "../crypto/mod.ts";
import { toHex } from "./_bytes.ts";
import { StateEngine } from "./engine.ts";
import { Prng, Workload, WORKLOAD_NETWORK } from "./_workload.ts";
import type { AnchorReceipt, FinalizedAnchor, StateMint, StateTx } from "./types.ts";

/** Running digest of everything an anchor application exposes. */
class Digest {
  #parts: number[] = [];
  str(s: string): void {
    for (let i = 0; i < s.length; i++) {
      this.#parts.push(s.charCodeAt(i) & 255, s.charCodeAt(i) >> 8);
    }
    this.#parts.push(0x1f);
  }
  receipt(r: AnchorReceipt): void {
    this.str(`${r.index}|${toHex(r.root)}|${r.appliedTxs}|${r.appliedMints}|${r.fees}`);
    for (const s of r.skipped) this.str(`${toHex(s.id)}|${toHex(s.eventId)}|${s.code}`);
  }
  delta(d: Map<string, string | null>): void {
    for (const k of [...d.keys()].sort()) this.str(`${k}=${d.get(k) ?? "<deleted>"}`);
  }
  hex(): string {
    return toHex(blake3(new Uint8Array(this.#parts)));
  }
}

Deno.test("StateEngine.applyAnchor() keeps pinned roots, receipts and deltas for an unsigned workload", async () => {
  const w = new Workload({ seed: 20260, txsPerAnchor: 300, invalidPerMille: 60 });
  const e = new StateEngine({ network: WORKLOAD_NETWORK, verifySignatures: false });
  const d = new Digest();
  let last: AnchorReceipt | undefined;
  for (let i = 0; i < 10; i++) {
    last = await e.applyAnchor(w.anchor());
    d.receipt(last);
    d.delta(e.takeDelta());
  }
  for (const [k, v] of e.commitment.entriesS()) d.str(`${k}=${v}`);
  assert.equal(
    toHex(last!.root),
    "ad4fd9ae93bed6901a8e2c29644e80ea6dd414132275fef1df957785946513a8",
  );
  assert.equal(d.hex(), "2afe8a011b34b2cd5b30b05cc7f54844ba3f67b6f17c83ec3bb4fdf1f71ca203");
});

Deno.test("StateEngine.applyAnchor() keeps pinned roots and receipts for a signed workload", async () => {
  const rng = new Prng(77);
  const sks = Array.from({ length: 4 }, () => rng.bytes(32));
  const pks = sks.map((sk) => schnorrPublicKey(sk));
  const net = WORKLOAD_NETWORK;
  const mints: StateMint[] = Array.from({ length: 120 }, (_, i) => ({
    mintId: rng.bytes(32),
    amount: 1_000_000n + BigInt(i),
    tier: 0,
    payout: { type: "key", pubkey: pks[i % 4]! },
  }));
  const txs: StateTx[] = [];
  for (let i = 0; i < 100; i++) {
    const k = i % 4;
    // Inputs: one mint, or two for every fifth tx; every 13th tx double-spends the previous
    // tx's input; every 17th carries a signature by the wrong key.
    const inputs = i % 5 === 0 ? [mints[i]!, mints[100 + (i / 5)]!] : [mints[i]!];
    const prev = i % 13 === 12 ? [mints[i - 1]!] : inputs;
    const spent = prev.map((m) => ({ amount: m.amount, predicate: m.payout }));
    const total = spent.reduce((s, o) => s + o.amount, 0n);
    const tx: Tx = {
      version: 1,
      networkId: net.networkId,
      kind: { type: "transfer" },
      inputs: prev.map((m) => ({ prevout: { txId: m.mintId, index: 0 } })),
      outputs: [
        { amount: total / 3n, predicate: { type: "key", pubkey: pks[(k + 1) % 4]! } },
        { amount: total - total / 3n - 7n, predicate: { type: "key", pubkey: pks[k]! } },
      ],
      fee: 7n,
      witnesses: [],
    };
    for (let j = 0; j < prev.length; j++) {
      const owner = mints.indexOf(prev[j]!) % 4;
      const signer = i % 17 === 3 ? sks[(owner + 1) % 4]! : sks[owner]!;
      tx.witnesses.push({
        sigs: [schnorrSign(sighash(tx, j, spent), signer)],
        signers: 0,
        preimage: null,
        reveal: null,
      });
    }
    txs.push({ tx, txId: txId(tx) });
  }
  const anchors: FinalizedAnchor[] = [
    { index: 0, events: [{ eventId: rng.bytes(32), mints, txs: [] }] },
    { index: 1, events: [] },
    {
      index: 2,
      events: [
        { eventId: rng.bytes(32), mints: [], txs: txs.slice(0, 50) },
        { eventId: rng.bytes(32), mints: [], txs: txs.slice(50) },
      ],
    },
  ];
  // Plain, with the pre-pass started ahead (prepareAnchor), and with a stale preparation
  // (another object) that applyAnchor must ignore: byte-identical results.
  for (const mode of ["plain", "prepared", "stale"] as const) {
    const e = new StateEngine({ network: net });
    const d = new Digest();
    let r: AnchorReceipt | undefined;
    for (const a of anchors) {
      if (mode === "prepared") e.prepareAnchor(a);
      if (mode === "stale") e.prepareAnchor({ ...a });
      r = await e.applyAnchor(a);
      d.receipt(r);
    }
    d.delta(e.takeDelta());
    assert.ok(r!.skipped.length > 0 && r!.appliedTxs > 50, `${mode}: applied ${r!.appliedTxs}`);
    assert.ok(r!.skipped.some((s) => s.code === "TX_BAD_SIGNATURE"), mode);
    assert.equal(
      toHex(r!.root),
      "eaf29b7748509aee712c5ae7e7bb98a27ce445bce64dd5e8b2256ecc0035721a",
      mode,
    );
    assert.equal(d.hex(), "febfb44e48f54da9bb49c9e3f03b284c9e2448692158175345f2a58714f626de", mode);
  }
});
