/**
 * PhantomCoin: the public library surface of the node's module tree, one namespace per module.
 * The programs themselves are `phantom-node.ts`, `phantom-miner.ts` and `phantom-signer.ts`;
 * `main.ts` is the multi-call entry that runs the main job (a local devnet) by default.
 *
 * @example
 * ```ts
 * import { codec, params } from "./mod.ts";
 * const addr = codec.encodeAddress(new Uint8Array(32), params.DEVNET);
console.assert(addr.startsWith("dpc1"));
 * ```
 * @module
 */
export * as codec from "./src/codec/mod.ts";
export * as consensus from "./src/consensus/mod.ts";
export * as crypto from "./src/crypto/mod.ts";
export * as metrics from "./src/metrics/mod.ts";
export * as mint from "./src/mint/mod.ts";
export * as miner from "./src/miner/mod.ts";
export * as node from "./src/node/mod.ts";
export * as p2p from "./src/p2p/mod.ts";
export * as params from "./src/params/mod.ts";
export * as rpc from "./src/rpc/mod.ts";
export * as signer from "./src/signer/mod.ts";
export * as sim from "./src/sim/mod.ts";
export * as state from "./src/state/mod.ts";
export * as wallet from "./src/wallet/mod.ts";
