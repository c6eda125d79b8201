/**
 * End to end (issue 9): a devnet mint paid to a wallet address stays unspendable until its tier-0
 * maturity (50 finalized anchors on devnet), then the wallet spends it through a real
 * `phantom-signer` subprocess over a unix socket, and every validator finalizes the spend with the
 * right balances for the recipient and the change. A second mint, paid to the signer's payout key,
 * matures alongside and is spent through the same signer (`sign_payout`) with a PSPT.
 */
import assert from "node:assert/strict";
import { bytesToHex } from "@noble/hashes/utils.js";
import { encodeAddress, encodeTx, type Predicate, predicateCommitment } from "../src/codec/mod.ts";
import {
  freePortRun,
  initDevnet,
  mineOnce,
  type NodeProcess,
  type NodeStats,
  rpc,
  spawnNode,
  spawnSigner,
  stopNode,
  waitFor,
} from "../src/node/mod.ts";
import { createKeystore, mnemonicToSeed, SignerClient } from "../src/signer/mod.ts";
import {
  buildTransfer,
  extractTx,
  finalizePspt,
  NodeRpcClient,
  psptFromTransfer,
  signPspt,
  Wallet,
  WalletAccount,
  type WalletKey,
} from "../src/wallet/mod.ts";

const MNEMONIC =
  "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";
const PASSPHRASE = "wallet-e2e-test-passphrase";
const SEATS = 4;

async function balanceOn(url: string, address: string): Promise<bigint> {
  const b = await rpc<{ confirmed: string }>(url, "get_balance", { address });
  return BigInt(b.confirmed);
}

