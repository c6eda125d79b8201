import assert from "node:assert/strict";
import { parseScenario, ScenarioError } from "./scenario.ts";
import { runSimnet, summaryOk } from "./simnet.ts";
import { encodePayload, SimLedger } from "./ledger.ts";

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
});

Deno.test("parseScenario() rejects bad fields with the field path", () => {
  const bad: [string, string][] = [
    ["seats = 4\nduration = 10", "name"],
    ['name = "x"\nseats = 65\nduration = 10', "seats"],
    ['name = "x"\nseats = 4\nduration = 10\n[byzantine]\nsilent = [4]', "byzantine.silent/0"],
    ['name = "x"\nseats = 4\nduration = 10\n[byzantine]\nlazy = [1]', "byzantine.lazy"],
    ['name = "x"\nseats = 4\nduration = 10\n[network]\nloss = 2', "network.loss"],
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

Deno.test("SimLedger applies each valid tx once and skips invalid ones", () => {
  const l = new SimLedger();
  const tx = new Uint8Array(33).fill(1);
  tx[0] = 0;
  const bad = new Uint8Array(33).fill(2);
  const p = encodePayload([tx, tx, bad]);
  const id = new Uint8Array(32);
  const ev = {
    id,
    network: 0,
    shard: 0,
    creator: 0,
    seq: 0,
    selfParent: null,
    parents: [],
    voteMask: 0n,
    payloadRoot: id,
    signature: new Uint8Array(64),
  };
  const r = l.applyFinalized({ height: 1, round: 0, famous: [], events: [ev], id }, () => p);
  assert.equal(r.applied.length, 1);
  assert.equal(l.invalidSkipped, 1);
});

Deno.test("runSimnet() is deterministic per seed and keeps its invariants on a small net", () => {
  const sc = parseScenario(SMALL);
  const a = runSimnet(sc, 5);
  assert.equal(JSON.stringify(a), JSON.stringify(runSimnet(sc, 5)));
  assert.ok(summaryOk(a), JSON.stringify(a.failures));
  assert.ok(a.finalized_anchors >= 3);
  assert.equal(a.tx_finalized, a.tx_submitted);
});
