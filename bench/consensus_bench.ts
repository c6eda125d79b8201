/**
 * Consensus engine throughput (k = 21): one node ingesting a recorded DAG (docs/performance.md,
 * Consensus). The fixture comes from the consensus module's private test harness, which is
 * acceptable for a benchmark.
 *   deno bench -A bench/consensus_bench.ts
 * @module
 */
import { newEngine, runNetwork } from "../src/consensus/_harness.ts";

// Fixture: a 21-seat DAG recorded once (creation order is a valid topological order), checked
// before timing (a benchmark of a wrong result is worthless).
const fixture = runNetwork(21, 6000, 42);
const events = fixture.events;
{
  const e = newEngine(21);
  for (const h of events) e.receive(h, true);
  if (e.size !== events.length || e.finalizedHeight < 3) {
    throw new Error(`Bad fixture: ${e.size}/${events.length} events, ${e.finalizedHeight} anchors`);
  }
}

Deno.bench({
  group: "consensus",
  name: `ConsensusEngine.receive x${events.length} (k = 21, in order)`,
  baseline: true,
  fn: () => {
    const e = newEngine(21);
    for (const h of events) e.receive(h, true);
  },
});

Deno.bench({
  group: "consensus",
  name: `ConsensusEngine.receive x${events.length} (k = 21, reversed: all buffered, then cascade)`,
  fn: () => {
    const e = newEngine(21);
    for (let i = events.length - 1; i >= 0; i--) e.receive(events[i]!, true);
  },
});
