/**
 * Command-line front ends. `phantom-node`: run, init, status, snapshot export|import,
 * CacheBench, version; {@linkcode main} returns the exit code (0 ok, 1 failure, 2 usage or
 * config error, 3 data directory locked) so that the entry point stays a one-liner.
 * `phantom-signer wallet`: create, restore, address, balance, history, send,
 * pspt create|sign|combine|finalize|extract|submit;
 * {@linkcode walletMain} returns its exit code ({@linkcode WALLET_EXIT}).
 * @module
 */
export { intArg } from "./args.ts";
export {
  buildProgram,
  type CliIo,
  type CliPlugins,
  EXIT,
  main,
  processIo,
  VERSION,
} from "./node_cli.ts";
export {
  buildWalletCommand,
  DEFAULT_NODE_URL,
  formatPc,
  MAX_RECEIVE_INDEX,
  NODE_URL_ENV,
  parsePcAmount,
  PASSPHRASE_ENV,
  processWalletIo,
  WALLET_DIR_ENV,
  WALLET_EXIT,
  WALLET_FILE_VERSION,
  WALLET_GAP_LIMIT,
  walletErrorExit,
  type WalletFile,
  type WalletIo,
  walletMain,
} from "./wallet_cli.ts";
