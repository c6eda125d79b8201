/**
 * Shared set-up of the multi-process e2e tests: a temporary directory and a devnet layout whose
 * RPC and p2p ports are runs of free ports (a run per test process, so parallel CI jobs on one
 * host do not collide).
 * @module
 */
import { type DevnetLayout, freePortRun, initDevnet } from "../src/node/mod.ts";

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
