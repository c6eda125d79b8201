import assert from "node:assert/strict";
import { NodeError } from "./errors.ts";
import { readSeatKey, writeSeatKey } from "./keys.ts";

Deno.test("writeSeatKey() writes a 0600 hex file that readSeatKey() reads back", async () => {
  const dir = await Deno.makeTempDir();
  const sk = new Uint8Array(32).fill(7);
  const k = await writeSeatKey(`${dir}/keys/seat.key`, sk);
  const st = await Deno.stat(`${dir}/keys/seat.key`);
  assert.equal((st.mode ?? 0) & 0o777, 0o600);
  assert.equal(await Deno.readTextFile(`${dir}/keys/seat.key`), "07".repeat(32) + "\n");
  const back = await readSeatKey(`${dir}/keys/seat.key`);
  assert.deepEqual(back.publicKey, k.publicKey);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("writeSeatKey() never overwrites an existing key", async () => {
  const dir = await Deno.makeTempDir();
  await writeSeatKey(`${dir}/seat.key`);
  const before = await Deno.readTextFile(`${dir}/seat.key`);
  await assert.rejects(
    () => writeSeatKey(`${dir}/seat.key`),
    (e: unknown) => e instanceof NodeError && e.code === "KEY_EXISTS",
  );
  assert.equal(await Deno.readTextFile(`${dir}/seat.key`), before);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("readSeatKey() rejects readable-by-others files and malformed keys", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/open.key`, "07".repeat(32));
  await Deno.chmod(`${dir}/open.key`, 0o644);
  await assert.rejects(() => readSeatKey(`${dir}/open.key`), /accessible by other users/);
  await Deno.writeTextFile(`${dir}/short.key`, "07");
  await Deno.chmod(`${dir}/short.key`, 0o600);
  await assert.rejects(() => readSeatKey(`${dir}/short.key`), RangeError);
  await Deno.writeTextFile(`${dir}/zero.key`, "00".repeat(32));
  await Deno.chmod(`${dir}/zero.key`, 0o600);
  await assert.rejects(() => readSeatKey(`${dir}/zero.key`), /invalid secp256k1/);
  await Deno.remove(dir, { recursive: true });
});
