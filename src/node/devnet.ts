/**
 * Local devnet: writes the shared genesis, seat keys, p2p identities and configs of N validators
 * under one directory, starts N phantom-node processes over libp2p on 127.0.0.1, mines at devnet
 * difficulty, optionally generates transactions, shows a live status line and, when bounded,
 * summarises the run as one JSON line. Used by `deno task devnet` (scripts/devnet.ts) and by
 * tests/node_e2e_test.ts. Runbook: docs/operations.md "Devnet".
 * @module
 */
import { bytesToHex, hexToBytes } from "@noble/hashes/utils.js";
import { peerIdFromPrivateKey } from "@libp2p/peer-id";
import {
  decodeTx,
  encodeAddress,
  encodeMint,
  encodeTx,
  type Predicate,
  predicateCommitment,
  PROTOCOL_VERSION,
  sighash,
  type Tx,
} from "../codec/mod.ts";
import { schnorrSign } from "../crypto/mod.ts";
import { meetsTarget, powHash, templateFromJson, templateMint } from "../mint/mod.ts";
import { loadOrCreateIdentity } from "../p2p/mod.ts";
import { DEVNET, UNITS_PER_PC } from "../params/mod.ts";
import { exists } from "./_fs.ts";
import { readGenesis, writeGenesis } from "./genesis.ts";
import { readSeatKey, type SeatKey, writeSeatKey } from "./keys.ts";
import {
  type DevnetSigner,
  initDevnetSigner,
  spawnDevnetSigner,
  writeDevnetSignerConfig,
} from "./devnet_signer.ts";

const hex = bytesToHex;

/** Layout of one devnet node. */
export interface DevnetNodeSpec {
  /** Seat index. */
  readonly seat: number;
  /** Base data dir of the node (`--data-dir`). */
  readonly dataDir: string;
  /** RPC port. */
  readonly rpcPort: number;
  /** libp2p TCP port. */
  readonly p2pPort: number;
  /** libp2p peer id. */
  readonly peerId: string;
}

/** A devnet layout on disk. */
export interface DevnetLayout {
  /** Root directory. */
  readonly dir: string;
  /** Genesis file path. */
  readonly genesisPath: string;
  /** Nodes. */
  readonly nodes: readonly DevnetNodeSpec[];
  /** Faucet key (holds the genesis allocations; devnet only). */
  readonly faucet: SeatKey;
  /** The devnet's phantom-signer when the seats sign through it (`remoteSigner`). */
  readonly signer?: DevnetSigner;
}

/** Options of {@linkcode initDevnet}. */
export interface DevnetInitOptions {
  /** Root directory (created). */
  readonly dir: string;
  /** Number of validators, 1..64. */
  readonly seats: number;
  /** First RPC port (node i uses base + i). */
  readonly rpcBasePort: number;
  /** First p2p port (node i uses base + i). */
  readonly p2pBasePort: number;
  /** Number of genesis allocations to the faucet (independent coins for the tx generator). */
  readonly allocations?: number;
  /**
   * Seat keys live in one phantom-signer process (devnet_signer.ts) instead of per-node seat key
   * files; each node's phantom.toml points at its socket.
   */
  readonly remoteSigner?: boolean;
}

/**
 * The faucet's key predicate and the commit predicate its address stands for.
 * @param faucet faucet key
 * @returns both predicates
 * @example
 * ```ts ignore
 * const { commit } = faucetPredicates(layout.faucet);
 * ```
 */
export function faucetPredicates(faucet: SeatKey): { key: Predicate; commit: Predicate } {
  const key: Predicate = { type: "key", pubkey: faucet.publicKey };
  return { key, commit: { type: "commit", commitment: predicateCommitment(key) } };
}

/**
 * Creates (or reuses) the devnet layout: per-node seat key and p2p identity, the faucet key, and
 * the shared genesis (committee = seat keys in seat order, allocations to the faucet). Existing
 * keys and genesis are kept, so a second call resumes the same network.
 * @param o directory, seat count, ports
 * @returns the layout
 * @throws {RangeError} on a bad seat count
 * @example
 * ```ts ignore
 * const layout = await initDevnet({ dir: "./data/devnet", seats: 4, rpcBasePort: 18645, p2pBasePort: 19645 });
 * console.log(layout.nodes.map((n) => n.peerId));
 * ```
 */
