/**
 * Cryptographically secure random bytes for callers outside consensus (wallet, signer, tests).
 * @module
 */

const MAX_RANDOM_BYTES = 1 << 20;

/**
 * Returns `n` bytes from the platform CSPRNG (Web Crypto `getRandomValues`). Never use inside
 * consensus or state: they must be deterministic.
 *
 * @param n Number of bytes, an integer from 0 to 1 MiB.
 * @returns Fresh random bytes.
 * @throws {RangeError} When `n` is not an integer in range.
 * @example
 * ```ts
 * import { randomBytes } from "./random.ts";
 * console.assert(randomBytes(32).length === 32);
 * ```
 */
export function randomBytes(n: number): Uint8Array {
  if (!Number.isSafeInteger(n) || n < 0 || n > MAX_RANDOM_BYTES) {
    throw new RangeError(`Invalid random byte count "${n}": expected an integer from 0 to 1048576`);
  }
  const out = new Uint8Array(n);
  // getRandomValues fills at most 65536 bytes per call.
  for (let i = 0; i < n; i += 65536) {
    crypto.getRandomValues(out.subarray(i, Math.min(n, i + 65536)));
  }
  return out;
}
