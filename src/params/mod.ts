/**
 * Protocol parameters of PhantomCoin: the global constants (shards, committee, parents, payload
 * size, supply cap, fee split, acknowledgement weights, slashing rates, largest PoW target) and the
 * per-network {@linkcode NetworkParams} of mainnet, testnet and devnet, including their mint rules
 * (emission tail, tier reward shares, difficulty retarget). This module mirrors
 * docs/spec/constants.md; no other module may hard-code these values. Fractions are integer basis
 * points or exact rationals: nothing here is a float.
 * @module
 */
export {
  ACK_ALPHA,
  ACK_MAX_DEPTH,
  ACK_WEIGHTS_PPM,
  BPS,
  COMMITTEE_SIZE,
  CROSS_LINK_MIN_COMMITTEE,
  FEE_SPLIT_BPS,
  MAX_COMMITTEE_SIZE,
  MAX_PARENTS,
  MAX_PAYLOAD_TXS,
  MAX_PERF_SHARE_BPS,
  MAX_POW_TARGET,
  MAX_SUPPLY_PC,
  MAX_SUPPLY_UNITS,
  MINT_TIERS,
  PPM,
  SHARDS,
  SLASH_BPS,
  UNITS_PER_PC,
} from "./constants.ts";
export {
  DEVNET,
  type Hrp,
  HRPS,
  isHrp,
  MAINNET,
  NETWORK_NAMES,
  networkByHrp,
  networkById,
  type NetworkMintParams,
  type NetworkName,
  type NetworkParams,
  networkParams,
  NETWORKS,
  TESTNET,
} from "./networks.ts";
