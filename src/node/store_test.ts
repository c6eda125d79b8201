import assert from "node:assert/strict";
import { Registry } from "prom-client";
import { createNodeMetrics } from "../metrics/mod.ts";
import { CachedEventReader, KvEventStore, PAYLOAD_CHUNK_BYTES } from "./store.ts";

Deno.test("KvEventStore.put() round-trips headers and multi-chunk payloads", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const s = new KvEventStore(kv);
    const big = new Uint8Array(PAYLOAD_CHUNK_BYTES * 2 + 17).map((_, i) => i & 0xff);
    await s.put("aa", new Uint8Array([1, 2]), big);
    await s.put("bb", new Uint8Array([3]), new Uint8Array(0));
    assert.deepEqual(await s.getHeader("aa"), new Uint8Array([1, 2]));
    assert.deepEqual(await s.getPayload("aa"), big);
    assert.deepEqual(await s.getPayload("bb"), new Uint8Array(0));
    assert.equal(await s.getHeader("cc"), null);
    assert.equal(await s.getPayload("cc"), null);
    assert.deepEqual(await s.listIds(), ["aa", "bb"]);
    await assert.rejects(() => s.put("dd", new Uint8Array(65537), new Uint8Array(0)), RangeError);
  } finally {
    kv.close();
  }
});

Deno.test("CachedEventReader times store reads only on misses", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const store = new KvEventStore(kv);
    await store.put("aa", new Uint8Array(4), new Uint8Array(100));
    const reg = new Registry();
    const m = createNodeMetrics(reg);
    const r = new CachedEventReader(store, { headerCap: 10, payloadCap: 1000, shards: 1 }, m);
    for (let i = 0; i < 3; i++) {
      await r.getHeader("aa");
      await r.getPayload("aa");
    }
    assert.equal(await r.getHeader("zz"), null);
    const h = await reg.getSingleMetric("pc_node_store_header_read_seconds")?.get();
    const p = await reg.getSingleMetric("pc_node_store_payload_read_seconds")?.get();
    const count = (x: typeof h) =>
      x?.values.find((v) => (v as { metricName?: string }).metricName?.endsWith("_count"))?.value;
    assert.equal(count(h), 2); // one miss for "aa", one for the unknown "zz"
    assert.equal(count(p), 1);
    assert.deepEqual(
      [r.headers.stats().hits, r.headers.stats().misses, r.payloads.stats().hits],
      [2, 2, 2],
    );
  } finally {
    kv.close();
  }
});

Deno.test("KvEventStore.putMany() splits large batches across commits and keeps every event whole", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const s = new KvEventStore(kv);
    const events = Array.from({ length: 20 }, (_, i) => ({
      id: i.toString(16).padStart(4, "0"),
      header: new Uint8Array([i]),
      payload: new Uint8Array(100_000 + i).fill(i),
    }));
    await s.putMany(events);
    assert.equal((await s.listIds()).length, 20);
    for (const e of events) {
      assert.deepEqual(await s.getPayload(e.id), e.payload, `payload ${e.id}`);
      assert.deepEqual(await s.getHeader(e.id), e.header, `header ${e.id}`);
    }
    await assert.rejects(
      () => s.putMany([{ id: "ff", header: new Uint8Array(70000), payload: new Uint8Array(0) }]),
      RangeError,
    );
  } finally {
    kv.close();
  }
});
