/**
 * Key derivation: one BIP-39 seed, BIP-32 tree, one hardened subtree per key role
 * (docs/spec/keys.md section 2).
 * @module
 */
import { HDKey } from "@scure/bip32";
import * as bip39 from "@scure/bip39";
import { wordlist } from "@scure/bip39/wordlists/english.js";
import type { NetworkName } from "../params/mod.ts";
import { blsKeyGen } from "../crypto/mod.ts";

/** BIP-43 purpose of PhantomCoin keys (docs/spec/keys.md 2.1). */
export const PURPOSE = 9770;

/** Key roles; a key of one role never signs a request of another role. */
export type KeyRole = "wallet" | "seat" | "bond" | "payout";
/** All roles, in the order of their path index. */
export const KEY_ROLES: readonly KeyRole[] = ["wallet", "seat", "bond", "payout"];
/** Hardened path index of each role (docs/spec/keys.md 2.1). */
export const ROLE_INDEX: Readonly<Record<KeyRole, number>> = {
  wallet: 0,
  seat: 1,
  bond: 2,
  payout: 3,
};

/** Network a key tree belongs to; it picks the coin-type path level. */
export type Network = NetworkName;
/** Hardened coin-type index per network (test networks share one, like BIP-44 coin type 1). */
export const COIN_INDEX: Readonly<Record<Network, number>> = { mainnet: 0, testnet: 1, devnet: 1 };

/** Highest account or index number (BIP-32 indices below the hardened offset). */
export const MAX_INDEX = 0x7fff_ffff;

/** Names one key: role, account and index (and for wallet keys, receive/change chain). */
export interface KeyRef {
  /** Role of the key. */
  role: KeyRole;
  /** Account number, 0..2^31-1. */
  account: number;
  /** Key index, 0..2^31-1. */
  index: number;
  /** Wallet keys only: 0 receive, 1 change; must be absent for other roles. */
  chain?: 0 | 1;
}

function checkIndex(name: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isInteger(v)) {
    throw new TypeError(`Invalid ${name}: expected an integer, got ${JSON.stringify(v)}`);
  }
  if (v < 0 || v > MAX_INDEX) {
    throw new RangeError(`Invalid ${name}: ${v} is outside 0..${MAX_INDEX}`);
  }
  return v;
}

/**
 * Checks a {@linkcode KeyRef} and returns a copy with the defaults filled in.
 * @param ref the key reference, possibly from untrusted JSON
 * @returns a validated KeyRef (wallet keys get `chain: 0` when absent)
 * @throws {TypeError} when a field has the wrong type or the role is unknown
 * @throws {RangeError} when account, index or chain is out of range
 * @example
 * ```ts
 * import { checkKeyRef } from "./derive.ts";
 * checkKeyRef({ role: "seat", account: 0, index: 3 });
 * ```
 */
export function checkKeyRef(ref: KeyRef): KeyRef {
  if (typeof ref !== "object" || ref === null) {
    throw new TypeError(`Invalid key reference: expected an object, got ${JSON.stringify(ref)}`);
  }
  if (!KEY_ROLES.includes(ref.role)) {
    throw new TypeError(`Invalid key role: ${JSON.stringify(ref.role)}`);
  }
  const account = checkIndex("account", ref.account);
  const index = checkIndex("index", ref.index);
  if (ref.role === "wallet") {
    const chain = ref.chain ?? 0;
    if (chain !== 0 && chain !== 1) {
      throw new RangeError(`Invalid chain: ${JSON.stringify(ref.chain)} is not 0 or 1`);
    }
    return { role: ref.role, account, index, chain };
  }
  if (ref.chain !== undefined) {
    throw new TypeError(`Invalid chain: only wallet keys have a chain, got role "${ref.role}"`);
  }
  return { role: ref.role, account, index };
}

/**
 * The BIP-32 path of a key (docs/spec/keys.md 2.1):
 * `m/9770'/coin'/role'/account'/index'` for seat, bond and payout keys and
 * `m/9770'/coin'/0'/account'/chain/index` for wallet keys (unhardened last two levels so that a
 * watch-only wallet can derive addresses from the account xpub).
 * @param network mainnet or testnet
 * @param ref the key
 * @returns the path string
 * @throws {TypeError} {RangeError} when `ref` is invalid (see {@linkcode checkKeyRef})
 * @example
 * ```ts
 * import { keyPath } from "./derive.ts";
 * console.assert(keyPath("mainnet", { role: "seat", account: 0, index: 2 }) === "m/9770'/0'/1'/0'/2'");
 * ```
 */
export function keyPath(network: Network, ref: KeyRef): string {
  const r = checkKeyRef(ref);
  const coin = COIN_INDEX[network];
  if (coin === undefined) throw new TypeError(`Invalid network: ${JSON.stringify(network)}`);
  const base = `m/${PURPOSE}'/${coin}'/${ROLE_INDEX[r.role]}'/${r.account}'`;
  return r.role === "wallet" ? `${base}/${r.chain}/${r.index}` : `${base}/${r.index}'`;
}

/**
 * The path of a wallet account node, whose xpub lets a watch-only wallet derive addresses.
 * @param network mainnet, testnet or devnet
 * @param account account number
 * @returns `m/9770'/coin'/0'/account'`
 * @throws {RangeError} when account is out of range
 * @throws {TypeError} when the network is unknown
 * @example
 * ```ts
 * import { walletAccountPath } from "./derive.ts";
 * console.assert(walletAccountPath("testnet", 0) === "m/9770'/1'/0'/0'");
 * ```
 */
export function walletAccountPath(network: Network, account: number): string {
  checkIndex("account", account);
  const coin = COIN_INDEX[network];
  if (coin === undefined) throw new TypeError(`Invalid network: ${JSON.stringify(network)}`);
  return `m/${PURPOSE}'/${coin}'/${ROLE_INDEX.wallet}'/${account}'`;
}

