import assert from "node:assert/strict";
import { hex } from "@scure/base";
import { encodeAddress, type Mint } from "../codec/mod.ts";
import { blake3 } from "../crypto/mod.ts";
import {
  buildTemplate,
  checkSolution,
  DEVNET_MINT_PARAMS,
  meetsTarget,
  MintChain,
  MintError,
  mintErrorToRpc,
  mintStatus,
  mintStatusToJson,
  payoutFromAddress,
  powHash,
  type PowJob,
  templateMint,
  templateToJson,
} from "../mint/mod.ts";
import { formatHashrate, type HashPool, PhantomMiner, type SubmitOutcome } from "./client.ts";
import { type JsonRpcTransport, MinerRpcError } from "./rpc.ts";

const ADDRESS = encodeAddress({ type: "key", pubkey: new Uint8Array(32).fill(4) }, "devnet");

/** In-process pool: same nonce search as the workers, synchronous, deterministic. */
class InlinePool implements HashPool {
  hasher = "fallback" as const;
  #hashes = 0n;
  start(): Promise<void> {
    return Promise.resolve();
  }
  search(job: PowJob, start = 0n): Promise<{ nonce: bigint; hash: Uint8Array } | null> {
    const buf = job.preimage.slice();
    const dv = new DataView(buf.buffer);
    for (let n = start; n < start + 100_000n; n++) {
      dv.setBigUint64(job.nonceOffset, n, job.nonceLittleEndian);
      const h = blake3(buf);
      this.#hashes++;
      if (meetsTarget(h, job.target)) return Promise.resolve({ nonce: n, hash: h });
    }
    return Promise.resolve(null);
  }
  cancel(): void {}
  hashes(): bigint {
    return this.#hashes;
  }
  stop(): Promise<void> {
    return Promise.resolve();
  }
}

function solveRival(chain: MintChain): Mint {
  const t = buildTemplate(chain, {
    payout: { type: "key", pubkey: new Uint8Array(32).fill(9) },
    tier: 0,
  });
  for (let n = 0n;; n++) {
    const m = templateMint(t, n);
    if (meetsTarget(powHash(m), t.target)) return m;
  }
}

/** A node that finalizes every valid submission at once; `rivalEvery` lets a rival win first. */
function fakeNode(rivalEvery = 0): { chain: MintChain; rpc: JsonRpcTransport; calls: string[] } {
  const chain = new MintChain(DEVNET_MINT_PARAMS);
  const calls: string[] = [];
  let anchor = 0n;
  let submissions = 0;
  const rpc: JsonRpcTransport = {
    call(method, params) {
      calls.push(method);
      try {
        if (method === "get_mint_template") {
          const payout = payoutFromAddress(String(params.payout), "devnet");
          const t = buildTemplate(chain, { payout, tier: Number(params.tier) });
          return Promise.resolve(JSON.parse(JSON.stringify(templateToJson(t))));
        }
        if (method === "submit_mint_solution") {
          submissions++;
          if (rivalEvery > 0 && submissions % rivalEvery === 0) {
            chain.apply(solveRival(chain), anchor++);
          }
          const r = checkSolution(chain, hex.decode(String(params.mint)));
          chain.apply(r.mint, anchor++);
          return Promise.resolve({ mintId: r.mintId, height: r.height.toString() });
        }
        if (method === "mint_status") return Promise.resolve(mintStatusToJson(mintStatus(chain)));
      } catch (e) {
        if (e instanceof MintError) {
          const j = mintErrorToRpc(e);
          return Promise.reject(
            new MinerRpcError(
              "RPC_ERROR",
              { method, rpcCode: j.code, reason: e.code },
              e.message,
            ),
          );
        }
        return Promise.reject(e);
      }
      return Promise.reject(
        new MinerRpcError("RPC_ERROR", { method, rpcCode: -32601 }, "no method"),
      );
    },
  };
  return { chain, rpc, calls };
}

/** Collects submissions; `after(n)` resolves once `n` have been made. */
function submissions(): {
  onSubmit: (r: SubmitOutcome) => void;
  after: (n: number) => Promise<SubmitOutcome[]>;
} {
  const seen: SubmitOutcome[] = [];
  const waiters: { n: number; resolve: (v: SubmitOutcome[]) => void }[] = [];
  const settle = () => {
    for (const w of waiters.filter((x) => seen.length >= x.n)) w.resolve(seen.slice(0, w.n));
  };
  return {
    onSubmit: (r) => {
      seen.push(r);
      settle();
    },
    after: (n) => {
      const p = new Promise<SubmitOutcome[]>((resolve) => waiters.push({ n, resolve }));
      settle();
      return p;
    },
  };
}

