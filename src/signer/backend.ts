/**
 * Signing back ends. Callers depend only on {@linkcode SigningBackend}; the software back end
 * holds the seed in memory, and an HSM/PKCS#11 back end can implement the same interface later
 * without touching callers (docs/adr/0050-signer-architecture.md).
 * @module
 */
import { bytesToHex } from "@noble/hashes/utils.js";
import * as musig from "@scure/btc-signer/musig2.js";
import { blsPopProve, blsSecretKeyToPublicKey, randomBytes, schnorrSign } from "../crypto/mod.ts";
import {
  checkKeyRef,
  type DerivedKey,
  deriveKey,
  deriveSeatBlsSecret,
  type KeyRef,
  type Network,
} from "./derive.ts";
import { SignerError } from "./errors.ts";

/** Public keys of one key. */
export interface PublicKeyInfo {
  /** 32-byte x-only key (BIP-340, addresses). */
  xOnly: Uint8Array;
  /** 33-byte compressed key (MuSig2 individual key). */
  compressed: Uint8Array;
  /** Derivation path, for display. */
  path: string;
}

/** Inputs of {@linkcode SigningBackend.musigNonce}. */
export interface MusigNonceParams {
  /** The signer's own key (wallet role). */
  key: KeyRef;
  /** 32-byte x-only aggregate key, when known (binds the nonce to it). */
  aggPublicKey?: Uint8Array;
  /** Message, when known (binds the nonce to it: signing another message is refused). */
  msg?: Uint8Array;
}

/** Inputs of {@linkcode SigningBackend.musigPartialSign}. */
export interface MusigSignParams {
  /** The signer's own key; must be the key the session was opened with. */
  key: KeyRef;
  /** Session id returned by musigNonce. */
  session: string;
  /** 66-byte aggregate nonce. */
  aggNonce: Uint8Array;
  /** 33-byte individual public keys of all signers, in key-aggregation order. */
  publicKeys: Uint8Array[];
  /** Message to sign. */
  msg: Uint8Array;
  /** 32-byte tweaks. */
  tweaks?: Uint8Array[];
  /** Whether each tweak is x-only. */
  isXonly?: boolean[];
}

/**
 * What a signing back end does. Keys are named by {@linkcode KeyRef}; role policy (which request
 * may use which role) is enforced above the back end, in the request handler, so every back end
 * gets it for free.
 */
export interface SigningBackend {
  /** Short name for logs ("software", "pkcs11"). */
  readonly kind: string;
  /** Network of the keys. */
  readonly network: Network;
  /** Public keys of `ref`. */
  publicKey(ref: KeyRef): Promise<PublicKeyInfo>;
  /** BLS12-381 public key (48) and proof of possession (96) of a seat key. */
  blsKey(ref: KeyRef): Promise<{ publicKey: Uint8Array; pop: Uint8Array }>;
  /** BIP-340 signature of `msg` (a 32-byte digest) by `ref`. */
  signSchnorr(ref: KeyRef, msg: Uint8Array): Promise<Uint8Array>;
  /** Starts a MuSig2 session: makes and keeps a secret nonce, returns its id and public nonce. */
  musigNonce(p: MusigNonceParams): Promise<{ session: string; publicNonce: Uint8Array }>;
  /** Consumes the session's secret nonce exactly once and returns the 32-byte partial signature. */
  musigPartialSign(p: MusigSignParams): Promise<Uint8Array>;
  /** Forgets secrets held in memory. */
  close(): void;
}

/** Most MuSig2 sessions open at once per back end (memory bound). */
export const MAX_OPEN_MUSIG_SESSIONS = 1024;
/** How many consumed session ids are remembered to answer NONCE_REUSED precisely. */
export const MAX_REMEMBERED_CONSUMED = 65536;

interface OpenSession {
  key: KeyRef;
  secretNonce: Uint8Array;
  publicNonce: Uint8Array;
  msg: Uint8Array | null;
}

