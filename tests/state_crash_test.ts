/**
 * Crash safety of the state commit protocol on Deno KV: run the engine in a subprocess, SIGKILL
 * it at a pseudo-random store commit during heavy apply/flush, restart it, and check that the
 * recovered anchor's root equals an uninterrupted in-process reference run, that nothing
 * committed was lost, and that finishing the run reaches the reference's final root. Each seed
 * starts with a deterministic self-kill in the middle of a flush (log chunks written, committed
 * pointer not), which recovery must roll back to exactly the previous anchor.
 */
import { bytesToHex } from "@noble/hashes/utils.js";
import assert from "node:assert/strict";
import { StateEngine } from "../src/state/mod.ts";
import { Prng, Workload, WORKLOAD_NETWORK } from "../src/state/_workload.ts";

const ANCHORS = 6;
const TXS = 450; // > 1000 changed keys per anchor: every commit takes the write-ahead path
const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8];
const DRIVER = new URL("./state_crash_driver.ts", import.meta.url).pathname;
const hex = bytesToHex;

async function reference(seed: number): Promise<string[]> {
  const w = new Workload({ seed, txsPerAnchor: TXS, invalidPerMille: 30 });
  const e = new StateEngine({ network: WORKLOAD_NETWORK, verifySignatures: false });
  const roots: string[] = [];
  for (let i = 0; i < ANCHORS; i++) roots.push(hex((await e.applyAnchor(w.anchor())).root));
  return roots;
}

interface Run {
  lines: string[];
  killed: boolean;
}

/**
 * Run the driver; SIGKILL it right after the `killAfter`-th store commit line (if reached), or
 * let it SIGKILL itself after its `selfKill`-th mid-flush store commit.
 */
async function drive(db: string, seed: number, killAfter: number, selfKill?: number): Promise<Run> {
  const args = [
    "run",
    "-A",
    "--unstable-kv",
    DRIVER,
    db,
    String(seed),
    String(ANCHORS),
    String(TXS),
  ];
  if (selfKill !== undefined) args.push(String(selfKill));
  const child = new Deno.Command(Deno.execPath(), {
    args,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines: string[] = [];
  let commits = 0, killed = false, buf = "";
  const dec = new TextDecoder();
  const stderr = new Response(child.stderr).text();
  for await (const chunk of child.stdout) {
    buf += dec.decode(chunk, { stream: true });
    let nl;
    while ((nl = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      lines.push(line);
      if (line === "S" && ++commits === killAfter && !killed) {
        child.kill("SIGKILL");
        killed = true;
      }
    }
  }
  const status = await child.status;
  const err = await stderr;
  if (selfKill !== undefined) {
    assert.equal(status.signal, "SIGKILL", `driver seed ${seed} did not kill itself: ${err}`);
    return { lines, killed: true };
  }
  if (!killed) assert.equal(status.code, 0, `driver seed ${seed} failed: ${err}`);
  return { lines, killed };
}

Deno.test({
  name: "StateDb on KvStore recovers the last committed anchor after SIGKILL at random points",
  ignore: Deno.build.os === "windows",
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "pc_state_crash_" });
    let kills = 0, midFlushKills = 0;
    try {
      for (const seed of SEEDS) {
        const ref = await reference(seed);
        const db = `${dir}/seed${seed}.sqlite`;
        const rng = new Prng(seed * 7919);
        // A self-kill mid-flush, two kills at random store commits, then a clean finish.
        let lastCommitted = -1;
        for (let k = 0; k < 3; k++) {
          // A whole run makes ~20 store commits (ADR 0034 slices included): kill inside it.
          // Every anchor's log takes at least two commits, so the self-kill is always reached.
          const selfKill = k === 0 ? 1 + rng.int(ANCHORS) : undefined;
          const killAfter = 1 + rng.int(ANCHORS * 3);
          const run = await drive(
            db,
            seed,
            selfKill === undefined ? killAfter : Infinity,
            selfKill,
          );
          if (run.killed) kills++;
          const r = run.lines.find((l) => l.startsWith("R "));
          assert.ok(r !== undefined, `seed ${seed}: no recovery line`);
          const [, ra, rroot] = r.split(" ");
          const recovered = Number(ra);
          assert.ok(
            recovered >= lastCommitted,
            `seed ${seed}: lost anchor ${lastCommitted} (recovered ${recovered})`,
          );
          if (k === 1) {
            // After the mid-flush self-kill: its partial anchor is rolled back, nothing more.
            assert.equal(
              recovered,
              lastCommitted,
              `seed ${seed}: mid-flush anchor not rolled back`,
            );
            midFlushKills++;
          }
          if (recovered >= 0) {
            assert.equal(
              rroot,
              ref[recovered],
              `seed ${seed}: root after recovery at ${recovered}`,
            );
          }
          for (const l of run.lines.filter((x) => x.startsWith("C "))) {
            const [, a, root] = l.split(" ");
            assert.equal(root, ref[Number(a)], `seed ${seed}: root of anchor ${a}`);
            lastCommitted = Number(a);
          }
        }
        const fin = await drive(db, seed, Infinity);
        const r = fin.lines.find((l) => l.startsWith("R "))!;
        assert.ok(
          Number(r.split(" ")[1]) >= lastCommitted,
          `seed ${seed}: final recovery lost an anchor`,
        );
        assert.equal(fin.lines.at(-1), "DONE");
        const last = fin.lines.filter((l) => l.startsWith("C ") || l.startsWith("R ")).at(-1)!
          .split(" ");
        assert.equal(Number(last[1]), ANCHORS - 1, `seed ${seed}: finished`);
        assert.equal(last[2], ref[ANCHORS - 1], `seed ${seed}: final root`);
      }
      assert.ok(kills >= 2 * SEEDS.length, `only ${kills} runs were killed`);
      assert.equal(midFlushKills, SEEDS.length);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
