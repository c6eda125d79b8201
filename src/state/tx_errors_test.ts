/**
 * Every {@linkcode TxErrorCode} is reachable through `applyAnchor` and `checkTx`, and a refused
 * item changes nothing: the anchor's root and delta equal those of an empty anchor at the same
 * index (docs/spec/transactions.md §5.1-5.2). The case table is a `Record<TxErrorCode, ...>`, so
 * a new code does not compile until it has a case here.
 */
import assert from "node:assert/strict";
import { type Tx, txId } from "../codec/mod.ts";
import { blsKeyGen, blsPopProve, blsSecretKeyToPublicKey } from "../crypto/mod.ts";
import { MAX_SUPPLY_UNITS } from "../params/mod.ts";
import { toHex } from "./_bytes.ts";
import { GLOBAL_KEY_S } from "./_entry.ts";
import { StateEngine } from "./engine.ts";
import { TxError, type TxErrorCode } from "./errors.ts";
import { transferTx, WORKLOAD_NETWORK } from "./_workload.ts";
import {
  anchorOf,
  buildTx,
  Ids,
  keyPred,
  mintOf,
  mintOut,
  mintSpent,
  NOSIG,
  PK,
  sig,
  transferOf,
} from "./_testing.ts";
import type { FinalizedAnchor, StateMint, StateTx } from "./types.ts";

const NET = { ...WORKLOAD_NETWORK, minBondUnits: 100n, cooldownAnchors: 10n };
const ids = new Ids(4242);

function bls(seed: number) {
  const sk = blsKeyGen(new Uint8Array(32).fill(seed));
  return { blsKey: blsSecretKeyToPublicKey(sk), blsPop: blsPopProve(sk) };
}
const BLS_A = bls(1), BLS_B = bls(2), BLS_C = bls(3);

/** Bond `amount` of mint `m` to seat `PK[seat]`; the change (rest - fee) goes to key(0). */
function bondTx(
  m: StateMint,
  seat: number,
  amount: bigint,
  keys: { blsKey: Uint8Array; blsPop: Uint8Array },
): StateTx {
  return buildTx(
    {
      kind: { type: "bond", seatKey: PK[seat]!, ...keys, amount },
      inputs: [{ prevout: mintOut(m) }],
      outputs: [{ amount: m.amount - amount, predicate: keyPred(0) }],
      fee: 0n,
    },
    [mintSpent(m)],
    (i, msg) => sig(i === 1 ? seat : 0)(i, msg),
  );
}

// Set-up (anchors 0..2): a spendable mint m0, an immature mint, an output locked by `after`,
// seat 1 bonded, seat 2 fully unbonded at anchor 2 (cooling down until anchor 12).
const m0 = mintOf(ids, 1000n, keyPred(0));
const m1 = mintOf(ids, 1000n, keyPred(0)), m2 = mintOf(ids, 1000n, keyPred(0));
const locked = mintOf(ids, 100n, {
  type: "after",
  anchor: 50n,
  inner: { type: "key", pubkey: PK[0]! },
});
const immature = mintOf(ids, 500n, keyPred(0), 2); // minted at anchor 2: spendable from 5
const bondA = bondTx(m1, 1, 900n, BLS_A), bondB = bondTx(m2, 2, 900n, BLS_B);
const unbondB = buildTx(
  {
    kind: { type: "unbond", seatKey: PK[2]!, amount: 900n },
    inputs: [{ prevout: { txId: bondB.txId, index: 0 } }],
    outputs: [{ amount: 99n, predicate: keyPred(0) }],
    fee: 1n,
  },
  [{ amount: 100n, predicate: keyPred(0) }],
  (i, msg) => sig(i === 1 ? 2 : 0)(i, msg),
);
const SETUP: FinalizedAnchor[] = [
  anchorOf(ids, 0, [m0, m1, m2, locked], []),
  anchorOf(ids, 1, [], [bondA, bondB]),
  anchorOf(ids, 2, [immature], [unbondB]),
];

async function setUp(): Promise<StateEngine> {
  const e = new StateEngine({ network: NET });
  for (const a of SETUP) {
    assert.deepEqual((await e.applyAnchor(a)).skipped, [], `set-up ${a.index}`);
  }
  e.takeDelta();
  return e;
}

const op0 = mintOut(m0), sp0 = [mintSpent(m0)];
const pay = (outs: bigint[], fee: bigint, w = sig(0)) => transferOf([op0], sp0, outs, fee, w);
const withTx = (t: StateTx, f: (tx: Tx) => void): StateTx => {
  const tx = structuredClone(t.tx);
  f(tx);
  return { tx, txId: txId(tx) };
};

