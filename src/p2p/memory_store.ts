/**
 * In-memory {@linkcode BodyStore} and {@linkcode SyncIndex} for tests and the simulator.
 * @module
 */
import { bytesToHex } from "@noble/hashes/utils.js";
import type { BodyStore, SyncIndex } from "./service.ts";
import type { HaveEntry } from "./wire.ts";

/**
 * Bodies by id, plus per-creator sequences so it can answer HAVE and RANGE.
 *
 * @example
 * ```ts
 * import { MemoryBodyStore } from "./memory_store.ts";
 * const s = new MemoryBodyStore();
 * const id = new Uint8Array(32);
 * s.put(id, Uint8Array.of(1), { creator: new Uint8Array(32).fill(7), seq: 0n });
 * console.assert(s.has(id) && s.have()[0]?.seq === 0n);
 * ```
 */
export class MemoryBodyStore implements BodyStore, SyncIndex {
  readonly #bodies = new Map<string, Uint8Array>();
  readonly #creators = new Map<string, { creator: Uint8Array; bySeq: Map<bigint, Uint8Array> }>();

  /** Bodies held. */
  get size(): number {
    return this.#bodies.size;
  }

  /**
   * Stores a body, optionally as event `seq` of `creator`.
   * @param id 32-byte id
   * @param body body bytes
   * @param event creator and sequence number for HAVE/RANGE
   */
  put(id: Uint8Array, body: Uint8Array, event?: { creator: Uint8Array; seq: bigint }): void {
    this.#bodies.set(bytesToHex(id), body);
    if (event === undefined) return;
    const key = bytesToHex(event.creator);
    const c = this.#creators.get(key) ?? { creator: event.creator, bySeq: new Map() };
    c.bySeq.set(event.seq, id);
    this.#creators.set(key, c);
  }

  /** @inheritdoc */
  has(id: Uint8Array): boolean {
    return this.#bodies.has(bytesToHex(id));
  }

  /** @inheritdoc */
  get(id: Uint8Array): Uint8Array | undefined {
    return this.#bodies.get(bytesToHex(id));
  }

  /** @inheritdoc */
  have(): HaveEntry[] {
    return [...this.#creators.values()].map(({ creator, bySeq }) => ({
      creator,
      seq: [...bySeq.keys()].reduce((a, b) => (b > a ? b : a), 0n),
    }));
  }

  /** @inheritdoc */
  range(creator: Uint8Array, fromSeq: bigint, limit: number): Uint8Array[] {
    const c = this.#creators.get(bytesToHex(creator));
    if (c === undefined) return [];
    return [...c.bySeq.entries()]
      .filter(([seq]) => seq >= fromSeq)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .slice(0, limit)
      .map(([, id]) => id);
  }
}
