/**
 * phantom-miner: a stateless PoW worker fed by the node's mint templates. {@linkcode MinerPool}
 * searches nonces on Deno Workers with batched BLAKE3 (native SIMD through the crypto module when
 * it loads, else JavaScript), cancellable within one batch when a new template arrives;
 * {@linkcode PhantomMiner} fetches templates over JSON-RPC (`get_mint_template`), submits
 * solutions (`submit_mint_solution`), refreshes, and reports hash rate and
 * found/accepted/rejected counts.
 * @module
 */
export {
  formatHashrate,
  type HashPool,
  type MinerStats,
  PhantomMiner,
  type PhantomMinerModules,
  type PhantomMinerOptions,
  type SubmitOutcome,
} from "./client.ts";
export { type HasherKind, MinerPool, type MinerPoolOptions, type PoolSolution } from "./pool.ts";
export {
  httpJsonRpc,
  type JsonRpcTransport,
  MinerRpcError,
  type MinerRpcErrorCode,
  type MinerRpcErrorData,
} from "./rpc.ts";
