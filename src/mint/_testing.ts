/**
 * Test helpers private to the mint module: brute-force nonce search at easy targets.
 * @module
 */
import type { Mint, Predicate } from "../codec/mod.ts";
import type { MintChain } from "./chain.ts";
import { hashToBigInt, powHash } from "./pow.ts";

/** A key predicate whose pubkey is 32 copies of `k`. */
export function keyPayout(k: number): Predicate {
  return { type: "key", pubkey: new Uint8Array(32).fill(k) };
}
import { buildTemplate, templateMint } from "./template.ts";

/** First nonce from `start` whose hash meets (or with `fail`, misses) the mint's target. */
export function solve(m: Mint, start = 0n, fail = false): Mint {
  for (let n = start; n < start + 1_000_000n; n++) {
    const c = { ...m, nonce: n };
    if ((hashToBigInt(powHash(c)) <= hashToBigInt(c.target)) !== fail) return c;
  }
  throw new Error(`No nonce found from ${start}`);
}

/** A solved mint for the chain's next height. */
export function nextMint(chain: MintChain, tier = 2, payout = 1, start = 0n): Mint {
  const t = buildTemplate(chain, { payout: keyPayout(payout), tier });
  return solve(templateMint(t, 0n), start);
}