/** One refused item per code: a transaction, or a mint. */
const CASES: Record<TxErrorCode, StateTx | StateMint> = {
  TX_UNKNOWN_INPUT: transferOf([{ txId: ids.next(), index: 0 }], sp0, [1000n], 0n),
  // Shapes the codec cannot encode (so no signature): refused before any signature check.
  TX_DOUBLE_SPEND: transferTx(ids.next(), NET.networkId, [op0, op0], [{
    amount: 2000n,
    predicate: keyPred(0),
  }], 0n),
  // A transaction id whose output 0 exists already (bondA's change): a replayed txId.
  TX_DUPLICATE: { ...pay([1000n], 0n), txId: bondA.txId },
  TX_IMMATURE: transferOf([mintOut(immature)], [mintSpent(immature)], [500n], 0n),
  TX_LOCKED: transferOf([mintOut(locked)], [mintSpent(locked)], [100n], 0n),
  TX_BAD_SIGNATURE: pay([1000n], 0n, sig(1)),
  TX_BAD_WITNESS: pay([1000n], 0n, () => NOSIG),
  TX_VALUE_OVERFLOW: pay([MAX_SUPPLY_UNITS, 1000n], 0n),
  TX_FEE_MISMATCH: pay([999n], 0n),
  TX_EMPTY: transferTx(ids.next(), NET.networkId, [op0], [], 1000n),
  TX_UNKNOWN_BOND: buildTx(
    {
      kind: { type: "unbond", seatKey: PK[3]!, amount: 10n },
      inputs: [{ prevout: op0 }],
      outputs: [{ amount: 1000n, predicate: keyPred(0) }],
      fee: 0n,
    },
    sp0,
    (i, msg) => sig(i === 1 ? 3 : 0)(i, msg),
  ),
  TX_CAP_EXCEEDED: mintOf(ids, MAX_SUPPLY_UNITS, keyPred(0)),
  TX_MALFORMED: mintOf(ids, 10n, keyPred(0), 7), // no tier 7
  TX_WRONG_NETWORK: withTx(pay([1000n], 0n), (tx) => (tx.networkId = NET.networkId + 1)),
  TX_UNSUPPORTED: buildTx(
    {
      kind: {
        type: "claim",
        claim: {
          payoutRoot: new Uint8Array(32),
          index: 0,
          amount: 5n,
          predicate: keyPred(0),
          proof: [],
        },
      },
      inputs: [],
      outputs: [{ amount: 5n, predicate: keyPred(0) }],
      fee: 0n,
    },
    [],
    sig(0),
  ),
  TX_BAD_POP: bondTx(m0, 3, 900n, { ...BLS_C, blsPop: BLS_A.blsPop }),
  TX_BOND_CONFLICT: bondTx(m0, 1, 900n, BLS_C), // seat 1 is bonded with BLS_A
  TX_BOND_TOO_SMALL: bondTx(m0, 3, 50n, BLS_C),
  TX_COOLDOWN: bondTx(m0, 2, 900n, BLS_B), // seat 2 left at anchor 2, back from anchor 12
};

const isMint = (x: StateTx | StateMint): x is StateMint => "mintId" in x;

Deno.test("StateEngine.applyAnchor() skips every TxErrorCode with that code and a byte-identical state", async () => {
  const e = await setUp(), ref = await setUp();
  const entries = Object.entries(CASES) as [TxErrorCode, StateTx | StateMint][];
  const event = ids.next();
  const r = await e.applyAnchor({
    index: 3,
    events: [{
      eventId: event,
      mints: entries.map(([, x]) => x).filter(isMint),
      txs: entries.map(([, x]) => x).filter((x): x is StateTx => !isMint(x)),
    }],
  });
  const expected = [
    ...entries.filter(([, x]) => isMint(x)),
    ...entries.filter(([, x]) => !isMint(x)),
  ];
  assert.deepEqual(
    r.skipped.map((s) => [toHex(s.id), toHex(s.eventId), s.code]),
    expected.map(([c, x]) => [toHex(isMint(x) ? x.mintId : x.txId), toHex(event), c]),
  );
  assert.equal(r.appliedTxs + r.appliedMints, 0);
  assert.equal(r.fees, 0n);
  // Nothing but the global entry's anchor moved: same root and delta as an empty anchor 3.
  const empty = await ref.applyAnchor(anchorOf(ids, 3, [], []));
  assert.equal(toHex(r.root), toHex(empty.root));
  const delta = [...e.takeDelta()];
  assert.deepEqual(delta, [...ref.takeDelta()]);
  assert.deepEqual(delta.map(([k]) => k), [GLOBAL_KEY_S]);
  assert.deepEqual(e.supply(), ref.supply());
});

Deno.test("StateEngine.checkTx() refuses every transaction case with the same TxError code and changes nothing", async () => {
  const e = await setUp();
  const root = toHex(e.root());
  for (const [code, x] of Object.entries(CASES) as [TxErrorCode, StateTx | StateMint][]) {
    if (isMint(x)) continue;
    await assert.rejects(
      () => e.checkTx(x),
      (err: unknown) =>
        err instanceof TxError && err.code === code && err.data.txid === toHex(x.txId),
      code,
    );
  }
  assert.equal(toHex(e.root()), root);
  assert.deepEqual([...e.takeDelta().keys()], []);
  // The same engine still accepts a valid spend of the output every case tried to use.
  await e.checkTx(pay([990n], 10n));
});
