/**
 * No output is ever spent twice (docs/spec/transactions.md §5.2 step 4): re-spends injected at
 * random into a valid workload (against an earlier anchor's state, later in the same anchor in
 * another event, or an input repeated inside one transaction) are all skipped with their code,
 * and the roots are exactly those of the workload without them. Anchors themselves apply only in
 * index order: a replayed, skipped or reordered anchor is refused and changes nothing.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { toHex } from "./_bytes.ts";
import { StateEngine } from "./engine.ts";
import { StateError } from "./errors.ts";
import { Prng, transferTx, Workload, WORKLOAD_NETWORK } from "./_workload.ts";
import type { FinalizedAnchor, StateTx } from "./types.ts";

const OPTS = { network: WORKLOAD_NETWORK, verifySignatures: false };
const NID = WORKLOAD_NETWORK.networkId;

/** A new transaction (fresh id) spending `inputs` of `t` into one output of the same value. */
function respend(t: StateTx, rng: Prng, inputs = t.tx.inputs.map((i) => i.prevout)): StateTx {
  const total = t.tx.outputs.reduce((s, o) => s + o.amount, 0n) + t.tx.fee;
  return transferTx(rng.bytes(32), NID, inputs, [{
    amount: total,
    predicate: t.tx.outputs[0]!.predicate,
  }], 0n);
}

Deno.test("StateEngine.applyAnchor() refuses every re-spend, within an anchor and across anchors, and keeps the roots of the clean run (property)", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 1, max: 1 << 30 }),
      fc.integer({ min: 1, max: 1 << 30 }),
      async (seed, injectSeed) => {
        const w = new Workload({ seed, txsPerAnchor: 24, mintsPerAnchor: 2 });
        const clean: FinalizedAnchor[] = Array.from({ length: 8 }, () => w.anchor());
        const ref = new StateEngine(OPTS);
        const roots: string[] = [];
        for (const a of clean) {
          const r = await ref.applyAnchor(a);
          assert.deepEqual(r.skipped, [], `seed ${seed}: the clean workload is valid`);
          roots.push(toHex(r.root));
        }
        // Inject conflicts into copies of the anchors; remember the code each must get.
        const rng = new Prng(injectSeed);
        const want = new Map<string, string>();
        const dirty = clean.map((a) => ({
          index: a.index,
          events: a.events.map((ev) => ({ ...ev, txs: [...ev.txs] })),
        }));
        const applied = (i: number) => clean[i]!.events.flatMap((ev) => ev.txs);
        for (let i = 2; i < dirty.length; i++) {
          const evs = dirty[i]!.events;
          for (let k = 0; k < 3; k++) {
            // Against the state: a transaction applied in an earlier anchor, spent again.
            const old = applied(rng.int(i)).at(rng.int(24));
            if (old !== undefined) {
              const t = respend(old, rng);
              evs[rng.int(evs.length)]!.txs.push(t);
              want.set(toHex(t.txId), "TX_UNKNOWN_INPUT");
            }
            // Inside the anchor: a later item (same or later event) re-spends an earlier one.
            const e0 = rng.int(evs.length);
            const pos = rng.int(Math.max(1, clean[i]!.events[e0]!.txs.length));
            const orig = clean[i]!.events[e0]!.txs[pos];
            if (orig !== undefined) {
              const t = respend(orig, rng);
              const e1 = e0 + rng.int(evs.length - e0);
              evs[e1]!.txs.push(t);
              want.set(toHex(t.txId), "TX_DOUBLE_SPEND");
              // One input twice inside one transaction.
              const first = orig.tx.inputs[0]!.prevout;
              const twice = respend(orig, rng, [first, first]);
              // (After `orig` too: before it, an input created earlier in the anchor may not
              // exist yet, which is TX_UNKNOWN_INPUT.)
              evs[e0 + rng.int(evs.length - e0)]!.txs.push(twice);
              want.set(toHex(twice.txId), "TX_DOUBLE_SPEND");
            }
          }
        }
        const e = new StateEngine(OPTS);
        const got = new Map<string, string>();
        for (const [i, a] of dirty.entries()) {
          const r = await e.applyAnchor(a);
          for (const s of r.skipped) got.set(toHex(s.id), s.code);
          assert.equal(toHex(r.root), roots[i], `seed ${seed}/${injectSeed}: root of anchor ${i}`);
        }
        assert.ok(want.size >= 6 * 3, `seed ${seed}: ${want.size} conflicts injected`);
        assert.deepEqual(got, want, `seed ${seed}/${injectSeed}`);
        assert.equal(e.totalValue(), e.supply().emitted);
      },
    ),
    { seed: 3141, numRuns: 30 },
  );
});

Deno.test("StateEngine.applyAnchor() refuses a replayed, skipped or reordered anchor and changes nothing (property)", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 1, max: 1 << 30 }),
      fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 1, maxLength: 12 }),
      async (seed, tries) => {
        const w = new Workload({ seed, txsPerAnchor: 12, invalidPerMille: 50 });
        const list: FinalizedAnchor[] = Array.from({ length: 10 }, () => w.anchor());
        const ref = new StateEngine(OPTS);
        const roots: string[] = [];
        for (const a of list) roots.push(toHex((await ref.applyAnchor(a)).root));
        const e = new StateEngine(OPTS);
        let t = 0;
        for (const [i, a] of list.entries()) {
          // Before anchor i, offer some anchor j != i: always refused, state untouched.
          const j = tries[t++ % tries.length]!;
          if (j !== i) {
            const before = toHex(e.root());
            await assert.rejects(
              () => e.applyAnchor(list[j]!),
              (err: unknown) => err instanceof StateError && err.code === "STATE_ANCHOR_ORDER",
              `seed ${seed}: anchor ${j} before ${i}`,
            );
            assert.equal(toHex(e.root()), before);
            assert.equal(e.anchor, i - 1);
          }
          assert.equal(toHex((await e.applyAnchor(a)).root), roots[i], `seed ${seed}: anchor ${i}`);
        }
      },
    ),
    { seed: 2718, numRuns: 15 },
  );
});
