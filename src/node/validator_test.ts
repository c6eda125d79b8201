import assert from "node:assert/strict";
import { bytesToHex } from "@noble/hashes/utils.js";
import { encodeAddress } from "../codec/mod.ts";
import { MethodRegistry, RPC_ERROR, RpcError } from "../rpc/mod.ts";
import { faucetTransfer } from "./devnet.ts";
import { oneSeatGenesis, oneSeatOptions, testKey, until } from "./_testing.ts";
import { decodeEventBody, encodeEventBody, ValidatorService } from "./validator.ts";

const seat = testKey(3);
const faucet = testKey(4);
const hex = bytesToHex;
const faucetAddr = encodeAddress({ type: "key", pubkey: faucet.publicKey }, "devnet");
const genesis = oneSeatGenesis(seat, faucet, "validator test");

interface Harness {
  svc: ValidatorService;
  reg: MethodRegistry;
  kv: Deno.Kv;
  call: (method: string, params?: unknown) => Promise<unknown>;
  close: () => Promise<void>;
}

async function open(dir: string): Promise<Harness> {
  const kv = await Deno.openKv(`${dir}/chain.kv`);
  const svc = new ValidatorService(oneSeatOptions(genesis, seat, dir));
  svc.bind({ flush: (c) => c(), kv: () => kv });
  const reg = new MethodRegistry();
  svc.registerRpc(reg);
  await svc.start();
  return {
    svc,
    reg,
    kv,
    call: async (method, params = {}) => {
      const m = reg.get(method)!;
      return await m.handler(m.params(params, ""), { client: "test" });
    },
    close: async () => {
      await svc.stop();
      kv.close();
    },
  };
}

Deno.test("ValidatorService finalizes a submitted tx and resumes identically after restart", async () => {
  const dir = await Deno.makeTempDir();
  let h = await open(dir);
  try {
    // Genesis coins are tier 0: spendable from anchor 50 on devnet.
    await until(() => h.svc.stats().anchor >= 51 ? true : undefined, 20_000, "anchor 51");
    const utxos = await h.call("get_utxos", { address: faucetAddr, cursor: null }) as {
      utxos: { txid: string; index: number; amount: string }[];
    };
    assert.equal(utxos.utxos.length, 1);
    const u = utxos.utxos[0]!;
    const tx = faucetTransfer(faucet, { ...u, amount: BigInt(u.amount) }, 1_000n);
    const { txid } = await h.call("submit_tx", { tx: hex(tx) }) as { txid: string };
    const fin = await until(() => h.svc.stats().txsFinalized > 0 ? true : undefined, 10_000, "tx");
    assert.ok(fin);
    const got = await h.call("get_tx", { txid }) as { status: string; anchor: string };
    assert.equal(got.status, "finalized");
    // A second spend of the same coin is refused by the state pre-check.
    await assert.rejects(
      h.call("submit_tx", { tx: hex(tx.slice()) }).then(async () => {
        const again = faucetTransfer(faucet, { ...u, amount: BigInt(u.amount) }, 2_000n);
        await h.call("submit_tx", { tx: hex(again) });
      }),
      /refused|spent|TX_/,
    );
    const bal = await h.call("get_balance", { address: faucetAddr }) as { confirmed: string };
    assert.equal(bal.confirmed, (100_000_000n - 1_000n).toString());
    const before = h.svc.stats();
    const anchorRec = await h.call("get_anchor", { index: Number(got.anchor) });
    await h.close();
    h = await open(dir);
    const after = h.svc.stats();
    assert.ok(after.anchor >= before.anchor, "no durable anchor lost");
    assert.deepEqual(await h.call("get_anchor", { index: Number(got.anchor) }), anchorRec);
    assert.equal(
      ((await h.call("get_tx", { txid })) as { status: string }).status,
      "finalized",
      "finalized tx known after restart",
    );
  } finally {
    await h.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("decodeEventBody() rejects a body whose signature or payload was altered", async () => {
  const dir = await Deno.makeTempDir();
  const h = await open(dir);
  try {
    await until(() => h.svc.stats().events >= 1 ? true : undefined, 5_000, "one event");
    let body: Uint8Array | undefined;
    for await (const e of h.kv.list<Uint8Array>({ prefix: ["dag"] })) {
      body = e.value;
      break;
    }
    assert.ok(body !== undefined);
    const rec = decodeEventBody(body, genesis);
    assert.deepEqual(encodeEventBody(rec.event, body.subarray(body.length - 1)), body);
    const badSig = body.slice();
    const n = new DataView(body.buffer, body.byteOffset, 4).getUint32(0);
    badSig[4 + n - 2] = badSig[4 + n - 2]! ^ 1;
    assert.throws(() => decodeEventBody(badSig, genesis), /signature|Codec|decode/i);
    const extra = new Uint8Array(body.length + 1);
    extra.set(body);
    assert.throws(() => decodeEventBody(extra, genesis));
    assert.throws(() => decodeEventBody(body.subarray(0, 3), genesis), RangeError);
  } finally {
    await h.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ValidatorService RPCs answer bad params and unknown objects with JSON-RPC errors", async () => {
  const dir = await Deno.makeTempDir();
  const h = await open(dir);
  try {
    await assert.rejects(h.call("get_balance", { address: "nope" }), /Invalid address/);
    // A testnet address on this devnet node: refused as bad params, not read as an empty balance.
    const testnetAddr = encodeAddress({ type: "key", pubkey: faucet.publicKey }, "testnet");
    for (const method of ["get_balance", "get_utxos", "get_history"]) {
      await assert.rejects(
        h.call(method, { address: testnetAddr }),
        (e: unknown) =>
          e instanceof RpcError && e.code === RPC_ERROR.INVALID_PARAMS &&
          /prefix "tpc" \(testnet\), expected "dpc" \(devnet\)/.test(e.message),
        method,
      );
    }
    await assert.rejects(
      h.call("get_mint_template", { payout: testnetAddr, tier: 0 }),
      (e: unknown) =>
        e instanceof RpcError && e.code === RPC_ERROR.INVALID_PARAMS &&
        /Invalid payout address: .*expected "dpc" \(devnet\)/.test(e.message),
    );
    await assert.rejects(h.call("get_event", { id: "00".repeat(32) }), /Unknown event/);
    await assert.rejects(h.call("get_anchor", { index: 1_000_000 }), /Unknown anchor/);
    await assert.rejects(h.call("submit_tx", { tx: "00" }), /Malformed/);
    await assert.rejects(h.call("submit_mint_solution", { mint: "00" }), /./);
    assert.equal(await h.call("get_tx", { txid: "ab".repeat(32) }), null);
    const floor = await h.call("get_fee_floor") as { min_fee: string };
    assert.equal(floor.min_fee, "1000");
    const st = await h.call("mint_status") as Record<string, unknown>;
    assert.ok("target" in st || Object.keys(st).length > 0);
  } finally {
    await h.close();
    await Deno.remove(dir, { recursive: true });
  }
});
