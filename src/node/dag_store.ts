/**
 * Removal of event bodies from the stored DAG (ADR 0078, addendum "refused later").
 *
 * The validator writes every event it keeps to `chain.kv` as `["dag", slot, chunk]` (slots count up
 * in receipt order, a body over one KV value is split into numbered chunks) and replays them in key
 * order at start. An event the consensus engine refuses while it waits for a parent (the parent
 * turned out invalid) may already have a slot; its chunks are deleted here, so that a Byzantine seat
 * cannot grow a node's disk with signed children of refused events, and a restart does not replay
 * them. Deleted slots leave gaps: the next slot after a replay is the highest stored one plus one,
 * never the number of stored events (that would overwrite the last ones). One exception stays
 * stored: see {@linkcode citesForkedSlot}.
 * @module
 */
import { type ConsensusEngine, type EventHeader, toHex } from "../consensus/mod.ts";
import { NodeError } from "./errors.ts";

/** Key prefix of the stored DAG in the node's `chain.kv`. */
export const DAG_PREFIX = "dag";

/** Deletions per atomic commit (a KV atomic operation holds at most 1,000 mutations). */
const KEYS_PER_COMMIT = 800;

/**
 * Deletes every chunk of the given stored-DAG slots, in atomic commits (a slot is gone whole or not
 * at all). Slots that hold nothing are ignored. The caller is the node's serial writer, the only
 * writer of these keys, so nothing is checked before deleting.
 * @param kv the node's `chain.kv`
 * @param slots slot numbers (`["dag", slot, …]`) to delete
 * @returns how many chunks were deleted
 * @throws {RangeError} when a slot is not a non-negative safe integer
 * @throws {NodeError} `STORE_COMMIT_REFUSED` when a commit is refused
 * @example
 * ```ts
 * import { deleteStoredEvents } from "./dag_store.ts";
 * const kv = await Deno.openKv(":memory:");
 * await kv.set(["dag", 3n, 0], new Uint8Array([1]));
 * console.assert((await deleteStoredEvents(kv, [3])) === 1);
 * ```
 */
export async function deleteStoredEvents(kv: Deno.Kv, slots: readonly number[]): Promise<number> {
  for (const s of slots) {
    if (!Number.isSafeInteger(s) || s < 0) throw new RangeError(`Bad stored-DAG slot: "${s}"`);
  }
  let deleted = 0;
  let op = kv.atomic();
  let n = 0;
  const commit = async () => {
    if (n === 0) return;
    if (!(await op.commit()).ok) {
      throw new NodeError({ code: "STORE_COMMIT_REFUSED", what: "the removal of refused events" });
    }
    deleted += n;
    op = kv.atomic();
    n = 0;
  };
  for (const s of slots) {
    // Listed rather than computed from the body length: every chunk goes, whatever its count.
    const keys: Deno.KvKey[] = [];
    for await (const e of kv.list({ prefix: [DAG_PREFIX, BigInt(s)] })) keys.push(e.key);
    if (n > 0 && n + keys.length > KEYS_PER_COMMIT) await commit();
    for (const k of keys) op.delete(k);
    n += keys.length;
  }
  await commit();
  return deleted;
}

/**
 * Whether a refused event names a parent at a forked (seat, seq) slot. On an engine restored from a
 * checkpoint, a second event at a pre-window slot is inserted only while a buffered event waits for
 * it (ADR 0076, "Bounds"); if that waiting child is refused later and deleted, the replay after a
 * restart refuses the fork (`PRE_WINDOW_FORK`) and every event built on it waits for ever. Such a
 * child therefore keeps its stored body (the node still drops it from memory).
 * @param engine the consensus engine (`get`, `eventsAt`)
 * @param h the refused event
 * @returns true when a parent it names is in the DAG at a slot holding more than one event, or is
 *   in the DAG without being indexed at its slot (a pre-window variant inserted on the ancient path)
 * @example
 * ```ts
 * import { ConsensusEngine } from "../consensus/mod.ts";
 * import { citesForkedSlot } from "./dag_store.ts";
 * const e = new ConsensusEngine({ network: 1, shard: 0, committeeSize: 1,
 *   genesisId: new Uint8Array(32), verifySignature: () => true });
 * const h = { id: new Uint8Array(32).fill(2), network: 1, shard: 0, creator: 0, seq: 1,
 *   selfParent: new Uint8Array(32).fill(1), parents: [], voteMask: 0n,
 *   payloadRoot: new Uint8Array(32), signature: new Uint8Array(64) };
 * console.assert(!citesForkedSlot(e, h));
 * ```
 */
export function citesForkedSlot(
  engine: Pick<ConsensusEngine, "get" | "eventsAt">,
  h: EventHeader,
): boolean {
  for (const p of h.selfParent === null ? h.parents : [h.selfParent, ...h.parents]) {
    const ph = engine.get(p);
    if (ph === undefined) continue;
    const at = engine.eventsAt(ph.creator, ph.seq);
    // A pre-window second variant inserted while its own parents were missing is kept out of
    // the slot index (the engine's ancient path): in the DAG but not at its slot counts too.
    const key = toHex(p);
    if (at.length > 1 || !at.some((x) => toHex(x.id) === key)) return true;
  }
  return false;
}
