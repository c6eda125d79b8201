/**
 * A small JSON-RPC 2.0 client for the wallet methods of phantom-node (docs/spec/wallet.md
 * section 3): get_balance, get_utxos, get_history, submit_tx, get_tx, get_fee_floor. A JSON-RPC
 * error keeps its code, message and `data` (the node's domain code, e.g. TX_IMMATURE with
 * spendableAt) in {@linkcode WalletError} `RPC_ERROR`. Every result is checked
 * against its schema; amounts travel as decimal strings, bytes as lowercase hex.
 * @module
 */
import { bytesToHex, hexToBytes } from "@noble/hashes/utils.js";
import {
  decodePredicate,
  decodeTx,
  MAX_OUTPUTS,
  type OutPoint,
  type Tx,
  type TxOutput,
} from "../codec/mod.ts";
import { WalletError } from "./errors.ts";
import { MAX_HISTORY_PAGE } from "../rpc/limits.ts";

/** Largest response body accepted. */
export const MAX_RPC_RESPONSE_BYTES = 8 * 1024 * 1024;
/** Most UTXOs per get_utxos page. */
export const MAX_UTXOS_PER_PAGE = 1000;

/** A spendable output as reported by the node. */
export interface Utxo {
  /** Where it is. */
  outpoint: OutPoint;
  /** What it is. */
  output: TxOutput;
  /** Index of the anchor that finalized it. */
  anchor: bigint;
}

/** Balance of one address, in units. */
export interface Balance {
  /** Finalized. */
  confirmed: bigint;
  /** In the mempool, not yet finalized (may be negative for spends). */
  pending: bigint;
}

/** Fee floor: the fee of a transaction is at least max(minFee, unitsPerByte × size). */
export interface FeeFloor {
  /** Units per encoded byte. */
  unitsPerByte: bigint;
  /** Minimum fee per transaction. */
  minFee: bigint;
}

/** A transaction known to the node. */
export interface TxInfo {
  /** The transaction. */
  tx: Tx;
  /** Finalization status. */
  status: "pending" | "finalized";
  /** Anchor index when finalized. */
  anchor: bigint | null;
}

/** One finalized change of an address's balance (get_history). */
export interface HistoryItem {
  /** Transaction, mint or genesis allocation id (32 bytes). */
  txId: Uint8Array;
  /** Index of the finalizing anchor (0 for genesis allocations). */
  anchor: bigint;
  /** What produced it. */
  kind: "genesis" | "mint" | "tx";
  /** Units paid to the address. */
  credit: bigint;
  /** Units of the address's outputs spent. */
  debit: bigint;
  /** credit − debit. */
  delta: bigint;
}

/** One page of get_history, newest first. */
export interface HistoryPageResult {
  /** Entries, newest first. */
  entries: HistoryItem[];
  /** Cursor of the next (older) page; null at the end. */
  nextCursor: string | null;
  /** The node dropped older entries of this address (per-address cap). */
  truncated: boolean;
}

export { MAX_HISTORY_PAGE };

/** Options of {@linkcode NodeRpcClient}. */
export interface NodeRpcClientOptions {
  /** Base URL of the node, e.g. `http://127.0.0.1:7771`; requests go to `${url}/rpc`. */
  url: string;
  /** Bearer token, if the node requires one. */
  token?: string;
  /** fetch implementation (tests hand in their own). */
  fetch?: typeof fetch;
}

const DEC = /^(0|[1-9][0-9]{0,19})$/;
const SDEC = /^-?(0|[1-9][0-9]{0,19})$/;
const HEX = /^([0-9a-f]{2})*$/;

type Obj = Record<string, unknown>;

/**
 * JSON-RPC client of the node's wallet methods.
 * @example
 * ```ts
 * import { NodeRpcClient } from "./rpc.ts";
 * const rpc = new NodeRpcClient({ url: "http://127.0.0.1:7771" });
 * console.assert(typeof rpc.getBalance === "function");
 * ```
 */
export class NodeRpcClient {
  readonly #url: string;
  readonly #token: string | null;
  readonly #fetch: typeof fetch;
  #id = 0;

  /**
   * @param opts node URL, token, fetch
   */
  constructor(opts: NodeRpcClientOptions) {
    if (typeof opts.url !== "string" || !/^https?:\/\//.test(opts.url)) {
      throw new TypeError(`Invalid node URL: ${JSON.stringify(opts.url)}`);
    }
    this.#url = opts.url.replace(/\/+$/, "") + "/rpc";
    this.#token = opts.token ?? null;
    this.#fetch = opts.fetch ?? fetch;
  }

