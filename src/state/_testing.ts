/**
 * Test helpers private to the state module: fixed BIP-340 keys, signed transaction builders and
 * anchor shapes over {@linkcode WORKLOAD_NETWORK} (maturity tiers 1/2/3 anchors, unbonding 3).
 * Never used by the node.
 * @module
 */
import { sighash, type Tx, txId, type TxOutput, type Witness } from "../codec/mod.ts";
import { schnorrPublicKey, schnorrSign } from "../crypto/mod.ts";
import { Prng, WORKLOAD_NETWORK } from "./_workload.ts";
import type { FinalizedAnchor, OutPoint, Predicate, StateMint, StateTx } from "./types.ts";

/** Network id of {@linkcode WORKLOAD_NETWORK}. */
export const NID = WORKLOAD_NETWORK.networkId;

/** Four fixed secret keys (1, 2, 3, 4 as 32-byte big-endian scalars). */
export const SK: readonly Uint8Array[] = [1, 2, 3, 4].map((i) => {
  const sk = new Uint8Array(32);
  sk[31] = i;
  return sk;
});

/** The x-only public keys of {@linkcode SK}. */
export const PK: readonly Uint8Array[] = SK.map((sk) => schnorrPublicKey(sk));

/** A witness carrying nothing. */
export const NOSIG: Witness = Object.freeze({
  sigs: [],
  signers: 0,
  preimage: null,
  reveal: null,
}) as Witness;

/** `key` predicate of `PK[i]`. */
export function keyPred(i: number): Predicate {
  return { type: "key", pubkey: PK[i]! };
}

/** A witness signer: one signature by `SK[i]` over the witness's sighash. */
export function sig(i: number): (w: number, msg: Uint8Array) => Witness {
  return (_w, msg) => ({ ...NOSIG, sigs: [schnorrSign(msg, SK[i]!)] });
}

/** Deterministic ids for one test file. */
export class Ids {
  #rng: Prng;
  /** @param seed PRNG seed. */
  constructor(seed: number) {
    this.#rng = new Prng(seed);
  }
  /** 32 fresh bytes. */
  next(): Uint8Array {
    return this.#rng.bytes(32);
  }
}

/** A mint of `amount` to `payout` at `tier`, with a fresh id from `ids`. */
export function mintOf(ids: Ids, amount: bigint, payout: Predicate, tier = 0): StateMint {
  return { mintId: ids.next(), amount, tier, payout };
}

/** An anchor with one event (id from `ids`) holding `mints` then `txs`. */
export function anchorOf(
  ids: Ids,
  index: number,
  mints: StateMint[],
  txs: StateTx[],
): FinalizedAnchor {
  return { index, events: [{ eventId: ids.next(), mints, txs }] };
}

/** The outpoint a mint creates. */
export function mintOut(m: StateMint): OutPoint {
  return { txId: m.mintId, index: 0 };
}

/** The output a mint creates, as a spent output for the sighash. */
export function mintSpent(m: StateMint): TxOutput {
  return { amount: m.amount, predicate: m.payout };
}

/**
 * A transaction of this network signed witness by witness: `spent` are the outputs its inputs
 * spend (for the sighash), `sign(i, msg)` returns witness i.
 */
export function buildTx(
  core: Omit<Tx, "witnesses" | "version" | "networkId">,
  spent: TxOutput[],
  sign: (i: number, msg: Uint8Array) => Witness,
): StateTx {
  const tx: Tx = { version: 1, networkId: NID, ...core, witnesses: [] };
  const n = tx.inputs.length + (tx.kind.type === "transfer" ? 0 : 1);
  for (let i = 0; i < n; i++) tx.witnesses.push(sign(i, sighash(tx, i, spent)));
  return { tx, txId: txId(tx) };
}

/** A signed transfer spending `prev` (whose outputs are `spent`) into `outs` paid to `to`. */
export function transferOf(
  prev: OutPoint[],
  spent: TxOutput[],
  outs: bigint[],
  fee: bigint,
  sign: (i: number, msg: Uint8Array) => Witness = sig(0),
  to: Predicate = keyPred(0),
): StateTx {
  return buildTx(
    {
      kind: { type: "transfer" },
      inputs: prev.map((prevout) => ({ prevout })),
      outputs: outs.map((amount) => ({ amount, predicate: to })),
      fee,
    },
    spent,
    sign,
  );
}