/**
 * Generates a new 24-word English BIP-39 mnemonic.
 * @returns the mnemonic phrase
 * @example
 * ```ts
 * import { generateMnemonic } from "./derive.ts";
 * console.assert(generateMnemonic().split(" ").length === 24);
 * ```
 */
export function generateMnemonic(): string {
  return bip39.generateMnemonic(wordlist, 256);
}

/**
 * Checks a mnemonic against the English word list and its checksum.
 * @param mnemonic phrase to check
 * @returns true when valid
 * @example
 * ```ts
 * import { validateMnemonic } from "./derive.ts";
 * console.assert(!validateMnemonic("abandon"));
 * ```
 */
export function validateMnemonic(mnemonic: string): boolean {
  return typeof mnemonic === "string" && bip39.validateMnemonic(mnemonic, wordlist);
}

/**
 * Turns a mnemonic (and optional BIP-39 passphrase) into the 64-byte seed.
 * @param mnemonic English BIP-39 phrase
 * @param passphrase optional BIP-39 passphrase ("25th word")
 * @returns 64-byte seed
 * @throws {TypeError} when the mnemonic is not valid BIP-39
 * @example
 * ```ts
 * import { generateMnemonic, mnemonicToSeed } from "./derive.ts";
 * console.assert(mnemonicToSeed(generateMnemonic()).length === 64);
 * ```
 */
export function mnemonicToSeed(mnemonic: string, passphrase = ""): Uint8Array {
  if (!validateMnemonic(mnemonic)) {
    throw new TypeError("Invalid mnemonic: unknown word or bad checksum");
  }
  return bip39.mnemonicToSeedSync(mnemonic, passphrase);
}

/** A derived secp256k1 key pair. */
export interface DerivedKey {
  /** 32-byte secret key. */
  secretKey: Uint8Array;
  /** 33-byte compressed public key (MuSig2 individual key). */
  publicKey: Uint8Array;
  /** 32-byte x-only public key (BIP-340). */
  xOnlyPublicKey: Uint8Array;
  /** The BIP-32 path it was derived at. */
  path: string;
}

/**
 * Derives the key pair named by `ref` from a BIP-32 master seed.
 * @param seed 16..64-byte seed (64 from BIP-39)
 * @param network mainnet or testnet
 * @param ref the key
 * @returns the key pair and its path
 * @throws {TypeError} {RangeError} when `ref` or `seed` is invalid
 * @example
 * ```ts
 * import { deriveKey } from "./derive.ts";
 * const k = deriveKey(new Uint8Array(64).fill(1), "mainnet", { role: "seat", account: 0, index: 0 });
 * console.assert(k.xOnlyPublicKey.length === 32);
 * ```
 */
export function deriveKey(seed: Uint8Array, network: Network, ref: KeyRef): DerivedKey {
  if (!(seed instanceof Uint8Array)) throw new TypeError("Invalid seed: expected Uint8Array");
  if (seed.length < 16 || seed.length > 64) {
    throw new RangeError(`Invalid seed: length ${seed.length} is outside 16..64`);
  }
  const path = keyPath(network, ref);
  const node = HDKey.fromMasterSeed(seed).derive(path);
  if (!node.privateKey || !node.publicKey) {
    throw new RangeError(`Cannot derive key at "${path}": invalid child`);
  }
  return {
    secretKey: node.privateKey,
    publicKey: node.publicKey,
    xOnlyPublicKey: node.publicKey.slice(1),
    path,
  };
}

/**
 * Derives the BLS12-381 secret key of a seat (committee votes, bond `blsKey`): the BIP-32 private
 * key at `keyPath(seat) + "/0'"` is the input keying material of the IETF KeyGen
 * (docs/spec/keys.md 2.2), so it is independent of the seat's BIP-340 key yet restored from the
 * same mnemonic.
 * @param seed master seed
 * @param network network
 * @param ref a seat key reference
 * @returns 32-byte BLS secret key
 * @throws {TypeError} when `ref` is not a seat key
 * @example
 * ```ts
 * import { deriveSeatBlsSecret } from "./derive.ts";
 * const sk = deriveSeatBlsSecret(new Uint8Array(64).fill(1), "testnet", { role: "seat", account: 0, index: 0 });
 * console.assert(sk.length === 32);
 * ```
 */
export function deriveSeatBlsSecret(seed: Uint8Array, network: Network, ref: KeyRef): Uint8Array {
  const r = checkKeyRef(ref);
  if (r.role !== "seat") {
    throw new TypeError(`Invalid key role: BLS keys are seat keys, got "${r.role}"`);
  }
  const node = HDKey.fromMasterSeed(seed).derive(`${keyPath(network, r)}/0'`);
  if (!node.privateKey) throw new RangeError("Cannot derive BLS input key material: invalid child");
  const ikm = node.privateKey;
  try {
    return blsKeyGen(ikm);
  } finally {
    ikm.fill(0);
  }
}

/**
 * The extended public key of a wallet account, for watch-only wallets.
 * @param seed master seed
 * @param network mainnet or testnet
 * @param account account number
 * @returns base58 xpub string
 * @throws {RangeError} when account is out of range
 * @example
 * ```ts
 * import { walletAccountXpub } from "./derive.ts";
 * console.assert(walletAccountXpub(new Uint8Array(64), "mainnet", 0).startsWith("xpub"));
 * ```
 */
export function walletAccountXpub(seed: Uint8Array, network: Network, account: number): string {
  return HDKey.fromMasterSeed(seed).derive(walletAccountPath(network, account)).publicExtendedKey;
}
