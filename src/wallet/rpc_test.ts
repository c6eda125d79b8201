import assert from "node:assert/strict";
import { bytesToHex } from "@noble/hashes/utils.js";
import { encodePredicate, encodeTx, type Tx } from "../codec/mod.ts";
import { WalletError } from "./errors.ts";
import { NodeRpcClient } from "./rpc.ts";

const PRED = bytesToHex(encodePredicate({ type: "key", pubkey: new Uint8Array(32).fill(1) }));
const TX: Tx = {
  version: 1,
  networkId: 2,
  kind: { type: "transfer" },
  inputs: [{ prevout: { txId: new Uint8Array(32).fill(5), index: 0 } }],
  outputs: [{ amount: 5n, predicate: { type: "key", pubkey: new Uint8Array(32).fill(1) } }],
  fee: 1n,
  witnesses: [{ sigs: [], signers: 0, preimage: null, reveal: null }],
};

/** A client whose fetch answers `result` (or a raw body) for every call, recording requests. */
function fake(answer: (method: string, params: Record<string, unknown>) => unknown, raw?: string) {
  const calls: { method: string; params: Record<string, unknown>; auth: string | null }[] = [];
  const f: typeof fetch = async (_url, init) => {
    const req = JSON.parse(String(init?.body));
    const headers = new Headers(init?.headers);
    calls.push({ method: req.method, params: req.params, auth: headers.get("authorization") });
    if (raw !== undefined) return new Response(raw);
    return Response.json({
      jsonrpc: "2.0",
      id: req.id,
      result: await answer(req.method, req.params),
    });
  };
  return { rpc: new NodeRpcClient({ url: "http://node.invalid", token: "t0k", fetch: f }), calls };
}

async function rejectsWallet(p: Promise<unknown>, code: string, field?: string) {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof WalletError, `expected WalletError, got ${e}`);
    assert.equal(e.code, code, e.message);
    if (field !== undefined) assert.equal((e.data as { field: string }).field, field);
    return true;
  });
}

Deno.test("NodeRpcClient transport test against a local Deno.serve fake (HTTP, JSON-RPC 2.0, bearer)", async () => {
  const seen: { path: string; auth: string | null; body: Record<string, unknown> }[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const body = await req.json();
    seen.push({ path: new URL(req.url).pathname, auth: req.headers.get("authorization"), body });
    if (body.method === "get_fee_floor") {
      return Response.json({
        jsonrpc: "2.0",
        id: body.id,
        result: { units_per_byte: "3", min_fee: "500" },
      });
    }
    return Response.json({
      jsonrpc: "2.0",
      id: body.id,
      error: { code: -32601, message: "Method not found" },
    });
  });
  try {
    const rpc = new NodeRpcClient({ url: `http://127.0.0.1:${server.addr.port}/`, token: "abc" });
    assert.deepEqual(await rpc.getFeeFloor(), { unitsPerByte: 3n, minFee: 500n });
    await rejectsWallet(rpc.getBalance("tpc1x"), "RPC_ERROR");
    assert.equal(seen[0]!.path, "/rpc");
    assert.equal(seen[0]!.auth, "Bearer abc");
    assert.equal(seen[0]!.body.jsonrpc, "2.0");
    assert.deepEqual(seen[1]!.body.params, { address: "tpc1x" });
  } finally {
    await server.shutdown();
  }
  const down = new NodeRpcClient({ url: "http://127.0.0.1:1" });
  await rejectsWallet(down.getFeeFloor(), "RPC_TRANSPORT");
});

