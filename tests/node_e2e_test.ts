/**
 * End to end: four phantom-node processes over libp2p on loopback. Transactions submitted over
 * RPC finalize with identical state roots on every node; a validator killed with SIGKILL and
 * restarted reloads its DAG and state from disk and catches up with nothing lost.
 * Polling with deadlines only; the whole test is bounded well under two minutes.
 */
import { bytesToHex } from "@noble/hashes/utils.js";
import assert from "node:assert/strict";
import { encodeAddress } from "../src/codec/mod.ts";
import {
  type Coin,
  faucetPredicates,
  faucetTransfer,
  freePortRun,
  type NodeProcess,
  type NodeStats,
  rootsAgree,
  rpc,
  runDevnet,
  spawnNode,
  stopNode,
  waitFor,
} from "../src/node/mod.ts";
import { tempDevnet } from "./_devnet.ts";

const hex = bytesToHex;

async function finalizedOn(url: string, txid: string): Promise<boolean> {
  const t = await rpc<{ status: string } | null>(url, "get_tx", { txid });
  return t !== null && t.status === "finalized";
}

Deno.test({
  name: "phantom-node devnet: 4 validators finalize txs, a killed node restarts and catches up",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const { dir, layout } = await tempDevnet({
      prefix: "pc_e2e_",
      seats: 4,
      allocations: 16,
      ports: 4,
      from: 31000 + (Deno.pid % 2000) * 4,
    });
    const procs: (NodeProcess | null)[] = [];
    try {
      for (let i = 0; i < 4; i++) procs.push(await spawnNode(layout, i, { antiEntropyMs: 500 }));
      const urls = procs.map((p) => p!.url);
      const faucet = encodeAddress(faucetPredicates(layout.faucet).key, "devnet");
      // Genesis coins mature after 50 anchors on devnet (tier 0).
      await waitFor(
        async () => {
          const s = await Promise.all(urls.map((u) => rpc<NodeStats>(u, "node_stats")));
          return s.every((x) => x.anchor >= 52) ? s : undefined;
        },
        75_000,
        "anchor 52 on every node",
      );
      const utxos = await rpc<{ utxos: { txid: string; index: number; amount: string }[] }>(
        urls[0]!,
        "get_utxos",
        { address: faucet, cursor: null },
      );
      assert.equal(utxos.utxos.length, 16, "genesis allocations visible over RPC");
      const coins: Coin[] = utxos.utxos.map((u) => ({
        txid: u.txid,
        index: u.index,
        amount: BigInt(u.amount),
      }));
      // Phase 1: 8 transfers spread over the four nodes.
      const first: string[] = [];
      for (let i = 0; i < 8; i++) {
        const bytes = faucetTransfer(layout.faucet, coins[i]!, 1_000n);
        const r = await rpc<{ txid: string }>(urls[i % 4]!, "submit_tx", { tx: hex(bytes) });
        first.push(r.txid);
      }
      await waitFor(
        async () => {
          for (const u of urls) for (const t of first) if (!(await finalizedOn(u, t))) return;
          return true;
        },
        30_000,
        "phase 1 txs finalized on every node",
      );
      const s1 = await Promise.all(urls.map((u) => rpc<NodeStats>(u, "node_stats")));
      const common1 = Math.min(...s1.map((s) => s.anchor));
      assert.ok(await rootsAgree(urls, common1), `roots agree at anchor ${common1}`);
      // Bad params are JSON-RPC errors and leave the node running.
      await assert.rejects(rpc(urls[0]!, "get_tx", { txid: "zz" }), /-32602/);
      await assert.rejects(rpc(urls[0]!, "submit_tx", { tx: "00" }), /-32004/);
      // Phase 2: kill -9 node 3, keep submitting to the other three (quorum 3 of 4).
      procs[3]!.child.kill("SIGKILL");
      await procs[3]!.child.status;
      procs[3] = null;
      const second: string[] = [];
      for (let i = 8; i < 12; i++) {
        const bytes = faucetTransfer(layout.faucet, coins[i]!, 1_000n);
        const r = await rpc<{ txid: string }>(urls[i % 3]!, "submit_tx", { tx: hex(bytes) });
        second.push(r.txid);
      }
      await waitFor(
        async () => {
          for (const u of urls.slice(0, 3)) {
            for (const t of second) if (!(await finalizedOn(u, t))) return;
          }
          return true;
        },
        30_000,
        "phase 2 txs finalized on the three live nodes",
      );
      const before = await rpc<NodeStats>(urls[0]!, "node_stats");
      // Phase 3: restart node 3 on the same data directory; it must catch up from disk + peers.
      procs[3] = await spawnNode(layout, 3, { antiEntropyMs: 500 });
      await waitFor(
        async () => {
          const s = await rpc<NodeStats>(urls[3]!, "node_stats");
          if (s.anchor < before.anchor) return;
          for (const t of [...first, ...second]) if (!(await finalizedOn(urls[3]!, t))) return;
          return true;
        },
        45_000,
        `node 3 catching up to anchor ${before.anchor}`,
      );
      const s3 = await Promise.all(urls.map((u) => rpc<NodeStats>(u, "node_stats")));
      const common3 = Math.min(...s3.map((s) => s.anchor));
      assert.ok(common3 >= before.anchor, "every node reached the pre-restart anchor");
      assert.ok(await rootsAgree(urls, common3), `roots agree at anchor ${common3} after restart`);
      const bal = await rpc<{ confirmed: string }>(urls[3]!, "get_balance", { address: faucet });
      assert.equal(
        BigInt(bal.confirmed),
        16n * 1_000n * 100_000_000n - 12n * 1_000n,
        "faucet balance after 12 transfers with fee 1000 each",
      );
    } finally {
      await Promise.all(procs.map((p) => p === null ? 0 : stopNode(p)));
      // Best-effort cleanup of a temp dir; a leftover does not affect the result.
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});

Deno.test({
  name: "runDevnet() bounded run with k = 1 mines, finalizes and summarises as ok",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "pc_devnet_" });
    try {
      const rpcBase = freePortRun(1, 33000 + (Deno.pid % 2000));
      const summary = await runDevnet({
        dir,
        seats: 1,
        rpcBasePort: rpcBase,
        p2pBasePort: freePortRun(1, rpcBase + 3000),
        txRate: 0,
        durationS: 8,
        mineEveryMs: 300,
      });
      assert.equal(summary.seats, 1);
      assert.ok(summary.anchors > 0, `anchors advanced: ${JSON.stringify(summary)}`);
      assert.ok(summary.mints > 0, `mints accepted: ${JSON.stringify(summary)}`);
      assert.equal(summary.roots_identical, true);
      assert.equal(summary.ok, true);
      assert.equal(summary.peak_rss_bytes.length, 1);
    } finally {
      // Best-effort cleanup of a temp dir; a leftover does not affect the result.
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});
