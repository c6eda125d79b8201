#!/usr/bin/env -S deno run -A
/**
 * `deno task testnet`: Testnet-0 (docs/operations.md "Testnet-0", figures in docs/performance.md
 * "Testnet-0"). Starts N phantom-node validators (default 7, up to 21) over libp2p on 127.0.0.1
 * with a shared genesis, a miner and a transaction load generator, using the devnet building blocks
 * of src/node/devnet.ts. Reports finalized tx/s, finality p50/p95, peak RSS per node, and checks
 * that every node holds the same anchor id and state root at EVERY anchor index they all hold.
 * `--kill-every S` SIGKILLs a random non-zero node (seeded PRNG, seed printed), restarts it a few
 * seconds later and checks that it catches up. `--load` submits as fast as the coins allow for
 * `--duration` seconds (default 60) and prints one JSON summary line. Exit 1 when roots differ, a
 * restarted node fails to catch up, or nothing was finalized.
 * @module
 */
import { Command } from "commander";
import { intArg } from "../src/cli/mod.ts";
import { bytesToHex, hexToBytes } from "@noble/hashes/utils.js";
import {
  decodeTxWithIds,
  encodeAddress,
  encodeTx,
  PROTOCOL_VERSION,
  sighash,
  type Tx,
} from "../src/codec/mod.ts";
import { schnorrSign } from "../src/crypto/mod.ts";
import { DEVNET } from "../src/params/mod.ts";
import {
  type Coin,
  faucetPredicates,
  faucetTransfer,
  freePortRun,
  initDevnet,
  mineOnce,
  type NodeProcess,
  type NodeStats,
  peakRss,
  rpc,
  type SeatKey,
  spawnNode,
  stopNode,
  waitFor,
} from "../src/node/mod.ts";

/** A pre-signed transaction of a generator lane: its hex, txid and the coin it creates. */
interface Signed {
  hex: string;
  txid: string;
  next: Coin;
}

/**
 * Splits a faucet coin into `n` outputs of the faucet's commit address (more coins in flight:
 * the generator can only reuse a coin once its transaction is final).
 */
function faucetSplit(
  faucet: SeatKey,
  coin: Coin,
  fee: bigint,
  n: number,
): Signed & { outs: Coin[] } {
  const { key, commit } = faucetPredicates(faucet);
  const q = (coin.amount - fee) / BigInt(n);
  const amounts = Array.from(
    { length: n },
    (_, i) => i === 0 ? coin.amount - fee - q * BigInt(n - 1) : q,
  );
  const base = {
    version: PROTOCOL_VERSION,
    networkId: DEVNET.networkId,
    kind: { type: "transfer" as const },
    inputs: [{ prevout: { txId: hexToBytes(coin.txid), index: coin.index } }],
    outputs: amounts.map((amount) => ({ amount, predicate: commit })),
    fee,
    witnesses: [{ sigs: [new Uint8Array(64)], signers: 0, preimage: null, reveal: key }],
  } as unknown as Tx;
  const sig = schnorrSign(
    sighash(base, 0, [{ amount: coin.amount, predicate: commit }]),
    faucet.secretKey,
  );
  const bytes = encodeTx(
    { ...base, witnesses: [{ sigs: [sig], signers: 0, preimage: null, reveal: key }] } as Tx,
  );
  const txid = bytesToHex(decodeTxWithIds(bytes).txId);
  const outs = amounts.map((amount, index) => ({ txid, index, amount }));
  return { hex: bytesToHex(bytes), txid, next: outs[0]!, outs };
}

/** `depth` chained self-transfers starting at `coin`, signed now (outside the measured window). */
function presignChain(faucet: SeatKey, coin: Coin, depth: number): Signed[] {
  const out: Signed[] = [];
  let c = coin;
  for (let i = 0; i < depth; i++) {
    const bytes = faucetTransfer(faucet, c, 1_000n);
    const txid = bytesToHex(decodeTxWithIds(bytes).txId);
    const next = { txid, index: 0, amount: c.amount - 1_000n };
    out.push({ hex: bytesToHex(bytes), txid, next });
    c = next;
  }
  return out;
}

