import assert from "node:assert/strict";
import { P2pError } from "./errors.ts";
import { IDENTITY_KEY_FILE, loadOrCreateIdentity } from "./identity.ts";

Deno.test("loadOrCreateIdentity() creates a 0600 key once and reloads it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "pc_p2p_key_" });
  try {
    const a = await loadOrCreateIdentity(`${dir}/sub`);
    const b = await loadOrCreateIdentity(`${dir}/sub`);
    assert.equal(a.type, "Ed25519");
    assert.ok(a.equals(b));
    if (Deno.build.os !== "windows") {
      const info = await Deno.stat(`${dir}/sub/${IDENTITY_KEY_FILE}`);
      assert.equal((info.mode ?? 0) & 0o777, 0o600);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadOrCreateIdentity() refuses a malformed or world-readable key", async () => {
  const dir = await Deno.makeTempDir({ prefix: "pc_p2p_key_" });
  const path = `${dir}/${IDENTITY_KEY_FILE}`;
  try {
    await Deno.writeFile(path, Uint8Array.of(1, 2, 3), { mode: 0o600 });
    await Deno.chmod(path, 0o600);
    await assert.rejects(
      loadOrCreateIdentity(dir),
      (e) => e instanceof P2pError && e.code === "IDENTITY_KEY",
      "malformed",
    );
    if (Deno.build.os !== "windows") {
      await Deno.chmod(path, 0o644);
      await assert.rejects(
        loadOrCreateIdentity(dir),
        (e) => e instanceof P2pError && e.code === "IDENTITY_KEY" && /0644/.test(e.message),
        "world-readable",
      );
    }
    await assert.rejects(loadOrCreateIdentity(""), TypeError);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
