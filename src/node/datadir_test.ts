import assert from "node:assert/strict";
import { DataDirLock, LOCK_FILE, pidAlive } from "./datadir.ts";
import { NodeError } from "./errors.ts";

Deno.test("DataDirLock.acquire() refuses a second holder naming the owner's PID", async () => {
  const dir = await Deno.makeTempDir();
  const a = await DataDirLock.acquire(`${dir}/net`);
  try {
    assert.equal((await Deno.readTextFile(`${dir}/net/${LOCK_FILE}`)).trim(), String(Deno.pid));
    await assert.rejects(() => DataDirLock.acquire(`${dir}/net`), (e: unknown) => {
      assert.ok(e instanceof NodeError);
      assert.deepEqual(e.data, { code: "DATA_DIR_LOCKED", dir: `${dir}/net`, pid: Deno.pid });
      assert.match(e.message, /is in use: locked by running process \d+/);
      return true;
    });
  } finally {
    await a.release();
  }
  const b = await DataDirLock.acquire(`${dir}/net`);
  assert.equal(b.stalePid, null);
  await b.release();
  await b.release(); // idempotent
  assert.equal(b.held, false);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("DataDirLock.acquire() takes over a stale LOCK left by a dead process", async () => {
  const dir = await Deno.makeTempDir();
  const child = new Deno.Command("true").spawn();
  await child.status;
  assert.equal(pidAlive(child.pid), false);
  await Deno.writeTextFile(`${dir}/${LOCK_FILE}`, `${child.pid}\n`);
  const lock = await DataDirLock.acquire(dir);
  assert.equal(lock.stalePid, child.pid);
  await lock.release();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("DataDirLock.acquire() reports an unusable directory", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/file`, "x");
  await assert.rejects(
    () => DataDirLock.acquire(`${dir}/file/sub`),
    (e: unknown) => e instanceof NodeError && e.code === "DATA_DIR_UNUSABLE",
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("pidAlive() sees this process", () => {
  assert.equal(pidAlive(Deno.pid), true);
});