  /**
   * Calls one method and returns its raw result.
   * @param method method name
   * @param params named parameters
   * @returns the `result` member
   * @throws {WalletError} RPC_TRANSPORT, RPC_ERROR
   */
  async call(method: string, params: Obj): Promise<unknown> {
    const id = ++this.#id;
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (this.#token !== null) headers.authorization = `Bearer ${this.#token}`;
    const transport = (reason: string): never => {
      throw new WalletError(
        "RPC_TRANSPORT",
        { method, reason },
        `Node RPC "${method}" failed: ${reason}`,
      );
    };
    let res: Response;
    try {
      res = await this.#fetch(this.#url, {
        method: "POST",
        headers,
        body: JSON.stringify({ jsonrpc: "2.0", id, method, params }),
      });
    } catch (e) {
      return transport(e instanceof Error ? e.message : String(e));
    }
    const len = Number(res.headers.get("content-length") ?? "0");
    if (len > MAX_RPC_RESPONSE_BYTES) {
      await res.body?.cancel();
      transport(`response of ${len} bytes exceeds ${MAX_RPC_RESPONSE_BYTES}`);
    }
    const text = await res.text();
    if (text.length > MAX_RPC_RESPONSE_BYTES) transport("response too large");
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      // Not JSON at all (proxy error page, wrong port): a transport problem for the caller.
      return transport(`HTTP ${res.status} with a non-JSON body`);
    }
    const b = body as Obj;
    if (typeof b !== "object" || b === null || b.jsonrpc !== "2.0" || b.id !== id) {
      transport(`HTTP ${res.status} with a non-JSON-RPC body`);
    }
    if (b.error !== undefined) {
      const e = b.error as Obj;
      const rpcCode = typeof e?.code === "number" ? e.code : 0;
      const rpcMessage = typeof e?.message === "string" ? e.message.slice(0, 500) : "";
      // Keep the structured detail (the domain code and its fields, e.g. TX_IMMATURE with
      // spendableAt): callers branch on it, never on the message. Only a JSON object is kept,
      // bounded by the response size limit checked above.
      const d = e?.data;
      const rpcData = typeof d === "object" && d !== null && !Array.isArray(d)
        ? d as Readonly<Record<string, unknown>>
        : null;
      const reason = typeof rpcData?.code === "string" ? rpcData.code.slice(0, 64) : null;
      throw new WalletError(
        "RPC_ERROR",
        { method, rpcCode, rpcMessage, rpcData, reason },
        `Node RPC "${method}" failed: ${rpcCode} ${rpcMessage}` +
          (reason === null ? "" : ` (${reason})`),
      );
    }
    if (!("result" in b)) transport("response has neither result nor error");
    return b.result;
  }

  #bad(method: string, field: string): never {
    throw new WalletError(
      "RPC_BAD_RESPONSE",
      { method, field },
      `Node RPC "${method}" answered a malformed result: field "${field}"`,
    );
  }

  #obj(method: string, v: unknown, field: string): Obj {
    if (typeof v !== "object" || v === null || Array.isArray(v)) this.#bad(method, field);
    return v as Obj;
  }

  #dec(method: string, v: unknown, field: string, signed = false): bigint {
    if (typeof v !== "string" || !(signed ? SDEC : DEC).test(v)) this.#bad(method, field);
    return BigInt(v);
  }

  #hex(method: string, v: unknown, field: string, len?: number): Uint8Array {
    if (typeof v !== "string" || !HEX.test(v)) this.#bad(method, field);
    const b = hexToBytes(v);
    if (len !== undefined && b.length !== len) this.#bad(method, field);
    return b;
  }

  /**
   * Balance of an address.
   * @param address Bech32m address
   * @returns confirmed and pending units
   * @throws {WalletError} RPC_*
   */
  async getBalance(address: string): Promise<Balance> {
    const m = "get_balance";
    const r = this.#obj(m, await this.call(m, { address }), "result");
    return {
      confirmed: this.#dec(m, r.confirmed, "confirmed"),
      pending: this.#dec(m, r.pending, "pending", true),
    };
  }

  /**
   * One page of an address's unspent outputs.
   * @param address Bech32m address
   * @param cursor cursor from the previous page, or null for the first
   * @returns the page and the next cursor (null at the end)
   * @throws {WalletError} RPC_*
   */
  async getUtxos(
    address: string,
    cursor: string | null = null,
  ): Promise<{ utxos: Utxo[]; nextCursor: string | null }> {
    const m = "get_utxos";
    const r = this.#obj(m, await this.call(m, { address, cursor }), "result");
    if (!Array.isArray(r.utxos) || r.utxos.length > MAX_UTXOS_PER_PAGE) this.#bad(m, "utxos");
    const utxos = (r.utxos as unknown[]).map((u, i): Utxo => {
      const o = this.#obj(m, u, `utxos/${i}`);
      const index = o.index;
      if (
        typeof index !== "number" || !Number.isInteger(index) || index < 0 || index >= MAX_OUTPUTS
      ) {
        this.#bad(m, `utxos/${i}/index`);
      }
      let predicate;
      try {
        predicate = decodePredicate(this.#hex(m, o.predicate, `utxos/${i}/predicate`));
      } catch (e) {
        if (e instanceof WalletError) throw e;
        return this.#bad(m, `utxos/${i}/predicate`);
      }
      const amount = this.#dec(m, o.amount, `utxos/${i}/amount`);
      if (amount === 0n) this.#bad(m, `utxos/${i}/amount`);
      return {
        outpoint: { txId: this.#hex(m, o.txid, `utxos/${i}/txid`, 32), index },
        output: { amount, predicate },
        anchor: this.#dec(m, o.anchor, `utxos/${i}/anchor`),
      };
    });
    const nc = r.next_cursor;
    if (nc !== null && (typeof nc !== "string" || nc.length > 256)) this.#bad(m, "next_cursor");
    return { utxos, nextCursor: nc };
  }

  /**
   * All unspent outputs of an address (follows cursors, at most `maxPages` pages).
   * @param address Bech32m address
   * @param maxPages page limit (default 100)
   * @returns the outputs
   * @throws {WalletError} RPC_*
   */
  async getAllUtxos(address: string, maxPages = 100): Promise<Utxo[]> {
    const out: Utxo[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < maxPages; i++) {
      const page: { utxos: Utxo[]; nextCursor: string | null } = await this.getUtxos(
        address,
        cursor,
      );
      out.push(...page.utxos);
      if (page.nextCursor === null) return out;
      cursor = page.nextCursor;
    }
    return this.#bad("get_utxos", "next_cursor");
  }

  /**
   * Submits a signed transaction.
   * @param tx encoded transaction
   * @returns its txId
   * @throws {WalletError} RPC_*
   */
  async submitTx(tx: Uint8Array): Promise<Uint8Array> {
    const m = "submit_tx";
    const r = this.#obj(m, await this.call(m, { tx: bytesToHex(tx) }), "result");
    return this.#hex(m, r.txid, "txid", 32);
  }

  /**
   * A transaction and its status.
   * @param txId 32-byte id
   * @returns the transaction, or null when the node does not know it
   * @throws {WalletError} RPC_*
   */
  async getTx(txId: Uint8Array): Promise<TxInfo | null> {
    const m = "get_tx";
    const raw = await this.call(m, { txid: bytesToHex(txId) });
    if (raw === null) return null;
    const r = this.#obj(m, raw, "result");
    let tx: Tx;
    try {
      tx = decodeTx(this.#hex(m, r.tx, "tx"));
    } catch (e) {
      if (e instanceof WalletError) throw e;
      return this.#bad(m, "tx");
    }
    if (r.status !== "pending" && r.status !== "finalized") this.#bad(m, "status");
    const anchor = r.anchor === null ? null : this.#dec(m, r.anchor, "anchor");
    if ((r.status === "finalized") !== (anchor !== null)) this.#bad(m, "anchor");
    return { tx, status: r.status, anchor };
  }

  /**
   * One page of an address's finalized history, newest first.
   * @param address Bech32m address
   * @param opts page size (1..200, node default 50) and the cursor of the previous page
   * @returns the page
   * @throws {WalletError} RPC_*
   */
  async getHistory(
    address: string,
    opts: { limit?: number; cursor?: string | null } = {},
  ): Promise<HistoryPageResult> {
    const m = "get_history";
    const params: Obj = { address, cursor: opts.cursor ?? null };
    if (opts.limit !== undefined) params.limit = opts.limit;
    const r = this.#obj(m, await this.call(m, params), "result");
    if (!Array.isArray(r.entries) || r.entries.length > MAX_HISTORY_PAGE) this.#bad(m, "entries");
    const entries = (r.entries as unknown[]).map((x, i): HistoryItem => {
      const o = this.#obj(m, x, `entries/${i}`);
      if (o.kind !== "genesis" && o.kind !== "mint" && o.kind !== "tx") {
        this.#bad(m, `entries/${i}/kind`);
      }
      const credit = this.#dec(m, o.credit, `entries/${i}/credit`);
      const debit = this.#dec(m, o.debit, `entries/${i}/debit`);
      const delta = this.#dec(m, o.delta, `entries/${i}/delta`, true);
      if (delta !== credit - debit) this.#bad(m, `entries/${i}/delta`);
      return {
        txId: this.#hex(m, o.txid, `entries/${i}/txid`, 32),
        anchor: this.#dec(m, o.anchor, `entries/${i}/anchor`),
        kind: o.kind,
        credit,
        debit,
        delta,
      };
    });
    const nc = r.next_cursor;
    if (nc !== null && (typeof nc !== "string" || !/^[0-9]{1,20}$/.test(nc))) {
      this.#bad(m, "next_cursor");
    }
    if (typeof r.truncated !== "boolean") this.#bad(m, "truncated");
    return { entries, nextCursor: nc, truncated: r.truncated };
  }

  /**
   * The node's current fee floor.
   * @returns units per byte and minimum fee
   * @throws {WalletError} RPC_*
   */
  async getFeeFloor(): Promise<FeeFloor> {
    const m = "get_fee_floor";
    const r = this.#obj(m, await this.call(m, {}), "result");
    return {
      unitsPerByte: this.#dec(m, r.units_per_byte, "units_per_byte"),
      minFee: this.#dec(m, r.min_fee, "min_fee"),
    };
  }
}
