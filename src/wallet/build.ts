/**
 * Transaction building: deterministic largest-first coin selection, change, fee from the node's
 * fee floor, and BIP-69-like ordering of inputs and outputs (docs/spec/wallet.md section 4).
 * @module
 */
import {
  encodePredicate,
  encodeTx,
  MAX_INPUTS,
  MAX_OUTPUTS,
  type Predicate,
  type Tx,
  type TxOutput,
  type Witness,
} from "../codec/mod.ts";
import { MAX_SUPPLY_UNITS, networkParams } from "../params/mod.ts";
import type { Network } from "../signer/mod.ts";
import type { WalletKey } from "./account.ts";
import { addressToPredicate } from "./account.ts";
import { WalletError } from "./errors.ts";
import type { FeeFloor, Utxo } from "./rpc.ts";

/** A coin the wallet can spend: the UTXO and the wallet key whose predicate it commits to. */
export interface SpendableCoin {
  /** The output. */
  utxo: Utxo;
  /** The key that spends it (its `key` predicate is revealed in the witness). */
  key: WalletKey;
}

/** One payment. */
export interface Payment {
  /** Recipient address, or an explicit predicate (e.g. a MuSig or multi output). */
  to: string | Predicate;
  /** Units, at least 1. */
  amount: bigint;
}

/** Options of {@linkcode buildTransfer}. */
export interface BuildOptions {
  /** Network (address HRP and network id). */
  network: Network;
  /** Fee floor from the node (get_fee_floor). */
  feeFloor: FeeFloor;
  /** Key receiving change. */
  change: WalletKey;
  /** Change below this is added to the fee instead; default max(1, 150 × unitsPerByte). */
  dustLimit?: bigint;
}

/** An unsigned transfer with what signing needs. */
export interface UnsignedTransfer {
  /** Transaction with empty placeholder witnesses, inputs and outputs in canonical order. */
  tx: Tx;
  /** Outputs spent by `tx.inputs`, same order. */
  spent: TxOutput[];
  /** Coin of each input, same order. */
  coins: SpendableCoin[];
  /** Fee paid. */
  fee: bigint;
  /** Index of the change output in `tx.outputs`, or null. */
  changeIndex: number | null;
  /** The change key when there is a change output. */
  changeKey: WalletKey | null;
}

function cmpBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/**
 * Canonical coin order for selection: amount descending, then txId ascending, then index
 * ascending (the deterministic tie rule).
 * @param a first coin
 * @param b second coin
 * @returns negative when `a` comes first
 * @example
 * ```ts
 * import { compareCoinsForSelection } from "./build.ts";
 * console.assert(typeof compareCoinsForSelection === "function"); // used by buildTransfer
 * ```
 */
export function compareCoinsForSelection(a: SpendableCoin, b: SpendableCoin): number {
  const x = a.utxo;
  const y = b.utxo;
  if (x.output.amount !== y.output.amount) return x.output.amount > y.output.amount ? -1 : 1;
  return cmpBytes(x.outpoint.txId, y.outpoint.txId) || x.outpoint.index - y.outpoint.index;
}

/**
 * Input order in a transaction (BIP-69-like): txId ascending (bytewise), then index ascending.
 * @param a first coin
 * @param b second coin
 * @returns negative when `a` comes first
 * @example
 * ```ts
 * import { compareInputs } from "./build.ts";
 * console.assert(typeof compareInputs === "function"); // used by buildTransfer
 * ```
 */
export function compareInputs(a: SpendableCoin, b: SpendableCoin): number {
  return cmpBytes(a.utxo.outpoint.txId, b.utxo.outpoint.txId) ||
    a.utxo.outpoint.index - b.utxo.outpoint.index;
}

/**
 * Output order in a transaction (BIP-69-like): amount ascending, then encoded predicate
 * ascending (bytewise).
 * @param a first output
 * @param b second output
 * @returns negative when `a` comes first
 * @example
 * ```ts
 * import { compareOutputs } from "./build.ts";
 * const k = { type: "key" as const, pubkey: new Uint8Array(32) };
 * console.assert(compareOutputs({ amount: 1n, predicate: k }, { amount: 2n, predicate: k }) < 0);
 * ```
 */
export function compareOutputs(a: TxOutput, b: TxOutput): number {
  if (a.amount !== b.amount) return a.amount < b.amount ? -1 : 1;
  return cmpBytes(encodePredicate(a.predicate), encodePredicate(b.predicate));
}

/** An empty witness, used as placeholder before signing. * @example
 * ```ts
 * import { emptyWitness } from "./build.ts";
 * console.assert(emptyWitness().sigs.length === 0);
 * ```
 */
export function emptyWitness(): Witness {
  return { sigs: [], signers: 0, preimage: null, reveal: null };
}

/**
 * The fee a transaction must pay under a fee floor: max(minFee, unitsPerByte × encoded size).
 * @param floor the fee floor
 * @param size encoded size in bytes, witnesses included
 * @returns fee in units
 * @example
 * ```ts
 * import { feeForSize } from "./build.ts";
 * console.assert(feeForSize({ unitsPerByte: 2n, minFee: 100n }, 200) === 400n);
 * ```
 */
export function feeForSize(floor: FeeFloor, size: number): bigint {
  const f = floor.unitsPerByte * BigInt(size);
  return f > floor.minFee ? f : floor.minFee;
}

