import assert from "node:assert/strict";
import { Registry } from "prom-client";
import { createRpcMetrics } from "../metrics/mod.ts";
import { RPC_ERROR, RpcError } from "./errors.ts";
import { p } from "./params.ts";
import { MethodRegistry } from "./registry.ts";
import { RpcServer, type RpcServerOptions } from "./server.ts";

interface Harness {
  url: string;
  server: RpcServer;
  registry: Registry;
  clock: { t: number };
  [Symbol.asyncDispose](): Promise<void>;
}

async function harness(opts: Partial<RpcServerOptions> = {}): Promise<Harness> {
  const methods = new MethodRegistry();
  methods.register(
    "echo",
    "Returns s",
    p.object({ s: p.string({ maxLength: 16 }), n: p.optional(p.integer(0, 9)) }),
    ({ s }) => s,
  );
  methods.register("boom", "Fails inside", p.none(), () => {
    throw new Error("secret path /home/x/key");
  });
  methods.register("missing", "Throws an app error", p.object({ id: p.hex(4) }), ({ id }) => {
    throw new RpcError(RPC_ERROR.NOT_FOUND, `Unknown object: "${id}"`, { id });
  });
  methods.register("big", "Returns a bigint", p.none(), () => ({ v: 2n ** 70n }));
  const registry = new Registry();
  const clock = { t: 0 };
  const server = new RpcServer({
    hostname: "127.0.0.1",
    port: 0,
    maxBodyBytes: 4096,
    maxBatch: 4,
    rateLimitRps: 0,
    rateLimitBurst: 1,
    now: () => clock.t,
    ...opts,
  }, {
    registry: methods,
    status: () => ({ network: "devnet" }),
    metricsRegistry: registry,
    metrics: createRpcMetrics(registry),
  });
  await server.start();
  return {
    url: `http://127.0.0.1:${server.port}`,
    server,
    registry,
    clock,
    [Symbol.asyncDispose]: () => server.stop(),
  };
}

async function post(
  h: Harness,
  body: string | Uint8Array<ArrayBuffer> | ReadableStream<Uint8Array<ArrayBuffer>>,
  headers: Record<string, string> = {},
) {
  const res = await fetch(`${h.url}/rpc`, { method: "POST", body, headers });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text === "" ? null : JSON.parse(text) };
}

async function stillServes(h: Harness) {
  const r = await post(
    h,
    JSON.stringify({ jsonrpc: "2.0", id: "ok", method: "echo", params: { s: "alive" } }),
  );
  assert.deepEqual(r.json, { jsonrpc: "2.0", id: "ok", result: "alive" }, "node still answers");
}

Deno.test("RpcServer answers a valid call and positional params", async () => {
  await using h = await harness();
  const r = await post(
    h,
    JSON.stringify({ jsonrpc: "2.0", id: 1, method: "echo", params: ["hi"] }),
  );
  assert.equal(r.status, 200);
  assert.deepEqual(r.json, { jsonrpc: "2.0", id: 1, result: "hi" });
  const b = await post(h, JSON.stringify({ jsonrpc: "2.0", id: 2, method: "big" }));
  assert.deepEqual(b.json.result, { v: "1180591620717411303424" });
});

Deno.test("RpcServer returns -32700 for malformed JSON and invalid UTF-8", async () => {
  await using h = await harness();
  for (
    const body of [
      '{"jsonrpc": "2.0", "id": 1, "method": "echo"',
      "",
      "nul\u0000l",
      new Uint8Array([0x22, 0xff, 0x22]),
    ]
  ) {
    const r = await post(h, body);
    assert.equal(r.status, 200);
    assert.equal(r.json.error.code, RPC_ERROR.PARSE_ERROR, `body ${String(body)}`);
    assert.equal(r.json.id, null);
    assert.match(r.json.error.message, /^Parse error: /);
  }
  await stillServes(h);
});

