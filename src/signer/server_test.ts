import assert from "node:assert/strict";
import { schnorr } from "@noble/curves/secp256k1.js";
import { SignerClient } from "./client.ts";
import { SignerError } from "./errors.ts";
import { MAX_REQUEST_BYTES } from "./protocol.ts";
import { SignerServer } from "./server.ts";
import { fakeEvent, makeSigner } from "./_testing.ts";

const SEAT = { role: "seat", account: 0, index: 0 } as const;

Deno.test("SignerServer serves JSON lines over a 0600 Unix socket", async () => {
  const dir = await Deno.makeTempDir();
  const { signer } = await makeSigner(dir);
  const path = `${dir}/signer.sock`;
  const server = new SignerServer({ listen: { transport: "unix", path } }, {
    signer,
    hasToken: false,
  });
  await server.start();
  try {
    assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600);
    const c = await SignerClient.connect({ transport: "unix", path });
    try {
      const pk = await c.getPublicKey(SEAT);
      const r = await c.signEvent(SEAT, fakeEvent(0, 0n, null));
      assert.ok(schnorr.verify(r.signature, r.eventId, pk.xOnly));
      await assert.rejects(
        c.signEvent(SEAT, fakeEvent(0, 0n, null, "conflict")),
        (e: unknown) => e instanceof SignerError && e.code === "SLASHING_REFUSED",
      );
      const bad = await c.raw('{"v":1,"id":3,"method":"nope","params":{}}');
      assert.deepEqual([bad.id, (bad.error as { code: string }).code], [
        3,
        "REQUEST_UNKNOWN_METHOD",
      ]);
      const junk = await c.raw("not json");
      assert.equal((junk.error as { code: string }).code, "REQUEST_MALFORMED");
      // The connection still works after errors.
      await c.getPublicKey(SEAT);
    } finally {
      c.close();
    }
  } finally {
    await server.stop();
  }
});

Deno.test("SignerServer answers REQUEST_TOO_LARGE and closes on an oversized line", async () => {
  const dir = await Deno.makeTempDir();
  const { signer } = await makeSigner(dir);
  const path = `${dir}/s.sock`;
  const server = new SignerServer({ listen: { transport: "unix", path } }, {
    signer,
    hasToken: false,
  });
  await server.start();
  try {
    const c = await SignerClient.connect({ transport: "unix", path });
    try {
      const r = await c.raw("x".repeat(MAX_REQUEST_BYTES + 10));
      assert.equal((r.error as { code: string }).code, "REQUEST_TOO_LARGE");
      await assert.rejects(c.getPublicKey(SEAT), SignerError);
    } finally {
      c.close();
    }
  } finally {
    await server.stop();
  }
});

Deno.test("SignerServer refuses a socket in a group- or world-writable directory", async () => {
  const dir = await Deno.makeTempDir();
  const { signer } = await makeSigner(dir);
  await Deno.chmod(dir, 0o777);
  const server = new SignerServer({ listen: { transport: "unix", path: `${dir}/s.sock` } }, {
    signer,
    hasToken: false,
  });
  await assert.rejects(server.start(), RangeError);
  await Deno.writeTextFile(`${dir}/file`, "x");
  await Deno.chmod(dir, 0o700);
  const onFile = new SignerServer({ listen: { transport: "unix", path: `${dir}/file` } }, {
    signer,
    hasToken: false,
  });
  await assert.rejects(onFile.start(), RangeError);
});

Deno.test("SignerServer on 127.0.0.1 requires a token and enforces it", async () => {
  const dir = await Deno.makeTempDir();
  const noToken = await makeSigner(dir);
  await assert.rejects(
    new SignerServer({ listen: { transport: "tcp", port: 0 } }, {
      signer: noToken.signer,
      hasToken: false,
    }).start(),
    RangeError,
  );
  const { signer } = await makeSigner(await Deno.makeTempDir(), { token: "tok" });
  const server = new SignerServer({ listen: { transport: "tcp", port: 0 } }, {
    signer,
    hasToken: true,
  });
  await server.start();
  try {
    const port = server.port!;
    const bad = await SignerClient.connect({ transport: "tcp", port }, "wrong");
    await assert.rejects(
      bad.getPublicKey(SEAT),
      (e: unknown) => e instanceof SignerError && e.code === "UNAUTHORIZED",
    );
    bad.close();
    const good = await SignerClient.connect({ transport: "tcp", port }, "tok");
    assert.equal((await good.getPublicKey(SEAT)).xOnly.length, 32);
    good.close();
  } finally {
    await server.stop();
  }
});
