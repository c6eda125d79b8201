/**
 * The real UTXO state engine of src/state plugged into the simulator: every simulated node applies
 * its finalized anchors to its own `StateEngine`, with payloads in the codec's `EventPayload`
 * encoding (real txIds, real payload Merkle roots). Clients spend genesis coins created by mints
 * in anchor 0, one coin per client tx, so every honest tx is valid in any order and applies once
 * (a second inclusion is a double spend the engine skips). Tx witnesses carry dummy signatures and
 * the engines run with `verifySignatures: false`: event signatures are real, tx signatures are
 * the state engine's own concern (its tests and benchmarks).
 * @module
 */
import { blake3, schnorrPublicKey } from "../crypto/mod.ts";
import {
  CodecError,
  decodeEventPayloadWithIds,
  encodeEventPayload,
  type Predicate,
  type Tx,
  txId,
} from "../codec/mod.ts";
import { DEVNET, type NetworkParams } from "../params/mod.ts";
import {
  type FinalizedAnchor as StateAnchor,
  type FinalizedEvent,
  StateEngine,
  type StateTx,
} from "../state/mod.ts";
import { type FinalizedAnchor, toHex } from "../consensus/mod.ts";

/** Devnet with tier-0 maturity of one anchor, so genesis coins are spendable at once. */
export const SIM_STATE_NETWORK: NetworkParams = Object.freeze({
  ...DEVNET,
  maturityAnchors: Object.freeze([1n, 2n, 3n] as const),
});

const COIN = 25n * 100_000_000n;
const OWNER: Predicate = {
  type: "key",
  pubkey: schnorrPublicKey(blake3(new TextEncoder().encode("PC/sim/client"))),
} as Predicate;
const DUMMY_WITNESS = { sigs: [new Uint8Array(64)], signers: 0, preimage: null, reveal: null };

/** A client transaction and its hex txId. */
export interface SimTx {
  /** Hex txId. */
  readonly id: string;
  /** The codec transaction. */
  readonly tx: Tx;
}

function genesisMintId(i: number): Uint8Array {
  return blake3(new TextEncoder().encode(`PC/sim/genesis-coin/${i}`));
}

function transfer(prevTxId: Uint8Array, amount: bigint): SimTx {
  const tx = {
    version: 1,
    networkId: SIM_STATE_NETWORK.networkId,
    kind: { type: "transfer" },
    inputs: [{ prevout: { txId: prevTxId, index: 0 } }],
    outputs: [{ amount: amount - 10n, predicate: OWNER }],
    fee: 10n,
    witnesses: [DUMMY_WITNESS],
  } as unknown as Tx;
  return { id: toHex(txId(tx)), tx };
}

/**
 * Client tx number `i`: spends genesis coin `i` (valid once, in any order).
 * @param i coin index, 0 <= i < the genesis coin count
 * @returns the tx
 */
export function clientTx(i: number): SimTx {
  return transfer(genesisMintId(i), COIN);
}

/**
 * A well-formed tx that the state engine refuses (spends an output that does not exist).
 * @param salt 32 bytes that make it unique
 * @returns the tx
 */
export function invalidTx(salt: Uint8Array): SimTx {
  return transfer(blake3(salt), COIN);
}

/**
 * Encodes a payload (codec `EventPayload`).
 * @param txs the txs
 * @returns bytes, and their payload root and count for the event header
 */
export function encodeSimPayload(
  txs: readonly SimTx[],
): { bytes: Uint8Array; root: Uint8Array; count: number } {
  const bytes = encodeEventPayload({ txs: txs.map((t) => t.tx) });
  const d = decodeEventPayloadWithIds(bytes);
  return { bytes, root: d.payloadRoot, count: txs.length };
}

/** A decoded payload: txs with ids, and the root the header must carry. */
export interface SimPayload {
  /** Txs for the state engine. */
  readonly txs: StateTx[];
  /** merkleRoot(txIds). */
  readonly root: Uint8Array;
}

/**
 * Decodes payload bytes; undefined when malformed (never held: docs/spec/consensus.md §6).
 * @param bytes payload bytes
 * @returns the decoded payload or undefined
 */
export function decodeSimPayload(bytes: Uint8Array): SimPayload | undefined {
  try {
    const d = decodeEventPayloadWithIds(bytes);
    return {
      txs: d.payload.txs.map((tx, i) => ({ tx, txId: d.txIds[i]! })),
      root: d.payloadRoot,
    };
  } catch (e) {
    // Malformed payload bytes: the event is treated as having no payload held.
    if (e instanceof CodecError) return undefined;
    throw e;
  }
}

/**
 * One node's UTXO state: a `StateEngine` seeded with `coins` genesis mints in anchor 0.
 * @example
 * ```ts ignore
 * const s = await UtxoState.create(64);
 * ```
 */
export class UtxoState {
  readonly #engine: StateEngine;
  #root: Uint8Array;
  /** Txs refused by the engine so far (invalid or duplicate). */
  skipped = 0;

  private constructor(engine: StateEngine, root: Uint8Array) {
    this.#engine = engine;
    this.#root = root;
  }

  /**
   * Builds the state with genesis anchor 0 applied.
   * @param coins number of genesis coins (client txs available)
   * @returns the state
   */
  static async create(coins: number): Promise<UtxoState> {
    const engine = new StateEngine({ network: SIM_STATE_NETWORK, verifySignatures: false });
    const mints = Array.from({ length: coins }, (_, i) => ({
      mintId: genesisMintId(i),
      amount: COIN,
      tier: 0,
      payout: OWNER,
    }));
    const r = await engine.applyAnchor({
      index: 0,
      events: [{ eventId: new Uint8Array(32), mints, txs: [] }],
    });
    return new UtxoState(engine, r.root);
  }

  /** Current state root. */
  get root(): Uint8Array {
    return this.#root;
  }

  /**
   * Applies one finalized anchor (index = anchor height).
   * @param anchor the anchor
   * @param payloadOf decoded payload of an event of the anchor (always held, §6)
   * @returns the new root and the hex ids of the txs applied
   */
  async applyFinalized(
    anchor: FinalizedAnchor,
    payloadOf: (id: Uint8Array) => SimPayload | undefined,
  ): Promise<{ root: Uint8Array; applied: string[] }> {
    const events: FinalizedEvent[] = anchor.events.map((ev) => ({
      eventId: ev.id,
      mints: [],
      txs: payloadOf(ev.id)?.txs ?? [],
    }));
    const a: StateAnchor = { index: anchor.height, events };
    const r = await this.#engine.applyAnchor(a);
    this.#root = r.root;
    // Receipts list skipped items in application order: walk the txs in the same order.
    this.skipped += r.skipped.length;
    const applied: string[] = [];
    let p = 0;
    for (const ev of events) {
      const evKey = toHex(ev.eventId);
      for (const t of ev.txs) {
        const id = toHex(t.txId);
        const s = r.skipped[p];
        if (s !== undefined && toHex(s.id) === id && toHex(s.eventId) === evKey) p++;
        else applied.push(id);
      }
    }
    return { root: r.root, applied };
  }
}