Deno.test("RpcServer returns -32600 for every kind of invalid request object", async () => {
  await using h = await harness();
  const cases: [unknown, RegExp, unknown][] = [
    [42, /expected a JSON-RPC 2.0 request object/, null],
    [null, /expected a JSON-RPC 2.0 request object/, null],
    [{ id: 1, method: "echo" }, /jsonrpc must be "2.0"/, 1],
    [{ jsonrpc: "1.0", id: 1, method: "echo" }, /jsonrpc must be "2.0"/, 1],
    [{ jsonrpc: "2.0", id: 1, method: 7 }, /method must be a string/, 1],
    [
      { jsonrpc: "2.0", id: { a: 1 }, method: "echo" },
      /id must be a string, a number or null/,
      null,
    ],
    [
      { jsonrpc: "2.0", id: 3, method: "echo", params: "s" },
      /params must be an object or an array/,
      3,
    ],
  ];
  for (const [req, msg, id] of cases) {
    const r = await post(h, JSON.stringify(req));
    assert.equal(r.json.error.code, RPC_ERROR.INVALID_REQUEST, JSON.stringify(req));
    assert.match(r.json.error.message, msg, JSON.stringify(req));
    assert.equal(r.json.id, id, JSON.stringify(req));
  }
  await stillServes(h);
});

Deno.test("RpcServer returns -32601 for unknown methods without using the name as a metric label", async () => {
  await using h = await harness();
  const r = await post(h, JSON.stringify({ jsonrpc: "2.0", id: 9, method: "no_such_thing" }));
  assert.equal(r.json.error.code, RPC_ERROR.METHOD_NOT_FOUND);
  assert.equal(r.json.error.message, 'Method not found: "no_such_thing"');
  const text = await h.registry.metrics();
  assert.ok(!text.includes("no_such_thing"));
  assert.match(text, /pc_rpc_requests_total\{method="unknown",outcome="-32601"\} 1/);
});

Deno.test("RpcServer returns -32602 naming the bad parameter", async () => {
  await using h = await harness();
  const cases: [unknown, string][] = [
    [{ s: 5 }, "s"],
    [{ s: "x".repeat(17) }, "s"],
    [{}, "s"],
    [{ s: "a", n: 10 }, "n"],
    [{ s: "a", extra: true }, "extra"],
    [["a", 1, 2], ""],
    [[], "s"],
  ];
  for (const [params, path] of cases) {
    const r = await post(h, JSON.stringify({ jsonrpc: "2.0", id: 1, method: "echo", params }));
    assert.equal(r.json.error.code, RPC_ERROR.INVALID_PARAMS, JSON.stringify(params));
    assert.equal(r.json.error.data.path, path, JSON.stringify(params));
    assert.match(r.json.error.message, /^Invalid params: /);
  }
  const none = await post(
    h,
    JSON.stringify({ jsonrpc: "2.0", id: 1, method: "boom", params: [1] }),
  );
  assert.equal(none.json.error.code, RPC_ERROR.INVALID_PARAMS);
  await stillServes(h);
});

Deno.test("RpcServer hides internal errors (-32603) and passes app errors through", async () => {
  await using h = await harness();
  const r = await post(h, JSON.stringify({ jsonrpc: "2.0", id: 1, method: "boom" }));
  assert.deepEqual(r.json.error, { code: RPC_ERROR.INTERNAL_ERROR, message: "Internal error" });
  const m = await post(
    h,
    JSON.stringify({ jsonrpc: "2.0", id: 2, method: "missing", params: { id: "0a0b0c0d" } }),
  );
  assert.deepEqual(m.json.error, {
    code: RPC_ERROR.NOT_FOUND,
    message: 'Unknown object: "0a0b0c0d"',
    data: { id: "0a0b0c0d" },
  });
  await stillServes(h);
});

Deno.test("RpcServer refuses oversized bodies with 413, by Content-Length and by streamed size", async () => {
  await using h = await harness();
  const big = JSON.stringify({
    jsonrpc: "2.0",
    id: 1,
    method: "echo",
    params: { s: "x".repeat(5000) },
  });
  const r = await post(h, big);
  assert.equal(r.status, 413);
  assert.equal(r.json.error.code, RPC_ERROR.REQUEST_TOO_LARGE);
  assert.equal(r.json.error.data.max_body_bytes, 4096);
  // No Content-Length: a chunked stream is cut off once it passes the limit.
  const chunk = new TextEncoder().encode("[" + " ".repeat(1023));
  let sent = 0;
  const stream = new ReadableStream<Uint8Array<ArrayBuffer>>({
    pull(c) {
      if (sent++ < 8) c.enqueue(chunk);
      else c.close();
    },
  });
  const s = await post(h, stream);
  assert.equal(s.status, 413);
  assert.match(await h.registry.metrics(), /pc_rpc_http_rejected_total\{reason="too_large"\} 2/);
  await stillServes(h);
});

