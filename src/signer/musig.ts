/**
 * MuSig2 (BIP-327) n-of-n helpers over @scure/btc-signer's implementation: key sorting and
 * aggregation, nonce and partial-signature aggregation, and a coordinator that runs a whole
 * signing round against several {@linkcode SignerApi} holders (docs/spec/wallet.md section 6).
 * @module
 */
import * as musig from "@scure/btc-signer/musig2.js";
import { schnorrVerify } from "../crypto/mod.ts";
import type { SignerApi } from "./client.ts";
import type { KeyRef } from "./derive.ts";
import { SignerError } from "./errors.ts";

function musigError(e: unknown): SignerError {
  const reason = e instanceof musig.InvalidContributionErr
    ? `invalid ${e.message} from signer ${e.idx}`
    : e instanceof Error
    ? e.message
    : String(e);
  return new SignerError("MUSIG_INVALID", { reason }, `MuSig2 input rejected: ${reason}`);
}

function wrap<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw musigError(e);
  }
}

/**
 * Sorts 33-byte public keys lexicographically (BIP-327 KeySort).
 * @param keys compressed public keys
 * @returns a new sorted array
 * @throws {SignerError} MUSIG_INVALID on malformed keys
 * @example
 * ```ts
 * import { musigSortKeys } from "./musig.ts";
 * import { deriveKey } from "./derive.ts";
 * const k = (i: number) => deriveKey(new Uint8Array(64).fill(i), "testnet", { role: "wallet", account: 0, index: 0 }).publicKey;
 * console.assert(musigSortKeys([k(1), k(2)]).length === 2);
 * ```
 */
export function musigSortKeys(keys: Uint8Array[]): Uint8Array[] {
  return wrap(() => musig.sortKeys(keys));
}

/**
 * Aggregates public keys (BIP-327 KeyAgg) in the given order, then applies tweaks.
 * @param keys 33-byte compressed public keys, in aggregation order (sort them first for a
 *   canonical key)
 * @param tweaks optional 32-byte tweaks
 * @param isXonly one flag per tweak
 * @returns the 32-byte x-only aggregate key (what a MuSig predicate commits to)
 * @throws {SignerError} MUSIG_INVALID on a bad key or tweak
 * @example
 * ```ts
 * import { musigAggregateKey } from "./musig.ts";
 * import { deriveKey } from "./derive.ts";
 * const k = (i: number) => deriveKey(new Uint8Array(64).fill(i), "testnet", { role: "wallet", account: 0, index: 0 }).publicKey;
 * console.assert(musigAggregateKey([k(1), k(2)]).length === 32);
 * ```
 */
export function musigAggregateKey(
  keys: Uint8Array[],
  tweaks: Uint8Array[] = [],
  isXonly: boolean[] = [],
): Uint8Array {
  return wrap(() => musig.keyAggExport(musig.keyAggregate(keys, tweaks, isXonly)));
}

/** One participant of a coordinated MuSig2 round. */
export interface MusigParticipant {
  /** Who holds the key. */
  api: SignerApi;
  /** Which key (wallet role). */
  key: KeyRef;
}

/**
 * Coordinates one n-of-n MuSig2 signing round: collects keys and nonces from every participant's
 * signer, aggregates, collects and verifies partial signatures, aggregates and verifies the
 * final BIP-340 signature. Keys are sorted (KeySort) so that the aggregate key does not depend on
 * participant order.
 * @example
 * ```ts
 * import { MusigGroup } from "./musig.ts";
 * console.assert(typeof MusigGroup === "function");
 * ```
 */
export class MusigGroup {
  readonly #parts: MusigParticipant[];
  readonly #tweaks: Uint8Array[];
  readonly #isXonly: boolean[];

  /**
   * @param participants 1..64 participants
   * @param tweaks optional tweaks applied to the aggregate key
   * @param isXonly one flag per tweak
   */
  constructor(
    participants: MusigParticipant[],
    tweaks: Uint8Array[] = [],
    isXonly: boolean[] = [],
  ) {
    if (!Array.isArray(participants) || participants.length < 1 || participants.length > 64) {
      throw new RangeError(`Invalid participants: expected 1..64, got ${participants?.length}`);
    }
    if (tweaks.length !== isXonly.length) {
      throw new RangeError(`Invalid tweaks: ${tweaks.length} tweaks but ${isXonly.length} flags`);
    }
    this.#parts = participants;
    this.#tweaks = tweaks;
    this.#isXonly = isXonly;
  }

  /**
   * The sorted individual keys and the x-only aggregate key.
   * @returns keys and aggregate
   */
  async keys(): Promise<{ publicKeys: Uint8Array[]; aggregate: Uint8Array }> {
    const pks = await Promise.all(
      this.#parts.map(async (p) => (await p.api.getPublicKey(p.key)).compressed),
    );
    const publicKeys = musigSortKeys(pks);
    return { publicKeys, aggregate: musigAggregateKey(publicKeys, this.#tweaks, this.#isXonly) };
  }

  /**
   * Runs a full signing round for `msg`.
   * @param msg message (for PhantomCoin: the 32-byte sighash)
   * @returns the 64-byte BIP-340 signature valid under the aggregate key
   * @throws {SignerError} MUSIG_INVALID when a participant misbehaves or the result is invalid
   */
  async sign(msg: Uint8Array): Promise<Uint8Array> {
    const { publicKeys, aggregate } = await this.keys();
    const nonces = await Promise.all(
      this.#parts.map((p) => p.api.musigNonce(p.key, { aggPublicKey: aggregate, msg })),
    );
    const pubNonces = nonces.map((n) => n.publicNonce);
    const aggNonce = wrap(() => musig.nonceAggregate(pubNonces));
    const session = wrap(() =>
      new musig.Session(aggNonce, publicKeys, msg, this.#tweaks, this.#isXonly)
    );
    const psigs = await Promise.all(this.#parts.map((p, i) =>
      p.api.musigSign(p.key, {
        session: nonces[i]!.session,
        aggNonce,
        publicKeys,
        msg,
        tweaks: this.#tweaks,
        isXonly: this.#isXonly,
      })
    ));
    // Partial signatures are checked one by one so that a bad participant is named.
    const own = await Promise.all(
      this.#parts.map(async (p) => (await p.api.getPublicKey(p.key)).compressed),
    );
    for (let i = 0; i < psigs.length; i++) {
      const idx = publicKeys.findIndex((k) => k.every((b, j) => b === own[i]![j]));
      const nonceOrder = publicKeys.map((k) =>
        pubNonces[own.findIndex((o) => o.every((b, j) => b === k[j]))]!
      );
      const ok = wrap(() => session.partialSigVerify(psigs[i]!, nonceOrder, idx));
      if (!ok) {
        throw new SignerError(
          "MUSIG_INVALID",
          { reason: `bad partial signature from participant ${i}` },
          `MuSig2 input rejected: bad partial signature from participant ${i}`,
        );
      }
    }
    const sig = wrap(() => session.partialSigAgg(psigs));
    if (!schnorrVerify(sig, msg, aggregate)) {
      throw new SignerError(
        "MUSIG_INVALID",
        { reason: "aggregate signature does not verify" },
        "MuSig2 input rejected: aggregate signature does not verify",
      );
    }
    return sig;
  }
}
