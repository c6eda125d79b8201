import assert from "node:assert/strict";
import { bytesToHex, hexToBytes } from "@noble/hashes/utils.js";
import { decodeTx, encodePredicate, txId, type TxOutput } from "../codec/mod.ts";
import { mnemonicToSeed } from "../signer/mod.ts";
import { WalletAccount } from "./account.ts";
import { WalletError } from "./errors.ts";
import { NodeRpcClient } from "./rpc.ts";
import { Wallet } from "./wallet.ts";
import { localSigner, MNEMONIC, verifyWitnesses } from "./_testing.ts";

/** An in-memory node answering the wallet methods through an injected fetch. */
function fakeNode(utxos: Map<string, { txid: string; index: number; output: TxOutput }[]>) {
  const submitted: Uint8Array[] = [];
  const f: typeof fetch = (_u, init) => {
    const req = JSON.parse(String(init?.body));
    let result: unknown;
    switch (req.method) {
      case "get_fee_floor":
        result = { units_per_byte: "2", min_fee: "200" };
        break;
      case "get_balance": {
        const list = utxos.get(req.params.address) ?? [];
        result = {
          confirmed: String(list.reduce((s, u) => s + u.output.amount, 0n)),
          pending: "0",
        };
        break;
      }
      case "get_utxos":
        result = {
          utxos: (utxos.get(req.params.address) ?? []).map((u) => ({
            txid: u.txid,
            index: u.index,
            amount: String(u.output.amount),
            predicate: bytesToHex(encodePredicate(u.output.predicate)),
            anchor: "5",
          })),
          next_cursor: null,
        };
        break;
      case "submit_tx": {
        const tx = decodeTx(hexToBytes(req.params.tx));
        submitted.push(hexToBytes(req.params.tx));
        result = { txid: bytesToHex(txId(tx)) };
        break;
      }
    }
    return Promise.resolve(Response.json({ jsonrpc: "2.0", id: req.id, result }));
  };
  return { rpc: new NodeRpcClient({ url: "http://node.invalid", fetch: f }), submitted };
}

Deno.test("Wallet.send() selects coins, signs through the signer and submits a valid transaction", async () => {
  const account = WalletAccount.fromMnemonic(MNEMONIC, "testnet");
  const k0 = account.receiveKey(0);
  const k3 = account.receiveKey(3);
  const utxos = new Map([
    [k0.address, [{
      txid: "11".repeat(32),
      index: 0,
      output: {
        amount: 70_000n,
        predicate: { type: "commit" as const, commitment: k0.commitment },
      },
    }]],
    [k3.address, [{
      txid: "22".repeat(32),
      index: 1,
      output: {
        amount: 20_000n,
        predicate: { type: "commit" as const, commitment: k3.commitment },
      },
    }]],
  ]);
  const { rpc, submitted } = fakeNode(utxos);
  const wallet = new Wallet({ gapLimit: 5 }, {
    account,
    rpc,
    signer: await localSigner(mnemonicToSeed(MNEMONIC)),
  });
  assert.deepEqual(await wallet.balance(), { confirmed: 90_000n, pending: 0n });
  assert.equal((await wallet.coins()).length, 2);
  const to = WalletAccount.fromMnemonic(MNEMONIC, "testnet", 4).receiveKey(0).address;
  const id = await wallet.send([{ to, amount: 80_000n }]);
  assert.equal(submitted.length, 1);
  const tx = decodeTx(submitted[0]!);
  assert.deepEqual(txId(tx), id);
  const spentBy = new Map([["11", utxos.get(k0.address)![0]!.output], [
    "22",
    utxos.get(k3.address)![0]!.output,
  ]]);
  verifyWitnesses(tx, tx.inputs.map((i) => spentBy.get(bytesToHex(i.prevout.txId).slice(0, 2))!));
  await assert.rejects(
    wallet.send([{ to, amount: 90_000n }]),
    (e: unknown) => e instanceof WalletError && e.code === "INSUFFICIENT_FUNDS",
  );
});
