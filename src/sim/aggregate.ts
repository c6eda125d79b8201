/**
 * Aggregation of many per-seed simnet summaries into one (the summary.json of a `--seeds A..B`
 * run). Definitions in docs/simnet.md.
 * @module
 */
import type { Quantiles, SimSummary } from "./simnet.ts";
import { summaryOk } from "./simnet.ts";

/** Aggregate of many seeds of one scenario. */
export interface AggregateSummary {
  scenario: string;
  seeds: string;
  runs: number;
  failed_seeds: number[];
  nodes: number;
  byzantine: number;
  finalized_anchors: { min: number; p50: number };
  finality_rounds: Quantiles;
  finality_delays: Quantiles;
  tx_finality_delays: Quantiles;
  tx_finalized: number;
  tx_submitted: number;
  safety_violations: number;
  state_root_mismatches: number;
  evidence_missing: number;
  liveness_ok: boolean;
  rejected: Record<string, number>;
  evidence: Record<string, number>;
}

function pick(xs: number[], p: number): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))]!;
}

/**
 * Aggregates per-seed summaries: sums of counters, p50 = median of per-seed p50, p95 = 95th
 * percentile of per-seed p95, max = max of per-seed max.
 * @param runs summaries of one scenario (at least one)
 * @returns the aggregate
 * @throws {RangeError} when `runs` is empty
 * @example
 * ```ts ignore
 * import { aggregateSummaries } from "./aggregate.ts";
 * const agg = aggregateSummaries(summaries);
 * ```
 */
export function aggregateSummaries(runs: readonly SimSummary[]): AggregateSummary {
  const first = runs[0];
  if (first === undefined) throw new RangeError("No summaries to aggregate");
  const q = (f: (s: SimSummary) => Quantiles): Quantiles => ({
    p50: pick(runs.map((r) => f(r).p50), 0.5),
    p95: pick(runs.map((r) => f(r).p95), 0.95),
    max: Math.max(...runs.map((r) => f(r).max)),
  });
  const sumRec = (f: (s: SimSummary) => Record<string, number>) => {
    const out: Record<string, number> = {};
    for (const r of runs) for (const [k, v] of Object.entries(f(r))) out[k] = (out[k] ?? 0) + v;
    const sorted: Record<string, number> = {};
    for (const k of Object.keys(out).sort()) sorted[k] = out[k]!;
    return sorted;
  };
  const sum = (f: (s: SimSummary) => number) => runs.reduce((a, r) => a + f(r), 0);
  const seeds = runs.map((r) => r.seed);
  return {
    scenario: first.scenario,
    seeds: `${Math.min(...seeds)}..${Math.max(...seeds)}`,
    runs: runs.length,
    failed_seeds: runs.filter((r) => !summaryOk(r)).map((r) => r.seed),
    nodes: first.nodes,
    byzantine: first.byzantine,
    finalized_anchors: {
      min: Math.min(...runs.map((r) => r.finalized_anchors)),
      p50: pick(runs.map((r) => r.finalized_anchors), 0.5),
    },
    finality_rounds: q((r) => r.finality_rounds),
    finality_delays: q((r) => r.finality_delays),
    tx_finality_delays: q((r) => r.tx_finality_delays),
    tx_finalized: sum((r) => r.tx_finalized),
    tx_submitted: sum((r) => r.tx_submitted),
    safety_violations: sum((r) => r.safety_violations),
    state_root_mismatches: sum((r) => r.state_root_mismatches),
    evidence_missing: sum((r) => r.evidence_missing),
    liveness_ok: runs.every((r) => r.liveness_ok),
    rejected: sumRec((r) => r.rejected),
    evidence: sumRec((r) => r.evidence),
  };
}
