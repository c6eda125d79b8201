import assert from "node:assert/strict";
import { bytesToHex } from "@noble/hashes/utils.js";
import type { FetchResult, HaveEntry } from "../p2p/mod.ts";
import { AntiEntropy, type SyncLocal, type SyncNet } from "./anti_entropy.ts";

const CREATOR = new Uint8Array(32).fill(7);
const id = (seq: number) => new Uint8Array(32).fill(seq + 1);

/**
 * Peers that all hold seqs 0..n-1 of one creator and answer after `delayMs`; every GET is
 * recorded, and served ids are "queued to the intake" (not yet held: the intake is behind).
 */
function network(peers: number, n: number, delayMs = 0) {
  const gets: { peer: string; ids: string[] }[] = [];
  const wait = () => new Promise((r) => setTimeout(r, delayMs));
  const net: SyncNet = {
    peers: () => Array.from({ length: peers }, (_, i) => `p${i}`),
    fetchHave: async (): Promise<HaveEntry[]> => {
      await wait();
      return [{ creator: CREATOR, seq: BigInt(n - 1) }];
    },
    fetchRange: async (_p, _c, from, limit) => {
      await wait();
      const out: Uint8Array[] = [];
      for (let s = Number(from); s < n && out.length < limit; s++) out.push(id(s));
      return out;
    },
    fetchIds: async (_kind, ids, peer): Promise<FetchResult> => {
      await wait();
      gets.push({ peer: peer!, ids: ids.map(bytesToHex) });
      return {
        bodies: ids.map((i) => ({ kind: "events", shard: undefined, id: i, body: i, from: peer! })),
        missing: [],
      };
    },
  };
  const local: SyncLocal = {
    seatOf: (c) => bytesToHex(c) === bytesToHex(CREATOR) ? 0 : -1,
    knownSeqs: () => [-1],
    holds: () => false,
    wanted: () => [],
  };
  return { net, local, gets };
}

Deno.test("an anti-entropy round pulls each missing id once, not once per peer", async () => {
  const { net, local, gets } = network(6, 40);
  const ae = new AntiEntropy(net, local);
  await ae.tick();
  const asked = gets.flatMap((g) => g.ids);
  assert.equal(asked.length, 40, `ids asked: ${asked.length} (6 peers would ask 240)`);
  assert.equal(new Set(asked).size, 40);
  assert.equal(ae.stats.requested, 40);
});

Deno.test("anti-entropy ticks while a round runs are skipped, not stacked", async () => {
  const { net, local, gets } = network(3, 10, 30);
  const ae = new AntiEntropy(net, local);
  const first = ae.tick();
  // A busy node: the period (1 s on devnet) elapses several times during one slow round.
  const more = [ae.tick(), ae.tick(), ae.tick()];
  await Promise.all([first, ...more]);
  assert.equal(ae.stats.rounds, 1);
  assert.equal(ae.stats.skipped, 3);
  assert.equal(gets.flatMap((g) => g.ids).length, 10);
  // The next tick after the round ended starts a new one.
  await ae.tick();
  assert.equal(ae.stats.rounds, 2);
});

Deno.test("anti-entropy asks the next peer for what one peer failed to serve", async () => {
  const { net, local, gets } = network(3, 5);
  const fetchIds = net.fetchIds;
  const errors: string[] = [];
  net.fetchIds = (kind, ids, peer) =>
    peer === "p0" ? Promise.reject(new Error("PULL_FAILED")) : fetchIds(kind, ids, peer);
  const ae = new AntiEntropy(net, { ...local, holds: (i) => i[0] === 1 }, (p) => errors.push(p));
  await ae.tick();
  assert.deepEqual(errors, ["p0"]);
  // seq 0 (id byte 1) is held here; seqs 1..4 come from p1, and p2 is not asked again.
  assert.deepEqual(gets.map((g) => [g.peer, g.ids.length]), [["p1", 4]]);
});
