import assert from "node:assert/strict";
import { ConsensusEngine, type EventHeader } from "../consensus/mod.ts";
import { citesForkedSlot, deleteStoredEvents } from "./dag_store.ts";

/** Stored-DAG slots as the validator writes them: `chunks` numbered values per slot. */
async function fill(kv: Deno.Kv, slots: number[], chunks: number): Promise<void> {
  for (const s of slots) {
    for (let i = 0; i < chunks; i++) await kv.set(["dag", BigInt(s), i], Uint8Array.of(s, i));
  }
}

async function storedSlots(kv: Deno.Kv): Promise<number[]> {
  const out = new Set<number>();
  for await (const e of kv.list({ prefix: ["dag"] })) out.add(Number(e.key[1] as bigint));
  return [...out];
}

Deno.test("deleteStoredEvents() deletes every chunk of the given slots and nothing else", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    await fill(kv, [0, 1, 2, 3, 10], 3);
    await kv.set(["anchor", 1n], "keep");
    assert.equal(await deleteStoredEvents(kv, [1, 3, 7]), 6, "slot 7 holds nothing");
    assert.deepEqual(await storedSlots(kv), [0, 2, 10]);
    assert.equal((await kv.get(["anchor", 1n])).value, "keep");
    assert.equal(await deleteStoredEvents(kv, []), 0);
    assert.equal(await deleteStoredEvents(kv, [1]), 0, "deleting again is a no-op");
  } finally {
    kv.close();
  }
});

Deno.test("deleteStoredEvents() splits large removals over several atomic commits", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    // 1,500 keys: over one atomic operation's 1,000 mutations.
    const slots = Array.from({ length: 500 }, (_, i) => i);
    await fill(kv, slots, 3);
    assert.equal(await deleteStoredEvents(kv, slots.slice(0, 499)), 1497);
    assert.deepEqual(await storedSlots(kv), [499]);
  } finally {
    kv.close();
  }
});

Deno.test("deleteStoredEvents() rejects a bad slot before deleting anything", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    await fill(kv, [0], 1);
    await assert.rejects(deleteStoredEvents(kv, [0, -1]), RangeError);
    await assert.rejects(deleteStoredEvents(kv, [0.5]), RangeError);
    assert.deepEqual(await storedSlots(kv), [0]);
  } finally {
    kv.close();
  }
});

/** A one-seat event header; signatures are not checked by the engines below. */
function header(id: number, seq: number, selfParent: Uint8Array | null): EventHeader {
  return {
    id: new Uint8Array(32).fill(id),
    network: 1,
    shard: 0,
    creator: 0,
    seq,
    selfParent,
    parents: [],
    voteMask: 0n,
    payloadRoot: new Uint8Array(32),
    signature: new Uint8Array(64),
  };
}

function oneSeatEngine(): ConsensusEngine {
  return new ConsensusEngine({
    network: 1,
    shard: 0,
    committeeSize: 1,
    genesisId: new Uint8Array(32),
    verifySignature: () => true,
  });
}

Deno.test("citesForkedSlot() is true only for a parent at a slot holding two events", () => {
  const a = header(1, 0, null);
  const b = header(2, 0, null);
  const e = oneSeatEngine();
  assert.equal(e.receive(a, true).status, "inserted");
  const child = header(3, 1, a.id);
  assert.equal(citesForkedSlot(e, child), false, "one event at seq 0");
  // The seat signs a second seq 0 (equivocation): both are in the DAG.
  assert.equal(e.receive(b, true).status, "inserted");
  assert.equal(e.eventsAt(0, 0).length, 2);
  assert.equal(citesForkedSlot(e, child), true, "self-parent at the forked slot");
  assert.equal(citesForkedSlot(e, { ...child, selfParent: b.id }), true);
  assert.equal(citesForkedSlot(e, header(4, 1, new Uint8Array(32).fill(9))), false, "unknown");
  assert.equal(
    citesForkedSlot(e, { ...header(5, 0, null), parents: [a.id] }),
    true,
    "other parent",
  );
});

Deno.test("citesForkedSlot() is true for a parent in the DAG but not indexed at its slot", () => {
  // On a restored engine, a pre-window second variant whose own parents are missing is inserted
  // on the ancient path, outside the slot index: `get` finds it, `eventsAt` lists only the other
  // variant. Its refused child must keep its body, or the replay refuses the variant.
  const a = header(1, 0, null);
  const variant = header(2, 0, null);
  const view = {
    get: (id: Uint8Array) =>
      [a, variant].find((h) => h.id.every((x, i) => x === id[i])) as ReturnType<
        ConsensusEngine["get"]
      >,
    eventsAt: () => [a],
  };
  assert.equal(citesForkedSlot(view, header(3, 1, a.id)), false, "the indexed variant");
  assert.equal(citesForkedSlot(view, header(3, 1, variant.id)), true, "the ancient variant");
});