function refId(r: KeyRef): string {
  return `${r.role}/${r.account}/${r.chain ?? "-"}/${r.index}`;
}

function eqBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/**
 * MuSig2 secret-nonce bookkeeping shared by back ends: a secret nonce lives only in memory,
 * inside one session, and is removed from the table *before* it is used, so a second request
 * for the same session is refused with NONCE_REUSED even if the first signing attempt failed.
 * Nothing is persisted: after a restart all sessions are gone (never reused).
 */
export class MusigSessions {
  readonly #open = new Map<string, OpenSession>();
  readonly #consumed = new Set<string>();

  /**
   * Opens a session.
   * @param s the session data
   * @returns the new session id (random, 32 hex characters)
   * @throws {SignerError} MUSIG_INVALID when too many sessions are open
   */
  open(s: OpenSession): string {
    if (this.#open.size >= MAX_OPEN_MUSIG_SESSIONS) {
      throw new SignerError(
        "MUSIG_INVALID",
        { reason: "too many open sessions" },
        `Cannot open MuSig2 session: ${MAX_OPEN_MUSIG_SESSIONS} sessions already open`,
      );
    }
    const id = bytesToHex(randomBytes(16));
    this.#open.set(id, s);
    return id;
  }

  /**
   * Removes and returns a session; any later call with the same id fails.
   * @param id session id
   * @returns the session
   * @throws {SignerError} NONCE_REUSED for a consumed id, NONCE_UNKNOWN otherwise
   */
  take(id: string): OpenSession {
    const s = this.#open.get(id);
    if (s === undefined) {
      if (this.#consumed.has(id)) {
        throw new SignerError(
          "NONCE_REUSED",
          { session: id },
          `Refusing MuSig2 session "${id}": its secret nonce was already used`,
        );
      }
      throw new SignerError(
        "NONCE_UNKNOWN",
        { session: id },
        `Refusing MuSig2 session "${id}": unknown session`,
      );
    }
    this.#open.delete(id);
    if (this.#consumed.size >= MAX_REMEMBERED_CONSUMED) {
      const first = this.#consumed.values().next().value;
      if (first !== undefined) this.#consumed.delete(first);
    }
    this.#consumed.add(id);
    return s;
  }

  /** Wipes all open secret nonces. */
  clear(): void {
    for (const s of this.#open.values()) s.secretNonce.fill(0);
    this.#open.clear();
  }
}

function musigError(e: unknown): SignerError {
  const reason = e instanceof musig.InvalidContributionErr
    ? `invalid ${e.message} from signer ${e.idx}`
    : e instanceof Error
    ? e.message
    : String(e);
  return new SignerError("MUSIG_INVALID", { reason }, `MuSig2 input rejected: ${reason}`);
}

/**
 * Software back end: keys derived on demand from a seed held in memory.
 * @example
 * ```ts
 * import { SoftwareBackend } from "./backend.ts";
 * const b = new SoftwareBackend({ seed: new Uint8Array(64).fill(3), network: "testnet" });
 * const ref = { role: "seat", account: 0, index: 0 } as const;
 * const sig = await b.signSchnorr(ref, new Uint8Array(32));
 * console.assert(sig.length === 64);
 * ```
 */
export class SoftwareBackend implements SigningBackend {
  /** Back end name. */
  readonly kind = "software";
  /** Network of the keys. */
  readonly network: Network;
  readonly #seed: Uint8Array;
  readonly #cache = new Map<string, DerivedKey>();
  readonly #sessions = new MusigSessions();
  readonly #bls = new Map<string, { publicKey: Uint8Array; pop: Uint8Array }>();

  /**
   * @param opts the master seed (copied) and network
   */
  constructor(opts: { seed: Uint8Array; network: Network }) {
    if (!(opts.seed instanceof Uint8Array)) {
      throw new TypeError("Invalid seed: expected Uint8Array");
    }
    this.#seed = opts.seed.slice();
    this.network = opts.network;
  }