Deno.test({
  name: "wallet spends a matured devnet mint through phantom-signer, finalized on every node",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "pc_wallet_e2e_" });
    const rpcBase = freePortRun(SEATS, 45000 + (Deno.pid % 1000) * 8);
    const p2pBase = freePortRun(SEATS, rpcBase + 4);
    const layout = await initDevnet({
      dir,
      seats: SEATS,
      rpcBasePort: rpcBase,
      p2pBasePort: p2pBase,
      allocations: 1,
    });
    const procs: NodeProcess[] = [];
    let signer: Deno.ChildProcess | null = null;
    let client: SignerClient | null = null;
    try {
      for (let i = 0; i < SEATS; i++) {
        procs.push(await spawnNode(layout, i, { eventIntervalMs: 50 }));
      }
      const urls = procs.map((p) => p.url);

      // The wallet's keys live only in the signer: a cheap-scrypt keystore, then a real process.
      const keystore = `${dir}/keystore.json`;
      await createKeystore(keystore, mnemonicToSeed(MNEMONIC), PASSPHRASE, {
        network: "devnet",
        scrypt: { n: 1 << 10, r: 8, p: 1 },
      });
      const socket = `${dir}/signer.sock`;
      signer = await spawnSigner({
        keystore,
        slashing: `${dir}/slashing.json`,
        socket,
        genesisId: new Uint8Array(32),
        passphrase: PASSPHRASE,
        stderr: "null",
      });
      client = await waitFor(
        () => SignerClient.connect({ transport: "unix", path: socket }),
        30_000,
        "signer socket accepts",
      );

      const account = WalletAccount.fromMnemonic(MNEMONIC, "devnet");
      const payout = account.receiveKey(0).address;
      const recipient = WalletAccount.fromMnemonic(MNEMONIC, "devnet", 1).receiveKey(0).address;
      const wallet = new Wallet({ gapLimit: 2 }, {
        account,
        rpc: new NodeRpcClient({ url: urls[0]! }),
        signer: client,
      });

      // Mine one tier-0 mint to the wallet's receive address and wait until it is finalized.
      await waitFor(
        async () => (await mineOnce(urls[0]!, payout)) ?? undefined,
        30_000,
        "mint accepted",
      );
      const mint = await waitFor(
        async () => {
          const b = await Promise.all(urls.map((u) => balanceOn(u, payout)));
          return b.every((x) => x > 0n && x === b[0]) ? b[0] : undefined;
        },
        30_000,
        "mint credited on every node",
      );
      // The second mint pays the signer's payout key (its own role and path, docs/spec/keys.md).
      const payoutRef = { role: "payout", account: 0, index: 0 } as const;
      const payoutPk = (await client.getPublicKey(payoutRef)).xOnly;
      const payoutPred: Predicate = { type: "key", pubkey: payoutPk };
      const payoutKey: WalletKey = {
        ref: payoutRef,
        xOnly: payoutPk,
        predicate: payoutPred,
        commitment: predicateCommitment(payoutPred),
        address: encodeAddress(payoutPred, "devnet"),
      };
      await waitFor(
        async () => (await mineOnce(urls[0]!, payoutKey.address)) ?? undefined,
        30_000,
        "payout mint accepted",
      );
      const payoutMint = await waitFor(
        async () => {
          const b = await Promise.all(urls.map((u) => balanceOn(u, payoutKey.address)));
          return b.every((x) => x > 0n && x === b[0]) ? b[0] : undefined;
        },
        30_000,
        "payout mint credited on every node",
      );
      const coins = await wallet.coins();
      assert.equal(coins.length, 1, "the wallet sees exactly the mint");
      const unlock = coins[0]!.utxo.anchor + 50n;

      // Immediately: a valid, signed spend is refused as immature (typed code, not the message).
      const amount = mint / 3n;
      const early = await wallet.prepare([{ to: recipient, amount }], coins);
      const earlyTx = await wallet.sign(early.pspt);
      const earlyHex = bytesToHex(encodeTx(earlyTx));
      const refusal = () =>
        rpc(urls[0]!, "submit_tx", { tx: earlyHex })
          .then(() => null, (e: Error & { rpcData?: { code?: string; spendableAt?: number } }) => ({
            code: e.rpcData?.code,
            spendableAt: e.rpcData?.spendableAt,
          }));
      const expected = { code: "TX_IMMATURE", spendableAt: Number(unlock) };
      assert.deepEqual(await refusal(), expected, "an immature mint cannot be spent");
      // Half-way to maturity (25 anchors of margin) it is still refused.
      await waitFor(
        async () => {
          const s = await rpc<NodeStats>(urls[0]!, "node_stats");
          return BigInt(s.anchor) >= unlock - 25n ? s : undefined;
        },
        30_000,
        "half-way to maturity",
      );
      assert.deepEqual(await refusal(), expected, "still immature half-way");

      // Wait for the unlock anchor on every node, then spend through the wallet and signer.
      await waitFor(
        async () => {
          const s = await Promise.all(urls.map((u) => rpc<NodeStats>(u, "node_stats")));
          return s.every((x) => BigInt(x.anchor) >= unlock + 1n) ? s : undefined;
        },
        60_000,
        `anchor ${unlock + 1n} on every node`,
      );
      const { transfer, pspt } = await wallet.prepare(
        [{ to: recipient, amount }],
        await wallet.coins(),
      );
      const floor = await new NodeRpcClient({ url: urls[0]! }).getFeeFloor();
      const tx = await wallet.sign(pspt);
      const bytes = encodeTx(tx);
      const need = floor.minFee > floor.unitsPerByte * BigInt(bytes.length)
        ? floor.minFee
        : floor.unitsPerByte * BigInt(bytes.length);
      assert.ok(transfer.fee >= need, `fee ${transfer.fee} meets the floor ${need}`);
      assert.ok(transfer.changeKey !== null, "the spend has change");
      const txId = await new NodeRpcClient({ url: urls[0]! }).submitTx(bytes);
      const change = transfer.changeKey.address;

      await waitFor(
        async () => {
          for (const u of urls) {
            const t = await new NodeRpcClient({ url: u }).getTx(txId);
            if (t === null || t.status !== "finalized") return;
          }
          return true;
        },
        30_000,
        "spend finalized on every node",
      );
      for (const u of urls) {
        assert.equal(await balanceOn(u, recipient), amount, `recipient balance on ${u}`);
        assert.equal(await balanceOn(u, change), mint - amount - transfer.fee, `change on ${u}`);
        assert.equal(await balanceOn(u, payout), 0n, `the mint is spent on ${u}`);
        const t = await rpc<{ status: string }>(u, "get_tx", { txid: bytesToHex(txId) });
        assert.equal(t.status, "finalized", `get_tx on ${u}`);
      }

      // The payout mint, once mature, is spent through the signer's payout key (sign_payout).
      const rpc0 = new NodeRpcClient({ url: urls[0]! });
      const payoutCoins = (await rpc0.getAllUtxos(payoutKey.address)).map((utxo) => ({
        utxo,
        key: payoutKey,
      }));
      assert.equal(payoutCoins.length, 1, "the payout key holds exactly its mint");
      const payoutUnlock = payoutCoins[0]!.utxo.anchor + 50n;
      await waitFor(
        async () => {
          const s = await Promise.all(urls.map((u) => rpc<NodeStats>(u, "node_stats")));
          return s.every((x) => BigInt(x.anchor) >= payoutUnlock + 1n) ? s : undefined;
        },
        60_000,
        `anchor ${payoutUnlock + 1n} on every node`,
      );
      const recipient2 = WalletAccount.fromMnemonic(MNEMONIC, "devnet", 2).receiveKey(0).address;
      const amount2 = payoutMint / 2n;
      const t2 = buildTransfer(payoutCoins, [{ to: recipient2, amount: amount2 }], {
        network: "devnet",
        feeFloor: await rpc0.getFeeFloor(),
        change: account.changeKey(5),
      });
      const p2 = psptFromTransfer(t2);
      assert.equal(await signPspt(p2, client), 1, "signed by the payout key");
      assert.ok(finalizePspt(p2));
      const txId2 = await rpc0.submitTx(encodeTx(extractTx(p2)));
      await waitFor(
        async () => {
          for (const u of urls) {
            const t = await new NodeRpcClient({ url: u }).getTx(txId2);
            if (t === null || t.status !== "finalized") return;
          }
          return true;
        },
        30_000,
        "payout spend finalized on every node",
      );
      for (const u of urls) {
        assert.equal(await balanceOn(u, recipient2), amount2, `payout recipient on ${u}`);
        assert.equal(await balanceOn(u, payoutKey.address), 0n, `payout mint spent on ${u}`);
        assert.equal(
          await balanceOn(u, t2.changeKey!.address),
          payoutMint - amount2 - t2.fee,
          `payout change on ${u}`,
        );
      }
    } finally {
      client?.close();
      if (signer !== null) {
        signer.kill("SIGKILL");
        await signer.status;
      }
      for (const p of procs) await stopNode(p);
      await Deno.remove(dir, { recursive: true }).catch(() => {/* best effort temp clean-up */});
    }
  },
});
