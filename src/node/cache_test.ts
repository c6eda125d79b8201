import assert from "node:assert/strict";
import fc from "fast-check";
import { Registry } from "prom-client";
import { createNodeMetrics } from "../metrics/mod.ts";
import { ShardedLruCache } from "./cache.ts";

async function metricValue(
  reg: Registry,
  name: string,
  labels: Record<string, string>,
): Promise<number> {
  const m = await reg.getSingleMetric(name)?.get();
  const v = m?.values.find((x) => Object.entries(labels).every(([k, l]) => x.labels[k] === l));
  return v?.value ?? 0;
}

Deno.test("ShardedLruCache.set() evicts the least recently used entry", () => {
  const c = new ShardedLruCache<number>({ name: "header", capacity: 3, shards: 1 });
  c.set("a", 1);
  c.set("b", 2);
  c.set("c", 3);
  assert.equal(c.get("a"), 1); // a becomes most recent: b is now the oldest
  c.set("d", 4);
  assert.equal(c.has("b"), false);
  assert.deepEqual(["a", "c", "d"].map((k) => c.has(k)), [true, true, true]);
  assert.equal(c.stats().evictions, 1);
});

Deno.test("ShardedLruCache.set() bounds bytes and skips values larger than a shard's share", () => {
  const c = new ShardedLruCache<Uint8Array>({
    name: "payload",
    capacity: 100,
    shards: 1,
    sizeOf: (v) => v.byteLength,
  });
  assert.equal(c.set("a", new Uint8Array(60)), true);
  assert.equal(c.set("b", new Uint8Array(30)), true);
  assert.equal(c.set("c", new Uint8Array(30)), true); // evicts a
  assert.equal(c.has("a"), false);
  assert.equal(c.stats().size, 60);
  assert.equal(c.set("huge", new Uint8Array(101)), false);
  assert.equal(c.has("huge"), false);
  c.set("b", new Uint8Array(10)); // replacing re-accounts the size
  assert.equal(c.stats().size, 40);
});

Deno.test("ShardedLruCache with capacity 0 stores nothing and counts misses", () => {
  const c = new ShardedLruCache<number>({ name: "header", capacity: 0 });
  assert.equal(c.enabled, false);
  assert.equal(c.set("a", 1), false);
  assert.equal(c.get("a"), undefined);
  assert.deepEqual([c.stats().misses, c.stats().entries], [1, 0]);
});

Deno.test("ShardedLruCache rejects bad capacities, shard counts and sizes", () => {
  assert.throws(() => new ShardedLruCache({ name: "x", capacity: -1 }), RangeError);
  assert.throws(() => new ShardedLruCache({ name: "x", capacity: 1.5 }), RangeError);
  assert.throws(() => new ShardedLruCache({ name: "x", capacity: 10, shards: 0 }), RangeError);
  const c = new ShardedLruCache<number>({ name: "x", capacity: 10, sizeOf: () => -1 });
  assert.throws(() => c.set("a", 1), RangeError);
});

Deno.test("ShardedLruCache reports pc_node_cache_* metrics per cache label", async () => {
  const reg = new Registry();
  const m = createNodeMetrics(reg);
  const h = new ShardedLruCache<number>({ name: "header", capacity: 2, shards: 1, metrics: m });
  const p = new ShardedLruCache<number>({ name: "payload", capacity: 2, shards: 1, metrics: m });
  h.set("a", 1);
  h.get("a");
  h.get("a");
  h.get("zz");
  p.get("a");
  h.set("b", 2);
  h.set("c", 3);
  assert.equal(await metricValue(reg, "pc_node_cache_hits_total", { cache: "header" }), 2);
  assert.equal(await metricValue(reg, "pc_node_cache_misses_total", { cache: "header" }), 1);
  assert.equal(await metricValue(reg, "pc_node_cache_misses_total", { cache: "payload" }), 1);
  assert.equal(await metricValue(reg, "pc_node_cache_hits_total", { cache: "payload" }), 0);
  assert.equal(await metricValue(reg, "pc_node_cache_evictions_total", { cache: "header" }), 1);
  assert.equal(await metricValue(reg, "pc_node_cache_entries", { cache: "header" }), 2);
});

Deno.test("ShardedLruCache never exceeds its capacity and keeps the most recent entries (model)", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 64 }),
      fc.integer({ min: 1, max: 8 }),
      fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 40 })), { maxLength: 300 }),
      (capacity, shards, ops) => {
        const c = new ShardedLruCache<number>({ name: "t", capacity, shards });
        for (const [isSet, k] of ops) {
          if (isSet) c.set(String(k), k);
          else c.get(String(k));
          assert.ok(c.stats().size <= capacity, "size within capacity");
        }
        // The most recently set key is always present.
        const lastSet = [...ops].reverse().find(([s]) => s);
        if (lastSet) assert.ok(c.has(String(lastSet[1])), "most recent set is cached");
      },
    ),
    { seed: 11, numRuns: 200 },
  );
});

Deno.test("ShardedLruCache with one shard matches a reference LRU", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 16 }),
      fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 24 })), { maxLength: 200 }),
      (capacity, ops) => {
        const c = new ShardedLruCache<number>({ name: "t", capacity, shards: 1 });
        const ref: number[] = []; // oldest first
        for (const [isSet, k] of ops) {
          const i = ref.indexOf(k);
          if (isSet) {
            c.set(String(k), k);
            if (i >= 0) ref.splice(i, 1);
            ref.push(k);
            if (ref.length > capacity) ref.shift();
          } else {
            const got = c.get(String(k));
            assert.equal(got, i >= 0 ? k : undefined, `get ${k}`);
            if (i >= 0) {
              ref.splice(i, 1);
              ref.push(k);
            }
          }
        }
        for (let k = 0; k <= 24; k++) assert.equal(c.has(String(k)), ref.includes(k), `has ${k}`);
      },
    ),
    { seed: 12, numRuns: 200 },
  );
});
