/**
 * Heap cost of refused events in one consensus engine (ADR 0025): a 4-seat engine holding a small
 * honest DAG receives one event with a forged vote mask, then a chain of N signed children of it
 * (each refused at once for its invalid parent), and reports the heap growth per refusal after a
 * full GC, the time per refusal and the engine's bookkeeping sizes.
 *
 * deno run -A --v8-flags=--expose-gc scripts/refused_memory.ts [N] [maxRefused (>= 1)]
 * @module
 */
import { blake3 } from "../src/crypto/mod.ts";
import { ConsensusEngine, type EventHeader } from "../src/consensus/mod.ts";

const N = Number(Deno.args[0] ?? 200_000);
const cap = Deno.args[1] === undefined ? undefined : Number(Deno.args[1]);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error("Run with --v8-flags=--expose-gc");

let counter = 0;
/** A unique 32-byte id (the engine does not recompute ids; signatures are not checked here). */
function nextId(): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(counter++), true);
  return blake3(b);
}

const e = new ConsensusEngine({
  network: 1,
  shard: 0,
  committeeSize: 4,
  genesisId: new Uint8Array(32),
  verifySignature: () => true,
  ...(cap === undefined ? {} : { maxRefused: cap }),
});
const header = (
  creator: number,
  seq: number,
  selfParent: Uint8Array | null,
  parents: readonly Uint8Array[],
  voteMask: bigint,
): EventHeader => ({
  id: nextId(),
  network: 1,
  shard: 0,
  creator,
  seq,
  selfParent,
  parents,
  voteMask,
  payloadRoot: new Uint8Array(32),
  signature: new Uint8Array(64),
});
for (let i = 0; i < 40; i++) {
  const seat = i % 4;
  const parents = e.selectParents(seat);
  if (e.tip(seat) !== undefined && parents.length === 0) continue;
  const p = e.prepareEvent(seat, parents);
  const r = e.receive(header(seat, p.seq, p.selfParent, p.parents, p.voteMask), true);
  if (r.status !== "inserted") throw new Error(`honest event ${i}: ${r.status}`);
}
const p = e.prepareEvent(0, e.selectParents(0));
let prev = header(0, p.seq, p.selfParent, p.parents, p.voteMask ^ 0b10n);
if (e.receive(prev, true).error?.code !== "FORGED_VOTE_MASK") throw new Error("not refused");
const other = e.tip(1)!.id;
gc();
const before = Deno.memoryUsage().heapUsed;
const t0 = performance.now();
for (let i = 0; i < N; i++) {
  // Built on the fly: the attacker's headers are not the engine's memory (and ids hashed once
  // stay in toHex's WeakMap only while alive).
  prev = header(0, prev.seq + 1, prev.id, [other], 0n);
  if (e.receive(prev, true).status !== "rejected") throw new Error("child not refused");
}
const ms = performance.now() - t0;
gc();
const after = Deno.memoryUsage().heapUsed;
console.log(JSON.stringify({
  refusals: N,
  maxRefused: cap ?? "default",
  heapGrowthBytes: after - before,
  bytesPerRefusal: Math.round((after - before) / N),
  usPerRefusal: Math.round((ms * 1000) / N * 100) / 100,
  bookkeeping: "bookkeeping" in e ? e.bookkeeping() : "n/a",
}));
