import assert from "node:assert/strict";
import { deleteStoredEvents } from "./dag_store.ts";

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