Deno.test("PhantomMiner mines, submits and moves on to each new template", async () => {
  const node = fakeNode();
  const w = submissions();
  const miner = new PhantomMiner(
    { payout: ADDRESS, tier: 1, refreshMs: 0, statusMs: 0 },
    { rpc: node.rpc, pool: new InlinePool(), onSubmit: w.onSubmit, randomNonce: () => 0n },
  );
  await miner.start();
  const outcomes = await w.after(4);
  await miner.stop();
  assert.deepEqual(outcomes.map((o) => [o.height, o.accepted]), [
    [0n, true],
    [1n, true],
    [2n, true],
    [3n, true],
  ]);
  assert.ok(node.chain.nextHeight >= 4n);
  const s = miner.stats();
  assert.equal(s.accepted, 4);
  assert.equal(s.rejected, 0);
  assert.ok(s.found >= 4 && s.hashes >= 4n);
});

Deno.test("PhantomMiner counts a stale solution by reason and keeps mining", async () => {
  const node = fakeNode(2);
  const w = submissions();
  const miner = new PhantomMiner(
    { payout: ADDRESS, refreshMs: 0, statusMs: 0 },
    { rpc: node.rpc, pool: new InlinePool(), onSubmit: w.onSubmit, randomNonce: () => 0n },
  );
  await miner.start();
  const outcomes = await w.after(3);
  await miner.stop();
  assert.deepEqual(outcomes.map((o) => o.reason), [undefined, "MINT_STALE", undefined]);
  const s = miner.stats();
  assert.equal(s.rejected, 1);
  assert.deepEqual(s.rejectedByReason, { MINT_STALE: 1 });
  assert.match(miner.statusLine(), /found 3 accepted 2 rejected 1/);
});

Deno.test("PhantomMiner does not re-mine a template it already solved until it changes", async () => {
  const node = fakeNode();
  // A node that accepts submissions but never finalizes them: the template stays the same.
  const frozen: JsonRpcTransport = {
    call: (m, p) => m === "submit_mint_solution" ? Promise.resolve({}) : node.rpc.call(m, p),
  };
  const w = submissions();
  let now = 0;
  const miner = new PhantomMiner(
    { payout: ADDRESS, refreshMs: 0, statusMs: 0, resubmitAfterMs: 1000 },
    { rpc: frozen, pool: new InlinePool(), onSubmit: w.onSubmit, now: () => now },
  );
  await miner.start();
  await w.after(1);
  await miner.refresh();
  assert.equal(miner.stats().found, 1);
  assert.equal(miner.stats().height, undefined);
  now = 2000;
  await miner.refresh();
  await w.after(2);
  assert.equal(miner.stats().found, 2, "mines again after resubmitAfterMs");
  await miner.stop();
});

Deno.test("PhantomMiner survives RPC failures and counts them", async () => {
  const rpc: JsonRpcTransport = {
    call: (method) => Promise.reject(new MinerRpcError("RPC_TRANSPORT", { method }, "refused")),
  };
  const logs: string[] = [];
  const miner = new PhantomMiner(
    { payout: ADDRESS, refreshMs: 0, statusMs: 0 },
    { rpc, pool: new InlinePool(), log: (m) => logs.push(m) },
  );
  await miner.start();
  await miner.refresh();
  assert.equal(miner.stats().rpcErrors, 2);
  assert.ok(logs.includes("Template fetch failed"));
  assert.match(miner.statusLine(), /^waiting \|/);
  await miner.stop();
});

Deno.test("PhantomMiner rejects out-of-range options", () => {
  const rpc = fakeNode().rpc;
  assert.throws(() => new PhantomMiner({ payout: ADDRESS, tier: -1 }, { rpc }), RangeError);
  assert.throws(() => new PhantomMiner({ payout: ADDRESS, refreshMs: -5 }, { rpc }), RangeError);
});

Deno.test("PhantomMiner with the worker pool mines against the fake node", async () => {
  const node = fakeNode();
  const w = submissions();
  const miner = new PhantomMiner(
    { payout: ADDRESS, threads: 2, refreshMs: 0, statusMs: 0 },
    { rpc: node.rpc, onSubmit: w.onSubmit },
  );
  await miner.start();
  const outcomes = await w.after(2);
  await miner.stop();
  assert.ok(outcomes.every((o) => o.accepted));
  assert.ok(node.chain.nextHeight >= 2n);
});

Deno.test("formatHashrate() scales to SI units", () => {
  assert.equal(formatHashrate(0), "0.00 H/s");
  assert.equal(formatHashrate(999), "999.00 H/s");
  assert.equal(formatHashrate(12_345_678), "12.35 MH/s");
});
