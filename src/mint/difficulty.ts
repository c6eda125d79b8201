/**
 * Difficulty retargeting on finalized-anchor counts (docs/spec/mint.md §4). No timestamps:
 * the only clock is the index of the finalized anchor in which each mint was ordered.
 * @module
 */
import { MAX_TARGET, type MintParams } from "./params.ts";

/**
 * Target of the next difficulty window.
 *
 * `next = old * clamp(actual, expected / F, expected * F) / expected`, capped to `[1, powLimit]`,
 * where `expected = retargetInterval * targetSpacing` and `F = maxAdjustFactor`.
 * @param p mint parameters
 * @param oldTarget target of the window that just ended
 * @param actualAnchors finalized anchors the window took (anchor of its last mint minus anchor of
 *   the last mint of the previous window, or minus `genesisAnchor` for the first window)
 * @returns the new target
 * @throws {RangeError} when `oldTarget` is outside `1..MAX_TARGET` or `actualAnchors` is negative
 * @example
 * ```ts
 * import { nextTarget, DEVNET_MINT_PARAMS as P } from "./mod.ts";
 * const t = 1n << 200n;
 * // The window took twice as long as intended: the target doubles (mining gets easier).
 * console.assert(nextTarget(P, t, 2n * P.retargetInterval * P.targetSpacing) === 2n * t);
 * ```
 */
export function nextTarget(p: MintParams, oldTarget: bigint, actualAnchors: bigint): bigint {
  if (oldTarget < 1n || oldTarget > MAX_TARGET) {
    throw new RangeError(`Target out of range: 0x${oldTarget.toString(16)}`);
  }
  if (actualAnchors < 0n) throw new RangeError(`Anchor count is negative: ${actualAnchors}`);
  const expected = p.retargetInterval * p.targetSpacing;
  let lo = expected / p.maxAdjustFactor;
  if (lo < 1n) lo = 1n;
  const hi = expected * p.maxAdjustFactor;
  const actual = actualAnchors < lo ? lo : actualAnchors > hi ? hi : actualAnchors;
  const t = (oldTarget * actual) / expected;
  if (t < 1n) return 1n;
  return t > p.powLimit ? p.powLimit : t;
}

/**
 * Expected number of hashes to find a solution at `target` (the work of one mint).
 * @param target 256-bit target
 * @returns `floor(2^256 / (target + 1))`
 * @throws {RangeError} when `target` is outside `0..MAX_TARGET`
 * @example
 * ```ts
 * import { expectedHashes } from "./mod.ts";
 * console.assert(expectedHashes((1n << 255n) - 1n) === 2n);
 * ```
 */
export function expectedHashes(target: bigint): bigint {
  if (target < 0n || target > MAX_TARGET) {
    throw new RangeError(`Target out of range: 0x${target.toString(16)}`);
  }
  return (MAX_TARGET + 1n) / (target + 1n);
}
