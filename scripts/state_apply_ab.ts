/**
 * Same-process A/B of `StateEngine.applyAnchor` (no signature checks, root included) between two
 * copies of the state module, e.g. a `git archive` export of an older commit and the working tree:
 * both engines apply the same anchors (1-input/2-output transfers against 1,000,000 UTXOs), taking
 * turns at going first, so machine load hits both alike. Prints one JSON line with both medians and
 * the median per-anchor ratio; the roots must agree.
 *
 * Usage: deno run -A scripts/state_apply_ab.ts <old repo root> [<new repo root>]
 *        (e.g. `mkdir /tmp/old && git archive <commit> src | tar -x -C /tmp/old`; set
 *        PHANTOM_NATIVE_DIR=$PWD/native/build so the export finds the native libraries)
 * Env: AB_UTXOS (default 1,000,000), AB_ROUNDS (default 30).
 * @module
 */
const [oldRoot, newRoot = new URL("..", import.meta.url).pathname] = Deno.args;
if (oldRoot === undefined) throw new TypeError("Usage: state_apply_ab.ts <old root> [<new root>]");
const abs = (p: string) => p.startsWith("/") ? p : `${Deno.cwd()}/${p}`;
const Old = await import(`file://${abs(oldRoot)}/src/state/mod.ts`);
const New = await import(`file://${abs(newRoot)}/src/state/mod.ts`);
const { Workload, WORKLOAD_NETWORK } = await import(
  `file://${abs(newRoot)}/src/state/_workload.ts`
);
const N = Number(Deno.env.get("AB_UTXOS") ?? 1_000_000);
const ROUNDS = Number(Deno.env.get("AB_ROUNDS") ?? 30);
const PER = 1000;
const w = new Workload({
  seed: 7,
  txsPerAnchor: PER,
  genesisMints: N,
  splitOnly: true,
  mintsPerAnchor: 0,
});
const opts = { network: WORKLOAD_NETWORK, verifySignatures: false };
const engines = [new Old.StateEngine(opts), new New.StateEngine(opts)];
const genesis = w.anchor();
for (const e of engines) {
  await e.applyAnchor(genesis);
  e.takeDelta();
}
const times: number[][] = [[], []];
for (let r = 0; r < ROUNDS + 3; r++) {
  const a = w.anchor();
  for (const k of r % 2 === 0 ? [0, 1] : [1, 0]) {
    const t0 = performance.now();
    const receipt = await engines[k]!.applyAnchor(a);
    const dt = performance.now() - t0;
    engines[k]!.takeDelta();
    if (receipt.skipped.length > 0) {
      throw new Error(`Bad fixture: ${receipt.skipped.length} skipped`);
    }
    if (r >= 3) times[k]!.push(dt); // three warm-up anchors
  }
}
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[xs.length >> 1]!;
const [o, n] = times as [number[], number[]];
console.log(JSON.stringify({
  bench: "state_apply_ab",
  same_root: engines[0]!.root().join() === engines[1]!.root().join(),
  utxos: N,
  anchors: ROUNDS,
  old_ms_median: Number(median(o).toFixed(1)),
  new_ms_median: Number(median(n).toFixed(1)),
  old_tx_per_s: Math.round(PER / (median(o) / 1000)),
  new_tx_per_s: Math.round(PER / (median(n) / 1000)),
  median_ratio_old_over_new: Number(median(o.map((x, i) => x / n[i]!)).toFixed(2)),
  old_ms_min: Number(Math.min(...o).toFixed(1)),
  new_ms_min: Number(Math.min(...n).toFixed(1)),
  load_avg: Deno.loadavg(),
}));
