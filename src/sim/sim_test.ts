import assert from "node:assert/strict";
import { parseScenario, ScenarioError } from "./scenario.ts";
import { runSimnet, summaryOk } from "./simnet.ts";
import {
  clientTx,
  decodeSimPayload,
  encodeSimPayload,
  invalidTx,
  UtxoState,
} from "./utxo_state.ts";

const SMALL = `
name = "small"
seats = 4
duration = 3000
drain = 2000
min_anchors = 3
[node]
event_interval = 100
[workload]
tx_rate = 0.02
`;

Deno.test("parseScenario() reads the schema and applies defaults", () => {
  const s = parseScenario(
    SMALL + "\n[byzantine]\nsilent = [3]\n[[crash]]\nseats = [1]\nat = 10\nrestart = 20\n",
  );
  assert.equal(s.seats, 4);
  assert.equal(s.network.latency, 100);
  assert.equal(s.eventInterval, 100);
  assert.equal(s.byzantine.get(3), "silent");
  assert.deepEqual(s.crashes[0]!.seats, [1]);
  assert.equal(s.eagerRound, 1);
  assert.equal(s.roundBurst, 3);
  assert.equal(s.witnessAck, 0.5);
});

Deno.test("parseScenario() rejects bad fields with the field path", () => {
  const bad: [string, string][] = [
    ["seats = 4\nduration = 10", "name"],
    ['name = "x"\nseats = 65\nduration = 10', "seats"],
    ['name = "x"\nseats = 4\nduration = 10\n[byzantine]\nsilent = [4]', "byzantine.silent/0"],
    ['name = "x"\nseats = 4\nduration = 10\n[byzantine]\nlazy = [1]', "byzantine.lazy"],
    ['name = "x"\nseats = 4\nduration = 10\n[network]\nloss = 2', "network.loss"],
    ['name = "x"\nseats = 4\nduration = 10\n[node]\nround_burst = 1.5', "node.round_burst"],
    ['name = "x"\nseats = 4\nduration = 10\n[node]\nround_burst = 0', "node.round_burst"],
    ['name = "x"\nseats = 4\nduration = 10\n[node]\nwitness_ack = 2', "node.witness_ack"],
    ["not toml = = =", ""],
  ];
  for (const [text, field] of bad) {
    assert.throws(
      () => parseScenario(text),
      (e) => e instanceof ScenarioError && e.field === field,
      field,
    );
  }
});

Deno.test("UtxoState applies a client tx once and skips invalid and duplicate ones", async () => {
  const st = await UtxoState.create(4);
  const root0 = st.root;
  const good = clientTx(1);
  const bad = invalidTx(new Uint8Array(32).fill(3));
  const p = encodeSimPayload([good, bad, good]);
  const d = decodeSimPayload(p.bytes)!;
  assert.deepEqual(d.root, p.root);
  const id = new Uint8Array(32).fill(7);
  const ev = {
    id,
    network: 0,
    shard: 0,
    creator: 0,
    seq: 0,
    selfParent: null,
    parents: [],
    voteMask: 0n,
    payloadRoot: p.root,
    signature: new Uint8Array(64),
  };
  const r = await st.applyFinalized({ height: 1, round: 0, famous: [], events: [ev], id }, () => d);
  assert.deepEqual(r.applied, [good.id]);
  assert.equal(st.skipped, 2);
  assert.notDeepEqual(st.root, root0);
  assert.equal(decodeSimPayload(new Uint8Array([1, 2, 3])), undefined);
});

Deno.test("runSimnet() is deterministic per seed and keeps its invariants on a small net", async () => {
  const sc = parseScenario(SMALL);
  const a = await runSimnet(sc, 5);
  assert.equal(JSON.stringify(a), JSON.stringify(await runSimnet(sc, 5)));
  assert.ok(summaryOk(a), JSON.stringify(a.failures));
  assert.ok(a.finalized_anchors >= 3);
  assert.equal(a.tx_finalized, a.tx_submitted);
});
