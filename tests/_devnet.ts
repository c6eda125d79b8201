/**
 * Shared set-up of the multi-process e2e tests: a temporary directory and a devnet layout whose
 * RPC and p2p ports are runs of free ports (a run per test process, so parallel CI jobs on one
 * host do not collide).
 * @module
 */
import {
  type DevnetLayout,
  freePortRun,
  initDevnet,
  type NodeStats,
  rpc,
} from "../src/node/mod.ts";

/** What {@linkcode tempDevnet} made. */
export interface TempDevnet {
  /** The temporary root directory (the caller removes it). */
  readonly dir: string;
  /** The initialised devnet layout. */
  readonly layout: DevnetLayout;
  /** First RPC port; `ports` consecutive ports from here were free. */
  readonly rpcBase: number;
  /** First p2p port; `ports` consecutive ports from here were free. */
  readonly p2pBase: number;
}

/**
 * Creates a temporary directory and initialises a devnet in it.
 * @param o directory prefix, seats, genesis allocations, how many ports per run (one per process
 *   the test starts, full nodes included) and where the search for the RPC run starts
 * @returns directory, layout and the two port bases
 */
export async function tempDevnet(o: {
  prefix: string;
  seats: number;
  allocations: number;
  ports: number;
  from: number;
}): Promise<TempDevnet> {
  const dir = await Deno.makeTempDir({ prefix: o.prefix });
  const rpcBase = freePortRun(o.ports, o.from);
  const p2pBase = freePortRun(o.ports, rpcBase + o.ports * 1000);
  const layout = await initDevnet({
    dir,
    seats: o.seats,
    rpcBasePort: rpcBase,
    p2pBasePort: p2pBase,
    allocations: o.allocations,
  });
  return { dir, layout, rpcBase, p2pBase };
}

/**
 * Sum of the `name` samples a node exports at `url`/metrics whose labels include every `labels`
 * pair (0 when there is none).
 * @param url node base URL
 * @param name metric name
 * @param labels label pairs the sample must carry
 * @returns the sum
 */
export async function metricSum(
  url: string,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  let sum = 0;
  for (const line of text.split("\n")) {
    const m = /^([a-z_]+)(\{[^}]*\})? (\S+)$/.exec(line);
    if (m === null || m[1] !== name) continue;
    const l = m[2] ?? "";
    if (Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`))) sum += Number(m[3]);
  }
  return sum;
}

/**
 * @param url node base URL
 * @returns the node's latest finalized anchor index (`node_stats`)
 */
export function anchorOf(url: string): Promise<number> {
  return rpc<NodeStats>(url, "node_stats").then((s) => Number(s.anchor));
}

/**
 * Print the last `lines` lines of each node's log (`<dataDir>/node.log`) to stderr: called when an
 * e2e test fails, before its temporary directory is removed, so the failure can be diagnosed.
 * @param dataDirs Node data directories.
 * @param lines Lines per log.
 */
export async function dumpNodeLogs(dataDirs: readonly string[], lines = 40): Promise<void> {
  for (const d of dataDirs) {
    const text = await Deno.readTextFile(`${d}/node.log`).catch((e) => `(no log: ${e})`);
    console.error(
      `--- ${d}/node.log (last ${lines} lines)\n${text.split("\n").slice(-lines).join("\n")}`,
    );
  }
}
