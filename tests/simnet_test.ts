/**
 * CI run of the simnet scenarios (docs/simnet.md): every scenarios/*.toml over seeds 1..50, every
 * invariant must hold for every seed; and the byte-for-byte replay check. All scenarios' runs go
 * through one worker pool (two workers, each taking the next run when it finishes one), so both
 * cores stay busy to the end; each scenario's test then checks its own runs.
 */
import assert from "node:assert/strict";
import {
  parseScenario,
  runJobs,
  runSimnet,
  type SimJob,
  type SimSummary,
  summaryOk,
} from "../src/sim/mod.ts";

const SEEDS = Array.from({ length: 50 }, (_, i) => i + 1);
const WORKERS = Math.max(1, Math.min(2, navigator.hardwareConcurrency));
const dir = new URL("../scenarios/", import.meta.url);
const files = [...Deno.readDirSync(dir)]
  .filter((e) => e.isFile && e.name.endsWith(".toml"))
  .map((e) => e.name)
  .sort();

let all: Promise<Map<string, SimSummary[]>> | undefined;
/** Runs every scenario x seed once, on one pool (started by the first scenario test). */
function allRuns(): Promise<Map<string, SimSummary[]>> {
  all ??= (async () => {
    const jobs: (SimJob & { file: string })[] = [];
    for (const file of files) {
      const text = await Deno.readTextFile(new URL(file, dir));
      for (const seed of SEEDS) jobs.push({ file, text, seed });
    }
    const out = await runJobs(jobs, WORKERS);
    const by = new Map<string, SimSummary[]>();
    jobs.forEach((j, i) => {
      let l = by.get(j.file);
      if (l === undefined) by.set(j.file, l = []);
      l.push(out[i]!);
    });
    return by;
  })();
  return all;
}

Deno.test("scenarios/ ships the six required scenarios", () => {
  for (
    const name of [
      "honest-21",
      "equivocate-6",
      "silent-6",
      "partition-11-10",
      "lossy-10",
      "crash-restart-5",
    ]
  ) {
    assert.ok(files.includes(`${name}.toml`), `missing scenarios/${name}.toml`);
  }
});

for (const file of files) {
  Deno.test(`runSimnet() keeps every invariant over 50 seeds: ${file}`, async () => {
    const runs = (await allRuns()).get(file)!;
    assert.equal(runs.length, SEEDS.length, file);
    const bad = runs.filter((r) => !summaryOk(r));
    assert.deepEqual(
      bad.map((r) => ({ seed: r.seed, failures: r.failures })),
      [],
      `${file}: replay with deno task simnet --scenario scenarios/${file} --seed N`,
    );
    for (const r of runs) {
      assert.equal(r.safety_violations, 0, `${file} seed ${r.seed}`);
      assert.equal(r.state_root_mismatches, 0, `${file} seed ${r.seed}`);
      assert.ok(r.finalized_anchors > 0, `${file} seed ${r.seed}`);
    }
  });
}

Deno.test("runSimnet() replays a seed byte for byte", async () => {
  const sc = parseScenario(await Deno.readTextFile(new URL("honest-21.toml", dir)));
  const a = JSON.stringify(await runSimnet(sc, 11));
  const b = JSON.stringify(await runSimnet(sc, 11));
  assert.equal(a, b);
  assert.notEqual(JSON.stringify(await runSimnet(sc, 12)), a);
});

Deno.test("runSimnet() keeps honest 21-seat finality within 8 one-way delays (issue 5, ADR 0024)", async () => {
  const text = await Deno.readTextFile(new URL("bench/honest-21-finality.toml", dir));
  const s = await runSimnet(parseScenario(text), 1);
  assert.ok(summaryOk(s), s.failures.join("; "));
  assert.ok(s.finality_delays.p95 <= 8, `finality p95 ${s.finality_delays.p95} L`);
  assert.ok(s.tx_finality_delays.p95 <= 8, `tx finality p95 ${s.tx_finality_delays.p95} L`);
});
