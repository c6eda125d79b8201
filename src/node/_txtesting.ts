/**
 * Test fixtures for the mempool, admission and tx gossip tests: an in-memory state engine holding
 * matured faucet coins on devnet, and signed faucet transfers of them.
 * @module
 */
import { blake3 } from "@noble/hashes/blake3.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { schnorrPublicKey } from "../crypto/mod.ts";
import { DEVNET } from "../params/mod.ts";
import { StateEngine } from "../state/mod.ts";
import { type Coin, faucetPredicates, faucetTransfer } from "./devnet.ts";
import type { SeatKey } from "./keys.ts";

/** A faucet key, an engine at anchor 51 holding `n` matured coins of it, and the coins. */
export async function maturedFaucet(
  n: number,
): Promise<{ faucet: SeatKey; engine: StateEngine; coins: Coin[] }> {
  const secretKey = blake3(new TextEncoder().encode("pc-test/faucet"));
  const faucet: SeatKey = { secretKey, publicKey: schnorrPublicKey(secretKey) };
  const engine = new StateEngine({ network: DEVNET });
  const { commit } = faucetPredicates(faucet);
  const mints = Array.from({ length: n }, (_, i) => ({
    mintId: blake3(new TextEncoder().encode(`pc-test/coin/${i}`)),
    amount: 1_000_000_000n,
    tier: 0,
    payout: commit,
  }));
  await engine.applyAnchor({
    index: 0,
    events: [{ eventId: new Uint8Array(32), mints, txs: [] }],
  });
  // Genesis coins mature after 50 anchors on devnet (tier 0).
  for (let i = 1; i <= 51; i++) await engine.applyAnchor({ index: i, events: [] });
  const coins = mints.map((m) => ({ txid: bytesToHex(m.mintId), index: 0, amount: m.amount }));
  return { faucet, engine, coins };
}

/** A signed self-transfer of `coin` with `fee` (re-export for the tests). */
export function transfer(faucet: SeatKey, coin: Coin, fee = 1_000n): Uint8Array {
  return faucetTransfer(faucet, coin, fee);
}