Deno.test("RpcServer bounds batches and answers each call of a valid batch", async () => {
  await using h = await harness();
  const call = (id: number) => ({ jsonrpc: "2.0", id, method: "echo", params: { s: `c${id}` } });
  const tooMany = await post(h, JSON.stringify([1, 2, 3, 4, 5].map(call)));
  assert.equal(tooMany.json.error.code, RPC_ERROR.INVALID_REQUEST);
  assert.match(tooMany.json.error.message, /batch of 5 calls exceeds the limit of 4/);
  const empty = await post(h, "[]");
  assert.equal(empty.json.error.code, RPC_ERROR.INVALID_REQUEST);
  const mixed = await post(
    h,
    JSON.stringify([call(1), { jsonrpc: "2.0", method: "echo", params: { s: "n" } }, 7, {
      jsonrpc: "2.0",
      id: 4,
      method: "nope",
    }]),
  );
  assert.equal(mixed.json.length, 3); // the notification gets no answer
  assert.deepEqual(mixed.json[0], { jsonrpc: "2.0", id: 1, result: "c1" });
  assert.equal(mixed.json[1].error.code, RPC_ERROR.INVALID_REQUEST);
  assert.equal(mixed.json[2].error.code, RPC_ERROR.METHOD_NOT_FOUND);
  const onlyNotifications = await post(
    h,
    JSON.stringify([{ jsonrpc: "2.0", method: "echo", params: { s: "n" } }]),
  );
  assert.equal(onlyNotifications.status, 204);
  await stillServes(h);
});

Deno.test("RpcServer rate-limits per client with a token bucket (429 with Retry-After)", async () => {
  await using h = await harness({ rateLimitRps: 1, rateLimitBurst: 3 });
  const call = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "echo", params: { s: "x" } });
  for (let i = 0; i < 3; i++) {
    assert.equal((await post(h, call)).status, 200, `call ${i} within burst`);
  }
  const limited = await post(h, call);
  assert.equal(limited.status, 429);
  assert.equal(limited.json.error.code, RPC_ERROR.RATE_LIMITED);
  assert.equal(limited.headers.get("retry-after"), "1");
  h.clock.t += 1000; // one token back
  assert.equal((await post(h, call)).status, 200);
  h.clock.t += 2000;
  // A batch costs one token per call.
  const batch = JSON.stringify(
    [1, 2, 3].map((id) => ({ jsonrpc: "2.0", id, method: "echo", params: { s: "b" } })),
  );
  assert.equal((await post(h, batch)).status, 429);
  h.clock.t += 10_000;
  await stillServes(h);
});

Deno.test("RpcServer serves /metrics and /status/node, 404 and 405 elsewhere", async () => {
  await using h = await harness();
  const m = await fetch(`${h.url}/metrics`);
  assert.match(m.headers.get("content-type") ?? "", /text\/plain/);
  assert.match(await m.text(), /pc_rpc_requests_total/);
  const s = await fetch(`${h.url}/status/node`);
  assert.deepEqual(await s.json(), { network: "devnet" });
  const nf = await fetch(`${h.url}/nope`);
  await nf.body?.cancel();
  assert.equal(nf.status, 404);
  const get = await fetch(`${h.url}/rpc`);
  await get.body?.cancel();
  assert.equal(get.status, 405);
  assert.equal(get.headers.get("allow"), "POST");
});

Deno.test("RpcServer.handle() refuses new work while stopping", async () => {
  const h = await harness();
  await h.server.stop();
  const r = await h.server.handle(
    new Request("http://x/rpc", { method: "POST", body: "{}" }),
    "127.0.0.1",
  );
  assert.equal(r.status, 503);
  assert.equal((await r.json()).error.code, RPC_ERROR.SHUTTING_DOWN);
});
