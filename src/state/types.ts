/**
 * What the state engine applies: finalized anchors carrying events with decoded codec
 * transactions (with their txIds) and accepted mints. docs/spec/transactions.md §5 defines the
 * validation rules over these fields.
 * @module
 */
import type { OutPoint, Predicate, Tx } from "../codec/mod.ts";

export type { OutPoint, Predicate, Tx };

/** A decoded transaction with its id (codec `DecodedTx` satisfies this). */
export interface StateTx {
  /** The transaction. */
  readonly tx: Tx;
  /** Its txId (BLAKE3 of the core encoding, computed by the codec from the received bytes). */
  readonly txId: Uint8Array;
}

/**
 * A mint accepted by the mint chain validator (from its `MintOutput`): the state creates one
 * output `{ txId: mintId, index: 0 }` paying `amount` to `payout`, spendable from the anchor of
 * the mint plus the tier's maturity.
 */
export interface StateMint {
  /** 32-byte mint id. */
  mintId: Uint8Array;
  /** Reward in units (already capped by the mint chain). */
  amount: bigint;
  /** Maturity tier 0, 1 or 2 (anchor counts per network in params). */
  tier: number;
  /** Spending condition of the reward. */
  payout: Predicate;
}

/** One finalized event: its mints, then its transactions, are applied in order. */
export interface FinalizedEvent {
  /** 32-byte event id. */
  eventId: Uint8Array;
  /** Accepted mints carried by the event. */
  mints: StateMint[];
  /** Payload transactions in payload order. */
  txs: StateTx[];
}

/** A finalized anchor: the events it finalizes, in total order (consensus_time, event_id). */
export interface FinalizedAnchor {
  /** Global anchor index: exactly one more than the last applied anchor. */
  index: number;
  /** Events in total order. */
  events: FinalizedEvent[];
}

/** An unspent output, as stored. */
export interface Utxo {
  /** Amount in units. */
  amount: bigint;
  /** Spending condition. */
  predicate: Predicate;
  /** Anchor that created it. */
  createdAt: number;
  /** First anchor index at which it may be spent (maturity or unbonding); 0 if always. */
  spendableAt: number;
  /** Origin: a transfer output, a mint reward (maturity), or a released bond (unbonding). */
  origin: "tx" | "mint" | "unbond";
}

/** A validator bond, keyed by its seat key. */
export interface Bond {
  /** Bonded amount in units. */
  amount: bigint;
  /** 48-byte BLS G1 public key registered with the bond. */
  blsKey: Uint8Array;
  /** Anchor of the first bond transaction of this seat. */
  createdAt: number;
  /** Latest maturity inherited from immature mint inputs (0 if none). */
  maturesAt: number;
}

/** Exit record of a seat whose bond went to zero (re-bond cooldown, docs/spec/state.md §1). */
export interface SeatExit {
  /** Anchor of the unbond that took the seat's bond to zero. */
  exitedAt: number;
  /** First anchor at which the seat may bond again (`exitedAt + cooldownAnchors`). */
  bondableAt: number;
}

/** Why a transaction or mint of a finalized event was skipped (recorded in the receipt). */
export interface SkippedItem {
  /** Transaction id or mint id. */
  id: Uint8Array;
  /** Event that carried it. */
  eventId: Uint8Array;
  /** {@linkcode TxErrorCode} of the refusal. */
  code: string;
}

/** Outcome of applying one anchor. */
export interface AnchorReceipt {
  /** Anchor index. */
  index: number;
  /** State root after the anchor. */
  root: Uint8Array;
  /** Transactions applied. */
  appliedTxs: number;
  /** Mints applied. */
  appliedMints: number;
  /** Fees collected by the applied transactions. */
  fees: bigint;
  /** Items skipped, in order. */
  skipped: SkippedItem[];
}
