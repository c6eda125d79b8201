/**
 * Pure functions behind the mint RPCs (docs/spec/mint.md §8): `get_mint_template` →
 * {@linkcode buildTemplate}, `submit_mint_solution` → {@linkcode checkSolution}, `mint_status` →
 * {@linkcode mintStatus}, plus their JSON forms shared by the node and phantom-miner.
 * @module
 */
import { decodeHex, encodeHex } from "./_hex.ts";
import {
  decodeAddress,
  decodePredicate,
  encodeMint,
  encodePredicate,
  type Mint,
  type Predicate,
  PROTOCOL_VERSION,
} from "../codec/mod.ts";
import type { NetworkName } from "../params/mod.ts";
import { decodeMintOrThrow, MINT_VERSION, type MintChain } from "./chain.ts";
import { expectedHashes } from "./difficulty.ts";
import { bigIntToHash } from "./pow.ts";
import { MintError, type MintErrorCode } from "./errors.ts";

/** Everything a miner needs to search nonces for the next mint. */
export interface MintTemplate {
  /** Mint format version. */
  readonly version: number;
  /** Network id. */
  readonly networkId: number;
  /** Height of the mint to find. */
  readonly height: bigint;
  /** Predecessor: the current tip. */
  readonly prevMintId: Uint8Array;
  /** Target the PoW hash must not exceed. */
  readonly target: bigint;
  /** Maturity tier. */
  readonly tier: number;
  /** Predicate owning the output. */
  readonly payout: Predicate;
  /** Reward of this template, in base units. */
  readonly reward: bigint;
  /** Finalized anchors the output stays locked after its mint is ordered. */
  readonly lockAnchors: bigint;
}

/** JSON form of {@linkcode MintTemplate}: bytes as hex, u64/u256 values as decimal or hex strings. */
export interface MintTemplateJson {
  /** Mint format version. */
  version: number;
  /** Network id. */
  networkId: number;
  /** Height, decimal. */
  height: string;
  /** Predecessor id, 64 hex digits. */
  prevMintId: string;
  /** Target, 64 hex digits (big-endian). */
  target: string;
  /** Maturity tier. */
  tier: number;
  /** Payout predicate, hex of its canonical encoding. */
  payout: string;
  /** Reward in base units, decimal. */
  reward: string;
  /** Lock in finalized anchors, decimal. */
  lockAnchors: string;
}

/** Result of an accepted `submit_mint_solution`. */
export interface SolutionCheck {
  /** Id of the mint, hex. */
  readonly mintId: string;
  /** Height of the mint. */
  readonly height: bigint;
  /** Reward it would receive. */
  readonly reward: bigint;
  /** The mint, decoded. */
  readonly mint: Mint;
}

/** Answer of `mint_status`. */
export interface MintStatus {
  /** Network id. */
  readonly networkId: number;
  /** Height the next mint must carry (= accepted mints). */
  readonly nextHeight: bigint;
  /** Tip id, hex (zeros before the first mint). */
  readonly tipMintId: string;
  /** Current target. */
  readonly target: bigint;
  /** Expected hashes per mint at the current target. */
  readonly expectedHashes: bigint;
  /** Units emitted. */
  readonly emitted: bigint;
  /** Units still to emit. */
  readonly remaining: bigint;
  /** Reward of the next mint per tier. */
  readonly nextRewards: readonly bigint[];
  /** Height of the next mint after which the target changes. */
  readonly nextRetargetHeight: bigint;
  /** Anchor of the last accepted mint. */
  readonly lastAnchor: bigint;
}

/**
 * Build the template for the next mint.
 * @param chain the node's mint chain
 * @param request payout predicate and maturity tier chosen by the miner
 * @returns template
 * @throws {RangeError|TypeError} for an unknown tier or an unencodable predicate
 * @throws {MintError} MINT_EMISSION_ENDED when nothing is left to emit
 * @example
 * ```ts
 * import { buildTemplate, DEVNET_MINT_PARAMS, MintChain } from "./mod.ts";
 * const t = buildTemplate(new MintChain(DEVNET_MINT_PARAMS), {
 *   payout: { type: "key", pubkey: new Uint8Array(32) },
 *   tier: 2,
 * });
 * console.assert(t.height === 0n);
 * ```
 */
