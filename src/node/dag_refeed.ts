/**
 * Re-feeding of events the consensus engine forgot (issue #8, ADR 0078).
 *
 * The engine buffers an event whose parents are missing for at most `maxPendingSteps` received
 * events, then drops it without telling anyone. The node still holds the body: its own event map,
 * the p2p seen-cache and the intake's duplicate check all say "known", so neither gossip nor
 * anti-entropy (HAVE/RANGE/GET) ever delivers it again, and every later event of that creator
 * waits on it forever: a restarted node that needs longer than the buffer's bound to catch up
 * stalls for good. `RefeedSet` remembers the events the engine buffered and hands the forgotten
 * ones back to it from the local copy.
 * @module
 */
import type { ConsensusEngine, EventHeader, ReceiveResult } from "../consensus/mod.ts";
import { bytesToHex } from "@noble/hashes/utils.js";

/** The part of the engine the re-feed needs. */
export type RefeedEngine = Pick<ConsensusEngine, "has" | "knows" | "receive" | "refused">;

/** What one re-feed pass did. */
export interface RefeedResult {
  /** Events handed back to the engine (they had been dropped from its buffer). */
  refed: number;
  /** Parents the re-fed events still miss, to fetch from peers. */
  missing: Uint8Array[];
}

/**
 * Events handed to the engine that went to its buffer (status `pending`, or refused because the
 * buffer was full). Bounded by the events the node holds; entries leave once the engine has the
 * event in its DAG or refuses it for good.
 * @example
 * ```ts
 * import { RefeedSet } from "./dag_refeed.ts";
 * const s = new RefeedSet();
 * console.assert(s.size === 0);
 * ```
 */
export class RefeedSet {
  readonly #held = new Map<string, EventHeader>();

  /** Events tracked (buffered by the engine, or dropped from its buffer). */
  get size(): number {
    return this.#held.size;
  }

  /**
   * Records the outcome of `engine.receive(h)`: a buffered event (or one refused because the
   * buffer was full) is tracked until the engine places it.
   * @param h the event handed to the engine
   * @param r what the engine answered
   */
  track(h: EventHeader, r: ReceiveResult): void {
    const full = r.status === "rejected" && r.error?.code === "MISSING_PARENTS";
    if (r.status === "pending" || full) this.#held.set(bytesToHex(h.id), h);
  }

  /**
   * Forgets the tracked events the engine has since refused for good (it failed them while they
   * waited, because a parent turned out invalid) and returns their ids, so that the node drops its
   * copies too (ADR 0078, refused events).
   * @param engine the consensus engine
   * @returns the hex ids of the refused events
   */
  takeRefused(engine: Pick<ConsensusEngine, "refused">): string[] {
    const out: string[] = [];
    for (const [key, h] of this.#held) {
      if (!engine.refused(h.id)) continue;
      this.#held.delete(key);
      out.push(key);
    }
    return out;
  }

  /**
   * Hands back to the engine, in the order first seen, every tracked event it neither holds nor
   * buffers any more; forgets the events it placed. Events it refused for good stay for
   * {@linkcode RefeedSet.takeRefused}.
   * @param engine the consensus engine
   * @returns how many were handed back and the parents they still miss
   */
  refeed(engine: RefeedEngine): RefeedResult {
    let refed = 0;
    const missing = new Map<string, Uint8Array>();
    for (const [key, h] of this.#held) {
      if (engine.has(h.id)) {
        this.#held.delete(key);
        continue;
      }
      // Refused for good (now or earlier in this pass): left for `takeRefused`, so that the node
      // learns of it and drops its copy, in memory and on disk.
      if (engine.knows(h.id) || engine.refused(h.id)) continue;
      refed++;
      const r = engine.receive(h, true);
      if (engine.refused(h.id)) continue;
      if (r.status === "pending") {
        for (const m of r.missing ?? []) missing.set(bytesToHex(m), m);
      } else if (r.status !== "rejected" || r.error?.code !== "MISSING_PARENTS") {
        // Placed, or invalid without a blacklisting (a static check): nothing left to do.
        // A full buffer (MISSING_PARENTS) keeps it for the next pass.
        this.#held.delete(key);
      }
    }
    // A re-fed event may have placed tracked events seen earlier in this pass (its children).
    if (refed > 0) {
      for (const [key, h] of this.#held) {
        if (engine.has(h.id)) this.#held.delete(key);
      }
    }
    // Parents that are themselves tracked come back through this loop, not from the network.
    for (const k of missing.keys()) if (this.#held.has(k)) missing.delete(k);
    return { refed, missing: [...missing.values()] };
  }
}
