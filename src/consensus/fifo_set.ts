/**
 * A set of strings with a size cap that forgets its oldest members first, each member carrying a
 * numeric tag fixed when it was added (ADR 0025: the engine's refused ids and early payload marks).
 * Internal to the consensus module (not exported by mod.ts).
 * @module
 */

/**
 * Insertion-ordered string set bounded to `cap` members: adding beyond the cap forgets the oldest.
 * O(1) amortized per operation. (A JS `Map` used as a FIFO is not: V8 leaves a hole per deleted
 * entry until the next rehash and an iterator walks over every hole from the front, so evicting
 * through `keys().next()` costs O(holes).)
 *
 * @example
 * ```ts
 * import { FifoSet } from "./fifo_set.ts";
 * const s = new FifoSet(2);
 * s.add("a", 0);
 * s.add("b", 0);
 * s.add("c", 1);
 * console.assert(!s.has("a") && s.has("b") && s.size === 2);
 * ```
 */
export class FifoSet {
  readonly #cap: number;
  /** Member -> absolute position of its (live) entry in the queue. */
  readonly #live = new Map<string, number>();
  #keys: string[] = [];
  #tags: number[] = [];
  /** Absolute position of #keys[0]. */
  #base = 0;
  /** Index in #keys of the first entry not yet consumed. */
  #head = 0;

  /**
   * @param cap most members kept, an integer >= 0
   * @throws {RangeError} when cap is not an integer >= 0
   */
  constructor(cap: number) {
    if (!Number.isInteger(cap) || cap < 0) throw new RangeError(`Set cap out of range: ${cap}`);
    this.#cap = cap;
  }

  /** Number of members. */
  get size(): number {
    return this.#live.size;
  }

  /** Whether `key` is a member. */
  has(key: string): boolean {
    return this.#live.has(key);
  }

  /**
   * Adds `key` as the newest member with `tag`, unless it is a member already (then its place and
   * tag stay), and forgets the oldest members beyond the cap.
   * @param key member
   * @param tag number kept with it (see {@linkcode forgetWhile})
   * @returns whether it was added
   */
  add(key: string, tag: number): boolean {
    if (this.#live.has(key)) return false;
    this.#live.set(key, this.#base + this.#keys.length);
    this.#keys.push(key);
    this.#tags.push(tag);
    while (this.#live.size > this.#cap) this.#forgetOldest();
    this.#compact();
    return true;
  }

  /**
   * Removes `key`.
   * @returns whether it was a member
   */
  delete(key: string): boolean {
    if (!this.#live.delete(key)) return false;
    this.#compact();
    return true;
  }

  /**
   * Forgets members from the oldest on while `pred(tag)` holds; stops at the first that fails it.
   * @param pred test on a member's tag
   * @returns how many were forgotten
   */
  forgetWhile(pred: (tag: number) => boolean): number {
    let n = 0;
    while (this.#head < this.#keys.length) {
      const k = this.#keys[this.#head]!;
      const live = this.#live.get(k) === this.#base + this.#head;
      if (live && !pred(this.#tags[this.#head]!)) break;
      if (live) {
        this.#live.delete(k);
        n++;
      }
      this.#head++;
    }
    this.#compact();
    return n;
  }

  #forgetOldest(): void {
    while (this.#head < this.#keys.length) {
      const k = this.#keys[this.#head]!;
      const pos = this.#base + this.#head++;
      if (this.#live.get(k) === pos) {
        this.#live.delete(k);
        return;
      }
    }
  }

  /** Drops consumed and deleted entries once they are at least half of the queue. */
  #compact(): void {
    const len = this.#keys.length - this.#head;
    if (this.#head < 64 && len <= 2 * this.#live.size + 64) return;
    if (this.#head >= 64 && this.#head * 2 >= this.#keys.length) {
      this.#keys = this.#keys.slice(this.#head);
      this.#tags = this.#tags.slice(this.#head);
      this.#base += this.#head;
      this.#head = 0;
    }
    if (this.#keys.length > 2 * this.#live.size + 64) {
      // Mostly deleted entries (members removed by delete()): keep the live ones, in order.
      const keys: string[] = [];
      const tags: number[] = [];
      const base = this.#base + this.#keys.length;
      for (let i = this.#head; i < this.#keys.length; i++) {
        const k = this.#keys[i]!;
        if (this.#live.get(k) !== this.#base + i) continue;
        this.#live.set(k, base + keys.length);
        keys.push(k);
        tags.push(this.#tags[i]!);
      }
      this.#keys = keys;
      this.#tags = tags;
      this.#base = base;
      this.#head = 0;
    }
  }
}