export function buildTemplate(
  chain: MintChain,
  request: { payout: Predicate; tier: number },
): MintTemplate {
  const p = chain.params;
  const tier = p.tiers[request.tier];
  if (!Number.isInteger(request.tier) || tier === undefined) {
    throw new RangeError(`Unknown maturity tier: ${request.tier}`);
  }
  // Throws RangeError/TypeError for a predicate the codec cannot encode.
  encodePredicate(request.payout);
  const reward = chain.nextReward(request.tier);
  if (reward === 0n) throw new MintError("MINT_EMISSION_ENDED", { height: chain.nextHeight });
  return {
    version: MINT_VERSION,
    networkId: p.networkId,
    height: chain.nextHeight,
    prevMintId: chain.tipMintId,
    target: chain.target,
    tier: request.tier,
    payout: request.payout,
    reward,
    lockAnchors: tier.lockAnchors,
  };
}

/**
 * The mint a template describes, with a nonce.
 * @param t template
 * @param nonce u64 nonce
 * @returns mint
 * @throws {RangeError} when the nonce is not a u64 or the template version is unknown
 * @example
 * ```ts
 * import { buildTemplate, DEVNET_MINT_PARAMS, MintChain, templateMint } from "./mod.ts";
 * const payout = { type: "key", pubkey: new Uint8Array(32) } as const;
 * const t = buildTemplate(new MintChain(DEVNET_MINT_PARAMS), { payout, tier: 0 });
 * console.assert(templateMint(t, 7n).nonce === 7n);
 * ```
 */
export function templateMint(t: MintTemplate, nonce: bigint): Mint {
  if (typeof nonce !== "bigint" || nonce < 0n || nonce >= 1n << 64n) {
    throw new RangeError(`Nonce out of u64 range: ${nonce}`);
  }
  if (t.version !== PROTOCOL_VERSION) {
    throw new RangeError(`Unknown mint template version: ${t.version}`);
  }
  return {
    version: PROTOCOL_VERSION,
    networkId: t.networkId,
    prevMintId: t.prevMintId,
    height: t.height,
    target: bigIntToHash(t.target),
    tier: t.tier,
    payout: t.payout,
    nonce,
  };
}

/**
 * Check a submitted solution against the current tip. Does not change the chain: the node then
 * gossips the mint in an event and the chain accepts it (or not) when it is finalized in order.
 * @param chain the node's mint chain
 * @param solution the encoded mint (as submitted) or a decoded one
 * @param pending ids (hex) of solutions already submitted but not yet finalized
 * @returns id, height and reward of the valid solution
 * @throws {MintError} MINT_MALFORMED, MINT_DUPLICATE (already accepted or pending), MINT_STALE,
 *   MINT_LOW_WORK and the other codes of {@linkcode MintChain.validate}
 * @example
 * ```ts
 * import { checkSolution, DEVNET_MINT_PARAMS, MintChain, MintError } from "./mod.ts";
 * try {
 *   checkSolution(new MintChain(DEVNET_MINT_PARAMS), new Uint8Array(2));
 * } catch (e) {
 *   console.assert(MintError.is(e, "MINT_MALFORMED"));
 * }
 * ```
 */
export function checkSolution(
  chain: MintChain,
  solution: Uint8Array | Mint,
  pending?: { has(mintIdHex: string): boolean },
): SolutionCheck {
  const mint = solution instanceof Uint8Array ? decodeMintOrThrow(solution) : solution;
  const c = chain.validate(mint);
  const id = encodeHex(c.mintId);
  if (pending?.has(id)) {
    throw new MintError("MINT_DUPLICATE", { mintId: id, height: mint.height });
  }
  return { mintId: id, height: mint.height, reward: c.amount, mint };
}

