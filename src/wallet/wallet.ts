/**
 * The wallet facade: an account (public keys), the node's JSON-RPC and a signer, wired into
 * balance, coin listing and send (build, PSPT, sign, finalize, extract, submit).
 * @module
 */
import { bytesToHex } from "@noble/hashes/utils.js";
import { encodeTx, type Tx } from "../codec/mod.ts";
import type { SignerApi } from "../signer/mod.ts";
import type { WalletAccount, WalletKey } from "./account.ts";
import { buildTransfer, type Payment, type SpendableCoin, type UnsignedTransfer } from "./build.ts";
import { PsptError, WalletError } from "./errors.ts";
import { extractTx, finalizePspt, type Pspt, psptFromTransfer, signPspt } from "./pspt.ts";
import type { Balance, NodeRpcClient } from "./rpc.ts";

/** Options of {@linkcode Wallet}. */
export interface WalletOptions {
  /** Keys scanned per chain (receive and change). Default 20. */
  gapLimit?: number;
}

/** Dependencies of {@linkcode Wallet}. */
export interface WalletModules {
  /** Public keys and addresses. */
  account: WalletAccount;
  /** The node. */
  rpc: NodeRpcClient;
  /** Who signs; absent for a watch-only wallet (balance, coins, prepare). */
  signer?: SignerApi;
}

/**
 * A wallet over one account.
 * @example
 * ```ts
 * import { Wallet } from "./wallet.ts";
 * console.assert(typeof Wallet === "function");
 * ```
 */
export class Wallet {
  readonly #gap: number;
  readonly #m: WalletModules;

  /**
   * @param opts gap limit
   * @param modules account, rpc, signer
   */
  constructor(opts: WalletOptions, modules: WalletModules) {
    this.#gap = opts.gapLimit ?? 20;
    if (!Number.isInteger(this.#gap) || this.#gap < 1 || this.#gap > 1000) {
      throw new RangeError(`Invalid gap limit: ${opts.gapLimit}`);
    }
    this.#m = modules;
  }

  #keys(): WalletKey[] {
    return [...this.#m.account.keysByCommitment(this.#gap).values()];
  }

  /**
   * Sum of the balances of the scanned addresses.
   * @returns confirmed and pending units
   * @throws {WalletError} RPC_*
   */
  async balance(): Promise<Balance> {
    let confirmed = 0n;
    let pending = 0n;
    for (const k of this.#keys()) {
      const b = await this.#m.rpc.getBalance(k.address);
      confirmed += b.confirmed;
      pending += b.pending;
    }
    return { confirmed, pending };
  }

  /**
   * Spendable coins of the scanned addresses: only outputs whose predicate is the commitment
   * of (or is) the address key's predicate are kept.
   * @returns coins
   * @throws {WalletError} RPC_*
   */
  async coins(): Promise<SpendableCoin[]> {
    const out: SpendableCoin[] = [];
    for (const key of this.#keys()) {
      for (const utxo of await this.#m.rpc.getAllUtxos(key.address)) {
        const p = utxo.output.predicate;
        const mine =
          (p.type === "commit" && bytesToHex(p.commitment) === bytesToHex(key.commitment)) ||
          (p.type === "key" && bytesToHex(p.pubkey) === bytesToHex(key.xOnly));
        if (mine) out.push({ utxo, key });
      }
    }
    return out;
  }

  /**
   * Builds an unsigned transfer with change to the first change key that has no coins.
   * @param payments what to pay
   * @param coins coins to choose from (default: {@linkcode Wallet.coins})
   * @returns the transfer and its PSPT
   * @throws {WalletError} INSUFFICIENT_FUNDS, BAD_ADDRESS, BAD_AMOUNT, RPC_*
   */
  async prepare(
    payments: Payment[],
    coins?: SpendableCoin[],
  ): Promise<{ transfer: UnsignedTransfer; pspt: Pspt }> {
    const have = coins ?? await this.coins();
    const used = new Set(have.map((c) => bytesToHex(c.key.xOnly)));
    let change = this.#m.account.changeKey(0);
    for (let i = 0; i < this.#gap; i++) {
      const k = this.#m.account.changeKey(i);
      if (!used.has(bytesToHex(k.xOnly))) {
        change = k;
        break;
      }
    }
    const feeFloor = await this.#m.rpc.getFeeFloor();
    const transfer = buildTransfer(have, payments, {
      network: this.#m.account.network,
      feeFloor,
      change,
    });
    return { transfer, pspt: psptFromTransfer(transfer) };
  }

  /**
   * Signs a PSPT with this wallet's signer, finalizes and extracts it.
   * @param pspt the PSPT (updated in place)
   * @returns the signed transaction
   * @throws {PsptError} PSPT_NOT_FINAL when signatures are missing
   * @throws {WalletError} NO_SIGNER for a watch-only wallet
   */
  async sign(pspt: Pspt): Promise<Tx> {
    if (this.#m.signer === undefined) {
      throw new WalletError("NO_SIGNER", {}, "Cannot sign: this wallet has no signer (watch-only)");
    }
    await signPspt(pspt, this.#m.signer);
    if (!finalizePspt(pspt)) {
      const i = pspt.inputs.findIndex((x) => x.finalSigs === undefined);
      throw new PsptError("PSPT_NOT_FINAL", `inputs/${i}`, "not all inputs could be finalized");
    }
    return extractTx(pspt);
  }

  /**
   * Pays `payments`: prepare, sign, submit.
   * @param payments what to pay
   * @returns txId reported by the node
   * @throws {WalletError} {PsptError} {SignerError}
   */
  async send(payments: Payment[]): Promise<Uint8Array> {
    const { pspt } = await this.prepare(payments);
    const tx = await this.sign(pspt);
    return await this.#m.rpc.submitTx(encodeTx(tx));
  }
}
