import assert from "node:assert/strict";
import { httpJsonRpc, MinerRpcError } from "./rpc.ts";

type Handler = (body: { id: number; method: string; params: unknown }) => Response;

function fakeFetch(handler: Handler): typeof fetch {
  return ((_url: string | URL | Request, init?: RequestInit) =>
    Promise.resolve(handler(JSON.parse(String(init?.body))))) as typeof fetch;
}

async function failure(p: Promise<unknown>): Promise<MinerRpcError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof MinerRpcError, String(e));
    return e;
  }
  assert.fail("expected a MinerRpcError");
}

Deno.test("httpJsonRpc() posts a JSON-RPC 2.0 call and returns its result", async () => {
  const seen: unknown[] = [];
  const rpc = httpJsonRpc(
    "http://127.0.0.1:1",
    fakeFetch((b) => {
      seen.push(b);
      return Response.json({ jsonrpc: "2.0", id: b.id, result: { ok: b.method } });
    }),
  );
  assert.deepEqual(await rpc.call("mint_status", {}), { ok: "mint_status" });
  assert.deepEqual(seen, [{ jsonrpc: "2.0", id: 1, method: "mint_status", params: {} }]);
});

Deno.test("httpJsonRpc() surfaces the error reason of a rejected submission", async () => {
  const rpc = httpJsonRpc(
    "http://127.0.0.1:1",
    fakeFetch((b) =>
      Response.json({
        jsonrpc: "2.0",
        id: b.id,
        error: { code: -32043, message: "Mint is stale", data: { reason: "MINT_STALE" } },
      })
    ),
  );
  const e = await failure(rpc.call("submit_mint_solution", { mint: "00" }));
  assert.equal(e.code, "RPC_ERROR");
  assert.equal(e.data.reason, "MINT_STALE");
  assert.equal(e.data.rpcCode, -32043);
});

Deno.test("httpJsonRpc() rejects transport failures and malformed responses", async () => {
  const down = httpJsonRpc(
    "http://127.0.0.1:1",
    (() => Promise.reject(new Error("refused"))) as typeof fetch,
  );
  assert.equal((await failure(down.call("x", {}))).code, "RPC_TRANSPORT");
  const http500 = httpJsonRpc(
    "http://127.0.0.1:1",
    fakeFetch(() => new Response("oops", { status: 500 })),
  );
  assert.equal((await failure(http500.call("x", {}))).data.status, 500);
  const wrongId = httpJsonRpc(
    "http://127.0.0.1:1",
    fakeFetch(() => Response.json({ jsonrpc: "2.0", id: 99, result: 1 })),
  );
  assert.equal((await failure(wrongId.call("x", {}))).code, "RPC_BAD_RESPONSE");
  const notJson = httpJsonRpc("http://127.0.0.1:1", fakeFetch(() => new Response("<html>")));
  assert.equal((await failure(notJson.call("x", {}))).code, "RPC_BAD_RESPONSE");
  assert.throws(() => httpJsonRpc("ftp://x"), TypeError);
});
