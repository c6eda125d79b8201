import assert from "node:assert/strict";
import { ParentFetcher } from "./parent_fetch.ts";

const id = (b: number) => new Uint8Array(32).fill(b);

Deno.test("ParentFetcher asks for an id once while a fetch for it is out", async () => {
  const calls: number[][] = [];
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const f = new ParentFetcher(async (ids) => {
    calls.push(ids.map((i) => i[0]!));
    await gate;
  });
  // 50 gossiped events of a node far behind all name the same two missing parents.
  const all = Array.from({ length: 50 }, () => f.fetch([id(1), id(2)]));
  release();
  const asked = await Promise.all(all);
  assert.deepEqual(calls, [[1, 2]], "one pull, not 50");
  assert.equal(asked.reduce((a, b) => a + b, 0), 2);
  // Once it is back, the ids can be asked again (the pull may have failed).
  assert.equal(await f.fetch([id(1)]), 1);
  assert.equal(f.running, 0);
});

Deno.test("ParentFetcher defers beyond its bound and leaves the ids to anti-entropy", async () => {
  let n = 0;
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const f = new ParentFetcher(async () => {
    n++;
    await gate;
  }, 2);
  const a = f.fetch([id(1)]), b = f.fetch([id(2)]);
  assert.equal(await f.fetch([id(3)]), 0, "a third distinct fetch waits for a free slot");
  assert.equal(f.deferred, 1);
  release();
  await Promise.all([a, b]);
  assert.equal(n, 2);
  assert.equal(await f.fetch([id(3)]), 1);
});

Deno.test("ParentFetcher frees its slot and ids when the fetch fails", async () => {
  const f = new ParentFetcher(() => Promise.reject(new Error("PULL_FAILED")), 1);
  await assert.rejects(f.fetch([id(1)]), /PULL_FAILED/);
  assert.equal(f.running, 0);
  await assert.rejects(f.fetch([id(1)]), /PULL_FAILED/, "asked again after the failure");
});
