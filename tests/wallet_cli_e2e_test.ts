/**
 * End to end (issue 9, wallet CLI): `phantom-signer wallet` against a real one-seat validator with
 * its JSON-RPC over HTTP. The genesis pays 1 PC to the wallet's first receive address, spendable
 * from anchor 50 (devnet maturity). Before that, a spend is refused and the wallet's RPC client
 * keeps the node's typed refusal (TX_IMMATURE with spendableAt); after it, the CLI's send, balance
 * and history agree with what the node finalized (one send signed with the local keystore, one
 * through a phantom-signer process serving the same keystore), get_history pages by cursor, and a
 * restarted node rebuilds the same history from its DAG replay.
 */
import assert from "node:assert/strict";
import { bytesToHex, hexToBytes } from "@noble/hashes/utils.js";
import { encodeTx } from "../src/codec/mod.ts";
import { WALLET_EXIT, walletMain } from "../src/cli/mod.ts";
import { parseGenesis, spawnSigner, ValidatorService } from "../src/node/mod.ts";
import { oneSeatOptions, testKey, until } from "../src/node/_testing.ts";
import { MethodRegistry, RpcServer } from "../src/rpc/mod.ts";
import { mnemonicToSeed } from "../src/signer/mod.ts";
import {
  NodeRpcClient,
  SeedSigner,
  Wallet,
  WalletAccount,
  WalletError,
} from "../src/wallet/mod.ts";

const MNEMONIC =
  "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";
const PASS = "wallet-cli-e2e-passphrase";
const ONE_PC = 100_000_000n;

async function cli(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await walletMain(args, {
    out: (t) => void out.push(t),
    err: (t) => void err.push(t),
    env: { PHANTOM_WALLET_PASSPHRASE: PASS },
    stdin: () => Promise.resolve(MNEMONIC + "\n"),
  });
  const text = out.join("");
  return {
    code,
    err: err.join(""),
    json: () => text.trim().split("\n").filter((l) => l !== "").map((l) => JSON.parse(l)),
  };
}

