/**
 * Wallet accounts: BIP-39 create/restore, BIP-32 account xpub at m/9770'/coin'/0'/account',
 * receive (chain 0) and change (chain 1) keys, and their Bech32m addresses (docs/spec/wallet.md
 * section 2). An account holds public keys only; signing goes through the signer.
 * @module
 */
import { HDKey } from "@scure/bip32";
import { bytesToHex } from "@noble/hashes/utils.js";
import { decodeAddress, encodeAddress, type Predicate, predicateCommitment } from "../codec/mod.ts";
import {
  generateMnemonic,
  type KeyRef,
  MAX_INDEX,
  mnemonicToSeed,
  type Network,
  validateMnemonic,
  walletAccountXpub,
} from "../signer/mod.ts";
import { WalletError } from "./errors.ts";

/** One wallet key with everything needed to receive to it and spend from it. */
export interface WalletKey {
  /** The key's reference for the signer. */
  ref: KeyRef;
  /** 32-byte x-only public key. */
  xOnly: Uint8Array;
  /** The predicate the address commits to: `key(xOnly)`. */
  predicate: Predicate;
  /** 32-byte predicate commitment (the address program). */
  commitment: Uint8Array;
  /** Bech32m address (pc1… mainnet, tpc1… testnet, dpc1… devnet). */
  address: string;
}

/**
 * A wallet account (public keys only).
 * @example
 * ```ts
 * import { WalletAccount } from "./account.ts";
 * const { mnemonic, account } = WalletAccount.create("testnet");
 * console.assert(account.receiveKey(0).address.startsWith("tpc1"));
 * console.assert(WalletAccount.fromMnemonic(mnemonic, "testnet").xpub === account.xpub);
 * ```
 */
export class WalletAccount {
  /** Network of the account. */
  readonly network: Network;
  /** Account number. */
  readonly account: number;
  /** Account extended public key. */
  readonly xpub: string;
  readonly #node: HDKey;
  readonly #cache = new Map<string, WalletKey>();

  private constructor(network: Network, account: number, xpub: string) {
    this.network = network;
    this.account = account;
    this.xpub = xpub;
    this.#node = HDKey.fromExtendedKey(xpub);
  }

  /**
   * Creates a new account from a fresh 24-word mnemonic.
   * @param network network
   * @param account account number (default 0)
   * @returns the mnemonic (show it to the user once) and the account
   */
  static create(network: Network, account = 0): { mnemonic: string; account: WalletAccount } {
    const mnemonic = generateMnemonic();
    return { mnemonic, account: WalletAccount.fromMnemonic(mnemonic, network, account) };
  }

  /**
   * Restores an account from a BIP-39 mnemonic.
   * @param mnemonic English BIP-39 phrase
   * @param network network
   * @param account account number (default 0)
   * @param passphrase optional BIP-39 passphrase
   * @returns the account
   * @throws {TypeError} when the mnemonic is invalid
   */
  static fromMnemonic(
    mnemonic: string,
    network: Network,
    account = 0,
    passphrase = "",
  ): WalletAccount {
    if (!validateMnemonic(mnemonic)) {
      throw new TypeError("Invalid mnemonic: unknown word or bad checksum");
    }
    const seed = mnemonicToSeed(mnemonic, passphrase);
    try {
      return new WalletAccount(network, account, walletAccountXpub(seed, network, account));
    } finally {
      seed.fill(0);
    }
  }

  /**
   * A watch-only account from its xpub.
   * @param xpub account extended public key
   * @param network network
   * @param account account number it was derived at
   * @returns the account
   * @throws {TypeError} when the xpub does not parse
   */
  static fromXpub(xpub: string, network: Network, account: number): WalletAccount {
    try {
      return new WalletAccount(network, account, HDKey.fromExtendedKey(xpub).publicExtendedKey);
    } catch (e) {
      throw new TypeError(`Invalid xpub: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /**
   * The key at (chain, index).
   * @param chain 0 receive, 1 change
   * @param index 0..2^31-1
   * @returns the key, its predicate and address
   * @throws {RangeError} on a bad chain or index
   */
  key(chain: 0 | 1, index: number): WalletKey {
    if (chain !== 0 && chain !== 1) throw new RangeError(`Invalid chain: ${chain}`);
    if (!Number.isInteger(index) || index < 0 || index > MAX_INDEX) {
      throw new RangeError(`Invalid index: ${index}`);
    }
    const id = `${chain}/${index}`;
    const hit = this.#cache.get(id);
    if (hit !== undefined) return hit;
    const pub = this.#node.deriveChild(chain).deriveChild(index).publicKey;
    if (pub === null) throw new RangeError(`Cannot derive key ${id}: invalid child`);
    const xOnly = pub.slice(1);
    const predicate: Predicate = { type: "key", pubkey: xOnly };
    const k: WalletKey = {
      ref: { role: "wallet", account: this.account, chain, index },
      xOnly,
      predicate,
      commitment: predicateCommitment(predicate),
      address: encodeAddress(predicate, this.network),
    };
    this.#cache.set(id, k);
    return k;
  }

  /**
   * Receive key `index` (chain 0).
   * @param index key index
   * @returns the key
   */
  receiveKey(index: number): WalletKey {
    return this.key(0, index);
  }

  /**
   * Change key `index` (chain 1).
   * @param index key index
   * @returns the key
   */
  changeKey(index: number): WalletKey {
    return this.key(1, index);
  }

  /**
   * Keys 0..count-1 of both chains, indexed by commitment hex (for recognizing own outputs).
   * @param count keys per chain (the gap limit)
   * @returns map from commitment hex to key
   */
  keysByCommitment(count: number): Map<string, WalletKey> {
    const m = new Map<string, WalletKey>();
    for (const chain of [0, 1] as const) {
      for (let i = 0; i < count; i++) {
        const k = this.key(chain, i);
        m.set(bytesToHex(k.commitment), k);
      }
    }
    return m;
  }
}

/**
 * Parses an address for `network` and returns the output predicate that pays it
 * (`commit(commitment)`, docs/spec/transactions.md section 2).
 * @param address Bech32m address
 * @param network expected network
 * @returns the predicate
 * @throws {WalletError} BAD_ADDRESS when the address does not parse or has another HRP
 * @example
 * ```ts
 * import { addressToPredicate, WalletAccount } from "./account.ts";
 * const a = WalletAccount.create("testnet").account.receiveKey(0).address;
 * console.assert(addressToPredicate(a, "testnet").type === "commit");
 * ```
 */
export function addressToPredicate(address: string, network: Network): Predicate {
  try {
    const d = decodeAddress(address, network);
    return { type: "commit", commitment: d.commitment };
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    const shown = String(address).slice(0, 100);
    // The codec's message already names the address: do not say it twice.
    const message = reason.startsWith("Invalid address")
      ? reason
      : `Invalid address "${shown}": ${reason}`;
    throw new WalletError("BAD_ADDRESS", { address: shown, reason }, message);
  }
}
