import assert from "node:assert/strict";
import { type Component, Lifecycle } from "./lifecycle.ts";
import { FlushQueue } from "./node.ts";

function recorder(
  log: string[],
  name: string,
  opts: { failStart?: boolean; failStop?: boolean } = {},
): Component {
  return {
    name,
    start() {
      log.push(`start ${name}`);
      if (opts.failStart) throw new Error(`${name} cannot start`);
    },
    stop() {
      log.push(`stop ${name}`);
      if (opts.failStop) throw new Error(`${name} cannot stop`);
    },
  };
}

Deno.test("Lifecycle.stop() stops components in reverse start order", async () => {
  const log: string[] = [];
  const lc = new Lifecycle();
  for (const n of ["lock", "kv", "flush", "rpc"]) lc.add(recorder(log, n));
  await lc.start();
  assert.equal(lc.state, "running");
  await lc.stop();
  assert.deepEqual(log, [
    "start lock",
    "start kv",
    "start flush",
    "start rpc",
    "stop rpc",
    "stop flush",
    "stop kv",
    "stop lock",
  ]);
  assert.equal(lc.state, "stopped");
});

Deno.test("Lifecycle.start() failure stops the already started components and rethrows", async () => {
  const log: string[] = [];
  const lc = new Lifecycle();
  lc.add(recorder(log, "a"));
  lc.add(recorder(log, "b"));
  lc.add(recorder(log, "c", { failStart: true }));
  lc.add(recorder(log, "d"));
  await assert.rejects(() => lc.start(), /c cannot start/);
  assert.deepEqual(log, ["start a", "start b", "start c", "stop b", "stop a"]);
});

Deno.test("Lifecycle.stop() stops everything even when components fail, then reports", async () => {
  const log: string[] = [];
  const events: string[] = [];
  const lc = new Lifecycle((e) => events.push(`${e.kind}:${e.component}`));
  lc.add(recorder(log, "a", { failStop: true }));
  lc.add(recorder(log, "b"));
  lc.add(recorder(log, "c", { failStop: true }));
  await lc.start();
  await assert.rejects(
    () => lc.stop(),
    (e: unknown) => e instanceof AggregateError && e.errors.length === 2,
  );
  assert.deepEqual(log.slice(3), ["stop c", "stop b", "stop a"]);
  assert.ok(events.includes("stop_failed:a") && events.includes("stop_failed:c"));
});

Deno.test("Lifecycle.stop() called twice shares one shutdown", async () => {
  const log: string[] = [];
  const lc = new Lifecycle();
  lc.add(recorder(log, "a"));
  await lc.start();
  await Promise.all([lc.stop(), lc.stop()]);
  assert.deepEqual(log, ["start a", "stop a"]);
  assert.throws(() => lc.add(recorder(log, "late")), /already stopped/);
});

Deno.test("FlushQueue.stop() waits for the flush in progress and refuses new ones", async () => {
  const q = new FlushQueue();
  q.start();
  const order: string[] = [];
  const gate = Promise.withResolvers<void>();
  const first = q.flush(async () => {
    order.push("flush 1 begins");
    await gate.promise;
    order.push("flush 1 durable");
  });
  const second = q.flush(() => {
    order.push("flush 2");
    return Promise.resolve();
  });
  const stopped = q.stop().then(() => order.push("stopped"));
  await assert.rejects(() => q.flush(() => Promise.resolve()), /flush queue is stopped/);
  gate.resolve();
  await Promise.all([first, second, stopped]);
  assert.deepEqual(order, ["flush 1 begins", "flush 1 durable", "flush 2", "stopped"]);
});

Deno.test("FlushQueue.flush() keeps going after a failed commit and records durations", async () => {
  const seen: number[] = [];
  let t = 0;
  const depths: number[] = [];
  const q = new FlushQueue({
    observe: (s) => seen.push(s),
    depth: (n) => depths.push(n),
    now: () => (t += 5),
  });
  q.start();
  await assert.rejects(() => q.flush(() => Promise.reject(new Error("disk full"))), /disk full/);
  await q.flush(() => Promise.resolve());
  await q.stop();
  assert.deepEqual(seen, [0.005, 0.005]);
  assert.deepEqual(depths, [1, 0, 1, 0]);
  assert.equal(q.pending, 0);
});