export async function initDevnet(o: DevnetInitOptions): Promise<DevnetLayout> {
  if (!Number.isInteger(o.seats) || o.seats < 1 || o.seats > 64) {
    throw new RangeError(`Seat count out of range: ${o.seats}`);
  }
  await Deno.mkdir(o.dir, { recursive: true });
  const nodes: DevnetNodeSpec[] = [];
  const committee: string[] = [];
  const signer = o.remoteSigner === true ? await initDevnetSigner(o.dir, o.seats) : undefined;
  for (let i = 0; i < o.seats; i++) {
    const dataDir = `${o.dir}/node${i}`;
    const netDir = `${dataDir}/devnet`;
    await Deno.mkdir(`${netDir}/keys`, { recursive: true, mode: 0o700 });
    if (signer !== undefined) {
      committee.push(hex(signer.seatKeys[i]!));
      await writeDevnetSignerConfig(dataDir, i, signer);
    } else {
      const keyPath = `${netDir}/keys/seat.key`;
      const key = (await exists(keyPath))
        ? await readSeatKey(keyPath)
        : await writeSeatKey(keyPath);
      committee.push(hex(key.publicKey));
    }
    const id = await loadOrCreateIdentity(netDir);
    nodes.push({
      seat: i,
      dataDir,
      rpcPort: o.rpcBasePort + i,
      p2pPort: o.p2pBasePort + i,
      peerId: peerIdFromPrivateKey(id).toString(),
    });
  }
  const faucetPath = `${o.dir}/faucet.key`;
  const faucet = (await exists(faucetPath))
    ? await readSeatKey(faucetPath)
    : await writeSeatKey(faucetPath);
  const genesisPath = `${o.dir}/genesis.json`;
  if (await exists(genesisPath)) {
    const g = await readGenesis(genesisPath);
    if (g.file.committee.join() !== committee.join()) {
      throw new RangeError(
        `Existing genesis "${genesisPath}" has another committee: remove ${o.dir} to start over`,
      );
    }
  } else {
    const address = encodeAddress(faucetPredicates(faucet).key, "devnet");
    const n = o.allocations ?? 64;
    await writeGenesis(genesisPath, {
      network: "devnet",
      committee,
      genesis_note: `PhantomCoin devnet, ${o.seats} seats`,
      allocations: Array.from({ length: n }, () => ({
        address,
        amount: (1_000n * UNITS_PER_PC).toString(),
      })),
    });
  }
  return signer === undefined
    ? { dir: o.dir, genesisPath, nodes, faucet }
    : { dir: o.dir, genesisPath, nodes, faucet, signer };
}

/**
 * Finds `n` consecutive free TCP ports on 127.0.0.1 (probing by listening), starting the search at
 * `from` and stepping by `n`.
 * @param n how many
 * @param from first candidate
 * @returns the first port of the run
 * @throws {Error} when none is found below 65000
 * @example
 * ```ts
 * import { freePortRun } from "./devnet.ts";
 * const base = freePortRun(4, 40000);
 * console.assert(base >= 40000);
 * ```
 */
export function freePortRun(n: number, from: number): number {
  for (let base = from; base + n < 65000; base += n) {
    const held: Deno.Listener[] = [];
    try {
      for (let i = 0; i < n; i++) held.push(Deno.listen({ hostname: "127.0.0.1", port: base + i }));
      return base;
    } catch (e) {
      if (!(e instanceof Deno.errors.AddrInUse)) throw e;
    } finally {
      for (const l of held) l.close();
    }
  }
  throw new Error(`No run of ${n} free ports from ${from}`);
}

/** Options of {@linkcode spawnNode}. */
export interface SpawnOptions {
  /** Event interval in ms. */
  readonly eventIntervalMs?: number;
  /** Anti-entropy period in ms. */
  readonly antiEntropyMs?: number;
  /** Path of phantom-node.ts (default: next to this repository's root). */
  readonly entry?: string;
}

/** A running node process. */
export interface NodeProcess {
  /** The node. */
  readonly spec: DevnetNodeSpec;
  /** The child process. */
  readonly child: Deno.ChildProcess;
  /** RPC base URL. */
  readonly url: string;
}

const ENTRY = new URL("../../phantom-node.ts", import.meta.url).pathname;

/**
 * Starts one phantom-node process of a layout; its output goes to `<dataDir>/node.log`.
 * @param layout the devnet
 * @param seat which node
 * @param o timers and entry point
 * @returns the process
 * @example
 * ```ts ignore
 * const p = await spawnNode(layout, 0, { eventIntervalMs: 50 });
 * await stopNode(p);
 * ```
 */