Deno.test({
  name: "phantom-signer wallet: balance, send and history against a real validator's RPC",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const account = WalletAccount.fromMnemonic(MNEMONIC, "devnet");
    const payout = account.receiveKey(0).address;
    const recipient = WalletAccount.fromMnemonic(MNEMONIC, "devnet", 1).receiveKey(0).address;
    const seat = testKey(21);
    const genesis = parseGenesis({
      network: "devnet",
      committee: [bytesToHex(seat.publicKey)],
      genesis_note: "wallet cli e2e",
      allocations: [{ address: payout, amount: ONE_PC.toString() }],
    }, "inline");
    const dir = await Deno.makeTempDir({ prefix: "pc_wallet_cli_e2e_" });
    /** The validator with its HTTP JSON-RPC server, on the data in `dir`. */
    const startNode = async () => {
      const kv = await Deno.openKv(`${dir}/chain.kv`);
      const svc = new ValidatorService({
        ...oneSeatOptions(genesis, seat, dir),
        eventIntervalMs: 25,
      });
      svc.bind({ flush: (c) => c(), kv: () => kv });
      const registry = new MethodRegistry();
      svc.registerRpc(registry);
      const server = new RpcServer({
        hostname: "127.0.0.1",
        port: 0,
        maxBodyBytes: 1 << 20,
        maxBatch: 10,
        rateLimitRps: 0,
        rateLimitBurst: 1,
      }, { registry, status: () => ({ ok: true }) });
      await svc.start();
      await server.start();
      let stopped = false;
      return {
        svc,
        url: `http://127.0.0.1:${server.port}`,
        stop: async () => {
          if (stopped) return;
          stopped = true;
          await server.stop();
          await svc.stop();
          kv.close();
        },
      };
    };
    let n = await startNode();
    const svc = n.svc;
    const rpc = new NodeRpcClient({ url: n.url });
    const node = ["--node", n.url];
    const wdir = `${dir}/wallet`;
    let signerProc: Deno.ChildProcess | null = null;
    try {
      const restored = await cli([
        "restore",
        "--network",
        "devnet",
        "--wallet-dir",
        wdir,
        "--mnemonic-stdin",
        "--scrypt-log-n",
        "10",
      ]);
      assert.equal(restored.code, WALLET_EXIT.OK, restored.err);
      assert.equal(restored.json()[0].address, payout);

      // Before anchor 50 the allocation is immature: the refusal keeps the node's code and data.
      const signer = new SeedSigner(mnemonicToSeed(MNEMONIC), "devnet");
      const wallet = new Wallet({ gapLimit: 2 }, { account, rpc, signer });
      const early = await wallet.prepare([{ to: recipient, amount: ONE_PC / 4n }]);
      const earlyTx = encodeTx(await wallet.sign(early.pspt));
      assert.ok(svc.stats().anchor < 48, `still far from maturity (anchor ${svc.stats().anchor})`);
      await assert.rejects(rpc.submitTx(earlyTx), (e: unknown) => {
        assert.ok(e instanceof WalletError && e.code === "RPC_ERROR", String(e));
        const d = (e as WalletError<"RPC_ERROR">).data;
        assert.equal(d.method, "submit_tx");
        assert.equal(d.rpcCode, -32004);
        assert.equal(d.reason, "TX_IMMATURE");
        assert.equal(d.rpcData?.spendableAt, 50);
        return true;
      });
      const cliEarly = await cli([
        "send",
        "--wallet-dir",
        wdir,
        "--to",
        recipient,
        "--amount",
        "0.25",
        ...node,
      ]);
      assert.equal(cliEarly.code, WALLET_EXIT.FAILURE);
      assert.match(cliEarly.err, /\(TX_IMMATURE\).*"spendableAt":50/);
      // A malformed cursor is a typed INVALID_PARAMS refusal naming the parameter.
      await assert.rejects(rpc.getHistory(payout, { cursor: "abc" }), (e: unknown) => {
        const d = (e as WalletError<"RPC_ERROR">).data;
        assert.equal(d.rpcCode, -32602);
        assert.equal(d.rpcData?.path, "cursor");
        return true;
      });

      const bal0 = await cli(["balance", "--wallet-dir", wdir, ...node]);
      assert.equal(bal0.code, WALLET_EXIT.OK, bal0.err);
      assert.equal(bal0.json()[0].confirmed, ONE_PC.toString());

      await until(() => svc.stats().anchor >= 50, 30_000, "anchor 50");
      const sent = await cli([
        "send",
        "--wallet-dir",
        wdir,
        "--to",
        recipient,
        "--amount",
        "0.25",
        ...node,
      ]);
      assert.equal(sent.code, WALLET_EXIT.OK, sent.err);
      const s = sent.json()[0];
      const fee = BigInt(s.fee);
      assert.equal(s.amount, (ONE_PC / 4n).toString());
      assert.equal(s.change, account.changeKey(0).address);
      await until(() => svc.stats().txsFinalized >= 1, 20_000, "send finalized");
      const t = await rpc.getTx(hexToBytes(s.txid));
      assert.equal(t?.status, "finalized");

      const bal1 = await cli(["balance", "--wallet-dir", wdir, ...node]);
      assert.equal(BigInt(bal1.json()[0].confirmed), ONE_PC - ONE_PC / 4n - fee);
      const hist = await cli(["history", "--wallet-dir", wdir, ...node]);
      assert.equal(hist.code, WALLET_EXIT.OK, hist.err);
      const h = hist.json();
      assert.equal(h.length, 2, "the send and the genesis allocation");
      assert.equal(h[0].txid, s.txid);
      assert.equal(BigInt(h[0].delta), -(ONE_PC / 4n) - fee, "net over payout and change keys");
      assert.equal(h[0].anchor, t?.anchor?.toString());
      assert.deepEqual([h[1].kind, h[1].anchor, h[1].delta], ["genesis", "0", ONE_PC.toString()]);

      // The recipient's side through the RPC, and paging of the payout address.
      const r = await rpc.getHistory(recipient);
      assert.deepEqual(
        r.entries.map((e) => [e.kind, e.credit, e.debit]),
        [["tx", ONE_PC / 4n, 0n]],
      );
      const p1 = await rpc.getHistory(payout, { limit: 1 });
      assert.equal(p1.entries.length, 1);
      assert.equal(p1.entries[0]!.debit, ONE_PC);
      assert.ok(p1.nextCursor !== null);
      const p2 = await rpc.getHistory(payout, { limit: 1, cursor: p1.nextCursor });
      assert.deepEqual(p2.entries.map((e) => e.kind), ["genesis"]);
      assert.equal(p2.nextCursor, null);
      assert.equal(p2.truncated, false);
      signer.close();

      // The same keystore served by a real phantom-signer process: send through its socket.
      const socket = `${dir}/signer.sock`;
      signerProc = await spawnSigner({
        keystore: `${wdir}/keystore.json`,
        slashing: `${dir}/slashing.json`,
        socket,
        genesisId: new Uint8Array(32),
        passphrase: PASS,
        stderr: "null",
      });
      const viaSigner = await cli([
        "send",
        "--wallet-dir",
        wdir,
        "--to",
        recipient,
        "--amount",
        "0.1",
        "--signer-socket",
        socket,
        ...node,
      ]);
      assert.equal(viaSigner.code, WALLET_EXIT.OK, viaSigner.err);
      await until(() => svc.stats().txsFinalized >= 2, 20_000, "second send finalized");
      const fee2 = BigInt(viaSigner.json()[0].fee);
      const bal2 = await cli(["balance", "--wallet-dir", wdir, ...node]);
      assert.equal(
        BigInt(bal2.json()[0].confirmed),
        ONE_PC - ONE_PC / 4n - fee - ONE_PC / 10n - fee2,
      );
      assert.equal((await rpc.getHistory(recipient)).entries.length, 2);

      // Offline flow: unsigned PSPT from a dry run, signed by `pspt sign`, sent by `pspt submit`.
      const unsigned = `${dir}/pay.pspt`;
      const dry = await cli([
        "send",
        "--wallet-dir",
        wdir,
        "--to",
        recipient,
        "--amount",
        "0.05",
        "--dry-run",
        "--pspt-out",
        unsigned,
        ...node,
      ]);
      assert.equal(dry.code, WALLET_EXIT.OK, dry.err);
      const signedFile = `${dir}/pay.signed.pspt`;
      const signed = await cli([
        "pspt",
        "sign",
        unsigned,
        "--wallet-dir",
        wdir,
        "--out",
        signedFile,
      ]);
      assert.equal(signed.code, WALLET_EXIT.OK, signed.err);
      assert.equal(signed.json()[0].complete, true);
      const submitted = await cli(["pspt", "submit", signedFile, ...node]);
      assert.equal(submitted.code, WALLET_EXIT.OK, submitted.err);
      await until(() => svc.stats().txsFinalized >= 3, 20_000, "third send finalized");
      assert.equal((await rpc.getHistory(recipient)).entries[0]!.credit, ONE_PC / 20n);

      // History is rebuilt by the replay at start: a restarted node answers the same pages.
      const before = (await cli(["history", "--wallet-dir", wdir, ...node])).json();
      assert.equal(before.length, 4);
      assert.equal(before[0].txid, submitted.json()[0].txid);
      const beforeRecipient = await rpc.getHistory(recipient);
      await n.stop();
      n = await startNode();
      const after = await cli(["history", "--wallet-dir", wdir, "--node", n.url]);
      assert.equal(after.code, WALLET_EXIT.OK, after.err);
      assert.deepEqual(after.json(), before);
      assert.deepEqual(
        await new NodeRpcClient({ url: n.url }).getHistory(recipient),
        beforeRecipient,
      );
      // The first unused receive address, asked from the real node: index 0 has history.
      const unused = await cli(["address", "--unused", "--wallet-dir", wdir, "--node", n.url]);
      assert.equal(unused.code, WALLET_EXIT.OK, unused.err);
      assert.deepEqual(
        [unused.json()[0].index, unused.json()[0].address],
        [1, account.receiveKey(1).address],
      );
    } finally {
      if (signerProc !== null) {
        signerProc.kill("SIGKILL");
        await signerProc.status;
      }
      await n.stop();
      await Deno.remove(dir, { recursive: true }).catch(() => {/* best effort temp clean-up */});
    }
  },
});
