/**
 * Slashing protection across a real process restart: phantom-signer runs as a subprocess, signs
 * an event, is killed, is started again, and must refuse a conflicting event.
 */
import assert from "node:assert/strict";
import { bytesToHex } from "@noble/hashes/utils.js";
import {
  EMPTY_MERKLE_ROOT,
  encodeEventHeader,
  eventExtrasHash,
  type EventHeader,
} from "../codec/mod.ts";
import { SignerClient } from "./client.ts";
import { createKeystore } from "./keystore.ts";
import { SignerError } from "./errors.ts";

const ENTRY = new URL("../../phantom-signer.ts", import.meta.url).pathname;
const CONFIG = new URL("../../deno.json", import.meta.url).pathname;
const SEAT = { role: "seat", account: 0, index: 0 } as const;

function header(seq: bigint, mask: bigint): EventHeader {
  return {
    version: 1,
    networkId: 2,
    shard: 0,
    creator: 1,
    epoch: 0n,
    seq,
    selfParent: new Uint8Array(32),
    parents: [],
    payloadRoot: EMPTY_MERKLE_ROOT,
    payloadTxs: 0,
    payloadBytes: 1,
    voteMask: mask,
    extrasHash: eventExtrasHash([], []),
  };
}

/** Runs a one-shot phantom-signer command and returns its exit code and output. */
async function signerCli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--no-check", "--config", CONFIG, ENTRY, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const d = new TextDecoder();
  return { code: r.code, out: d.decode(r.stdout), err: d.decode(r.stderr) };
}

async function startSigner(
  dir: string,
): Promise<{ child: Deno.ChildProcess; client: SignerClient }> {
  const socket = `${dir}/signer.sock`;
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--no-check",
      "--config",
      CONFIG,
      ENTRY,
      "run",
      "--keystore",
      `${dir}/ks.json`,
      "--slashing",
      `${dir}/slashing.json`,
      "--genesis-id",
      bytesToHex(new Uint8Array(32).fill(1)),
      "--socket",
      socket,
    ],
    env: { PHANTOM_SIGNER_PASSPHRASE: "pw" },
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  // Wait for the readiness line rather than sleeping.
  const reader = child.stdout.getReader();
  let out = "";
  while (!out.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`Signer exited before ready: ${out}`);
    out += new TextDecoder().decode(value);
  }
  reader.releaseLock();
  assert.match(out, /Signer ready/);
  return { child, client: await SignerClient.connect({ transport: "unix", path: socket }) };
}

async function stopSigner(s: { child: Deno.ChildProcess; client: SignerClient }): Promise<void> {
  s.client.close();
  s.child.kill("SIGKILL");
  await s.child.stdout.cancel();
  await s.child.status;
}

Deno.test("phantom-signer refuses a conflicting event after being killed and restarted", async () => {
  const dir = await Deno.makeTempDir();
  await createKeystore(`${dir}/ks.json`, new Uint8Array(64).fill(4), "pw", {
    network: "testnet",
    scrypt: { n: 1024, r: 8, p: 1 },
  });
  const first = await startSigner(dir);
  try {
    await first.client.signEvent(SEAT, encodeEventHeader(header(0n, 0n)));
  } finally {
    await stopSigner(first);
  }
  const second = await startSigner(dir);
  try {
    await assert.rejects(
      second.client.signEvent(SEAT, encodeEventHeader(header(0n, 1n))),
      (e: unknown) =>
        e instanceof SignerError && e.code === "SLASHING_REFUSED" &&
        (e.data as { slashingCode: string }).slashingCode === "SLASHING_CONFLICTING_EVENT",
    );
    // The identical event is still fine (retry after a crash between sign and send).
    await second.client.signEvent(SEAT, encodeEventHeader(header(0n, 0n)));
  } finally {
    await stopSigner(second);
  }
});

Deno.test("phantom-signer slashing-export/-import moves a seat: the new machine refuses too", async () => {
  const a = await Deno.makeTempDir();
  const b = await Deno.makeTempDir();
  const gid = bytesToHex(new Uint8Array(32).fill(1));
  for (const dir of [a, b]) {
    await createKeystore(`${dir}/ks.json`, new Uint8Array(64).fill(4), "pw", {
      network: "testnet",
      scrypt: { n: 1024, r: 8, p: 1 },
    });
  }
  const first = await startSigner(a);
  try {
    await first.client.signEvent(SEAT, encodeEventHeader(header(0n, 0n)));
  } finally {
    await stopSigner(first);
  }
  const exp = await signerCli([
    "slashing-export",
    "--slashing",
    `${a}/slashing.json`,
    "--genesis-id",
    gid,
  ]);
  assert.equal(exp.code, 0, exp.err);
  await Deno.writeTextFile(`${b}/interchange.json`, exp.out);
  const imp = await signerCli([
    "slashing-import",
    "--slashing",
    `${b}/slashing.json`,
    "--genesis-id",
    gid,
    "--file",
    `${b}/interchange.json`,
  ]);
  assert.equal(imp.code, 0, imp.err);
  assert.equal(JSON.parse(imp.out).changed, 1);
  // Bad input to the import: a document for another genesis is refused and changes nothing.
  const other = await signerCli([
    "slashing-import",
    "--slashing",
    `${b}/other.json`,
    "--genesis-id",
    bytesToHex(new Uint8Array(32).fill(2)),
    "--file",
    `${b}/interchange.json`,
  ]);
  assert.notEqual(other.code, 0);
  assert.match(other.err, /genesis/i);
  const moved = await startSigner(b);
  try {
    await assert.rejects(
      moved.client.signEvent(SEAT, encodeEventHeader(header(0n, 1n))),
      (e: unknown) =>
        e instanceof SignerError && e.code === "SLASHING_REFUSED" &&
        (e.data as { slashingCode: string }).slashingCode === "SLASHING_CONFLICTING_EVENT",
    );
  } finally {
    await stopSigner(moved);
  }
  await Deno.remove(a, { recursive: true });
  await Deno.remove(b, { recursive: true });
});