export async function spawnNode(
  layout: DevnetLayout,
  seat: number,
  o: SpawnOptions = {},
): Promise<NodeProcess> {
  const spec = layout.nodes[seat];
  if (spec === undefined) throw new RangeError(`No node ${seat} in the devnet`);
  const peers = layout.nodes.filter((n) => n.seat !== seat).map((n) =>
    `/ip4/127.0.0.1/tcp/${n.p2pPort}/p2p/${n.peerId}`
  );
  const args = [
    "run",
    "-A",
    o.entry ?? ENTRY,
    "run",
    "--network",
    "devnet",
    "--data-dir",
    spec.dataDir,
    "--genesis",
    layout.genesisPath,
    "--rpc-port",
    String(spec.rpcPort),
    "--log-format",
    "json",
    "--set",
    `p2p.listen=/ip4/127.0.0.1/tcp/${spec.p2pPort}`,
    "--set",
    `node.event_interval_ms=${o.eventIntervalMs ?? 50}`,
    "--set",
    `node.anti_entropy_ms=${o.antiEntropyMs ?? 1000}`,
    "--set",
    "rpc.rate_limit_rps=0",
  ];
  if (peers.length > 0) args.push("--set", `p2p.bootstrap=${peers.join(",")}`);
  const log = await Deno.open(`${spec.dataDir}/node.log`, {
    write: true,
    create: true,
    append: true,
  });
  const child = new Deno.Command(Deno.execPath(), {
    args,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  // Both streams go to the log file; the pipes end when the process exits.
  const w = log.writable.getWriter();
  const copy = async (s: ReadableStream<Uint8Array>) => {
    for await (const chunk of s) await w.write(chunk);
  };
  // Closing fails only when a write already failed; the log is best effort.
  Promise.all([copy(child.stdout), copy(child.stderr)]).finally(() => w.close().catch(() => {}))
    .catch(() => {
      // The log file is best effort; the node's state does not depend on it.
    });
  return { spec, child, url: `http://127.0.0.1:${spec.rpcPort}` };
}

/**
 * One JSON-RPC call.
 * @param url node base URL
 * @param method method
 * @param params named params
 * @returns the result
 * @throws {Error} on transport failure or a JSON-RPC error (message includes the code)
 * @example
 * ```ts ignore
 * const stats = await rpc<NodeStats>("http://127.0.0.1:18645", "node_stats");
 * ```
 */
export async function rpc<T = unknown>(
  url: string,
  method: string,
  params: Record<string, unknown> = {},
): Promise<T> {
  const res = await fetch(`${url}/rpc`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
    signal: AbortSignal.timeout(10_000),
  });
  const j = await res.json() as {
    result?: T;
    error?: { code: number; message: string; data?: unknown };
  };
  if (j.error !== undefined) {
    const e = new Error(`RPC ${method} failed (${j.error.code}): ${j.error.message}`);
    (e as Error & { rpcCode?: number; rpcData?: unknown }).rpcCode = j.error.code;
    (e as Error & { rpcCode?: number; rpcData?: unknown }).rpcData = j.error.data;
    throw e;
  }
  return j.result as T;
}

/** `node_stats` result. */
export interface NodeStats {
  anchor: number;
  events: number;
  txsFinalized: number;
  mintsAccepted: number;
  finalityP50Ms: number | null;
  finalityP95Ms: number | null;
  peers: number;
  mempool: number;
  root: string;
}

/**
 * Polls until `check` returns a value other than undefined, or the deadline passes.
 * @param check the probe (errors count as "not yet")
 * @param timeoutMs deadline
 * @param what description for the timeout error
 * @returns the value
 * @throws {Error} on timeout, with the last probe error
 * @example
 * ```ts
 * import { waitFor } from "./devnet.ts";
 * let n = 0;
 * console.assert((await waitFor(() => Promise.resolve(++n >= 2 ? n : undefined), 1000, "n")) === 2);
 * ```
 */
export async function waitFor<T>(
  check: () => Promise<T | undefined>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const end = performance.now() + timeoutMs;
  let last = "";
  while (performance.now() < end) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (e) {
      last = (e as Error).message;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${last}` : ""}`);
}

/**
 * Stops a node process: SIGTERM, wait up to `graceMs`, then SIGKILL.
 * @param p the process
 * @param graceMs grace period
 * @returns the exit status code
 * @example
 * ```ts ignore
 * const code = await stopNode(proc, 5_000);
 * ```
 */
export async function stopNode(p: NodeProcess, graceMs = 10_000): Promise<number> {
  try {
    p.child.kill("SIGTERM");
  } catch {
    // Already exited.
  }
  const t = setTimeout(() => {
    try {
      p.child.kill("SIGKILL");
    } catch {
      // Exited in between.
    }
  }, graceMs);
  const s = await p.child.status;
  clearTimeout(t);
  return s.code;
}

/** Peak resident set (VmHWM) of a process in bytes, or null where /proc is unavailable. * @example
 * ```ts
 * import { peakRss } from "./devnet.ts";
 * const rss = peakRss(Deno.pid);
 * console.assert(rss === null || rss > 0);
 * ```
 */
export function peakRss(pid: number): number | null {
  try {
    const s = Deno.readTextFileSync(`/proc/${pid}/status`);
    const m = /VmHWM:\s+(\d+) kB/.exec(s);
    return m === null ? null : Number(m[1]) * 1024;
  } catch {
    // Not Linux, or the process is gone.
    return null;
  }
}

/**
 * Mines one mint at devnet difficulty against a node and submits it.
 * @param url node URL
 * @param payout address
 * @param maxTries nonce budget
 * @returns the submit result, or null when no nonce in budget met the target
 * @example
 * ```ts ignore
 * const r = await mineOnce("http://127.0.0.1:18645", faucetAddress);
 * ```
 */
export async function mineOnce(
  url: string,
  payout: string,
  maxTries = 1_000_000,
): Promise<{ mintId: string; height: string } | null> {
  const t = templateFromJson(await rpc(url, "get_mint_template", { payout, tier: 0 }));
  for (let n = 0n; n < BigInt(maxTries); n++) {
    const m = templateMint(t, n);
    if (meetsTarget(powHash(m), t.target)) {
      return await rpc(url, "submit_mint_solution", { mint: hex(encodeMint(m)) });
    }
  }
  return null;
}

/** A coin the transaction generator owns. */
export interface Coin {
  txid: string;
  index: number;
  amount: bigint;
}

/**
 * Builds and signs a self-transfer of a faucet coin (commit predicate, key revealed).
 * @param faucet faucet key
 * @param coin the coin
 * @param fee fee in units
 * @returns the tx and its encoding
 * @example
 * ```ts ignore
 * const tx = faucetTransfer(layout.faucet, { txid, index: 0, amount: 100_000_000_000n }, 1_000n);
 * await rpc(url, "submit_tx", { tx: bytesToHex(tx) });
 * ```
 */
export function faucetTransfer(faucet: SeatKey, coin: Coin, fee: bigint): Uint8Array {
  const { key, commit } = faucetPredicates(faucet);
  const spent = [{ amount: coin.amount, predicate: commit }];
  const base = {
    version: PROTOCOL_VERSION,
    networkId: DEVNET.networkId,
    kind: { type: "transfer" as const },
    inputs: [{ prevout: { txId: hexToBytes(coin.txid), index: coin.index } }],
    outputs: [{ amount: coin.amount - fee, predicate: commit }],
    fee,
    witnesses: [{ sigs: [new Uint8Array(64)], signers: 0, preimage: null, reveal: key }],
  } as unknown as Tx;
  const sig = schnorrSign(sighash(base, 0, spent), faucet.secretKey);
  const tx = { ...base, witnesses: [{ sigs: [sig], signers: 0, preimage: null, reveal: key }] };
  const bytes = encodeTx(tx as Tx);
  decodeTx(bytes);
  return bytes;
}

/** Options of {@linkcode runDevnet}. */
export interface DevnetRunOptions extends DevnetInitOptions {
  /** Transactions per second to submit (0: none). */
  readonly txRate: number;
  /** Run this many seconds then summarise; 0 runs until `signal` aborts. */
  readonly durationS: number;
  /** Mine a mint every this many ms (0: no miner). */
  readonly mineEveryMs: number;
  /** Event interval of the nodes. */
  readonly eventIntervalMs?: number;
  /** Status line sink (default: none). */
  readonly status?: (line: string) => void;
  /** Aborts an unbounded run (Ctrl-C). */
  readonly signal?: AbortSignal;
}

/** The one-line summary of a bounded run. */
export interface DevnetSummary {
  seats: number;
  duration_s: number;
  anchors: number;
  txs_finalized: number;
  tx_per_s: number;
  finality_p50_ms: number | null;
  finality_p95_ms: number | null;
  mints: number;
  roots_identical: boolean;
  compared_anchor: number;
  peak_rss_bytes: (number | null)[];
  ok: boolean;
}

/** Median, rounded to whole units (ms); null for no samples. */
function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.floor(s.length / 2)]!);
}

