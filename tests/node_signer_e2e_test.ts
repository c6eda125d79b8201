/**
 * End to end (issue 9): a one-seat devnet whose only seat key lives in a real `phantom-signer`
 * process. The `phantom-node` process has no seat key file; its config (`[signer] socket`) points
 * at the signer, it takes its seat key from there and finalizes anchors with events the signer
 * signed (its slashing store holds the seat's latest event). A signer killed mid-run is a typed,
 * counted error and the node keeps running; once the signer is back the node finalizes again. A
 * second node on the same seat with a wiped DAG asks for a conflicting event: the signer refuses,
 * the node counts SIGNER_REFUSED / SLASHING_SEQ_BELOW_HWM and stays up without emitting events.
 */
import assert from "node:assert/strict";
import { bytesToHex } from "@noble/hashes/utils.js";
import { encodeAddress } from "../src/codec/mod.ts";
import {
  type DevnetLayout,
  freePortRun,
  type NodeProcess,
  readGenesis,
  rpc,
  runDevnet,
  spawnNode,
  spawnSigner,
  stopNode,
  waitFor,
  writeGenesis,
} from "../src/node/mod.ts";
import { createKeystore, mnemonicToSeed, SoftwareBackend } from "../src/signer/mod.ts";
import { anchorOf, metricSum } from "./_devnet.ts";

const MNEMONIC = "legal winner thank year wave sausage worth useful legal winner thank yellow";
const PASSPHRASE = "node-signer-e2e";
const SEAT = { role: "seat", account: 0, index: 0 } as const;