/** One JSON-RPC batch request; each entry is the result or `undefined` on an error. */
async function rpcBatch<T>(
  url: string,
  calls: { method: string; params: Record<string, unknown> }[],
): Promise<(T | undefined)[]> {
  const res = await fetch(`${url}/rpc`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(calls.map((c, id) => ({ jsonrpc: "2.0", id, ...c }))),
    signal: AbortSignal.timeout(20_000),
  });
  const j = await res.json() as { id: number; result?: T }[];
  const out = new Array<T | undefined>(calls.length);
  for (const r of j) out[r.id] = r.result;
  return out;
}

/** mulberry32: small seeded PRNG for the kill schedule (reproducible with --seed). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pct(xs: number[], q: number): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.floor(s.length * q))]!);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Restart {
  seat: number;
  killed_at_s: number;
  restarted_at_s: number;
  target_anchor: number;
  caught_up_after_s: number | null;
}

if (import.meta.main) {
  const cmd = new Command("testnet")
    .description("Testnet-0: N validators on 127.0.0.1 with a miner, tx load and root checks")
    .option("--nodes <n>", "number of validator processes", intArg("--nodes", 1, 21), 7)
    .option("--load", "submit as fast as the coins allow, bounded by --duration", false)
    .option(
      "--duration <s>",
      "run S seconds (0: until Ctrl-C; --load default 60)",
      intArg("--duration", 0, 86_400),
    )
    .option("--tx-rate <n>", "tx/s without --load", intArg("--tx-rate", 0, 100_000), 50)
    .option("--coins <n>", "genesis coins of the generator", intArg("--coins", 1, 1024), 1024)
    .option(
      "--split <n>",
      "split each genesis coin of the generator into N coins first (more in flight)",
      intArg("--split", 1, 64),
      8,
    )
    .option(
      "--presign-rate <n>",
      "--load: pre-sign duration x N transactions before the measured window",
      intArg("--presign-rate", 0, 100_000),
      3000,
    )
    .option(
      "--kill-every <s>",
      "SIGKILL a random non-zero node every S s (0: never)",
      intArg("--kill-every", 0, 86_400),
      0,
    )
    .option(
      "--restart-after <s>",
      "restart a killed node after S s",
      intArg("--restart-after", 0, 600),
      3,
    )
    .option(
      "--seed <n>",
      "PRNG seed of the kill schedule (default: random)",
      intArg("--seed", 0, 2 ** 32 - 1),
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
    .option("--dir <path>", "data directory (default: a fresh temporary directory)")
    .parse(Deno.args, { from: "user" });
  const o = cmd.opts<{
    nodes: number;
    load: boolean;
    duration?: number;
    txRate: number;
    coins: number;
    split: number;
    presignRate: number;
    killEvery: number;
    restartAfter: number;
    seed?: number;
    mineEveryMs: number;
    eventIntervalMs: number;
    dir?: string;
  }>();
  const durationS = o.duration ?? (o.load ? 60 : 0);
  const seed = o.seed ?? Math.floor(Math.random() * 2 ** 32);
  const rand = prng(seed);
  const log = (s: string) => console.error(`[testnet] ${s}`);
  const dir = o.dir ?? await Deno.makeTempDir({ prefix: "phantom-testnet-" });
  const rpcBase = freePortRun(o.nodes, 28645);
  const p2pBase = freePortRun(o.nodes, rpcBase + 1000);
  log(`nodes=${o.nodes} dir=${dir} seed=${seed} load=${o.load} duration=${durationS}s`);
  const ctl = new AbortController();
  const onSignal = () => ctl.abort();
  Deno.addSignalListener("SIGINT", onSignal);
  Deno.addSignalListener("SIGTERM", onSignal);

  const layout = await initDevnet({
    dir,
    seats: o.nodes,
    rpcBasePort: rpcBase,
    p2pBasePort: p2pBase,
    allocations: o.coins,
  }).catch(async (e) => {
    // Do not leave a half-written temporary directory behind.
    if (o.dir === undefined) await Deno.remove(dir, { recursive: true }).catch(() => {});
    throw e;
  });
  const spawnOpts = { eventIntervalMs: o.eventIntervalMs };
  const procs: (NodeProcess | null)[] = [];
  const rss: number[] = layout.nodes.map(() => 0);
  const sampleRss = () =>
    procs.forEach((p, i) => {
      const v = p === null ? null : peakRss(p.child.pid);
      if (v !== null) rss[i] = Math.max(rss[i]!, v);
    });
  let exitCode = 1;
  try {
    for (let i = 0; i < layout.nodes.length; i++) procs.push(await spawnNode(layout, i, spawnOpts));
    const urls = layout.nodes.map((n) => `http://127.0.0.1:${n.rpcPort}`);
    await Promise.all(
      urls.map((u) => waitFor(() => rpc<NodeStats>(u, "node_stats"), 90_000, `node ${u}`)),
    );
    log("all nodes answer");
    const faucetAddr = encodeAddress(faucetPredicates(layout.faucet).key, "devnet");
    // Load the generator's coins (paged).
    const coins: Coin[] = [];
    await waitFor(
      async () => {
        coins.length = 0;
        let cursor: string | null = null;
        do {
          const r: {
            utxos: { txid: string; index: number; amount: string }[];
            next_cursor: string | null;
          } = await rpc(urls[0]!, "get_utxos", { address: faucetAddr, cursor });
          for (const u of r.utxos) {
            coins.push({ txid: u.txid, index: u.index, amount: BigInt(u.amount) });
          }
          cursor = r.next_cursor;
        } while (cursor !== null);
        return coins.length > 0 ? true : undefined;
      },
      60_000,
      "the faucet's genesis coins",
    );
    log(`generator holds ${coins.length} coins`);
    const faucet = layout.faucet;
    // Lanes: each coin carries a chain of self-transfers; the next link goes out once the previous
    // one is final (the mempool holds no chains of unconfirmed transactions).
    const ready: { tx: Signed; rest: Signed[] }[] = [];
    if (o.load || o.txRate > 0) {
      // Genesis coins mature at anchor 50 (devnet tier 0): wait, then split them into more lanes
      // (Little's law: throughput <= coins in flight / finality latency).
      await waitFor(
        async () => (await rpc<NodeStats>(urls[0]!, "node_stats")).anchor >= 51 ? true : undefined,
        180_000,
        "genesis coins to mature (anchor 51)",
      );
      let lanes = coins.splice(0);
      if (o.split > 1) {
        const t0 = performance.now();
        const splits = lanes.map((c) => faucetSplit(faucet, c, 10_000n, o.split));
        for (let i = 0; i < splits.length; i += 500) {
          await rpc(urls[(i / 500) % urls.length]!, "submit_txs", {
            txs: splits.slice(i, i + 500).map((x) => x.hex),
          });
        }
        const pendingSplits = new Set(splits.map((x) => x.txid));
        await waitFor(
          async () => {
            const ids = [...pendingSplits].slice(0, 500);
            for (let i = 0; i < ids.length; i += 50) {
              const part = ids.slice(i, i + 50);
              const r = await rpcBatch<{ status: string } | null>(
                urls[0]!,
                part.map((txid) => ({ method: "get_tx", params: { txid } })),
              );
              r.forEach((t, j) => t?.status === "finalized" && pendingSplits.delete(part[j]!));
            }
            return pendingSplits.size === 0 ? true : undefined;
          },
          120_000,
          "split transactions to finalize",
        );
        lanes = splits.flatMap((x) => x.outs);
        log(`split into ${lanes.length} coins in ${((performance.now() - t0) / 1000).toFixed(1)}s`);
      }
      if (!o.load) coins.push(...lanes.splice(0));
      // Pre-sign enough links for the run at --presign-rate, so the generator's signing stays
      // out of the measured window (it shares the CPUs with the nodes).
      const depth = Math.max(1, Math.ceil((durationS * o.presignRate) / lanes.length));
      const t1 = performance.now();
      for (const c of o.load ? lanes : []) {
        const chain = presignChain(faucet, c, depth);
        ready.push({ tx: chain[0]!, rest: chain.slice(1) });
      }
      log(
        `pre-signed ${lanes.length * depth} transactions (${depth} per coin) in ${
          ((performance.now() - t1) / 1000).toFixed(1)
        }s`,
      );
    }

    const started = performance.now();
    const elapsed = () => (performance.now() - started) / 1000;
    const deadline = durationS > 0 ? started + durationS * 1000 : Infinity;
    const first = await rpc<NodeStats>(urls[0]!, "node_stats");
    let last: (NodeStats | null)[] = urls.map(() => null);
    const inFlight = new Map<string, { at: number; url: string; next: Coin; rest: Signed[] }>();
    const latencies: number[] = [];
    let submitted = 0;
    let refused = 0;
    let finalizedSeen = 0;
    let running = true;
    const restarts: Restart[] = [];
    let down: number | null = null;
    let checkedUpTo = 0;
    let rootsOk = true;
    let firstMismatch: number | null = null;
    let lastRootCheck = 0;

    // Generator: batches of `submit_txs` (one HTTP request per node per round), round-robin over
    // live nodes; --load sends every ready lane, otherwise --tx-rate (signed on the fly).
    const generator = async () => {
      let credit = 0;
      let tick = performance.now();
      let rr = 0;
      while (running) {
        const now = performance.now();
        if (!o.load) {
          credit = Math.min(credit + ((now - tick) / 1000) * o.txRate, o.txRate);
          while (credit >= 1 && coins.length > 0) {
            credit -= 1;
            ready.push({ tx: presignChain(faucet, coins.shift()!, 1)[0]!, rest: [] });
          }
        }
        tick = now;
        const take = ready.splice(0, 4000);
        if (take.length === 0) {
          await sleep(20);
          continue;
        }
        const per = Math.ceil(take.length / urls.length);
        const before = refused;
        await Promise.all(
          Array.from({ length: Math.ceil(take.length / Math.min(per, 1000)) }, (_, k) => {
            const part = take.slice(k * Math.min(per, 1000), (k + 1) * Math.min(per, 1000));
            let seat = rr++ % urls.length;
            if (seat === down) seat = (seat + 1) % urls.length;
            const url = urls[seat]!;
            const at = performance.now();
            return rpc<({ txid: string } | { error: unknown })[]>(url, "submit_txs", {
              txs: part.map((x) => x.tx.hex),
            }).then((res) => {
              res.forEach((r, j) => {
                const x = part[j]!;
                if ("txid" in r) {
                  inFlight.set(x.tx.txid, { at, url, next: x.tx.next, rest: x.rest });
                  submitted++;
                } else {
                  refused++;
                  ready.push(x);
                }
              });
            }, () => {
              refused += part.length;
              ready.push(...part);
            });
          }),
        );
        // Refusals (node busy, not yet spendable): back off instead of spinning.
        if (refused > before) await sleep(200);
      }
    };
    // Finality watcher: polls in-flight txs at the node that received them, in JSON-RPC batches.
    const watcher = async () => {
      while (running) {
        // The oldest 1,000 (submission order): polling costs the nodes RPC work too.
        const byUrl = new Map<string, string[]>();
        let n = 0;
        for (const [txid, f] of inFlight) {
          if (n++ >= 1000) break;
          const l = byUrl.get(f.url) ?? [];
          l.push(txid);
          byUrl.set(f.url, l);
        }
        await Promise.all([...byUrl].map(async ([url, ids]) => {
          for (let i = 0; i < ids.length && running; i += 50) {
            const part = ids.slice(i, i + 50);
            const res = await rpcBatch<{ status: string } | null>(
              url,
              part.map((txid) => ({ method: "get_tx", params: { txid } })),
            ).catch(() => []);
            const now = performance.now();
            res.forEach((t, j) => {
              const txid = part[j]!;
              const f = inFlight.get(txid);
              if (t?.status !== "finalized" || f === undefined) return;
              inFlight.delete(txid);
              latencies.push(now - f.at);
              finalizedSeen++;
              if (f.rest.length > 0) ready.push({ tx: f.rest[0]!, rest: f.rest.slice(1) });
              else if (o.load) ready.push({ tx: presignChain(faucet, f.next, 1)[0]!, rest: [] });
              else coins.push(f.next);
            });
          }
        }));
        await sleep(100);
      }
    };
    // Miner.
    const miner = async () => {
      let k = 0;
      while (running && o.mineEveryMs > 0) {
        const seat = k++ % urls.length;
        if (seat !== down) await mineOnce(urls[seat]!, faucetAddr).catch(() => null);
        await sleep(o.mineEveryMs);
      }
    };
    // Root check over every anchor index all nodes hold.
    const checkRoots = async (upTo: number) => {
      for (let idx = checkedUpTo + 1; idx <= upTo; idx += 0) {
        const hi = Math.min(upTo, idx + 15);
        const idxs = Array.from({ length: hi - idx + 1 }, (_, j) => idx + j);
        const res = await Promise.all(idxs.map(async (index) => {
          const recs = await Promise.all(
            urls.map((u) => rpc<{ id: string; root: string }>(u, "get_anchor", { index })),
          );
          return recs.every((r) => r.id === recs[0]!.id && r.root === recs[0]!.root);
        }));
        res.forEach((same, j) => {
          if (!same) {
            rootsOk = false;
            firstMismatch ??= idxs[j]!;
          }
        });
        checkedUpTo = hi;
        idx = hi + 1;
      }
    };
    const bg = [generator(), watcher(), miner()];

    let nextKill = o.killEvery > 0 ? o.killEvery * 1000 : Infinity;
    let lastPrint = -Infinity;
    while (performance.now() < deadline && !ctl.signal.aborted) {
      const el = performance.now() - started;
      last = await Promise.all(
        urls.map((u, i) =>
          i === down ? Promise.resolve(null) : rpc<NodeStats>(u, "node_stats").catch(() => null)
        ),
      );
      sampleRss();
      const live = last.filter((s): s is NodeStats => s !== null);
      const maxAnchor = Math.max(...live.map((s) => s.anchor));
      // Catch-up of the restarted nodes.
      for (const r of restarts) {
        const s = last[r.seat];
        if (r.caught_up_after_s === null && s != null && s.anchor >= r.target_anchor) {
          r.caught_up_after_s = Math.round((elapsed() - r.restarted_at_s) * 10) / 10;
          log(`node ${r.seat} caught up to anchor ${s.anchor} in ${r.caught_up_after_s}s`);
        }
      }
      // Kill schedule: one node down at a time.
      if (el >= nextKill && down === null && urls.length > 1) {
        const seat = 1 + Math.floor(rand() * (urls.length - 1));
        const p = procs[seat]!;
        const rssV = peakRss(p.child.pid);
        if (rssV !== null) rss[seat] = Math.max(rss[seat]!, rssV);
        p.child.kill("SIGKILL");
        await p.child.status;
        procs[seat] = null;
        down = seat;
        const killedAt = elapsed();
        log(`SIGKILL node ${seat} at t=${killedAt.toFixed(1)}s (anchor ${maxAnchor})`);
        nextKill = el + o.killEvery * 1000;
        setTimeout(async () => {
          if (ctl.signal.aborted || !running) return;
          procs[seat] = await spawnNode(layout, seat, spawnOpts);
          const now = await Promise.all(
            urls.filter((_, i) => i !== seat).map((u) =>
              rpc<NodeStats>(u, "node_stats").then((s) => s.anchor, () => 0)
            ),
          );
          restarts.push({
            seat,
            killed_at_s: Math.round(killedAt * 10) / 10,
            restarted_at_s: Math.round(elapsed() * 10) / 10,
            target_anchor: Math.max(...now),
            caught_up_after_s: null,
          });
          log(`restarted node ${seat}, target anchor ${Math.max(...now)}`);
          down = null;
        }, o.restartAfter * 1000);
      }
      const low = down === null && live.length === urls.length
        ? Math.min(...live.map((s) => s.anchor))
        : 0;
      if (low > checkedUpTo && performance.now() - lastRootCheck > 2_000) {
        await checkRoots(low).catch((e) => log(`root check deferred: ${(e as Error).message}`));
        lastRootCheck = performance.now();
      }
      if (performance.now() - lastPrint > 5_000) {
        lastPrint = performance.now();
        const s0 = last[0];
        const txs = s0 ? s0.txsFinalized - first.txsFinalized : 0;
        log(
          `t=${(el / 1000).toFixed(0)}s anchors=[${last.map((s) => s?.anchor ?? "-").join(",")}] ` +
            `tx/s=${
              (txs / (el / 1000 || 1)).toFixed(1)
            } submitted=${submitted} inflight=${inFlight.size} ` +
            `coins=${coins.length} refused=${refused} roots_checked<=${checkedUpTo} ok=${rootsOk}`,
        );
      }
      await sleep(500);
    }
    running = false;
    const el = elapsed();
    await Promise.all(bg);
    // Let a still-restarting node catch up (up to 60 s), then check all common anchors.
    const pending = () => restarts.filter((r) => r.caught_up_after_s === null);
    if (down !== null) {
      await waitFor(() => Promise.resolve(down === null ? true : undefined), 30_000, "restart")
        .catch(() => {});
    }
    await waitFor(
      async () => {
        for (const r of pending()) {
          const s = await rpc<NodeStats>(urls[r.seat]!, "node_stats");
          if (s.anchor >= r.target_anchor) {
            r.caught_up_after_s = Math.round((elapsed() - r.restarted_at_s) * 10) / 10;
          }
        }
        return pending().length === 0 ? true : undefined;
      },
      60_000,
      "restarted nodes to catch up",
    ).catch(async (e) => {
      log((e as Error).message);
      // What the stuck node holds (DAG buffer, orphans, refusals by code) for the diagnosis.
      for (const r of pending()) {
        const s = await rpc<NodeStats>(urls[r.seat]!, "node_stats").catch((x) => String(x));
        log(`node ${r.seat} did not catch up: ${JSON.stringify(s)}`);
      }
    });
    const fin = await Promise.all(
      urls.map((u) => rpc<NodeStats>(u, "node_stats").catch(() => null)),
    );
    sampleRss();
    const finalLow = Math.min(...fin.map((s) => s?.anchor ?? 0));
    await checkRoots(finalLow).catch((e) => {
      rootsOk = false;
      log(`final root check failed: ${(e as Error).message}`);
    });
    const txs = (last[0]?.txsFinalized ?? first.txsFinalized) - first.txsFinalized;
    const live = fin.filter((s): s is NodeStats => s !== null);
    const median = (xs: number[]) => pct(xs, 0.5);
    const load = Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).map(Number);
    const caughtUp = pending().length === 0;
    const ok = rootsOk && caughtUp && checkedUpTo > 0 && (o.txRate === 0 && !o.load || txs > 0);
    const summary = {
      testnet: "summary",
      nodes: urls.length,
      seed,
      load: o.load,
      duration_s: Math.round(el * 10) / 10,
      anchors: (last[0]?.anchor ?? 0) - first.anchor,
      txs_finalized: txs,
      tx_per_s: Math.round((txs / el) * 10) / 10,
      submitted,
      refused,
      client_finality_p50_ms: pct(latencies, 0.5),
      client_finality_p95_ms: pct(latencies, 0.95),
      node_finality_p50_ms: median(live.map((s) => s.finalityP50Ms).filter((x) => x !== null)),
      node_finality_p95_ms: median(live.map((s) => s.finalityP95Ms).filter((x) => x !== null)),
      mints: last[0]?.mintsAccepted ?? 0,
      roots_identical: rootsOk,
      anchors_compared: checkedUpTo,
      first_mismatch: firstMismatch,
      restarts,
      caught_up: caughtUp,
      peak_rss_mib: rss.map((b) => Math.round(b / 1048576)),
      loadavg: load,
      cpus: navigator.hardwareConcurrency,
      ok,
    };
    console.log(JSON.stringify(summary));
    exitCode = ok ? 0 : 1;
  } finally {
    await Promise.all(procs.map((p) => p === null ? 0 : stopNode(p)));
    if (o.dir === undefined) await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
  Deno.exit(exitCode);
}