/**
 * Status of the mint chain for `mint_status`.
 * @param chain the node's mint chain
 * @returns status
 * @example
 * ```ts
 * import { DEVNET_MINT_PARAMS, MintChain, mintStatus } from "./mod.ts";
 * console.assert(mintStatus(new MintChain(DEVNET_MINT_PARAMS)).emitted === 0n);
 * ```
 */
export function mintStatus(chain: MintChain): MintStatus {
  const p = chain.params;
  const h = chain.nextHeight;
  return {
    networkId: p.networkId,
    nextHeight: h,
    tipMintId: encodeHex(chain.tipMintId),
    target: chain.target,
    expectedHashes: expectedHashes(chain.target),
    emitted: chain.emitted,
    remaining: p.cap - chain.emitted,
    nextRewards: p.tiers.map((_, i) => chain.nextReward(i)),
    nextRetargetHeight: (h / p.retargetInterval + 1n) * p.retargetInterval - 1n,
    lastAnchor: chain.lastAnchor,
  };
}

/**
 * JSON form of a template.
 * @param t template
 * @returns JSON-safe object
 * @example
 * ```ts
 * import { buildTemplate, DEVNET_MINT_PARAMS, MintChain, templateFromJson, templateToJson } from "./mod.ts";
 * const payout = { type: "key", pubkey: new Uint8Array(32) } as const;
 * const t = buildTemplate(new MintChain(DEVNET_MINT_PARAMS), { payout, tier: 1 });
 * console.assert(templateFromJson(templateToJson(t)).reward === t.reward);
 * ```
 */
export function templateToJson(t: MintTemplate): MintTemplateJson {
  return {
    version: t.version,
    networkId: t.networkId,
    height: t.height.toString(),
    prevMintId: encodeHex(t.prevMintId),
    target: t.target.toString(16).padStart(64, "0"),
    tier: t.tier,
    payout: encodeHex(encodePredicate(t.payout)),
    reward: t.reward.toString(),
    lockAnchors: t.lockAnchors.toString(),
  };
}

/**
 * Parse the JSON form of a template (as received by phantom-miner).
 * @param j parsed JSON value
 * @returns template
 * @throws {TypeError} naming the first missing or mistyped field
 * @example
 * ```ts
 * import { templateFromJson } from "./mod.ts";
 * try { templateFromJson({}); } catch (e) { console.assert(e instanceof TypeError); }
 * ```
 */
export function templateFromJson(j: unknown): MintTemplate {
  if (typeof j !== "object" || j === null) throw new TypeError(`Mint template must be an object`);
  const o = j as Record<string, unknown>;
  const str = (k: string, re: RegExp): string => {
    const v = o[k];
    if (typeof v !== "string" || !re.test(v)) {
      throw new TypeError(`Mint template field "${k}" is invalid: ${JSON.stringify(v)}`);
    }
    return v;
  };
  const int = (k: string): number => {
    const v = o[k];
    if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) {
      throw new TypeError(`Mint template field "${k}" is invalid: ${JSON.stringify(v)}`);
    }
    return v;
  };
  const dec = /^(0|[1-9][0-9]{0,77})$/;
  if (o.version !== PROTOCOL_VERSION) {
    throw new TypeError(`Mint template field "version" is invalid: ${JSON.stringify(o.version)}`);
  }
  return {
    version: int("version"),
    networkId: int("networkId"),
    height: BigInt(str("height", dec)),
    prevMintId: decodeHex(str("prevMintId", /^[0-9a-f]{64}$/)),
    target: BigInt("0x" + str("target", /^[0-9a-f]{64}$/)),
    tier: int("tier"),
    payout: predicateFromHex(str("payout", /^([0-9a-f]{2})+$/)),
    reward: BigInt(str("reward", dec)),
    lockAnchors: BigInt(str("lockAnchors", dec)),
  };
}

/**
 * JSON form of a status, bigints as decimal strings and the target as 64 hex digits.
 * @param s status
 * @returns JSON-safe object
 * @example
 * ```ts
 * import { DEVNET_MINT_PARAMS, MintChain, mintStatus, mintStatusToJson } from "./mod.ts";
 * console.assert(mintStatusToJson(mintStatus(new MintChain(DEVNET_MINT_PARAMS))).emitted === "0");
 * ```
 */
