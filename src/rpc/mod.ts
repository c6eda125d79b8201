/**
 * The node's local HTTP interface: JSON-RPC 2.0 at `/rpc` (method registry with typed params
 * validation, bounded batches and bodies, per-client token-bucket rate limit, standard and
 * application error codes), Prometheus text at `/metrics` and JSON health at `/status/node`.
 * @module
 */
export { type AppErrorCode, RPC_ERROR, RpcError, type RpcErrorCode } from "./errors.ts";
export { type Infer, type OptionalValidator, p, ParamError, type Validator } from "./params.ts";
export { type CallContext, MethodRegistry, type MethodSpec } from "./registry.ts";
export { RateLimiter, type RateLimiterOptions } from "./ratelimit.ts";
export { RpcServer, type RpcServerModules, type RpcServerOptions } from "./server.ts";
export {
  type MempoolInfo,
  type NodeMethodSources,
  type NodeStatus,
  registerNodeMethods,
  type SignerHealth,
  type SyncState,
} from "./methods.ts";
