/**
 * End to end: the real `phantom-miner` program against a real `phantom-node` process on loopback
 * at devnet difficulty. The miner fetches templates over JSON-RPC, hashes on its worker pool,
 * submits solutions, the node finalizes the mints and credits the payout address, and the miner
 * stops cleanly on Ctrl-C (SIGINT) with its counters in a summary line.
 */
import assert from "node:assert/strict";
import { encodeAddress } from "../src/codec/mod.ts";
import {
  freePortRun,
  initDevnet,
  type NodeProcess,
  rpc,
  spawnNode,
  stopNode,
  waitFor,
} from "../src/node/mod.ts";

const MINER = new URL("../phantom-miner.ts", import.meta.url).pathname;

Deno.test({
  name: "phantom-miner mines devnet mints that a phantom-node finalizes to the payout address",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "pc_miner_e2e_" });
    const rpcBase = freePortRun(1, 41000 + (Deno.pid % 2000) * 2);
    const p2pBase = freePortRun(1, rpcBase + 3000);
    const layout = await initDevnet({
      dir,
      seats: 1,
      rpcBasePort: rpcBase,
      p2pBasePort: p2pBase,
      allocations: 1,
    });
    // A payout nobody else uses: a commitment address (the miner needs no key to be paid).
    const payout = encodeAddress(new Uint8Array(32).fill(0x5a), "devnet");
    let node: NodeProcess | null = null;
    let miner: Deno.ChildProcess | null = null;
    try {
      node = await spawnNode(layout, 0, { eventIntervalMs: 50 });
      const url = node.url;
      const before = await waitFor(
        () => rpc<{ nextHeight: string }>(url, "mint_status"),
        30_000,
        "mint_status answers",
      );
      miner = new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "--allow-all",
          MINER,
          "--rpc",
          `${url}/rpc`,
          "--payout",
          payout,
          "--threads",
          "1",
          "--refresh-ms",
          "200",
        ],
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      const start = BigInt(before.nextHeight);
      await waitFor(
        async () => {
          const s = await rpc<{ nextHeight: string }>(url, "mint_status");
          return BigInt(s.nextHeight) >= start + 2n ? s : undefined;
        },
        60_000,
        "two mints finalized",
      );
      const bal = await waitFor(
        async () => {
          const b = await rpc<{ confirmed: string }>(url, "get_balance", { address: payout });
          return BigInt(b.confirmed) > 0n ? b : undefined;
        },
        30_000,
        "payout credited",
      );
      assert.ok(BigInt(bal.confirmed) > 0n, "the payout address holds the mint outputs");

      miner.kill("SIGINT");
      const out = await miner.output();
      miner = null;
      assert.equal(out.code, 0, "the miner exits 0 on Ctrl-C");
      const lines = new TextDecoder().decode(out.stdout).trim().split("\n");
      const summary = lines.map((l) => {
        try {
          return JSON.parse(l) as Record<string, unknown>;
        } catch {
          // Only the JSON log lines matter here; anything else printed is ignored.
          return {};
        }
      }).find((j) => j.msg === "Miner summary");
      assert.ok(summary !== undefined, `a summary line is printed: ${lines.join(" | ")}`);
      assert.ok(Number(summary.accepted) >= 2, `accepted >= 2: ${JSON.stringify(summary)}`);
    } finally {
      if (miner !== null) {
        miner.kill("SIGKILL");
        await miner.output();
      }
      if (node !== null) await stopNode(node);
      await Deno.remove(dir, { recursive: true }).catch(() => {/* best effort temp clean-up */});
    }
  },
});
