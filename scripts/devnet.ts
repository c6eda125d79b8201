#!/usr/bin/env -S deno run -A
/**
 * `deno task devnet`: one command for a local PhantomCoin network (docs/operations.md "Devnet").
 * Starts N phantom-node validators over libp2p on 127.0.0.1 with data under one directory, a
 * built-in miner at devnet difficulty, an optional transaction generator and a live status line.
 * Ctrl-C stops every node cleanly (SIGTERM, wait); running it again resumes from disk. With
 * `--duration S` it runs S seconds, prints one JSON summary line and exits 0 (ok) or 1.
 * @module
 */
import { Command } from "commander";
import { intArg } from "../src/cli/mod.ts";
import { runDevnet } from "../src/node/mod.ts";

if (import.meta.main) {
  const cmd = new Command("devnet")
    .description("Run a local PhantomCoin devnet (validators over libp2p on 127.0.0.1)")
    .option("--dir <path>", "data directory of the whole devnet", "./data/devnet")
    .option(
      "--seats <n>",
      "number of validator processes (committee size k)",
      intArg("--seats", 1, 64),
      4,
    )
    .option(
      "--tx-rate <n>",
      "transactions per second to generate (0: none)",
      intArg("--tx-rate", 0, 100_000),
      0,
    )
    .option(
      "--duration <s>",
      "run S seconds, print a JSON summary, exit 0/1 (0: until Ctrl-C)",
      intArg("--duration", 0, 86_400),
      0,
    )
    .option(
      "--mine-every-ms <ms>",
      "submit a mint every MS ms (0: no miner)",
      intArg("--mine-every-ms", 0, 3_600_000),
      2000,
    )
    .option(
      "--event-interval-ms <ms>",
      "least time between two events of a seat",
      intArg("--event-interval-ms", 1, 60_000),
      50,
    )
    .option(
      "--rpc-port <port>",
      "RPC port of node 0 (node i: port + i)",
      intArg("--rpc-port", 1, 65000),
      18645,
    )
    .option(
      "--p2p-port <port>",
      "p2p port of node 0 (node i: port + i)",
      intArg("--p2p-port", 1, 65000),
      19645,
    )
    .option(
      "--remote-signer",
      "seat keys in one phantom-signer process (<dir>/signer/) instead of seat key files; each node signs through it",
    )
    .parse(Deno.args, { from: "user" });
  const o = cmd.opts<{
    dir: string;
    seats: number;
    txRate: number;
    duration: number;
    mineEveryMs: number;
    eventIntervalMs: number;
    rpcPort: number;
    p2pPort: number;
    remoteSigner?: boolean;
  }>();
  const ctl = new AbortController();
  let signals = 0;
  const onSignal = () => {
    signals++;
    if (signals > 1) Deno.exit(130);
    console.error("\nStopping the devnet (SIGTERM to every node)...");
    ctl.abort();
  };
  Deno.addSignalListener("SIGINT", onSignal);
  Deno.addSignalListener("SIGTERM", onSignal);
  const tty = Deno.stderr.isTerminal();
  let lastPrint = -Infinity;
  const summary = await runDevnet({
    dir: o.dir,
    seats: o.seats,
    rpcBasePort: o.rpcPort,
    p2pBasePort: o.p2pPort,
    txRate: o.txRate,
    durationS: o.duration,
    mineEveryMs: o.mineEveryMs,
    eventIntervalMs: o.eventIntervalMs,
    remoteSigner: o.remoteSigner === true,
    signal: ctl.signal,
    status: (line) => {
      if (tty) {
        Deno.stderr.writeSync(new TextEncoder().encode(`\r\x1b[2K${line}`));
      } else if (performance.now() - lastPrint >= 10_000) {
        // Not a terminal (CI, a pipe): one plain line every 10 s instead of a live line.
        lastPrint = performance.now();
        console.error(line);
      }
    },
  }).catch((e: unknown) => {
    // A typed refusal (an old devnet directory, a genesis of another committee, a busy port):
    // its code and message are the whole story, not a stack trace.
    const code = (e as { code?: unknown })?.code;
    if (typeof code !== "string") throw e;
    if (tty) console.error("");
    console.error(`devnet: ${code}: ${(e as Error).message}`);
    Deno.exit(1);
  });
  if (tty) console.error("");
  console.log(JSON.stringify({ devnet: "summary", ...summary }));
  // libp2p is not in this process, but fetch keep-alive sockets may be: exit explicitly.
  Deno.exit(o.duration > 0 && !summary.ok ? 1 : 0);
}