Deno.test("NodeRpcClient parses each wallet method's result", async () => {
  const { rpc, calls } = fake((m) => {
    switch (m) {
      case "get_balance":
        return { confirmed: "100", pending: "-5" };
      case "get_utxos":
        return {
          utxos: [{ txid: "ab".repeat(32), index: 2, amount: "7", predicate: PRED, anchor: "9" }],
          next_cursor: null,
        };
      case "submit_tx":
        return { txid: "cd".repeat(32) };
      case "get_tx":
        return { tx: bytesToHex(encodeTx(TX)), status: "finalized", anchor: "12" };
      case "get_fee_floor":
        return { units_per_byte: "1", min_fee: "100" };
    }
  });
  assert.deepEqual(await rpc.getBalance("a"), { confirmed: 100n, pending: -5n });
  const u = await rpc.getAllUtxos("a");
  assert.equal(u.length, 1);
  assert.equal(u[0]!.outpoint.index, 2);
  assert.equal(u[0]!.output.amount, 7n);
  assert.equal(u[0]!.anchor, 9n);
  assert.equal(bytesToHex(await rpc.submitTx(encodeTx(TX))), "cd".repeat(32));
  const t = await rpc.getTx(new Uint8Array(32));
  assert.equal(t?.status, "finalized");
  assert.equal(t?.anchor, 12n);
  assert.deepEqual(await rpc.getFeeFloor(), { unitsPerByte: 1n, minFee: 100n });
  assert.deepEqual(calls.map((c) => c.method), [
    "get_balance",
    "get_utxos",
    "submit_tx",
    "get_tx",
    "get_fee_floor",
  ]);
  assert.equal(calls[0]!.auth, "Bearer t0k");
});

Deno.test("NodeRpcClient.getAllUtxos() follows cursors", async () => {
  const { rpc, calls } = fake((_m, p) => {
    const page = p.cursor === null ? 0 : Number(p.cursor);
    return {
      utxos: [{
        txid: bytesToHex(new Uint8Array(32).fill(page + 1)),
        index: 0,
        amount: "1",
        predicate: PRED,
        anchor: "1",
      }],
      next_cursor: page < 2 ? String(page + 1) : null,
    };
  });
  assert.equal((await rpc.getAllUtxos("a")).length, 3);
  assert.deepEqual(calls.map((c) => c.params.cursor), [null, "1", "2"]);
});

Deno.test("NodeRpcClient rejects malformed results naming the field", async () => {
  const u = { txid: "ab".repeat(32), index: 0, amount: "1", predicate: PRED, anchor: "1" };
  const cases: [string, unknown, (r: NodeRpcClient) => Promise<unknown>, string][] = [
    ["get_balance", null, (r) => r.getBalance("a"), "result"],
    ["get_balance", { confirmed: 1, pending: "0" }, (r) => r.getBalance("a"), "confirmed"],
    ["get_balance", { confirmed: "01", pending: "0" }, (r) => r.getBalance("a"), "confirmed"],
    ["get_balance", { confirmed: "1", pending: "x" }, (r) => r.getBalance("a"), "pending"],
    ["get_utxos", { utxos: {}, next_cursor: null }, (r) => r.getUtxos("a"), "utxos"],
    [
      "get_utxos",
      { utxos: [{ ...u, txid: "ab" }], next_cursor: null },
      (r) => r.getUtxos("a"),
      "utxos/0/txid",
    ],
    [
      "get_utxos",
      { utxos: [{ ...u, index: 64 }], next_cursor: null },
      (r) => r.getUtxos("a"),
      "utxos/0/index",
    ],
    [
      "get_utxos",
      { utxos: [{ ...u, amount: "0" }], next_cursor: null },
      (r) => r.getUtxos("a"),
      "utxos/0/amount",
    ],
    [
      "get_utxos",
      { utxos: [{ ...u, predicate: "0009" }], next_cursor: null },
      (r) => r.getUtxos("a"),
      "utxos/0/predicate",
    ],
    [
      "get_utxos",
      { utxos: [{ ...u, anchor: -1 }], next_cursor: null },
      (r) => r.getUtxos("a"),
      "utxos/0/anchor",
    ],
    ["get_utxos", { utxos: [], next_cursor: 5 }, (r) => r.getUtxos("a"), "next_cursor"],
    ["submit_tx", { txid: "00" }, (r) => r.submitTx(new Uint8Array(1)), "txid"],
    [
      "get_tx",
      { tx: "00", status: "pending", anchor: null },
      (r) => r.getTx(new Uint8Array(32)),
      "tx",
    ],
    [
      "get_tx",
      { tx: bytesToHex(encodeTx(TX)), status: "gone", anchor: null },
      (r) => r.getTx(new Uint8Array(32)),
      "status",
    ],
    [
      "get_tx",
      { tx: bytesToHex(encodeTx(TX)), status: "pending", anchor: "3" },
      (r) => r.getTx(new Uint8Array(32)),
      "anchor",
    ],
    ["get_fee_floor", { units_per_byte: "1" }, (r) => r.getFeeFloor(), "min_fee"],
  ];
  for (const [method, result, call, field] of cases) {
    const { rpc } = fake(() => result);
    await rejectsWallet(call(rpc), "RPC_BAD_RESPONSE", field).catch((e) => {
      throw new Error(`${method} ${field}: ${e.message}`);
    });
  }
});

