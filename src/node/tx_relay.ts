/**
 * Transaction admission shared by `submit_tx` (RPC) and the gossip `txs` topic: decode, network,
 * fee floor, mempool conflicts and bounds, then the state check (inputs, maturity, witnesses,
 * signatures) against the latest applied anchor. A failure is a typed {@linkcode TxAdmissionError}
 * whose `verdict` is the gossip verdict: `reject` for a transaction that is invalid whatever the
 * state (its relayer is penalised), `ignore` for one that is only unwelcome here and now (a race
 * with a spend, a full pool, a local fee floor). Decisions: docs/adr/0073-tx-gossip-and-inclusion-
 * rule.md.
 * @module
 */
import { bytesToHex } from "@noble/hashes/utils.js";
import { type DecodedTx, decodeTxWithIds } from "../codec/mod.ts";
import type { Verdict } from "../p2p/mod.ts";
import { type StateTx, TxError, type TxErrorCode } from "../state/mod.ts";
import { type Mempool, type MempoolEntry, MempoolError } from "./mempool.ts";

const hex = bytesToHex;

/** Codes of {@linkcode TxAdmissionError}: the state's TxError codes plus admission-only ones. */
export type TxAdmissionCode =
  | TxErrorCode
  | "TX_FEE_TOO_LOW"
  | "MEMPOOL_FULL"
  | "MEMPOOL_PEER_QUOTA";

/**
 * State rule failures that hold whatever the state is (given the spent outputs exist): the sender
 * built or relayed a bad transaction. Everything else depends on the moment (spent, immature,
 * pool conflicts) and is only ignored.
 */
const ALWAYS_INVALID: ReadonlySet<TxAdmissionCode> = new Set<TxAdmissionCode>([
  "TX_MALFORMED",
  "TX_WRONG_NETWORK",
  "TX_BAD_SIGNATURE",
  "TX_BAD_WITNESS",
  "TX_VALUE_OVERFLOW",
  "TX_FEE_MISMATCH",
  "TX_EMPTY",
  "TX_UNSUPPORTED",
  "TX_BAD_POP",
]);

/**
 * The gossip verdict of an admission failure code.
 * @param code failure code
 * @returns `reject` for a transaction invalid in any state, else `ignore`
 * @example
 * ```ts
 * import { admissionVerdict } from "./tx_relay.ts";
 * console.assert(admissionVerdict("TX_BAD_SIGNATURE") === "reject");
 * console.assert(admissionVerdict("TX_UNKNOWN_INPUT") === "ignore");
 * ```
 */
export function admissionVerdict(code: TxAdmissionCode): Exclude<Verdict, "accept"> {
  return ALWAYS_INVALID.has(code) ? "reject" : "ignore";
}

/**
 * A transaction that is not admitted; nothing changed.
 * @example
 * ```ts
 * import { TxAdmissionError } from "./tx_relay.ts";
 * const e = new TxAdmissionError("TX_FEE_TOO_LOW", "Fee below the floor: 1 < 1000", { min_fee: "1000" });
 * console.assert(e.verdict === "ignore");
 * ```
 */
export class TxAdmissionError extends Error {
  /** Failure code (RPC `data.code`, gossip reason). */
  readonly code: TxAdmissionCode;
  /** Extra data for the RPC error (JSON values). */
  readonly data: Record<string, unknown>;
  /** Gossip verdict. */
  readonly verdict: Exclude<Verdict, "accept">;

  /**
   * @param code failure code
   * @param message sentence-case message
   * @param data extra JSON data
   */
  constructor(code: TxAdmissionCode, message: string, data: Record<string, unknown> = {}) {
    super(message);
    this.name = "TxAdmissionError";
    this.code = code;
    this.data = data;
    this.verdict = admissionVerdict(code);
  }
}

/** What {@linkcode admitTx} needs from the node. */
export interface AdmissionContext {
  /** Network id transactions must carry. */
  readonly networkId: number;
  /** Fee floor: units per encoded byte and minimum fee. */
  readonly floor: { readonly unitsPerByte: bigint; readonly minFee: bigint };
  /** The pool to admit into. */
  readonly pool: Mempool;
  /** Whether a txid (hex) is already finalized here. */
  readonly finalized: (txid: string) => boolean;
  /** The state check against the latest applied anchor (throws `TxError`). */
  readonly checkTx: (st: StateTx) => Promise<void>;
  /** Current local anchor index (recorded for the fallback rule). */
  readonly anchor: number;
  /** Local time in ms (finality metrics). */
  readonly now: number;
}