  #key(ref: KeyRef): DerivedKey {
    const r = checkKeyRef(ref);
    const id = refId(r);
    let k = this.#cache.get(id);
    if (k === undefined) {
      k = deriveKey(this.#seed, this.network, r);
      this.#cache.set(id, k);
    }
    return k;
  }

  /** @inheritdoc */
  // deno-lint-ignore require-await
  async publicKey(ref: KeyRef): Promise<PublicKeyInfo> {
    const k = this.#key(ref);
    return {
      xOnly: k.xOnlyPublicKey.slice(),
      compressed: k.publicKey.slice(),
      path: k.path,
    };
  }

  /** @inheritdoc */
  // deno-lint-ignore require-await
  async blsKey(ref: KeyRef): Promise<{ publicKey: Uint8Array; pop: Uint8Array }> {
    const id = refId(checkKeyRef(ref));
    let k = this.#bls.get(id);
    if (k === undefined) {
      const sk = deriveSeatBlsSecret(this.#seed, this.network, ref);
      try {
        k = { publicKey: blsSecretKeyToPublicKey(sk), pop: blsPopProve(sk) };
      } finally {
        sk.fill(0);
      }
      this.#bls.set(id, k);
    }
    return { publicKey: k.publicKey.slice(), pop: k.pop.slice() };
  }

  /** @inheritdoc */
  // deno-lint-ignore require-await
  async signSchnorr(ref: KeyRef, msg: Uint8Array): Promise<Uint8Array> {
    if (!(msg instanceof Uint8Array) || msg.length !== 32) {
      throw new RangeError(`Invalid message: expected a 32-byte digest`);
    }
    const k = this.#key(ref);
    return schnorrSign(msg, k.secretKey, randomBytes(32));
  }

  /** @inheritdoc */
  // deno-lint-ignore require-await
  async musigNonce(p: MusigNonceParams): Promise<{ session: string; publicNonce: Uint8Array }> {
    const k = this.#key(p.key);
    let nonces: { public: Uint8Array; secret: Uint8Array };
    try {
      nonces = musig.nonceGen(
        k.publicKey,
        k.secretKey,
        p.aggPublicKey ?? new Uint8Array(0),
        p.msg,
        new Uint8Array(0),
        randomBytes(32),
      );
    } catch (e) {
      throw musigError(e);
    }
    const session = this.#sessions.open({
      key: checkKeyRef(p.key),
      secretNonce: nonces.secret,
      publicNonce: nonces.public,
      msg: p.msg?.slice() ?? null,
    });
    return { session, publicNonce: nonces.public.slice() };
  }

  /** @inheritdoc */
  // deno-lint-ignore require-await
  async musigPartialSign(p: MusigSignParams): Promise<Uint8Array> {
    const s = this.#sessions.take(p.session);
    try {
      if (refId(s.key) !== refId(checkKeyRef(p.key))) {
        throw new SignerError(
          "MUSIG_INVALID",
          { reason: "key differs from the session's key" },
          `MuSig2 input rejected: key differs from the session's key`,
        );
      }
      if (s.msg !== null && !eqBytes(s.msg, p.msg)) {
        throw new SignerError(
          "MUSIG_INVALID",
          { reason: "message differs from the one bound at nonce generation" },
          `MuSig2 input rejected: message differs from the one bound at nonce generation`,
        );
      }
      const k = this.#key(s.key);
      let psig: Uint8Array;
      try {
        const session = new musig.Session(
          p.aggNonce,
          p.publicKeys,
          p.msg,
          p.tweaks ?? [],
          p.isXonly ?? [],
        );
        psig = session.sign(s.secretNonce, k.secretKey);
      } catch (e) {
        throw musigError(e);
      }
      return psig;
    } finally {
      s.secretNonce.fill(0);
    }
  }

  /** @inheritdoc */
  close(): void {
    this.#sessions.clear();
    for (const k of this.#cache.values()) k.secretKey.fill(0);
    this.#cache.clear();
    this.#seed.fill(0);
  }
}
