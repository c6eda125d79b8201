/**
 * End to end (issue 9, ADR 0057): a 2-seat devnet whose seats sign through one phantom-signer.
 * Node 1 is stopped and its DAG and state are wiped. Restarted, it first asks the signer for seq 0
 * again, which slashing protection refuses (typed, counted); it then syncs its own old events from
 * node 0, its tip reaches the signer's mark, and it signs again: the network (which needs both
 * seats for a quorum) finalizes further anchors with identical roots.
 */
import assert from "node:assert/strict";
import {
  freePortRun,
  initDevnet,
  type NodeProcess,
  readGenesis,
  rootsAgree,
  spawnDevnetSigner,
  spawnNode,
  stopNode,
  waitFor,
} from "../src/node/mod.ts";
import { anchorOf, dumpNodeLogs, metricSum } from "./_devnet.ts";

Deno.test({
  name: "a seat with a wiped DAG is refused by its signer, resyncs from peers and signs again",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "pc_signer_resync_" });
    const rpcBase = freePortRun(2, 49000 + (Deno.pid % 500) * 2);
    const layout = await initDevnet({
      dir,
      seats: 2,
      rpcBasePort: rpcBase,
      p2pBasePort: freePortRun(2, rpcBase + 2000),
      allocations: 1,
      remoteSigner: true,
    });
    const signer = await spawnDevnetSigner(
      layout.signer!,
      (await readGenesis(layout.genesisPath)).genesisId,
    );
    const procs: (NodeProcess | null)[] = [];
    try {
      for (const i of [0, 1]) {
        procs.push(await spawnNode(layout, i, { eventIntervalMs: 30, antiEntropyMs: 300 }));
      }
      const [a, b] = procs as NodeProcess[];
      await waitFor(
        async () => (await anchorOf(a!.url)) >= 5 && (await anchorOf(b!.url)) >= 5 || undefined,
        30_000,
        "5 anchors on both nodes",
      );
      await stopNode(b!);
      procs[1] = null;
      const before = await anchorOf(a!.url);
      for (const f of ["chain.kv", "chain.kv-wal", "chain.kv-shm", "state.kv", "state.kv-wal"]) {
        await Deno.remove(`${b!.spec.dataDir}/devnet/${f}`).catch(() => {/* absent */});
      }
      // Node 0 is down while the wiped seat starts, so the seat cannot catch up on its own old
      // events first (on a loaded host it sometimes did, and then never asked for seq 0): its
      // first event is a new seq 0, which the signer must refuse.
      await stopNode(a!);
      procs[0] = null;
      const b2 = await spawnNode(layout, 1, { eventIntervalMs: 30, antiEntropyMs: 300 });
      procs[1] = b2;
      await waitFor(
        async () =>
          (await metricSum(b2.url, "pc_node_signer_errors_total", { code: "SIGNER_REFUSED" })) >=
            1 ||
          undefined,
        20_000,
        "the signer refuses the wiped seat's seq 0",
      );
      const a2 = await spawnNode(layout, 0, { eventIntervalMs: 30, antiEntropyMs: 300 });
      procs[0] = a2;
      // Both seats are needed for a quorum: new anchors mean node 1 signs again.
      const resumed = await waitFor(
        async () => {
          const x = await anchorOf(a2.url);
          const y = await anchorOf(b2.url);
          return x >= before + 5 && y >= before + 5 ? Math.min(x, y) : undefined;
        },
        45_000,
        "anchors beyond the wipe on both nodes",
      );
      assert.ok(await rootsAgree([a2.url, b2.url], resumed), "identical roots after the resync");
      assert.equal(await metricSum(b2.url, "pc_node_signer_up"), 1, "the signer answers again");
    } catch (e) {
      await dumpNodeLogs(layout.nodes.map((n) => n.dataDir));
      throw e;
    } finally {
      for (const p of procs) if (p !== null) await stopNode(p);
      signer.kill("SIGTERM");
      await signer.status;
      await Deno.remove(dir, { recursive: true }).catch(() => {/* best effort temp clean-up */});
    }
  },
});