/**
 * Compares the stored anchor record of `index` across nodes.
 * @param urls node URLs
 * @param index anchor index
 * @returns whether every node holds the same anchor id and root
 * @example
 * ```ts ignore
 * console.assert(await rootsAgree(urls, 100));
 * ```
 */
export async function rootsAgree(urls: readonly string[], index: number): Promise<boolean> {
  const recs = await Promise.all(
    urls.map((u) => rpc<{ id: string; root: string }>(u, "get_anchor", { index })),
  );
  return recs.every((r) => r.id === recs[0]!.id && r.root === recs[0]!.root);
}

/**
 * Runs a devnet: init, start every node, miner and tx generator, status line; bounded runs end
 * with a summary. Nodes are always stopped with SIGTERM before returning.
 * @param o options
 * @returns the summary (also for unbounded runs, at the abort)
 * @example
 * ```ts ignore
 * const s = await runDevnet({ dir: "/tmp/dn", seats: 4, rpcBasePort: 18645, p2pBasePort: 19645,
 *   txRate: 10, durationS: 30, mineEveryMs: 2000 });
 * console.log(JSON.stringify(s));
 * ```
 */
export async function runDevnet(o: DevnetRunOptions): Promise<DevnetSummary> {
  const layout = await initDevnet(o);
  const procs: NodeProcess[] = [];
  const started = performance.now();
  let stopped = false;
  const signer = layout.signer === undefined
    ? null
    : await spawnDevnetSigner(layout.signer, (await readGenesis(layout.genesisPath)).genesisId);
  try {
    for (let i = 0; i < layout.nodes.length; i++) {
      procs.push(await spawnNode(layout, i, { eventIntervalMs: o.eventIntervalMs ?? 50 }));
    }
    const urls = procs.map((p) => p.url);
    await Promise.all(
      urls.map((u) => waitFor(() => rpc<NodeStats>(u, "node_stats"), 60_000, `node ${u}`)),
    );
    const faucetAddr = encodeAddress(faucetPredicates(layout.faucet).key, "devnet");
    const coins: Coin[] = [];
    const inFlight = new Map<string, Coin>();
    let coinsLoaded = false;
    let submitted = 0;
    let mintBusy = false;
    let lastMint = 0;
    let txCredit = 0;
    let lastTick = performance.now();
    const first = await Promise.all(urls.map((u) => rpc<NodeStats>(u, "node_stats")));
    const startTxs = first.map((s) => s.txsFinalized);
    const startAnchor = Math.min(...first.map((s) => s.anchor));
    // The run's duration counts from the moment every node answers, so a slow start-up (a loaded
    // machine) does not eat the time in which anchors are expected.
    const deadline = o.durationS > 0 ? performance.now() + o.durationS * 1000 : Infinity;
    let last: NodeStats[] = first;
    // Sampled while the nodes run, so an interrupted run still has numbers to report.
    const rss: (number | null)[] = procs.map(() => null);
    let checked = { anchor: 0, same: false, at: 0 };
    while (performance.now() < deadline && o.signal?.aborted !== true) {
      const now = performance.now();
      // Miner: one mint at a time to a round-robin node.
      if (o.mineEveryMs > 0 && !mintBusy && now - lastMint >= o.mineEveryMs) {
        mintBusy = true;
        lastMint = now;
        mineOnce(urls[Math.floor(now) % urls.length]!, faucetAddr)
          // A refused or stale mint is normal (another won the height): try again next period.
          .catch(() => null)
          .finally(() => (mintBusy = false));
      }
      // Transaction generator: chains of self-transfers of the faucet's genesis coins.
      if (o.txRate > 0) {
        if (!coinsLoaded) {
          const r = await rpc<{ utxos: { txid: string; index: number; amount: string }[] }>(
            urls[0]!,
            "get_utxos",
            { address: faucetAddr, cursor: null },
          ).catch(() => null); // Node busy or starting: the next tick asks again.
          if (r !== null && r.utxos.length > 0) {
            for (const u of r.utxos) {
              coins.push({ txid: u.txid, index: u.index, amount: BigInt(u.amount) });
            }
            coinsLoaded = true;
          }
        }
        txCredit += ((now - lastTick) / 1000) * o.txRate;
        while (txCredit >= 1 && coins.length > 0) {
          txCredit -= 1;
          const c = coins.shift()!;
          const bytes = faucetTransfer(layout.faucet, c, 1_000n);
          const url = urls[submitted % urls.length]!;
          try {
            const { txid } = await rpc<{ txid: string }>(url, "submit_tx", { tx: hex(bytes) });
            inFlight.set(txid, { txid, index: 0, amount: c.amount - 1_000n });
            submitted++;
          } catch {
            // Not yet spendable (maturity) or a transient refusal: retry the coin later.
            coins.push(c);
            break;
          }
        }
        if (txCredit > o.txRate) txCredit = o.txRate;
        for (const [txid, next] of [...inFlight].slice(0, 50)) {
          const t = await rpc<{ status: string } | null>(urls[0]!, "get_tx", { txid }).catch(
            () => null,
          );
          if (t !== null && t.status === "finalized") {
            inFlight.delete(txid);
            coins.push(next);
          }
        }
      }
      lastTick = now;
      last = await Promise.all(
        // A node that does not answer keeps its last numbers on the status line.
        urls.map((u, i) => rpc<NodeStats>(u, "node_stats").catch(() => last[i]!)),
      );
      const el = (performance.now() - started) / 1000;
      const txs = last[0]!.txsFinalized - startTxs[0]!;
      o.status?.(
        `t=${el.toFixed(0)}s anchor=[${last.map((s) => s.anchor).join(",")}] tx/s=${
          (txs / el).toFixed(1)
        } fin_p50/p95=${median(last.map((s) => s.finalityP50Ms).filter((x) => x !== null))}/${
          median(last.map((s) => s.finalityP95Ms).filter((x) => x !== null))
        }ms mints=${last[0]!.mintsAccepted} peers=[${last.map((s) => s.peers).join(",")}] mempool=${
          last.map((s) => s.mempool).join(",")
        } submitted=${submitted}`,
      );
      procs.forEach((p, i) => {
        const v = peakRss(p.child.pid);
        if (v !== null) rss[i] = Math.max(rss[i] ?? 0, v);
      });
      const low = Math.min(...last.map((s) => s.anchor));
      if (low > 0 && performance.now() - checked.at > 5_000) {
        const same = await rootsAgree(urls, low).catch(() => false);
        checked = { anchor: low, same, at: performance.now() };
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    const el = (performance.now() - started) / 1000;
    let minAnchor = Math.min(...last.map((s) => s.anchor));
    let same = false;
    // A node that cannot show the anchor counts as disagreeing.
    if (minAnchor > 0) same = await rootsAgree(urls, minAnchor).catch(() => false);
    if (!same && o.signal?.aborted === true && checked.anchor > 0) {
      // Interrupted: the nodes may already be stopping; report the last check made while running.
      minAnchor = checked.anchor;
      same = checked.same;
    }
    procs.forEach((p, i) => {
      const v = peakRss(p.child.pid);
      if (v !== null) rss[i] = Math.max(rss[i] ?? 0, v);
    });
    const txs = last[0]!.txsFinalized - startTxs[0]!;
    const summary: DevnetSummary = {
      seats: layout.nodes.length,
      duration_s: Math.round(el * 10) / 10,
      anchors: minAnchor - startAnchor,
      txs_finalized: txs,
      tx_per_s: Math.round((txs / el) * 10) / 10,
      finality_p50_ms: median(last.map((s) => s.finalityP50Ms).filter((x) => x !== null)),
      finality_p95_ms: median(last.map((s) => s.finalityP95Ms).filter((x) => x !== null)),
      mints: last[0]!.mintsAccepted,
      roots_identical: same,
      compared_anchor: minAnchor,
      peak_rss_bytes: rss,
      ok: same && minAnchor > startAnchor && (o.txRate === 0 || txs > 0),
    };
    if (o.signal?.aborted === true) {
      // A terminal Ctrl-C reaches the whole process group: the nodes got SIGINT too and are
      // stopping; a SIGTERM now would count as their second signal and cut the shutdown short.
      const exited = Promise.all(procs.map((p) => p.child.status));
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 3_000)))]);
      clearTimeout(timer);
    }
    await Promise.all(procs.map((p) => stopNode(p)));
    stopped = true;
    return summary;
  } finally {
    if (!stopped) await Promise.all(procs.map((p) => stopNode(p)));
    // The signer goes last: a node stopping may still be waiting for its last signature.
    if (signer !== null) {
      try {
        signer.kill("SIGTERM");
      } catch {
        // Already exited.
      }
      await signer.status;
    }
  }
}
