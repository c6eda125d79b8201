/**
 * End to end, snapshot sync (issue 8): a four-validator devnet over libp2p; one validator is
 * stopped and `phantom-node snapshot export` writes its snapshot (state + consensus checkpoint);
 * a NEW full node imports it with `snapshot import --trusted-root --trusted-anchor` (values taken
 * from another validator over RPC), starts with no DAG history before the snapshot, fetches the
 * DAG after it from its peers and finalizes the same anchors with the same state roots as the
 * validators. Polling with deadlines only.
 */
import assert from "node:assert/strict";
import { peerIdFromPrivateKey } from "@libp2p/peer-id";
import { loadOrCreateIdentity } from "../src/p2p/mod.ts";
import {
  type DevnetLayout,
  type NodeProcess,
  type NodeStats,
  rootsAgree,
  rpc,
  spawnNode,
  stopNode,
  waitFor,
} from "../src/node/mod.ts";
import { tempDevnet } from "./_devnet.ts";

const ENTRY = new URL("../phantom-node.ts", import.meta.url).pathname;

/** Runs `phantom-node snapshot <args>` and returns its JSON answer. */
async function snapshotCli(
  layout: DevnetLayout,
  dataDir: string,
  args: string[],
): Promise<{ anchor: string; height: number; stateRoot: string; checkpointEvents: number }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      ENTRY,
      "snapshot",
      ...args,
      "--network",
      "devnet",
      "--data-dir",
      dataDir,
      "--genesis",
      layout.genesisPath,
    ],
    stdin: "null",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  assert.equal(out.code, 0, `snapshot ${args[0]}: ${new TextDecoder().decode(out.stderr)}`);
  return JSON.parse(text.trim().split("\n").at(-1)!);
}

Deno.test({
  name: "phantom-node: a new node started from an exported snapshot follows the devnet",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const { dir, layout, rpcBase, p2pBase } = await tempDevnet({
      prefix: "pc_snapsync_",
      seats: 4,
      allocations: 4,
      ports: 5,
      from: 33000 + (Deno.pid % 1500) * 5,
    });
    const procs: (NodeProcess | null)[] = [];
    try {
      for (let i = 0; i < 4; i++) procs.push(await spawnNode(layout, i, { antiEntropyMs: 500 }));
      const stats = (u: string) => rpc<NodeStats>(u, "node_stats");
      await waitFor(
        async () => {
          const s = await Promise.all(procs.map((p) => stats(p!.url)));
          return s.every((x) => x.anchor >= 36) ? s : undefined;
        },
        60_000,
        "anchor 36 on every validator",
      );
      // Validator 3 stops (the other three keep a quorum) and exports its snapshot.
      await stopNode(procs[3]!);
      procs[3] = null;
      const file = `${dir}/node3.snap`;
      const exported = await snapshotCli(layout, layout.nodes[3]!.dataDir, ["export", file]);
      const n = exported.height;
      assert.ok(n >= 36 && exported.checkpointEvents > 0);
      procs[3] = await spawnNode(layout, 3, { antiEntropyMs: 500 });
      // The operator trusts anchor N as a running validator reports it.
      const trusted = await rpc<{ id: string; root: string }>(procs[0]!.url, "get_anchor", {
        index: n,
      });
      assert.equal(trusted.root, exported.stateRoot);
      // A new full node (no seat key) with an empty data dir imports the snapshot and starts.
      const spec = {
        seat: 4,
        dataDir: `${dir}/node4`,
        rpcPort: rpcBase + 4,
        p2pPort: p2pBase + 4,
        peerId: peerIdFromPrivateKey(await loadOrCreateIdentity(`${dir}/node4/devnet`)).toString(),
      };
      const imported = await snapshotCli(layout, spec.dataDir, [
        "import",
        file,
        "--trusted-root",
        trusted.root,
        "--trusted-anchor",
        trusted.id,
      ]);
      assert.equal(imported.height, n);
      const wider: DevnetLayout = { ...layout, nodes: [...layout.nodes, spec] };
      procs.push(await spawnNode(wider, 4, { antiEntropyMs: 500 }));
      const urls = procs.map((p) => p!.url);
      const target = await waitFor(
        async () => {
          const s = await Promise.all(urls.map(stats));
          const tip = Math.min(...s.map((x) => x.anchor));
          return tip >= n + 15 ? tip : undefined;
        },
        60_000,
        `anchor ${n + 15} on every node, the new one included`,
      );
      const newNode = await stats(urls[4]!);
      assert.ok(newNode.events > 0);
      for (const i of [n + 1, n + 2, n + 10, target]) {
        assert.ok(await rootsAgree(urls, i), `same anchor id and state root at ${i}`);
      }
      // It holds no history before the snapshot: anchor N is its first record.
      await assert.rejects(rpc(urls[4]!, "get_anchor", { index: n - 1 }), /Unknown anchor/);
    } finally {
      await Promise.all(procs.map((p) => p === null ? 0 : stopNode(p)));
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});
