/**
 * A bounded cache of BIP-340 checks that passed, so a transaction's signatures verified at mempool
 * admission are not verified again when its anchor is applied
 * (docs/adr/0074-tx-throughput-pipeline.md).
 * Sound because a verdict is a pure function of (signature, message, key): the key of an entry
 * is BLAKE3 over all three. Only valid results are kept (an invalid one is cheap to refute again
 * and must not pin memory); the oldest entries go first.
 * @module
 */
import { blake3 } from "../crypto/mod.ts";

/** One check: signature, message, x-only public key. */
export interface SigItem {
  /** 64-byte signature. */
  readonly signature: Uint8Array;
  /** Signed message. */
  readonly message: Uint8Array;
  /** 32-byte x-only public key. */
  readonly publicKey: Uint8Array;
}

function keyOf(it: SigItem): string {
  const { signature: s, message: m, publicKey: p } = it;
  const buf = new Uint8Array(s.length + m.length + p.length + 1);
  buf.set(s, 0);
  buf.set(p, s.length);
  buf[s.length + p.length] = m.length & 0xff;
  buf.set(m, s.length + p.length + 1);
  const h = blake3(buf);
  let out = "";
  for (let i = 0; i < 16; i++) out += String.fromCharCode((h[2 * i]! << 8) | h[2 * i + 1]!);
  return out;
}

/**
 * Cache of valid signature checks in front of a batch verifier.
 * @example
 * ```ts ignore
 * const cache = new VerifiedSigCache(1024);
 * const ok = await cache.verify(items, (todo) => schnorrVerifyBatch(todo));
 * ```
 */
export class VerifiedSigCache {
  readonly #cap: number;
  readonly #ok = new Set<string>();
  /** Items answered from the cache. */
  hits = 0;
  /** Items handed to the verifier. */
  misses = 0;

  /**
   * @param capacity most entries kept (>= 1)
   * @throws {RangeError} on a bad capacity
   */
  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`Signature cache capacity out of range: ${capacity}`);
    }
    this.#cap = capacity;
  }

  /** Entries held. */
  get size(): number {
    return this.#ok.size;
  }

  /**
   * Verifies `items`, answering cached valid ones at once and the rest through `verifier`.
   * @param items checks
   * @param verifier batch verifier for what the cache does not hold
   * @returns one verdict per item, in order
   */
  async verify(
    items: readonly SigItem[],
    verifier: (todo: SigItem[]) => Promise<boolean[]>,
  ): Promise<boolean[]> {
    const out = new Array<boolean>(items.length).fill(true);
    const keys: string[] = [];
    const todo: SigItem[] = [];
    const at: number[] = [];
    for (let i = 0; i < items.length; i++) {
      const k = keyOf(items[i]!);
      if (this.#ok.has(k)) continue;
      keys.push(k);
      todo.push(items[i]!);
      at.push(i);
    }
    this.hits += items.length - todo.length;
    this.misses += todo.length;
    if (todo.length === 0) return out;
    const r = await verifier(todo);
    for (let j = 0; j < todo.length; j++) {
      const ok = r[j] === true;
      out[at[j]!] = ok;
      if (ok) this.#remember(keys[j]!);
    }
    return out;
  }

  #remember(k: string): void {
    this.#ok.add(k);
    if (this.#ok.size <= this.#cap) return;
    // Set iteration is insertion order: drop the oldest.
    const first = this.#ok.values().next();
    if (!first.done) this.#ok.delete(first.value);
  }
}