function sizeWithSignatures(tx: Tx, coins: SpendableCoin[]): number {
  // A key spend's final witness is one 64-byte signature plus the revealed key predicate, so
  // the size estimate is exact.
  const witnesses = coins.map((c): Witness => ({
    sigs: [new Uint8Array(64)],
    signers: 0,
    preimage: null,
    reveal: c.key.predicate,
  }));
  return encodeTx({ ...tx, witnesses }).length;
}

/**
 * Builds an unsigned transfer paying `payments` from `coins`.
 *
 * Selection (docs/spec/wallet.md 4.1): coins are taken largest first (ties: txId, then index,
 * ascending) until they cover payments plus the fee; the fee is recomputed from the exact
 * encoded size at every step; change at or above the dust limit goes to `opts.change`, smaller
 * change is left to the fee. Inputs and outputs are then ordered canonically (4.2).
 * @param coins spendable coins (the wallet's own)
 * @param payments 1..63 payments
 * @param opts network, fee floor, change key, dust limit
 * @returns the unsigned transfer
 * @throws {WalletError} BAD_AMOUNT, BAD_ADDRESS, INSUFFICIENT_FUNDS, TOO_MANY_INPUTS
 * @throws {RangeError} on a bad payment count
 * @example
 * ```ts
 * // See build_test.ts for complete examples with coins.
 * import { buildTransfer } from "./build.ts";
 * console.assert(typeof buildTransfer === "function");
 * ```
 */
export function buildTransfer(
  coins: readonly SpendableCoin[],
  payments: readonly Payment[],
  opts: BuildOptions,
): UnsignedTransfer {
  if (payments.length < 1 || payments.length > MAX_OUTPUTS - 1) {
    throw new RangeError(`Invalid payments: ${payments.length}, expected 1..${MAX_OUTPUTS - 1}`);
  }
  const networkId = networkParams(opts.network).networkId;
  const outs: TxOutput[] = payments.map((p) => {
    if (typeof p.amount !== "bigint" || p.amount < 1n || p.amount > MAX_SUPPLY_UNITS) {
      throw new WalletError(
        "BAD_AMOUNT",
        { amount: BigInt(p.amount) },
        `Invalid amount: ${p.amount}`,
      );
    }
    const predicate = typeof p.to === "string" ? addressToPredicate(p.to, opts.network) : p.to;
    return { amount: p.amount, predicate };
  });
  const pay = outs.reduce((s, o) => s + o.amount, 0n);
  const dust = opts.dustLimit ??
    (opts.feeFloor.unitsPerByte * 150n > 1n ? opts.feeFloor.unitsPerByte * 150n : 1n);
  const changePredicate: Predicate = { type: "commit", commitment: opts.change.commitment };
  // Duplicate outpoints (the same coin reported twice) are dropped: a transaction may not spend
  // one output twice.
  const seen = new Set<string>();
  const unique = coins.filter((c) => {
    const k = `${c.utxo.outpoint.txId.join(",")}:${c.utxo.outpoint.index}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  const sorted = unique.sort(compareCoinsForSelection);
  const available = sorted.reduce((s, c) => s + c.utxo.output.amount, 0n);

  const make = (sel: SpendableCoin[], outputs: TxOutput[], fee: bigint): Tx => ({
    version: 1,
    networkId,
    kind: { type: "transfer" },
    inputs: sel.map((c) => ({ prevout: c.utxo.outpoint })),
    outputs,
    fee,
    witnesses: sel.map(emptyWitness),
  });

  const selected: SpendableCoin[] = [];
  let total = 0n;
  for (const coin of sorted) {
    selected.push(coin);
    total += coin.utxo.output.amount;
    if (selected.length > MAX_INPUTS) {
      throw new WalletError(
        "TOO_MANY_INPUTS",
        { needed: selected.length, limit: MAX_INPUTS },
        `Cannot pay ${pay}: more than ${MAX_INPUTS} inputs needed`,
      );
    }
    if (total < pay) continue;
    // With change: the change amount does not change the size class of the u64 amount (fixed 8
    // bytes), so one size computation is exact.
    const withChange = [...outs, { amount: 1n, predicate: changePredicate }];
    const feeC = feeForSize(
      opts.feeFloor,
      sizeWithSignatures(make(selected, withChange, 0n), selected),
    );
    if (total - pay - feeC >= dust) {
      return finish(
        selected,
        [...outs, { amount: total - pay - feeC, predicate: changePredicate }],
        feeC,
        changePredicate,
      );
    }
    const feeN = feeForSize(opts.feeFloor, sizeWithSignatures(make(selected, outs, 0n), selected));
    if (total - pay >= feeN) return finish(selected, outs, total - pay, null);
  }
  const needFee = feeForSize(opts.feeFloor, 0);
  throw new WalletError(
    "INSUFFICIENT_FUNDS",
    { needed: pay + needFee, available },
    `Cannot pay ${pay} units plus fee: ${available} units available`,
  );

  function finish(
    sel: SpendableCoin[],
    outputs: TxOutput[],
    fee: bigint,
    change: Predicate | null,
  ): UnsignedTransfer {
    const ins = [...sel].sort(compareInputs);
    const ordered = [...outputs].sort(compareOutputs);
    let changeIndex: number | null = null;
    if (change !== null) {
      const amt = outputs[outputs.length - 1]!.amount;
      const enc = encodePredicate(change);
      changeIndex = ordered.findIndex((o) =>
        o.amount === amt && cmpBytes(encodePredicate(o.predicate), enc) === 0
      );
    }
    return {
      tx: make(ins, ordered, fee),
      spent: ins.map((c) => c.utxo.output),
      coins: ins,
      fee,
      changeIndex,
      changeKey: changeIndex === null ? null : opts.change,
    };
  }
}
