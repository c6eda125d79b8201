/**
 * A wallet-only {@linkcode SignerApi} over a decrypted seed, for the wallet command line when no
 * phantom-signer process is used (`phantom-signer wallet send` without `--signer-socket`). It
 * serves the two calls PSPT signing makes (public key, sighash signature) for `wallet` keys only
 * and refuses every other role and method, so a wallet keystore can never sign events, bonds or
 * payouts through this path.
 * @module
 */
import {
  type KeyRef,
  type Network,
  type SignerApi,
  SignerError,
  SoftwareBackend,
} from "../signer/mod.ts";

function refusal(method: string, role: string): SignerError {
  return new SignerError(
    "ROLE_MISMATCH",
    { method, role, allowed: ["wallet"] },
    `Request refused: the wallet's local signer serves "wallet" keys only, not "${role}" for ${method}`,
  );
}

// Every method returns a Promise, so a refusal rejects it instead of throwing synchronously: a
// caller that only attaches `.catch` (or awaits later) must still see it.
function refuse(method: string, role: string): Promise<never> {
  return Promise.reject(refusal(method, role));
}

/**
 * Signs wallet sighashes with keys derived from a seed held in memory.
 * @example
 * ```ts
 * import { SeedSigner } from "./seed_signer.ts";
 * const s = new SeedSigner(new Uint8Array(64).fill(1), "testnet");
 * const ref = { role: "wallet" as const, account: 0, chain: 0 as const, index: 0 };
 * const sig = await s.signSighash(ref, new Uint8Array(32));
 * console.assert(sig.length === 64);
 * s.close();
 * ```
 */
export class SeedSigner implements SignerApi {
  readonly #backend: SoftwareBackend;

  /**
   * @param seed master seed (copied)
   * @param network network of the keys
   */
  constructor(seed: Uint8Array, network: Network) {
    this.#backend = new SoftwareBackend({ seed, network });
  }

  /** @inheritdoc */
  async getPublicKey(
    key: KeyRef,
  ): Promise<{ xOnly: Uint8Array; compressed: Uint8Array; path: string }> {
    if (key.role !== "wallet") throw refusal("get_public_key", key.role);
    const k = await this.#backend.publicKey(key);
    return { xOnly: k.xOnly, compressed: k.compressed, path: k.path };
  }

  /** @inheritdoc */
  signSighash(key: KeyRef, sighash: Uint8Array): Promise<Uint8Array> {
    if (key.role !== "wallet") return refuse("sign_tx", key.role);
    if (!(sighash instanceof Uint8Array) || sighash.length !== 32) {
      return Promise.reject(new RangeError(`Invalid sighash: expected 32 bytes`));
    }
    return this.#backend.signSchnorr(key, sighash);
  }

  /** Refused: not a wallet operation. */
  getBlsKey(key: KeyRef): Promise<{ publicKey: Uint8Array; pop: Uint8Array }> {
    return refuse("get_bls_key", key.role);
  }

  /** Refused: not a wallet operation. */
  signEvent(key: KeyRef): Promise<{ signature: Uint8Array; eventId: Uint8Array }> {
    return refuse("sign_event", key.role);
  }

  /** Refused: not a wallet operation. */
  signDaAttestation(key: KeyRef): Promise<{ signature: Uint8Array; digest: Uint8Array }> {
    return refuse("sign_da_attestation", key.role);
  }

  /** Refused: not a wallet operation. */
  signSeatTx(key: KeyRef): Promise<{ signature: Uint8Array; sighash: Uint8Array }> {
    return refuse("sign_seat_tx", key.role);
  }

  /** Refused: MuSig2 sessions belong in phantom-signer (nonces must outlive this process). */
  musigNonce(key: KeyRef): Promise<{ session: string; publicNonce: Uint8Array }> {
    return refuse("musig_nonce", key.role);
  }

  /** Refused: see {@linkcode SeedSigner.musigNonce}. */
  musigSign(key: KeyRef): Promise<Uint8Array> {
    return refuse("musig_sign", key.role);
  }

  /** Forgets the seed and derived keys. */
  close(): void {
    this.#backend.close();
  }
}