/** Result of {@linkcode admitTx}. */
export interface Admission {
  /** txid hex. */
  readonly txid: string;
  /** wtxid (the gossip id). */
  readonly wtxid: Uint8Array;
  /** `added`: new in the pool; `known`: already pooled or finalized (nothing changed). */
  readonly status: "added" | "known";
  /** The pool entry (absent for a finalized transaction). */
  readonly entry?: MempoolEntry;
}

function jsonData(e: TxError): Record<string, unknown> {
  const out: Record<string, unknown> = { code: e.code };
  for (const [k, v] of Object.entries(e.data)) {
    out[k] = typeof v === "bigint" ? v.toString() : v;
  }
  return out;
}

function poolRefusal(e: unknown): TxAdmissionError {
  if (!(e instanceof MempoolError)) throw e;
  const msg = e.code === "TX_DOUBLE_SPEND"
    ? `Input already spent by mempool transaction ${String(e.data.other)}`
    : e.message;
  return new TxAdmissionError(e.code, msg, { code: e.code });
}

/**
 * Admits one encoded transaction into `ctx.pool` (see the module doc for the checks and order).
 * @param bytes encoded transaction
 * @param from peer id it came from, or `null` for RPC
 * @param ctx pool, floor, state check
 * @returns the admission (`known` for a duplicate)
 * @throws {TxAdmissionError} when it is refused; the pool is unchanged
 */
export async function admitTx(
  bytes: Uint8Array,
  from: string | null,
  ctx: AdmissionContext,
): Promise<Admission> {
  let d: DecodedTx;
  try {
    d = decodeTxWithIds(bytes);
  } catch (e) {
    throw new TxAdmissionError("TX_MALFORMED", `Malformed transaction: ${(e as Error).message}`, {
      code: "TX_MALFORMED",
    });
  }
  const txid = hex(d.txId);
  const held = ctx.pool.get(txid);
  if (held !== undefined) return { txid, wtxid: d.wtxId, status: "known", entry: held };
  if (ctx.finalized(txid)) return { txid, wtxid: d.wtxId, status: "known" };
  if (d.tx.networkId !== ctx.networkId) {
    throw new TxAdmissionError("TX_WRONG_NETWORK", `Wrong network: ${d.tx.networkId}`, {
      code: "TX_WRONG_NETWORK",
    });
  }
  const { minFee, unitsPerByte } = ctx.floor;
  const perByte = unitsPerByte * BigInt(bytes.length);
  const need = minFee > perByte ? minFee : perByte;
  if (d.tx.fee < need) {
    throw new TxAdmissionError("TX_FEE_TOO_LOW", `Fee below the floor: ${d.tx.fee} < ${need}`, {
      code: "TX_FEE_TOO_LOW",
      min_fee: need.toString(),
    });
  }
  try {
    ctx.pool.check(d.tx, bytes.length, from);
  } catch (e) {
    throw poolRefusal(e);
  }
  const st: StateTx = { tx: d.tx, txId: d.txId };
  try {
    await ctx.checkTx(st);
  } catch (e) {
    if (e instanceof TxError) throw new TxAdmissionError(e.code, e.message, jsonData(e));
    throw e;
  }
  const entry: MempoolEntry = {
    st,
    bytes: bytes.slice(),
    wtxid: hex(d.wtxId),
    fee: d.tx.fee,
    t0: ctx.now,
    anchor: ctx.anchor,
    from,
    carried: false,
  };
  // Admissions run concurrently with each other and with anchors (the state check awaits the
  // verifier): look again before adding.
  const now = ctx.pool.get(txid);
  if (now !== undefined) return { txid, wtxid: d.wtxId, status: "known", entry: now };
  if (ctx.finalized(txid)) return { txid, wtxid: d.wtxId, status: "known" };
  try {
    ctx.pool.add(entry);
  } catch (e) {
    throw poolRefusal(e);
  }
  return { txid, wtxid: d.wtxId, status: "added", entry };
}
