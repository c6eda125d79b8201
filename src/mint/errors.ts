/**
 * Typed errors of the mint protocol (docs/spec/mint.md §7).
 * @module
 */

/** Per-code data carried by a {@linkcode MintError}. */
export interface MintErrorData {
  /** The mint could not be decoded or a field is out of its allowed range. */
  MINT_MALFORMED: { reason: string };
  /** The mint was built for another network. */
  MINT_WRONG_NETWORK: { expected: number; actual: number };
  /** A mint with this id was already accepted. */
  MINT_DUPLICATE: { mintId: string; height: bigint };
  /** The predecessor was accepted but has already been extended by an earlier mint. */
  MINT_STALE: { prevMintId: string; tipMintId: string; tipHeight: bigint };
  /** The predecessor is not an accepted mint (nor the genesis marker). */
  MINT_BAD_PREV: { prevMintId: string };
  /** The height is not the predecessor's height plus one. */
  MINT_BAD_HEIGHT: { expected: bigint; actual: bigint };
  /** The declared target differs from the target the chain requires at this height. */
  MINT_WRONG_TARGET: { expected: bigint; actual: bigint };
  /** The PoW hash is above the target. */
  MINT_LOW_WORK: { hash: string; target: bigint };
  /** The maturity tier is unknown. */
  MINT_BAD_TIER: { tier: number };
  /** The claimed reward differs from the emission schedule. */
  MINT_WRONG_REWARD: { expected: bigint; actual: bigint };
  /** The hard cap is fully emitted; no further mint can pay anything. */
  MINT_EMISSION_ENDED: { height: bigint };
}

/** Every code a {@linkcode MintError} can carry. */
export type MintErrorCode = keyof MintErrorData;

/**
 * A mint (or a submitted mint solution) was rejected. The `code` tells callers what happened
 * without matching on messages; `data` carries the details of that code.
 *
 * @example
 * ```ts
 * import { MintError } from "./errors.ts";
 * const e = new MintError("MINT_BAD_TIER", { tier: 7 });
 * console.assert(e.code === "MINT_BAD_TIER" && e.data.tier === 7);
 * ```
 */
export class MintError<C extends MintErrorCode = MintErrorCode> extends Error {
  /** Machine-readable reason. */
  readonly code: C;
  /** Details of the reason. */
  readonly data: MintErrorData[C];

  /**
   * @param code reason of the rejection
   * @param data details of that reason
   * @param message optional human message; a default is derived from code and data
   */
  constructor(code: C, data: MintErrorData[C], message?: string) {
    super(message ?? defaultMessage(code, data));
    this.name = "MintError";
    this.code = code;
    this.data = data;
  }

  /**
   * Narrow an unknown error to a {@linkcode MintError} with the given code.
   * @param e any thrown value
   * @param code the code to test for
   * @returns true when `e` is a MintError carrying `code`
   * @example
   * ```ts
   * import { MintError } from "./errors.ts";
   * const e: unknown = new MintError("MINT_BAD_TIER", { tier: 9 });
   * console.assert(MintError.is(e, "MINT_BAD_TIER"));
   * ```
   */
  static is<K extends MintErrorCode>(e: unknown, code: K): e is MintError<K> {
    return e instanceof MintError && e.code === code;
  }
}

function short(hex: string): string {
  return hex.length > 16 ? `${hex.slice(0, 16)}…` : hex;
}

function defaultMessage<C extends MintErrorCode>(code: C, data: MintErrorData[C]): string {
  const d = data as MintErrorData[MintErrorCode];
  switch (code) {
    case "MINT_MALFORMED":
      return `Malformed mint: ${(d as MintErrorData["MINT_MALFORMED"]).reason}`;
    case "MINT_WRONG_NETWORK": {
      const x = d as MintErrorData["MINT_WRONG_NETWORK"];
      return `Mint is for another network: expected ${x.expected}, got ${x.actual}`;
    }
    case "MINT_DUPLICATE": {
      const x = d as MintErrorData["MINT_DUPLICATE"];
      return `Mint "${short(x.mintId)}" is a duplicate: already accepted at height ${x.height}`;
    }
    case "MINT_STALE": {
      const x = d as MintErrorData["MINT_STALE"];
      return `Mint is stale: predecessor "${short(x.prevMintId)}" was already extended, tip is "${
        short(x.tipMintId)
      }" at height ${x.tipHeight}`;
    }
    case "MINT_BAD_PREV":
      return `Mint has an unknown predecessor: "${
        short((d as MintErrorData["MINT_BAD_PREV"]).prevMintId)
      }"`;
    case "MINT_BAD_HEIGHT": {
      const x = d as MintErrorData["MINT_BAD_HEIGHT"];
      return `Mint has the wrong height: expected ${x.expected}, got ${x.actual}`;
    }
    case "MINT_WRONG_TARGET": {
      const x = d as MintErrorData["MINT_WRONG_TARGET"];
      return `Mint has the wrong target: expected 0x${x.expected.toString(16)}, got 0x${
        x.actual.toString(16)
      }`;
    }
    case "MINT_LOW_WORK": {
      const x = d as MintErrorData["MINT_LOW_WORK"];
      return `Mint has too little work: hash "${short(x.hash)}" is above target 0x${
        x.target.toString(16)
      }`;
    }
    case "MINT_BAD_TIER":
      return `Mint has an unknown maturity tier: ${(d as MintErrorData["MINT_BAD_TIER"]).tier}`;
    case "MINT_WRONG_REWARD": {
      const x = d as MintErrorData["MINT_WRONG_REWARD"];
      return `Mint claims the wrong reward: expected ${x.expected}, got ${x.actual}`;
    }
    case "MINT_EMISSION_ENDED":
      return `Mint emission has ended: nothing left to emit at height ${
        (d as MintErrorData["MINT_EMISSION_ENDED"]).height
      }`;
  }
  return `Mint rejected: ${code}`;
}
