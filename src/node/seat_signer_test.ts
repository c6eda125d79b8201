import assert from "node:assert/strict";
import { Registry } from "prom-client";
import { schnorr } from "@noble/curves/secp256k1.js";
import { buildCodecHeader } from "../consensus/mod.ts";
import { eventExtrasHash, eventId } from "../codec/mod.ts";
import { DEVNET } from "../params/mod.ts";
import {
  codecEventInspector,
  inspectDaAttestation,
  inspectSeatTx,
  Signer,
  SignerServer,
  SlashingProtection,
  SoftwareBackend,
} from "../signer/mod.ts";
import { oneSeatGenesis, oneSeatOptions, testKey, until } from "./_testing.ts";
import { loadConfig } from "./config.ts";
import { ConfigError, NodeError } from "./errors.ts";
import type { SeatKey } from "./keys.ts";
import {
  KeyFileSeatSigner,
  RemoteSeatSigner,
  remoteSeatSignerFromConfig,
  type SeatSigner,
} from "./seat_signer.ts";
import { faucetTransfer } from "./devnet.ts";
import { MethodRegistry } from "../rpc/mod.ts";
import { bytesToHex } from "@noble/hashes/utils.js";
import { encodeAddress } from "../codec/mod.ts";
import { createSeatSignerMetrics, type EventDraft, SeatSigning } from "./seat_signing.ts";
import { nodeLogger } from "./logging.ts";
import { ValidatorService } from "./validator.ts";

const SEAT = { role: "seat", account: 0, index: 0 } as const;
const faucet = testKey(4);

/** A real phantom-signer request handler and socket server (devnet keys, codec inspector). */
async function startSigner(dir: string, socket = `${dir}/signer.sock`) {
  const backend = new SoftwareBackend({ seed: new Uint8Array(64).fill(77), network: "devnet" });
  const slashing = await SlashingProtection.open({
    path: `${dir}/slashing.json`,
    genesisId: new Uint8Array(32).fill(5),
  });
  const signer = new Signer({ token: null }, {
    backend,
    slashing,
    inspectEvent: codecEventInspector(DEVNET.networkId),
    inspectSeatTx: (tx, spent) => inspectSeatTx(DEVNET.networkId, tx, spent),
    inspectDa: (a, h) => inspectDaAttestation(DEVNET.networkId, a, h),
  });
  const server = new SignerServer({ listen: { transport: "unix", path: socket } }, {
    signer,
    hasToken: false,
  });
  await server.start();
  const pk = (await backend.publicKey(SEAT)).xOnly;
  return { server, socket, pk };
}

function remote(socket: string, network: "devnet" | "testnet" = "devnet", timeoutMs = 2000) {
  return new RemoteSeatSigner({
    address: { transport: "unix", path: socket },
    token: null,
    account: 0,
    index: 0,
    network,
    timeoutMs,
  });
}

/** Header of an event at `seq` of seat 0 (self-parent `parent`), distinct per `root` byte. */
function header(seq: number, parent: Uint8Array | null, root: number) {
  const { header: base } = buildCodecHeader({
    network: DEVNET.networkId,
    shard: 0,
    creator: 0,
    seq,
    selfParent: parent,
    parents: [],
    voteMask: 0n,
    payloadRoot: new Uint8Array(32).fill(root),
    payloadTxs: 0,
    payloadBytes: 1,
  });
  const h = { ...base, extrasHash: eventExtrasHash([], []) };
  return { h, id: eventId(h) };
}

interface Node {
  svc: ValidatorService;
  registry: Registry;
  call: (method: string, params?: unknown) => Promise<unknown>;
  stop: () => Promise<void>;
}