Deno.test({
  name: "phantom-node finalizes with events signed by phantom-signer; refusals are typed errors",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "pc_signer_e2e_" });
    const keystore = `${dir}/keystore.json`;
    const seed = mnemonicToSeed(MNEMONIC);
    await createKeystore(keystore, seed, PASSPHRASE, {
      network: "devnet",
      scrypt: { n: 1 << 10, r: 8, p: 1 },
    });
    // The committee key is the signer's seat key (same derivation the signer runs); the node
    // never holds its secret.
    const seatPk = (await new SoftwareBackend({ seed, network: "devnet" }).publicKey(SEAT)).xOnly;
    const genesisPath = `${dir}/genesis.json`;
    await writeGenesis(genesisPath, {
      network: "devnet",
      committee: [bytesToHex(seatPk)],
      genesis_note: "node signer e2e",
      allocations: [{
        address: encodeAddress({ type: "key", pubkey: seatPk }, "devnet"),
        amount: "100000000",
      }],
    });
    const genesisId = (await readGenesis(genesisPath)).genesisId;
    const socket = `${dir}/signer.sock`;
    const slashingPath = `${dir}/slashing.json`;
    const startSigner = () =>
      spawnSigner({
        keystore,
        slashing: slashingPath,
        socket,
        genesisId,
        passphrase: PASSPHRASE,
        timeoutMs: 20_000,
        stderr: "null",
      });

    const rpcBase = freePortRun(4, 47000 + (Deno.pid % 1000) * 4);
    const layout = (i: number): DevnetLayout => ({
      dir,
      genesisPath,
      faucet: { secretKey: new Uint8Array(32), publicKey: seatPk },
      nodes: [{
        seat: 0,
        dataDir: `${dir}/node${i}`,
        rpcPort: rpcBase + i,
        p2pPort: rpcBase + 2 + i,
        peerId: "",
      }],
    });
    const configure = async (i: number) => {
      // The node's default config file: the signer section is the only thing in it.
      await Deno.mkdir(`${dir}/node${i}/devnet`, { recursive: true, mode: 0o700 });
      await Deno.writeTextFile(
        `${dir}/node${i}/devnet/phantom.toml`,
        `[signer]\nsocket = "${socket}"\ntimeout_ms = 1000\n`,
      );
    };

    let signer: Deno.ChildProcess | null = null;
    const procs: NodeProcess[] = [];
    try {
      signer = await startSigner();
      await configure(0);
      const a = await spawnNode(layout(0), 0, { eventIntervalMs: 20 });
      procs.push(a);
      await waitFor(
        async () => (await anchorOf(a.url)) >= 5 ? true : undefined,
        20_000,
        "5 anchors finalized with signer-signed events",
      );
      const status = await (await fetch(`${a.url}/status/node`)).json() as Record<string, unknown>;
      assert.equal(status["seat_pubkey"], bytesToHex(seatPk), "seat key taken from the signer");
      const health = status["signer"] as { kind: string; ok: boolean; events_signed: number };
      assert.deepEqual([health.kind, health.ok], ["remote", true], "/status/node signer health");
      assert.ok(health.events_signed >= 5);
      assert.equal(
        await Deno.stat(`${dir}/node0/devnet/keys/seat.key`).then(() => true, () => false),
        false,
        "the node has no seat key file",
      );
      // The signer's slashing store holds the seat's newest event, which the node has.
      const marks = JSON.parse(await Deno.readTextFile(slashingPath)) as {
        data: { seat_pubkey: string; last_signed_event: { seq: string; event_id: string } }[];
      };
      const mark = marks.data[0]!;
      assert.equal(mark.seat_pubkey, bytesToHex(seatPk));
      assert.ok(Number(mark.last_signed_event.seq) >= 5, "several events signed by the signer");
      // (The node may still be storing the newest signature's event: poll for it.)
      const ev = await waitFor(
        () =>
          rpc<{ creator: number; seq: number }>(a.url, "get_event", {
            id: mark.last_signed_event.event_id,
          }),
        5_000,
        "the signer's last event in the node's DAG",
      );
      assert.equal(ev.creator, 0);
      assert.ok(await metricSum(a.url, "pc_node_signer_sign_seconds_count") >= 5);
      assert.equal(await metricSum(a.url, "pc_node_signer_info", { kind: "remote" }), 1);

      // The signer dies: the node stays up, counts SIGNER_UNAVAILABLE and emits nothing.
      signer.kill("SIGKILL");
      await signer.status;
      signer = null;
      await waitFor(
        async () =>
          (await metricSum(a.url, "pc_node_signer_errors_total", { code: "SIGNER_UNAVAILABLE" })) >=
              1
            ? true
            : undefined,
        10_000,
        "SIGNER_UNAVAILABLE counted",
      );
      assert.equal(await metricSum(a.url, "pc_node_signer_up"), 0);
      const stalled = await anchorOf(a.url);
      // Back again: the node picks the signer up without a restart and finalizes again.
      signer = await startSigner();
      await waitFor(
        async () => (await anchorOf(a.url)) >= stalled + 3 ? true : undefined,
        20_000,
        "anchors resume once the signer is back",
      );
      await stopNode(a);
      procs.length = 0;

      // Same seat, wiped DAG: the node asks for seq 0 again, the signer refuses, the node reports
      // the typed refusal and keeps running.
      await configure(1);
      const b = await spawnNode(layout(1), 0, { eventIntervalMs: 20 });
      procs.push(b);
      await waitFor(
        async () =>
          (await metricSum(b.url, "pc_node_signer_errors_total", {
              code: "SIGNER_REFUSED",
              signer_code: "SLASHING_SEQ_BELOW_HWM",
            })) >= 1
            ? true
            : undefined,
        20_000,
        "the signer's refusal counted by the node",
      );
      assert.equal(await anchorOf(b.url), 0, "no own event without the signer's signature");
      const res = await fetch(`${b.url}/status/node`);
      assert.equal(res.status, 200, "the refused node is still serving");
      const refused = (await res.json() as {
        signer: { ok: boolean; last_error: { code: string } | null };
      }).signer;
      assert.deepEqual([refused.ok, refused.last_error?.code], [false, "SIGNER_REFUSED"]);
      // Still alive until told to stop: a clean SIGTERM exit (0), not a crash.
      assert.equal(await stopNode(b), 0);
      procs.length = 0;
      const log = await waitFor(
        async () => {
          const t = await Deno.readTextFile(`${dir}/node1/node.log`);
          return t.includes("SIGNER_REFUSED") ? t : undefined;
        },
        5_000,
        "the refusal in the node log",
      );
      assert.match(log, /SLASHING_SEQ_BELOW_HWM/, "the log names the slashing rule");
    } finally {
      for (const p of procs) await stopNode(p);
      if (signer !== null) {
        signer.kill("SIGKILL");
        await signer.status;
      }
      await Deno.remove(dir, { recursive: true }).catch(() => {/* best effort temp clean-up */});
    }
  },
});

Deno.test({
  name: "runDevnet() with remoteSigner: 2 seats sign through one phantom-signer and finalize",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "pc_devnet_rs_" });
    try {
      const rpcBase = freePortRun(2, 48000 + (Deno.pid % 1000) * 2);
      const summary = await runDevnet({
        dir,
        seats: 2,
        rpcBasePort: rpcBase,
        p2pBasePort: freePortRun(2, rpcBase + 3000),
        txRate: 0,
        durationS: 6,
        mineEveryMs: 0,
        remoteSigner: true,
      });
      assert.ok(summary.anchors > 0, `anchors advanced: ${JSON.stringify(summary)}`);
      assert.equal(summary.ok, true, JSON.stringify(summary));
      // No seat key files; the signer's slashing store holds a mark for each seat.
      for (const i of [0, 1]) {
        assert.equal(
          await Deno.stat(`${dir}/node${i}/devnet/keys/seat.key`).then(() => true, () => false),
          false,
          `node ${i} has no seat key file`,
        );
      }
      const marks = JSON.parse(await Deno.readTextFile(`${dir}/signer/slashing.json`)) as {
        data: { creator: number }[];
      };
      assert.deepEqual(marks.data.map((d) => d.creator).sort(), [0, 1]);
    } finally {
      await Deno.remove(dir, { recursive: true }).catch(() => {/* best effort temp clean-up */});
    }
  },
});
