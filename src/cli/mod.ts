/**
 * Command-line front ends. `phantom-node`: run, init, status, snapshot export|import,
 * CacheBench, version; {@linkcode main} returns the exit code (0 ok, 1 failure, 2 usage or
 * config error, 3 data directory locked) so that the entry point stays a one-liner.
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
