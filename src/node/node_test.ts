import assert from "node:assert/strict";
import { loadConfig } from "./config.ts";
import { NodeError } from "./errors.ts";
import { PhantomNode } from "./node.ts";

async function tempConfig(extra: Record<string, string> = {}) {
  const dir = await Deno.makeTempDir();
  const loaded = loadConfig({
    env: { HOME: dir },
    flags: { "node.data_dir": dir, "node.network": "devnet", "rpc.port": "0", ...extra },
    readFile: () => null,
  });
  return { dir, loaded };
}

Deno.test("PhantomNode.stop() stops intake first, then flushes, closes KV, releases the lock", async () => {
  const { dir, loaded } = await tempConfig();
  const seen: string[] = [];
  let node: PhantomNode | null = null;
  let port = 0;
  node = new PhantomNode({ loaded, version: "test" }, {
    components: [{
      name: "engine",
      start() {
        seen.push("engine start: kv open " + String(node?.kv !== null));
      },
      async stop() {
        // RPC must already be closed: intake stops before the engines.
        const refused = await fetch(`http://127.0.0.1:${port}/status/node`).then(
          async (r) => {
            await r.body?.cancel();
            return false;
          },
          () => true,
        );
        seen.push(`engine stop: rpc refused ${refused}, kv open ${node?.kv !== null}`);
        // The flush queue is still open while engines stop: a final flush can complete.
        await node?.flushQueue.flush(() => Promise.resolve());
        seen.push("engine final flush done");
      },
    }],
  });
  await node.start();
  port = node.rpc?.port ?? 0;
  assert.ok(port > 0);
  const res = await fetch(`http://127.0.0.1:${port}/status/node`);
  const status = await res.json();
  assert.equal(status.network, "devnet");
  assert.equal(status.sync_state, "synced");
  assert.equal(status.caches.header.capacity, 100000);
  assert.equal(status.signer, null, "no seat signer module: reported as a full node");
  await node.stop();
  assert.deepEqual(seen, [
    "engine start: kv open true",
    "engine stop: rpc refused true, kv open true",
    "engine final flush done",
  ]);
  assert.equal(node.kv, null);
  assert.equal(await Deno.readTextFile(`${dir}/devnet/LOCK`), "");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("PhantomNode.start() fails on a locked data dir and leaves nothing running", async () => {
  const { dir, loaded } = await tempConfig();
  const a = new PhantomNode({ loaded, version: "test" });
  await a.start();
  const b = new PhantomNode({ loaded, version: "test" });
  await assert.rejects(
    () => b.start(),
    (e: unknown) => e instanceof NodeError && e.code === "DATA_DIR_LOCKED",
  );
  await b.stop();
  await a.stop();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("PhantomNode without metrics answers 404 at /metrics and still serves RPC", async () => {
  const { dir, loaded } = await tempConfig({ "metrics.enabled": "false" });
  const node = new PhantomNode({ loaded, version: "test" });
  await node.start();
  try {
    const m = await fetch(`http://127.0.0.1:${node.rpc?.port}/metrics`);
    await m.body?.cancel();
    assert.equal(m.status, 404);
    const r = await fetch(`http://127.0.0.1:${node.rpc?.port}/rpc`, {
      method: "POST",
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "mempool_info" }),
    });
    assert.deepEqual(await r.json(), { jsonrpc: "2.0", id: 1, result: { txs: 0, bytes: 0 } });
  } finally {
    await node.stop();
  }
  await Deno.remove(dir, { recursive: true });
});
