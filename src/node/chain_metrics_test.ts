import assert from "node:assert/strict";
import { bytesToHex } from "@noble/hashes/utils.js";
import { Registry } from "prom-client";
import { encodeAddress } from "../codec/mod.ts";
import { createAllMetrics } from "../metrics/mod.ts";
import { MethodRegistry } from "../rpc/mod.ts";
import { faucetTransfer } from "./devnet.ts";
import { oneSeatGenesis, oneSeatOptions, testKey, until } from "./_testing.ts";
import { ValidatorService } from "./validator.ts";

const seat = testKey(7);
const faucet = testKey(8);
const faucetAddr = encodeAddress({ type: "key", pubkey: faucet.publicKey }, "devnet");
const genesis = oneSeatGenesis(seat, faucet, "metrics test");

/** Sum of a series' samples over all labels in the text exposition, or undefined when absent. */
function value(text: string, name: string): number | undefined {
  let sum: number | undefined;
  for (const line of text.split("\n")) {
    const m = /^([a-z_]+)(\{[^}]*\})? (\S+)$/.exec(line);
    if (m === null || m[1] !== name) continue;
    sum = (sum ?? 0) + Number(m[3]);
  }
  return sum;
}

Deno.test("ValidatorService feeds EPS, tx, queue, sig-verify, flush and process metrics", async () => {
  const dir = await Deno.makeTempDir();
  const kv = await Deno.openKv(`${dir}/chain.kv`);
  const reg = new Registry();
  const metrics = createAllMetrics(reg);
  const svc = new ValidatorService(oneSeatOptions(genesis, seat, dir));
  svc.bind({
    flush: async (c) => {
      const t0 = performance.now();
      await c();
      metrics.node.kvFlush.observe((performance.now() - t0) / 1000);
    },
    kv: () => kv,
    registry: reg,
    metrics,
  });
  const rpc = new MethodRegistry();
  svc.registerRpc(rpc);
  const call = async (method: string, params: unknown) => {
    const m = rpc.get(method)!;
    return await m.handler(m.params(params, ""), { client: "test" });
  };
  await svc.start();
  try {
    // Genesis coins are spendable from anchor 50 on devnet.
    await until(() => svc.stats().anchor >= 51, 20_000, "anchor 51");
    const { utxos } = await call("get_utxos", { address: faucetAddr, cursor: null }) as {
      utxos: { txid: string; index: number; amount: string }[];
    };
    const u = utxos[0]!;
    const tx = faucetTransfer(faucet, { ...u, amount: BigInt(u.amount) }, 1_000n);
    await call("submit_tx", { tx: bytesToHex(tx) });
    await until(() => svc.stats().txsFinalized > 0, 10_000, "tx finalized");
    const text = await reg.metrics();
    for (
      const name of [
        "pc_consensus_events_total",
        "pc_consensus_anchors_finalized_total",
        "pc_consensus_latest_anchor_height",
        "pc_state_txs_applied_total",
        "pc_node_txs_finalized_total",
        "pc_node_tx_finality_seconds_count",
        "pc_crypto_sig_verify_cpu_seconds_total",
        "pc_crypto_sigs_verified_total",
        "pc_node_anchor_commit_seconds_count",
        "pc_node_kv_flush_seconds_count",
        "pc_state_apply_seconds_count",
        "process_cpu_seconds_total",
      ]
    ) {
      const v = value(text, name);
      assert.ok(v !== undefined, `${name} is registered`);
      assert.ok(v > 0, `${name} is non-zero (got ${v})`);
    }
    assert.match(text, /pc_node_queue_items\{queue="serial"\} \d+/);
    assert.match(text, /pc_state_mempool_txs \d+/);
    assert.ok(
      /pc_crypto_sig_verify_cpu_seconds_total\{scheme="schnorr"\} [0-9.e-]+/.test(text),
      "schnorr verify time is labelled",
    );
  } finally {
    await svc.stop();
    kv.close();
    await Deno.remove(dir, { recursive: true });
  }
});
