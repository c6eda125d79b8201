/**
 * Wallet core: BIP-39 accounts with Bech32m (pc1…/tpc1…/dpc1…) addresses, a JSON-RPC client for the
 * node's wallet methods, deterministic coin selection and transaction building, PSPT (partially
 * signed transactions: create, update, sign, MuSig2, combine, finalize, extract; binary and
 * base64), and the {@linkcode Wallet} facade. Secret keys stay in the signer (src/signer).
 * Spec: docs/spec/wallet.md.
 * @module
 */
export { addressToPredicate, WalletAccount, type WalletKey } from "./account.ts";
export {
  type BuildOptions,
  buildTransfer,
  compareCoinsForSelection,
  compareInputs,
  compareOutputs,
  emptyWitness,
  feeForSize,
  type Payment,
  type SpendableCoin,
  type UnsignedTransfer,
} from "./build.ts";
export {
  PsptError,
  type PsptErrorCode,
  WalletError,
  type WalletErrorCode,
  type WalletErrorData,
} from "./errors.ts";
export {
  combinePspt,
  createPspt,
  decodePspt,
  encodePspt,
  extractTx,
  finalizePspt,
  MAX_PSPT_BYTES,
  type Pspt,
  PSPT_MAGIC,
  PSPT_VERSION,
  psptFromBase64,
  psptFromTransfer,
  type PsptInput,
  type PsptMusig,
  psptMusigNonce,
  psptMusigSign,
  type PsptOutput,
  psptSighash,
  psptToBase64,
  signPspt,
} from "./pspt.ts";
export {
  type Balance,
  type FeeFloor,
  type HistoryItem,
  type HistoryPageResult,
  MAX_HISTORY_PAGE,
  MAX_RPC_RESPONSE_BYTES,
  NodeRpcClient,
  type NodeRpcClientOptions,
  type TxInfo,
  type Utxo,
} from "./rpc.ts";
export { SeedSigner } from "./seed_signer.ts";
export { Wallet, type WalletModules, type WalletOptions } from "./wallet.ts";
