/**
 * `deno task simnet`: runs simnet scenarios (docs/simnet.md).
 *
 *   deno run -A scripts/simnet.ts --scenario scenarios/honest-21.toml --seed 7 --out out/sim
 *   deno run -A scripts/simnet.ts --scenario scenarios/lossy-10.toml --seeds 1..200 --out out/soak
 *   deno run -A scripts/simnet.ts --all --seeds 1..1000 --out out/soak   (every scenarios/*.toml)
 *
 * One seed writes DIR/summary.json (the run's summary); a seed range writes DIR/seed-N.json per
 * seed and DIR/summary.json with the aggregate; `--all` writes DIR/<scenario>/... per scenario.
 * Exits 1 when any invariant fails, 2 on bad arguments.
 * @module
 */
import { Command } from "commander";
import {
  aggregateSummaries,
  parseScenario,
  runSeeds,
  runSimnet,
  type SimSummary,
  summaryOk,
} from "../src/sim/mod.ts";

function parseSeeds(s: string): number[] {
  const m = /^(\d+)\.\.(\d+)$/.exec(s);
  if (m === null) throw new RangeError(`Bad seed range: "${s}" (want A..B)`);
  const a = Number(m[1]);
  const b = Number(m[2]);
  if (b < a) throw new RangeError(`Bad seed range: "${s}" (B < A)`);
  return Array.from({ length: b - a + 1 }, (_, i) => a + i);
}

async function runOne(
  file: string,
  seeds: number[] | undefined,
  seed: number,
  out: string | undefined,
  workers: number,
  quiet: boolean,
): Promise<boolean> {
  const text = await Deno.readTextFile(file);
  const sc = parseScenario(text);
  if (seeds === undefined) {
    const s = await runSimnet(sc, seed);
    const json = JSON.stringify(s, null, 2) + "\n";
    if (out !== undefined) {
      await Deno.mkdir(out, { recursive: true });
      await Deno.writeTextFile(`${out}/summary.json`, json);
    }
    if (!quiet) console.log(JSON.stringify(s));
    return summaryOk(s);
  }
  const runs: SimSummary[] = await runSeeds(text, seeds, workers);
  const agg = aggregateSummaries(runs);
  if (out !== undefined) {
    await Deno.mkdir(out, { recursive: true });
    for (const r of runs) {
      await Deno.writeTextFile(`${out}/seed-${r.seed}.json`, JSON.stringify(r, null, 2) + "\n");
    }
    await Deno.writeTextFile(`${out}/summary.json`, JSON.stringify(agg, null, 2) + "\n");
  }
  if (!quiet) console.log(JSON.stringify(agg));
  return agg.failed_seeds.length === 0;
}

async function main(): Promise<number> {
  const program = new Command()
    .name("simnet")
    .description("Deterministic PhantomCoin network simulator")
    .option("--scenario <file>", "scenario TOML file")
    .option("--all", "run every scenarios/*.toml")
    .option("--seed <n>", "single seed", "1")
    .option("--seeds <a..b>", "seed range (inclusive)")
    .option("--out <dir>", "output directory")
    .option(
      "--workers <n>",
      "worker threads for seed ranges",
      String(navigator.hardwareConcurrency),
    )
    .option("--quiet", "print nothing but failures")
    .exitOverride();
  try {
    program.parse(Deno.args, { from: "user" });
  } catch (_e) {
    // commander already printed the usage error.
    return 2;
  }
  const o = program.opts<
    {
      scenario?: string;
      all?: boolean;
      seed: string;
      seeds?: string;
      out?: string;
      workers: string;
      quiet?: boolean;
    }
  >();
  let files: string[];
  if (o.all) {
    files = [];
    for await (const e of Deno.readDir("scenarios")) {
      if (e.isFile && e.name.endsWith(".toml")) files.push(`scenarios/${e.name}`);
    }
    files.sort();
  } else if (o.scenario !== undefined) files = [o.scenario];
  else {
    console.error("simnet: give --scenario FILE or --all");
    return 2;
  }
  let seeds: number[] | undefined;
  const seed = Number(o.seed);
  const workers = Math.max(1, Number(o.workers) || 1);
  try {
    seeds = o.seeds === undefined ? undefined : parseSeeds(o.seeds);
    if (!Number.isSafeInteger(seed)) throw new RangeError(`Bad seed: "${o.seed}"`);
  } catch (e) {
    console.error(`simnet: ${(e as Error).message}`);
    return 2;
  }
  let ok = true;
  for (const f of files) {
    const name = f.replace(/^.*\//, "").replace(/\.toml$/, "");
    const out = o.out === undefined ? undefined : o.all ? `${o.out}/${name}` : o.out;
    const good = await runOne(f, seeds, seed, out, workers, o.quiet === true);
    if (!good) console.error(`simnet: invariant failed in ${f}`);
    ok &&= good;
  }
  return ok ? 0 : 1;
}

if (import.meta.main) Deno.exit(await main());