Deno.test("NodeRpcClient reports non-JSON-RPC bodies as RPC_TRANSPORT", async () => {
  for (
    const raw of [
      "<html>",
      "{}",
      '{"jsonrpc":"2.0","id":99,"result":1}',
      '{"jsonrpc":"2.0","id":1}',
    ]
  ) {
    const { rpc } = fake(() => null, raw);
    await rejectsWallet(rpc.getFeeFloor(), "RPC_TRANSPORT");
  }
  assert.throws(() => new NodeRpcClient({ url: "ftp://x" }), TypeError);
});

Deno.test("NodeRpcClient keeps a JSON-RPC error's code, message and data in WalletError RPC_ERROR", async () => {
  const cases: [unknown, Record<string, unknown> | null, string | null][] = [
    [
      { code: "TX_IMMATURE", txid: "ab", spendableAt: 57 },
      { code: "TX_IMMATURE", txid: "ab", spendableAt: 57 },
      "TX_IMMATURE",
    ],
    [{ path: "address" }, { path: "address" }, null],
    [undefined, null, null],
    [["not", "an", "object"], null, null],
    ["text", null, null],
  ];
  for (const [data, rpcData, reason] of cases) {
    const error = data === undefined
      ? { code: -32004, message: "Refused" }
      : { code: -32004, message: "Refused", data };
    const { rpc } = fake(() => null, JSON.stringify({ jsonrpc: "2.0", id: 1, error }));
    await assert.rejects(rpc.submitTx(encodeTx(TX)), (e: unknown) => {
      assert.ok(e instanceof WalletError && e.code === "RPC_ERROR", String(e));
      assert.deepEqual((e as WalletError<"RPC_ERROR">).data, {
        method: "submit_tx",
        rpcCode: -32004,
        rpcMessage: "Refused",
        rpcData,
        reason,
      }, JSON.stringify(data));
      if (reason !== null) assert.match(e.message, new RegExp(`\\(${reason}\\)$`));
      return true;
    });
  }
});

Deno.test("NodeRpcClient.getHistory() parses a page and refuses malformed entries", async () => {
  const entry = {
    txid: "ab".repeat(32),
    anchor: "9",
    kind: "tx",
    credit: "5",
    debit: "12",
    delta: "-7",
  };
  const { rpc, calls } = fake(() => ({ entries: [entry], next_cursor: "41", truncated: false }));
  const page = await rpc.getHistory("a", { limit: 3, cursor: "42" });
  assert.deepEqual(calls[0]!.params, { address: "a", cursor: "42", limit: 3 });
  assert.equal(page.nextCursor, "41");
  assert.deepEqual(
    { ...page.entries[0]!, txId: bytesToHex(page.entries[0]!.txId) },
    { txId: "ab".repeat(32), anchor: 9n, kind: "tx", credit: 5n, debit: 12n, delta: -7n },
  );
  const bad: [unknown, string][] = [
    [
      { entries: [{ ...entry, delta: "7" }], next_cursor: null, truncated: false },
      "entries/0/delta",
    ],
    [
      { entries: [{ ...entry, kind: "gift" }], next_cursor: null, truncated: false },
      "entries/0/kind",
    ],
    [
      { entries: [{ ...entry, txid: "ab" }], next_cursor: null, truncated: false },
      "entries/0/txid",
    ],
    [{ entries: [], next_cursor: "x", truncated: false }, "next_cursor"],
    [{ entries: [], next_cursor: null }, "truncated"],
    [{ entries: null, next_cursor: null, truncated: false }, "entries"],
  ];
  for (const [result, field] of bad) {
    const { rpc } = fake(() => result);
    await rejectsWallet(rpc.getHistory("a"), "RPC_BAD_RESPONSE", field);
  }
});
