import { StateEngine } from "./src/state/mod.ts";
import { WORKLOAD_NETWORK, Workload } from "./src/state/_workload.ts";
const N = Number(Deno.args[0] ?? 1_000_000);
const A = Number(Deno.args[1] ?? 20);
const w = new Workload({ seed: 1, txsPerAnchor: 2000, genesisMints: N, splitOnly: true, mintsPerAnchor: 0 });
const e = new StateEngine({ network: WORKLOAD_NETWORK, verifySignatures: false });
let t = performance.now();
await e.applyAnchor(w.anchor());
e.takeDelta();
console.log("genesis ms", (performance.now() - t).toFixed(0), "size", e.size, "rss MB", (Deno.memoryUsage().rss / 1e6).toFixed(0));
const anchors = Array.from({ length: A }, () => w.anchor());
let tot = 0, txs = 0;
for (const a of anchors) {
  const t0 = performance.now();
  const r = await e.applyAnchor(a);
  e.takeDelta();
  const dt = performance.now() - t0;
  tot += dt; txs += r.appliedTxs;
}
console.log("steady tx/s", (txs / tot * 1000).toFixed(0), "rss MB", (Deno.memoryUsage().rss / 1e6).toFixed(0));
