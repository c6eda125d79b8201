/**
 * Supply invariants with the cap actually binding (docs/spec/transactions.md §5.2): random mints
 * of up to the whole cap and random transfers (valid splits and arbitrary, often overflowing,
 * output amounts). After every anchor: Σ UTXOs + Σ bonds + fee pool = emitted ≤ MAX_SUPPLY_UNITS,
 * and a mint is refused with TX_CAP_EXCEEDED exactly when it would take emitted above the cap.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { MAX_SUPPLY_UNITS } from "../params/mod.ts";
import { toHex } from "./_bytes.ts";
import { StateEngine } from "./engine.ts";
import { Prng, transferTx, WORKLOAD_NETWORK } from "./_workload.ts";
import type { OutPoint, Predicate, StateMint, StateTx } from "./types.ts";

const CAP = MAX_SUPPLY_UNITS;
const PRED: Predicate = { type: "key", pubkey: new Uint8Array(32).fill(3) };

/** Mint amounts: mostly large shares of the cap, so that it is reached within a few anchors. */
const mintAmount = fc.oneof(
  fc.bigInt({ min: 1n, max: CAP }),
  fc.bigInt({ min: CAP / 8n, max: CAP / 3n }),
  fc.bigInt({ min: 1n, max: 1000n }),
);
const spendSpec = fc.record({
  pick: fc.nat(),
  split: fc.boolean(),
  fee: fc.bigInt({ min: 0n, max: 1000n }),
  outs: fc.array(fc.oneof(fc.bigInt({ min: 0n, max: CAP }), fc.bigInt({ min: 1n, max: 99n })), {
    minLength: 1,
    maxLength: 3,
  }),
});
const anchorSpec = fc.record({
  mints: fc.array(mintAmount, { maxLength: 3 }),
  spends: fc.array(spendSpec, { maxLength: 4 }),
});

Deno.test("StateEngine never lets emitted exceed the cap and conserves value when the cap binds (property)", async () => {
  let capHits = 0, transfers = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.array(anchorSpec, { minLength: 4, maxLength: 12 }),
      fc.integer(),
      async (specs, idSeed) => {
        const rng = new Prng(idSeed);
        const e = new StateEngine({ network: WORKLOAD_NETWORK, verifySignatures: false });
        const known: OutPoint[] = [];
        let fees = 0n;
        for (const [index, spec] of specs.entries()) {
          const mints: StateMint[] = spec.mints.map((amount) => ({
            mintId: rng.bytes(32),
            amount,
            tier: 0,
            payout: PRED,
          }));
          const txs: StateTx[] = [];
          for (const s of spec.spends) {
            if (known.length === 0) break;
            const op = known[s.pick % known.length]!;
            const have = e.getUtxo(op)?.amount ?? 1n;
            let outs = s.outs;
            if (s.split && have > s.fee + 1n) {
              // A valid split: two outputs and the fee add up to the input.
              const x = 1n + (s.outs[0]! % (have - s.fee - 1n));
              outs = [x, have - s.fee - x];
            }
            const t = transferTx(
              rng.bytes(32),
              WORKLOAD_NETWORK.networkId,
              [op],
              outs.map((amount) => ({ amount, predicate: PRED })),
              s.split ? s.fee : s.fee % 3n,
            );
            txs.push(t);
            outs.forEach((_, i) => known.push({ txId: t.txId, index: i }));
          }
          const before = e.supply().emitted;
          const r = await e.applyAnchor({
            index,
            events: [{ eventId: rng.bytes(32), mints, txs }],
          });
          // Mints come first in the event: model the cap rule exactly.
          let emitted = before;
          const capped = new Set(
            r.skipped.filter((x) => x.code === "TX_CAP_EXCEEDED").map((x) => toHex(x.id)),
          );
          for (const m of mints) {
            const over = emitted + m.amount > CAP;
            assert.equal(capped.has(toHex(m.mintId)), over, `anchor ${index}: mint ${m.amount}`);
            if (over) capHits++;
            else emitted += m.amount;
            known.push({ txId: m.mintId, index: 0 });
          }
          transfers += r.appliedTxs;
          fees += r.fees;
          assert.equal(e.supply().feePool, fees, `anchor ${index}: fee pool`);
          assert.equal(e.supply().emitted, emitted, `anchor ${index}: emitted`);
          assert.ok(emitted <= CAP, `anchor ${index}: emitted ${emitted} above the cap`);
          assert.equal(e.totalValue(), emitted, `anchor ${index}: value conserved`);
        }
      },
    ),
    { seed: 8080, numRuns: 60 },
  );
  // The runs did reach the cap and did move value (the invariants were not vacuous).
  assert.ok(capHits > 100 && transfers > 40, `${capHits} capped mints, ${transfers} transfers`);
});

Deno.test("StateEngine reaches the cap exactly and refuses every further mint (regression)", async () => {
  const e = new StateEngine({ network: WORKLOAD_NETWORK, verifySignatures: false });
  const rng = new Prng(5);
  const m = (amount: bigint): StateMint => ({
    mintId: rng.bytes(32),
    amount,
    tier: 0,
    payout: PRED,
  });
  const r0 = await e.applyAnchor({
    index: 0,
    events: [{ eventId: rng.bytes(32), mints: [m(CAP / 2n), m(CAP - CAP / 2n), m(1n)], txs: [] }],
  });
  assert.deepEqual(r0.skipped.map((s) => s.code), ["TX_CAP_EXCEEDED"]);
  assert.equal(e.supply().emitted, CAP);
  const r1 = await e.applyAnchor({
    index: 1,
    events: [{ eventId: rng.bytes(32), mints: [m(1n)], txs: [] }],
  });
  assert.deepEqual(r1.skipped.map((s) => s.code), ["TX_CAP_EXCEEDED"]);
  assert.equal(e.totalValue(), CAP);
});
