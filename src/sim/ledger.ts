/**
 * The point where the state engine plugs into the simulator. {@linkcode SimLedger} is the interim
 * deterministic stand-in: it applies the txs of each finalized anchor in consensus order, applies
 * each tx id once, skips invalid ones and chains a state root. Replace its body with the UTXO
 * engine of src/state (`applyFinalized(orderedEvents, payloads) -> stateRoot`) without changing
 * the {@linkcode StateMachine} interface.
 * @module
 */
import { blake3 } from "../crypto/mod.ts";
import { merkleRoot } from "../codec/mod.ts";
import type { FinalizedAnchor } from "../consensus/mod.ts";
import { toHex } from "../consensus/mod.ts";

/** What the simulator needs from the state engine. */
export interface StateMachine {
  /** Current state root. */
  readonly root: Uint8Array;
  /**
   * Applies one finalized anchor's ordered events.
   * @param anchor the anchor
   * @param payloadOf payload bytes of an event of the anchor (always held: DA gate, spec §5)
   * @returns the state root after the anchor and the ids of the txs applied
   */
  applyFinalized(
    anchor: FinalizedAnchor,
    payloadOf: (id: Uint8Array) => Uint8Array | undefined,
  ): { root: Uint8Array; applied: string[] };
}

/** Tx entry size in a simulator payload: 1 flag byte (0 = valid) + 32-byte tx id. */
export const SIM_TX_BYTES = 33;

/**
 * Payload root of a simulator payload: the codec Merkle root (EMPTY_MERKLE_ROOT when empty) over
 * BLAKE3 of each 33-byte entry, so the validity flag is committed too. Malformed payloads get a
 * root no header can match.
 * @param payload payload bytes
 * @returns 32-byte root for `EventHeader.payloadRoot`
 */
export function payloadRootOf(payload: Uint8Array): Uint8Array {
  const n = payload.length >= 2 ? payload[0]! | (payload[1]! << 8) : -1;
  if (n < 0 || payload.length !== 2 + n * SIM_TX_BYTES) return new Uint8Array(32).fill(0xff);
  const leaves: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    leaves.push(blake3(payload.subarray(2 + i * SIM_TX_BYTES, 2 + (i + 1) * SIM_TX_BYTES)));
  }
  return merkleRoot(leaves);
}

/** Encodes a simulator payload: u16le count then entries. */
export function encodePayload(txs: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(2 + txs.length * SIM_TX_BYTES);
  out[0] = txs.length & 0xff;
  out[1] = txs.length >> 8;
  txs.forEach((t, i) => out.set(t, 2 + i * SIM_TX_BYTES));
  return out;
}

/**
 * Interim deterministic ledger (see module docs): the state-engine plug point.
 * @example
 * ```ts
 * import { SimLedger } from "./ledger.ts";
 * console.assert(new SimLedger().root.length === 32);
 * ```
 */
export class SimLedger implements StateMachine {
  #root: Uint8Array = blake3(new TextEncoder().encode("PC/sim-ledger/v0"));
  readonly #applied = new Set<string>();
  /** Invalid txs skipped. */
  invalidSkipped = 0;

  /** Current root. */
  get root(): Uint8Array {
    return this.#root;
  }

  /** Applies an anchor (see {@linkcode StateMachine.applyFinalized}). */
  applyFinalized(
    anchor: FinalizedAnchor,
    payloadOf: (id: Uint8Array) => Uint8Array | undefined,
  ): { root: Uint8Array; applied: string[] } {
    const applied: string[] = [];
    const buf: Uint8Array[] = [
      this.#root,
      new Uint8Array([anchor.height & 0xff, anchor.height >> 8]),
    ];
    for (const ev of anchor.events) {
      const p = payloadOf(ev.id);
      if (p === undefined || p.length < 2) continue;
      const n = p[0]! | (p[1]! << 8);
      if (p.length !== 2 + n * SIM_TX_BYTES) continue;
      for (let i = 0; i < n; i++) {
        const o = 2 + i * SIM_TX_BYTES;
        if (p[o] !== 0) {
          this.invalidSkipped++;
          continue;
        }
        const tx = p.subarray(o + 1, o + SIM_TX_BYTES);
        const key = toHex(tx);
        if (this.#applied.has(key)) continue;
        this.#applied.add(key);
        applied.push(key);
        buf.push(tx);
      }
    }
    let len = 0;
    for (const b of buf) len += b.length;
    const m = new Uint8Array(len);
    let o = 0;
    for (const b of buf) {
      m.set(b, o);
      o += b.length;
    }
    this.#root = blake3(m);
    return { root: this.#root, applied };
  }
}
