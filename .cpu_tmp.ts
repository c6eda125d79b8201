import { parseScenario, runSimnet } from "./src/sim/mod.ts";
const out: string[] = [];
for (const f of Deno.args) {
  const sc = parseScenario(Deno.readTextFileSync(`scenarios/${f}.toml`));
  const t0 = performance.now();
  let ev = 0;
  for (const seed of [1, 2, 3]) ev += (await runSimnet(sc, seed)).events_created;
  out.push(`${f}: ${((performance.now() - t0) / 1000).toFixed(1)} s, events ${ev}`);
}
console.log(out.join("\n"));