async function startNode(
  dir: string,
  seatPk: Uint8Array,
  socket: string,
  signer: SeatSigner = remote(socket),
): Promise<Node> {
  const seat: SeatKey = { secretKey: new Uint8Array(32), publicKey: seatPk };
  const genesis = oneSeatGenesis(seat, faucet, "seat signer test");
  const kv = await Deno.openKv(`${dir}/chain.kv`);
  const svc = new ValidatorService({
    ...oneSeatOptions(genesis, seat, dir),
    seatKey: null,
    seatSigner: signer,
  });
  const registry = new Registry();
  svc.bind({ flush: (c) => c(), kv: () => kv, registry, onFatal: () => assert.fail("fatal") });
  const reg = new MethodRegistry();
  svc.registerRpc(reg);
  await svc.start();
  return {
    svc,
    registry,
    call: async (method, params = {}) => {
      const m = reg.get(method)!;
      return await m.handler(m.params(params, ""), { client: "test" });
    },
    stop: async () => {
      await svc.stop();
      kv.close();
    },
  };
}

/** Sum of the samples of `name` (text exposition) whose labels include `labels`. */
async function metric(r: Registry, name: string, labels: Record<string, string> = {}) {
  let sum = 0;
  for (const line of (await r.metrics()).split("\n")) {
    const m = /^([a-z_]+)(\{[^}]*\})? (\S+)$/.exec(line);
    if (m === null || m[1] !== name) continue;
    const l = m[2] ?? "";
    if (Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`))) sum += Number(m[3]);
  }
  return sum;
}

Deno.test("RemoteSeatSigner signs events that verify under the signer's seat key", async () => {
  const dir = await Deno.makeTempDir();
  const s = await startSigner(dir);
  const r = remote(s.socket);
  try {
    assert.deepEqual(await r.publicKey(), s.pk);
    const a = header(0, null, 1);
    const sig = await r.signEvent(a.h, a.id);
    assert.ok(schnorr.verify(sig, a.id, s.pk));
    // A retry of the very same event is answered again (idempotent), a forged conflicting
    // event at the same seq is refused by slashing protection with a typed error.
    assert.equal((await r.signEvent(a.h, a.id)).length, 64);
    const forged = header(0, null, 2);
    await assert.rejects(r.signEvent(forged.h, forged.id), (e: unknown) => {
      assert.ok(e instanceof NodeError && e.data.code === "SIGNER_REFUSED", String(e));
      assert.equal(e.data.signerCode, "SLASHING_REFUSED");
      assert.equal(e.data.slashingCode, "SLASHING_CONFLICTING_EVENT");
      return true;
    });
    // The node's own id must match the signer's: a wrong id is caught before it is published.
    const b = header(1, a.id, 1);
    await assert.rejects(
      r.signEvent(b.h, new Uint8Array(32)),
      (e: unknown) => e instanceof NodeError && e.code === "SIGNER_MISMATCH",
    );
  } finally {
    r.close();
    await s.server.stop();
  }
});

Deno.test("RemoteSeatSigner gives typed errors: no socket, wrong network, no answer", async () => {
  const dir = await Deno.makeTempDir();
  const none = remote(`${dir}/absent.sock`);
  await assert.rejects(
    none.publicKey(),
    (e: unknown) => e instanceof NodeError && e.code === "SIGNER_UNAVAILABLE",
  );
  const s = await startSigner(dir);
  const testnet = remote(s.socket, "testnet");
  try {
    await assert.rejects(
      testnet.publicKey(),
      (e: unknown) =>
        e instanceof NodeError && e.code === "SIGNER_MISMATCH" && e.message.includes("devnet"),
    );
  } finally {
    testnet.close();
    await s.server.stop();
  }
  // A socket that accepts and never answers: the timeout turns it into SIGNER_UNAVAILABLE.
  const mute = `${dir}/mute.sock`;
  const l = Deno.listen({ transport: "unix", path: mute });
  const held: Deno.Conn[] = [];
  const accepting = (async () => {
    for await (const c of l) held.push(c);
  })();
  const slow = remote(mute, "devnet", 100);
  try {
    await assert.rejects(
      slow.publicKey(),
      (e: unknown) =>
        e instanceof NodeError && e.code === "SIGNER_UNAVAILABLE" && e.message.includes("100 ms"),
    );
  } finally {
    slow.close();
    l.close();
    await accepting.catch(() => {/* listener closed */});
    for (const c of held) c.close();
  }
});

Deno.test("SeatSigning keeps an ambiguously failed draft and sends it again unchanged", async () => {
  const key = testKey(9);
  let fail: NodeError | null = new NodeError({
    code: "SIGNER_UNAVAILABLE",
    signer: "test",
    reason: "connection closed",
  });
  const seen: Uint8Array[] = [];
  const inner = new KeyFileSeatSigner(key);
  const flaky = {
    kind: "remote" as const,
    label: "test",
    publicKey: () => inner.publicKey(),
    signEvent: (h: Parameters<typeof inner.signEvent>[0], id: Uint8Array) => {
      seen.push(id);
      return fail === null ? inner.signEvent(h, id) : Promise.reject(fail);
    },
    close: () => {},
  };
  let now = 0;
  const g = new SeatSigning<string>(flaky, { backoffMinMs: 100, now: () => now });
  const registry = new Registry();
  g.bind(nodeLogger("node"), createSeatSignerMetrics(registry, "remote"));
  const a = header(0, null, 1);
  const draft: EventDraft<string> = { header: a.h, id: a.id, extra: "payload" };
  assert.equal(await g.sign(draft), null);
  assert.equal(g.lastError?.code, "SIGNER_UNAVAILABLE");
  assert.equal(g.ready(), false, "backing off");
  now = 100;
  assert.equal(g.ready(), true);
  assert.equal(g.retained(0n), draft, "the same draft goes out again");
  // A refusal is final: nothing is retained.
  fail = new NodeError({
    code: "SIGNER_REFUSED",
    signer: "test",
    signerCode: "SLASHING_REFUSED",
    slashingCode: "SLASHING_SEQ_BELOW_HWM",
    detail: "x",
  });
  assert.equal(await g.sign(draft), null);
  assert.equal(g.retained(0n), null);
  assert.equal(g.ready(), false);
  now = 1000;
  fail = null;
  assert.ok(await g.sign(draft));
  assert.equal(g.lastError, null);
  assert.equal(g.signed, 1);
  assert.equal(
    await metric(registry, "pc_node_signer_errors_total", { code: "SIGNER_UNAVAILABLE" }),
    1,
  );
  assert.equal(
    await metric(registry, "pc_node_signer_errors_total", {
      code: "SIGNER_REFUSED",
      signer_code: "SLASHING_SEQ_BELOW_HWM",
    }),
    1,
  );
  assert.equal(await metric(registry, "pc_node_signer_up"), 1);
  // A retained draft that is no longer the seat's next event is dropped.
  fail = new NodeError({ code: "SIGNER_UNAVAILABLE", signer: "test", reason: "x" });
  await g.sign(draft);
  assert.equal(g.retained(1n), null);
  assert.equal(seen.length, 4);
});

Deno.test("ValidatorService finalizes with a remote signer; after a wiped DAG the signer refuses", async () => {
  const dir = await Deno.makeTempDir();
  const s = await startSigner(dir);
  const data1 = `${dir}/node1`;
  await Deno.mkdir(data1);
  let node = await startNode(data1, s.pk, s.socket);
  try {
    assert.equal(node.svc.seat, 0, "seat resolved from the signer's key");
    await until(() => node.svc.stats().anchor >= 3, 20_000, "anchor 3 signed by the signer");
    assert.ok((node.svc.seatSigning?.signed ?? 0) > 3);
    assert.ok((await metric(node.registry, "pc_node_signer_sign_seconds_count")) > 3);
    await node.stop();

    // Same seat, wiped DAG: the node builds seq 0 again, which the signer refuses; the node
    // keeps running, emits nothing, counts and reports the typed error.
    const data2 = `${dir}/node2`;
    await Deno.mkdir(data2);
    node = await startNode(data2, s.pk, s.socket);
    const err = await until(
      () => node.svc.seatSigning?.lastError ?? undefined,
      10_000,
      "signer refusal",
    );
    assert.equal(err.data.code, "SIGNER_REFUSED");
    assert.equal(
      err.data.code === "SIGNER_REFUSED" && err.data.slashingCode,
      "SLASHING_SEQ_BELOW_HWM",
    );
    assert.ok(
      (await metric(node.registry, "pc_node_signer_errors_total", {
        code: "SIGNER_REFUSED",
        signer_code: "SLASHING_SEQ_BELOW_HWM",
      })) >= 1,
    );
    assert.equal(node.svc.stats().events, 0, "no own event without a signature");
    assert.equal(node.svc.stats().anchor, 0);
  } finally {
    await node.stop();
    await s.server.stop();
  }
});

Deno.test("ValidatorService starts without its signer and begins signing once it is up", async () => {
  const dir = await Deno.makeTempDir();
  const socket = `${dir}/signer.sock`;
  // The seat key is known in advance (same seed as startSigner), the signer is not running yet.
  const pk = (await new SoftwareBackend({ seed: new Uint8Array(64).fill(77), network: "devnet" })
    .publicKey(SEAT)).xOnly;
  const data = `${dir}/node`;
  await Deno.mkdir(data);
  const node = await startNode(data, pk, socket);
  let server: SignerServer | null = null;
  try {
    assert.equal(node.svc.seat, null, "no seat while the signer is down");
    assert.equal(node.svc.seatSigning?.lastError?.code, "SIGNER_UNAVAILABLE");
    assert.ok(
      (await metric(node.registry, "pc_node_signer_errors_total", {
        code: "SIGNER_UNAVAILABLE",
      })) >= 1,
    );
    // /status/node's signer member (providers().signer) says the same.
    const down = node.svc.providers().signer();
    assert.deepEqual(
      [down?.kind, down?.ok, down?.events_signed, down?.last_error?.code],
      ["remote", false, 0, "SIGNER_UNAVAILABLE"],
    );
    server = (await startSigner(dir, socket)).server;
    await until(() => node.svc.seat === 0, 10_000, "seat resolved after the signer started");
    await until(() => node.svc.stats().anchor >= 2, 20_000, "anchors once the signer is up");
    const up = node.svc.providers().signer();
    assert.equal(up?.ok, true);
    assert.equal(up?.last_error, null);
    assert.ok((up?.events_signed ?? 0) >= 1);
  } finally {
    await node.stop();
    await server?.stop();
  }
});

Deno.test("RemoteSeatSigner over 127.0.0.1 TCP sends the bearer token", async () => {
  const dir = await Deno.makeTempDir();
  const backend = new SoftwareBackend({ seed: new Uint8Array(64).fill(77), network: "devnet" });
  const signer = new Signer({ token: "s3cret" }, {
    backend,
    slashing: await SlashingProtection.open({
      path: `${dir}/slashing.json`,
      genesisId: new Uint8Array(32).fill(5),
    }),
    inspectEvent: codecEventInspector(DEVNET.networkId),
    inspectSeatTx: (tx, spent) => inspectSeatTx(DEVNET.networkId, tx, spent),
    inspectDa: (a, h) => inspectDaAttestation(DEVNET.networkId, a, h),
  });
  const server = new SignerServer({ listen: { transport: "tcp", port: 0 } }, {
    signer,
    hasToken: true,
  });
  await server.start();
  const opts = (token: string) => ({
    address: { transport: "tcp" as const, port: server.port! },
    token,
    account: 0,
    index: 0,
    network: "devnet" as const,
    timeoutMs: 2000,
  });
  const good = new RemoteSeatSigner(opts("s3cret"));
  const bad = new RemoteSeatSigner(opts("wrong"));
  try {
    const a = header(0, null, 1);
    assert.ok(schnorr.verify(await good.signEvent(a.h, a.id), a.id, await good.publicKey()));
    await assert.rejects(
      bad.publicKey(),
      (e: unknown) =>
        e instanceof NodeError && e.data.code === "SIGNER_REFUSED" &&
        e.data.signerCode === "UNAUTHORIZED",
    );
  } finally {
    good.close();
    bad.close();
    await server.stop();
  }
});

Deno.test("remoteSeatSignerFromConfig() reads [signer] and refuses contradictory settings", async () => {
  const load = (flags: Record<string, string>) =>
    loadConfig({ env: { HOME: "/h" }, flags, readFile: () => null });
  assert.equal(await remoteSeatSignerFromConfig(load({})), null, "no [signer]: key file");
  const s = await remoteSeatSignerFromConfig(load({ "signer.socket": "/run/p/s.sock" }));
  assert.equal(s?.label, "unix:/run/p/s.sock");
  const both = load({ "signer.socket": "/run/p/s.sock", "signer.port": "9700" });
  await assert.rejects(
    remoteSeatSignerFromConfig(both),
    (e: unknown) => e instanceof ConfigError && e.data.key === "signer.port",
  );
  await assert.rejects(
    remoteSeatSignerFromConfig(load({ "signer.port": "9700" })),
    (e: unknown) => e instanceof ConfigError && e.data.key === "signer.token_file",
  );
  const withToken = load({ "signer.port": "9700", "signer.token_file": "/t" });
  const tcp = await remoteSeatSignerFromConfig(withToken, () => Promise.resolve("tok\n"));
  assert.equal(tcp?.label, "tcp:127.0.0.1:9700");
  await assert.rejects(
    remoteSeatSignerFromConfig(withToken, () => Promise.resolve("  \n")),
    (e: unknown) => e instanceof ConfigError && e.code === "CONFIG_UNREADABLE",
  );
});

Deno.test("ValidatorService resends its stored draft after dying between the signer's mark and the store", async () => {
  const dir = await Deno.makeTempDir();
  const s = await startSigner(dir);
  const data = `${dir}/node`;
  await Deno.mkdir(data);
  // A signer whose answer is lost once: the signer persists its mark and signs, the node never
  // learns it (a crash or a broken pipe at the worst moment).
  const real = remote(s.socket);
  let loseNext = false;
  let lost: bigint | null = null;
  const lossy: SeatSigner = {
    kind: "remote",
    label: real.label,
    publicKey: () => real.publicKey(),
    signEvent: async (h, id) => {
      const sig = await real.signEvent(h, id);
      if (!loseNext || h.payloadTxs === 0) return sig;
      loseNext = false;
      lost = h.seq;
      throw new NodeError({ code: "SIGNER_UNAVAILABLE", signer: real.label, reason: "lost" });
    },
    close: () => real.close(),
  };
  let node = await startNode(data, s.pk, s.socket, lossy);
  try {
    await until(() => node.svc.stats().anchor >= 51, 20_000, "genesis coin mature");
    const addr = encodeAddress({ type: "key", pubkey: faucet.publicKey }, "devnet");
    const utxos = await node.call("get_utxos", { address: addr, cursor: null }) as {
      utxos: { txid: string; index: number; amount: string }[];
    };
    const u = utxos.utxos[0]!;
    const tx = faucetTransfer(faucet, { ...u, amount: BigInt(u.amount) }, 1_000n);
    // The next event carries the tx, and its signature is lost; the node dies before retrying.
    loseNext = true;
    const { txid } = await node.call("submit_tx", { tx: bytesToHex(tx) }) as { txid: string };
    await until(() => lost !== null, 10_000, "a lost signature");
    await node.stop();
    const mark = JSON.parse(await Deno.readTextFile(`${dir}/slashing.json`)) as {
      data: { last_signed_event: { seq: string } }[];
    };
    assert.equal(BigInt(mark.data[0]!.last_signed_event.seq), lost, "the signer holds the mark");

    // Restarted (mempool empty): a fresh event at that seq would differ and be refused forever;
    // the stored draft goes out again, the signer answers it as a retry, the tx finalizes.
    node = await startNode(data, s.pk, s.socket);
    let finalized = false;
    const end = performance.now() + 10_000;
    while (!finalized && performance.now() < end) {
      const t = await node.call("get_tx", { txid }).catch(() => null) as { status: string } | null;
      finalized = t?.status === "finalized";
      if (!finalized) await new Promise((r) => setTimeout(r, 10));
    }
    assert.ok(finalized, "the lost event's tx finalizes after the restart");
    assert.equal(node.svc.seatSigning?.lastError ?? null, null, "no refusal");
  } finally {
    await node.stop();
    await s.server.stop();
  }
});
