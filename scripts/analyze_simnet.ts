/**
 * Checks a simnet summary.json (single-seed or aggregate) against thresholds:
 *
 *   deno run -A scripts/analyze_simnet.ts out/sim/summary.json --max-finality-p95 8 \
 *     --max-tx-finality-p95 8 --min-anchors 4 --max-safety-violations 0
 *
 * Prints one JSON line {ok, checks:[{name, value, limit, ok}]}; exits 1 when a check fails,
 * 2 on bad arguments or an unreadable file.
 * @module
 */
import { Command } from "commander";

interface Check {
  name: string;
  value: number | boolean;
  limit: number | boolean;
  ok: boolean;
}

async function main(): Promise<number> {
  const program = new Command()
    .name("analyze_simnet")
    .argument("<summary>", "summary.json path")
    .option("--max-finality-p95 <delays>", "max finality_delays.p95 (one-way delays)")
    .option("--max-tx-finality-p95 <delays>", "max tx_finality_delays.p95 (one-way delays)")
    .option("--max-finality-rounds-p95 <rounds>", "max finality_rounds.p95")
    .option("--min-anchors <n>", "min finalized anchors (min over seeds for aggregates)")
    .option("--max-safety-violations <n>", "max safety violations", "0")
    .option("--max-root-mismatches <n>", "max state root mismatches", "0")
    .option("--require-liveness", "liveness_ok must be true", true)
    .option("--min-tx-finalized-ratio <r>", "min tx_finalized / tx_submitted")
    .exitOverride();
  try {
    program.parse(Deno.args, { from: "user" });
  } catch (_e) {
    // commander already printed the usage error.
    return 2;
  }
  const o = program.opts<Record<string, string | boolean | undefined>>();
  const path = program.args[0]!;
  let s: Record<string, unknown>;
  try {
    s = JSON.parse(await Deno.readTextFile(path));
  } catch (e) {
    console.error(`analyze_simnet: cannot read "${path}": ${(e as Error).message}`);
    return 2;
  }
  const checks: Check[] = [];
  const num = (v: unknown): number => typeof v === "number" ? v : Number.NaN;
  const le = (name: string, value: number, limit: string | boolean | undefined) => {
    if (limit === undefined || typeof limit === "boolean") return;
    const l = Number(limit);
    checks.push({ name, value, limit: l, ok: value <= l });
  };
  const fd = s["finality_delays"] as { p95?: number } | undefined;
  const fr = s["finality_rounds"] as { p95?: number } | undefined;
  le("finality_delays.p95", num(fd?.p95), o["maxFinalityP95"]);
  const tfd = s["tx_finality_delays"] as { p95?: number } | undefined;
  le("tx_finality_delays.p95", num(tfd?.p95), o["maxTxFinalityP95"]);
  le("finality_rounds.p95", num(fr?.p95), o["maxFinalityRoundsP95"]);
  le("safety_violations", num(s["safety_violations"]), o["maxSafetyViolations"]);
  le("state_root_mismatches", num(s["state_root_mismatches"]), o["maxRootMismatches"]);
  if (o["minAnchors"] !== undefined) {
    const fa = s["finalized_anchors"];
    const v = typeof fa === "number" ? fa : num((fa as { min?: number } | undefined)?.min);
    const l = Number(o["minAnchors"]);
    checks.push({ name: "finalized_anchors", value: v, limit: l, ok: v >= l });
  }
  if (o["minTxFinalizedRatio"] !== undefined) {
    const sub = num(s["tx_submitted"]);
    const v = sub === 0 ? 1 : num(s["tx_finalized"]) / sub;
    const l = Number(o["minTxFinalizedRatio"]);
    checks.push({ name: "tx_finalized_ratio", value: v, limit: l, ok: v >= l });
  }
  if (o["requireLiveness"] === true) {
    const v = s["liveness_ok"] === true;
    checks.push({ name: "liveness_ok", value: v, limit: true, ok: v });
  }
  const ok = checks.every((c) => c.ok);
  console.log(JSON.stringify({ ok, checks }));
  return ok ? 0 : 1;
}

if (import.meta.main) Deno.exit(await main());
