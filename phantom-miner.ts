/**
 * phantom-miner: stateless PoW worker fed by a node's mint templates.
 *
 *   deno run -A phantom-miner.ts --rpc http://127.0.0.1:8645 --payout dpc1... --threads 4
 *
 * (`dpc1...` is a devnet address; testnet addresses start with `tpc1`, mainnet ones with `pc1`.)
 *
 * Thin entry point: parses flags and runs {@linkcode PhantomMiner} until Ctrl-C.
 * @module
 */
import { Command } from "commander";
import { intArg } from "./src/cli/mod.ts";
import { decodeAddress } from "./src/codec/mod.ts";
import { httpJsonRpc, PhantomMiner } from "./src/miner/mod.ts";

if (import.meta.main) {
  const program = new Command("phantom-miner")
    .description("Mine PhantomCoin mints against a node's JSON-RPC endpoint")
    .requiredOption("--rpc <url>", "node JSON-RPC URL", "http://127.0.0.1:8645")
    .requiredOption("--payout <address>", "Bech32m address that receives the rewards")
    .option(
      "--threads <n>",
      "hashing threads",
      intArg("--threads", 1, 256),
      navigator.hardwareConcurrency || 1,
    )
    .option(
      "--tier <t>",
      "maturity tier 0, 1 or 2 (longer lock, larger reward)",
      intArg("--tier", 0, 2),
      2,
    )
    .option(
      "--refresh-ms <ms>",
      "template poll interval",
      intArg("--refresh-ms", 50, 600_000),
      2000,
    )
    .parse(["deno", "phantom-miner", ...Deno.args]);
  const o = program.opts<
    { rpc: string; payout: string; threads: number; tier: number; refreshMs: number }
  >();
  try {
    decodeAddress(o.payout);
  } catch (e) {
    program.error(`error: ${(e as Error).message}`);
  }
  const tty = Deno.stderr.isTerminal();
  const enc = new TextEncoder();
  const miner = new PhantomMiner(
    { payout: o.payout, threads: o.threads, tier: o.tier, refreshMs: o.refreshMs },
    {
      rpc: httpJsonRpc(o.rpc),
      status: (line) => Deno.stderr.writeSync(enc.encode(tty ? `\r\x1b[2K${line}` : `${line}\n`)),
      log: (msg, data) => console.log(JSON.stringify({ msg, ...data })),
    },
  );
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await miner.stop();
    if (tty) Deno.stderr.writeSync(enc.encode("\n"));
    console.log(JSON.stringify({ msg: "Miner summary", ...summary(miner) }));
    Deno.exit(0);
  };
  Deno.addSignalListener("SIGINT", () => void stop());
  if (Deno.build.os !== "windows") Deno.addSignalListener("SIGTERM", () => void stop());
  await miner.start();
}

function summary(m: PhantomMiner): Record<string, unknown> {
  const s = m.stats();
  return {
    found: s.found,
    accepted: s.accepted,
    rejected: s.rejected,
    rejectedByReason: s.rejectedByReason,
    hashes: s.hashes.toString(),
  };
}
