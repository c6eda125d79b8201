/**
 * Test fixtures shared by the node's unit tests: fixed seat keys, a one-seat devnet genesis and
 * the ValidatorService options that go with it, and a polling wait with a deadline.
 * @module
 */
import { bytesToHex } from "@noble/hashes/utils.js";
import { encodeAddress } from "../codec/mod.ts";
import { schnorrPublicKey } from "../crypto/mod.ts";
import { DEVNET } from "../params/mod.ts";
import { type Genesis, parseGenesis } from "./genesis.ts";
import type { SeatKey } from "./keys.ts";
import type { ValidatorOptions } from "./validator.ts";

/** A deterministic seat key: every byte of the secret is `b`. */
export function testKey(b: number): SeatKey {
  const secretKey = new Uint8Array(32).fill(b);
  return { secretKey, publicKey: schnorrPublicKey(secretKey) };
}

/** A devnet genesis with `seat` as its only validator and 1 PC allocated to `faucet`'s key. */
export function oneSeatGenesis(seat: SeatKey, faucet: SeatKey, note: string): Genesis {
  return parseGenesis({
    network: "devnet",
    committee: [bytesToHex(seat.publicKey)],
    genesis_note: note,
    allocations: [{
      address: encodeAddress({ type: "key", pubkey: faucet.publicKey }, "devnet"),
      amount: "100000000",
    }],
  }, "inline");
}

/** ValidatorService options of a fast, network-less one-seat node in `dir`. */
export function oneSeatOptions(genesis: Genesis, seat: SeatKey, dir: string): ValidatorOptions {
  return {
    genesis,
    network: DEVNET,
    seatKey: seat,
    dataDir: dir,
    eventIntervalMs: 2,
    antiEntropyMs: 1000,
    mempoolMaxTxs: 10,
    listen: null,
    bootstrap: [],
  };
}

/**
 * Polls `f` every 5 ms until it returns a value other than `undefined` or `false`, or throws naming
 * `what` after `ms`.
 */
export async function until<T>(
  f: () => T | undefined | false,
  ms: number,
  what: string,
): Promise<T> {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    const v = f();
    if (v !== undefined && v !== false) return v;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`Timed out waiting for ${what}`);
}
