import assert from "node:assert/strict";
import { MAX_PARENTS } from "../params/mod.ts";
import { makeEvent, newEngine, rng } from "./_harness.ts";
import { toHex } from "./engine.ts";

/** Walks a small random network and calls `check(engine, seat)` before every event creation. */
function walk(
  k: number,
  steps: number,
  seed: number,
  check: (e: ReturnType<typeof newEngine>, seat: number) => void,
): void {
  const r = rng(seed);
  const engines = Array.from({ length: k }, () => newEngine(k));
  const inbox: ReturnType<typeof makeEvent>[][] = Array.from({ length: k }, () => []);
  for (let s = 0; s < steps; s++) {
    const who = Math.floor(r() * k);
    if (r() < 0.4) {
      check(engines[who]!, who);
      const h = makeEvent(engines[who]!, who);
      if (h !== undefined) { for (let j = 0; j < k; j++) if (j !== who) inbox[j]!.push(h); }
    } else {
      const box = inbox[who]!;
      for (let b = 0; b < k && box.length > 0; b++) {
        const [h] = box.splice(Math.floor(r() * Math.min(box.length, 4)), 1);
        if (h !== undefined) engines[who]!.receive(h, true);
      }
    }
  }
}

Deno.test("ConsensusEngine.selectParents() names at most MAX_PARENTS - 1 tips of distinct other seats", () => {
  let calls = 0;
  walk(7, 1500, 3, (e, seat) => {
    const ps = e.selectParents(seat);
    calls++;
    assert.ok(ps.length <= MAX_PARENTS - 1, `seat ${seat}: ${ps.length} parents`);
    const creators = ps.map((p) => e.get(p)!.creator);
    assert.ok(!creators.includes(seat), `seat ${seat} chose itself`);
    assert.equal(new Set(creators).size, creators.length, `seat ${seat}: duplicate creator`);
    for (const p of ps) {
      const c = e.get(p)!.creator;
      assert.equal(toHex(e.tip(c)!.id), toHex(p), `seat ${seat}: parent is not seat ${c}'s tip`);
    }
  });
  assert.ok(calls > 100);
});

Deno.test("ConsensusEngine.selectParents() reaches the highest round among the other tips", () => {
  walk(7, 1500, 5, (e, seat) => {
    const own = e.tip(seat);
    if (own === undefined) return;
    const ps = e.selectParents(seat);
    if (ps.length === 0) return;
    const prep = e.prepareEvent(seat, ps);
    let best = e.roundOf(own.id)!;
    for (let v = 0; v < e.k; v++) {
      const t = v === seat ? undefined : e.tip(v);
      if (t !== undefined) best = Math.max(best, e.roundOf(t.id)!);
    }
    assert.ok(prep.round >= best, `seat ${seat}: round ${prep.round} < highest tip round ${best}`);
  });
});

Deno.test("ConsensusEngine.mayAdvanceRound() holds whenever the chosen parents open a new round", () => {
  let yes = 0;
  let no = 0;
  walk(7, 1500, 9, (e, seat) => {
    const own = e.tip(seat);
    if (own === undefined) {
      assert.equal(e.mayAdvanceRound(seat), false);
      return;
    }
    const may = e.mayAdvanceRound(seat);
    if (may) yes++;
    else no++;
    const prep = e.prepareEvent(seat, e.selectParents(seat));
    const ownRound = e.roundOf(own.id)!;
    // By its own vote mask (not by a higher-round parent): the union bound must allow it.
    if (e.maxRound <= ownRound && prep.round > ownRound && popcountGe(prep.voteMask, e.q)) {
      assert.ok(may, `seat ${seat}: advanced to ${prep.round} but mayAdvanceRound() was false`);
    }
  });
  assert.ok(yes > 0 && no > 0, `both outcomes occur (yes ${yes}, no ${no})`);
  assert.throws(() => newEngine(4).mayAdvanceRound(4), RangeError);
});

function popcountGe(m: bigint, q: number): boolean {
  let n = 0;
  for (let x = m; x > 0n; x >>= 1n) n += Number(x & 1n);
  return n >= q;
}