export function mintStatusToJson(s: MintStatus): Record<string, string | number | string[]> {
  return {
    networkId: s.networkId,
    nextHeight: s.nextHeight.toString(),
    tipMintId: s.tipMintId,
    target: s.target.toString(16).padStart(64, "0"),
    expectedHashes: s.expectedHashes.toString(),
    emitted: s.emitted.toString(),
    remaining: s.remaining.toString(),
    nextRewards: s.nextRewards.map((r) => r.toString()),
    nextRetargetHeight: s.nextRetargetHeight.toString(),
    lastAnchor: s.lastAnchor.toString(),
  };
}

function predicateFromHex(h: string): Predicate {
  try {
    return decodePredicate(decodeHex(h));
  } catch (e) {
    throw new TypeError(`Mint template field "payout" is invalid: ${(e as Error).message}`);
  }
}

/**
 * Encoded mint as hex: the `mint` parameter of `submit_mint_solution`.
 * @param m solved mint
 * @returns lowercase hex of its canonical encoding
 * @throws {RangeError|TypeError} when the mint is not encodable
 * @example
 * ```ts
 * import { buildTemplate, DEVNET_MINT_PARAMS, MintChain, solutionToHex, templateMint } from "./mod.ts";
 * const payout = { type: "key", pubkey: new Uint8Array(32) } as const;
 * const t = buildTemplate(new MintChain(DEVNET_MINT_PARAMS), { payout, tier: 1 });
 * console.assert(solutionToHex(templateMint(t, 0n)).endsWith("0000000000000000"));
 * ```
 */
export function solutionToHex(m: Mint): string {
  return encodeHex(encodeMint(m));
}

/**
 * The payout predicate an address pays to (its `commit` predicate), for `get_mint_template`.
 * @param address Bech32m address
 * @param network network the address must belong to
 * @returns `{ type: "commit", commitment }`
 * @throws {AddressError} when the address is invalid or of another network
 * @example
 * ```ts
 * import { payoutFromAddress } from "./mod.ts";
 * try { payoutFromAddress("pc1xyz", "mainnet"); } catch (e) { console.assert(e instanceof Error); }
 * ```
 */
export function payoutFromAddress(address: string, network: NetworkName): Predicate {
  const a = decodeAddress(address, network);
  return { type: "commit", commitment: a.commitment };
}

/**
 * JSON-RPC error codes of rejected submissions (server-defined range -32000..-32099).
 * `error.data.reason` carries the MintError code itself.
 */
export const MINT_RPC_ERROR_CODES: Readonly<Record<MintErrorCode, number>> = Object.freeze({
  MINT_MALFORMED: -32040,
  MINT_WRONG_NETWORK: -32041,
  MINT_DUPLICATE: -32042,
  MINT_STALE: -32043,
  MINT_BAD_PREV: -32044,
  MINT_BAD_HEIGHT: -32045,
  MINT_WRONG_TARGET: -32046,
  MINT_LOW_WORK: -32047,
  MINT_BAD_TIER: -32048,
  MINT_WRONG_REWARD: -32049,
  MINT_EMISSION_ENDED: -32050,
});

/**
 * JSON-RPC error object for a MintError (bigints as decimal strings, bytes as hex).
 * @param e the rejection
 * @returns `{ code, message, data: { reason, ...data } }`
 * @example
 * ```ts
 * import { MintError, mintErrorToRpc } from "./mod.ts";
 * const r = mintErrorToRpc(new MintError("MINT_BAD_TIER", { tier: 4 }));
 * console.assert(r.data.reason === "MINT_BAD_TIER");
 * ```
 */
export function mintErrorToRpc(
  e: MintError,
): { code: number; message: string; data: Record<string, unknown> & { reason: MintErrorCode } } {
  const data: Record<string, unknown> & { reason: MintErrorCode } = { reason: e.code };
  for (const [k, v] of Object.entries(e.data)) {
    data[k] = typeof v === "bigint" ? v.toString() : v;
  }
  return { code: MINT_RPC_ERROR_CODES[e.code], message: e.message, data };
}
