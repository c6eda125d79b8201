import assert from "node:assert/strict";
import { Registry } from "prom-client";
import { createAllMetrics, createNodeMetrics, registerProcessMetrics } from "./metrics.ts";

Deno.test("createAllMetrics() names every metric pc_<area>_<what>_<unit> under its area", async () => {
  const reg = new Registry();
  const m = createAllMetrics(reg, { process: false });
  const names = (await reg.getMetricsAsJSON()).map((x) => x.name);
  for (const n of names) assert.match(n, /^pc_(node|consensus|state|crypto|rpc)_[a-z0-9_]+$/, n);
  for (
    const fixed of [
      "pc_node_cache_hits_total",
      "pc_node_cache_misses_total",
      "pc_node_store_header_read_seconds",
      "pc_node_store_payload_read_seconds",
      "pc_consensus_events_total",
      "pc_state_txs_applied_total",
      "pc_consensus_finality_seconds",
      "pc_crypto_sig_verify_cpu_seconds_total",
      "pc_node_kv_flush_seconds",
      "pc_node_queue_items",
    ]
  ) assert.ok(names.includes(fixed), fixed);
  m.consensus.finality.observe(0.8);
  m.consensus.finality.observe(1.2);
  assert.match(await reg.metrics(), /pc_consensus_finality_seconds_bucket\{le="1"\} 1/);
});

Deno.test("createNodeMetrics() refuses a second registration on the same registry", () => {
  const reg = new Registry();
  createNodeMetrics(reg);
  assert.throws(() => createNodeMetrics(reg), /already been registered/);
});

Deno.test("registerProcessMetrics() works under Deno", async () => {
  const reg = new Registry();
  registerProcessMetrics(reg);
  const text = await reg.metrics();
  assert.match(text, /process_cpu_seconds_total \d/);
  assert.match(text, /process_resident_memory_bytes \d/);
  assert.match(text, /nodejs_heap_size_used_bytes \d/);
});
