/**
 * PoW mint protocol (docs/spec/mint.md): proof of work only creates coins and never orders
 * anything. Mints form a chain through `prevMintId`; the DAG's total order decides between mints
 * that claim the same predecessor. This module holds the per-network mint parameters, the emission
 * curve (halvings plus a tail that reaches the 50,000,000 PC cap exactly), difficulty retargeting
 * counted in finalized anchors, the BLAKE3 proof of work, the {@linkcode MintChain} validator that
 * yields outputs for the state engine, and the pure functions behind the mint RPCs. Everything here
 * is pure and deterministic. Every protocol value (tail, retarget, targets, tier shares) is read
 * from src/params (docs/spec/constants.md §10); `MintParams` is only a typed view over it.
 * @module
 */
export {
  decodeMintOrThrow,
  GENESIS_PREV_MINT_ID,
  MemoryMintIndex,
  MINT_VERSION,
  MintChain,
  type MintChainSnapshot,
  type MintCheck,
  type MintIndex,
  type MintOutput,
} from "./chain.ts";
export { expectedHashes, nextTarget } from "./difficulty.ts";
export {
  baseReward,
  cumulativeBaseReward,
  emissionEndHeight,
  emissionSchedule,
  type EmissionSegment,
  mintReward,
  scheduledEmittedBefore,
} from "./emission.ts";
export { MintError, type MintErrorCode, type MintErrorData } from "./errors.ts";
export {
  BPS,
  DEVNET_MINT_PARAMS,
  MAINNET_MINT_PARAMS,
  type MaturityTier,
  MAX_TARGET,
  type MintParams,
  mintParamsFor,
  mintParamsOf,
  TESTNET_MINT_PARAMS,
  validateMintParams,
} from "./params.ts";
export { bigIntToHash, hashToBigInt, meetsTarget, powHash, type PowJob, powJob } from "./pow.ts";
export {
  buildTemplate,
  checkSolution,
  MINT_RPC_ERROR_CODES,
  mintErrorToRpc,
  type MintStatus,
  mintStatus,
  mintStatusToJson,
  type MintTemplate,
  type MintTemplateJson,
  payoutFromAddress,
  type SolutionCheck,
  solutionToHex,
  templateFromJson,
  templateMint,
  templateToJson,
} from "./template.ts";
