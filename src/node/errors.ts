/**
 * Typed errors of the node runtime.
 * @module
 */

/** Codes of {@linkcode ConfigError}. */
export type ConfigErrorCode =
  | "CONFIG_BAD_TOML"
  | "CONFIG_UNREADABLE"
  | "CONFIG_UNKNOWN_KEY"
  | "CONFIG_BAD_TYPE"
  | "CONFIG_OUT_OF_RANGE"
  | "CONFIG_NOT_ALLOWED";

/** Where a configuration value came from. */
export type ConfigSource =
  | { kind: "default" }
  | { kind: "file"; path: string }
  | { kind: "env"; name: string }
  | { kind: "flag"; name: string };

/** Data carried by a {@linkcode ConfigError}. */
export interface ConfigErrorData {
  /** Dotted schema key, e.g. `node.cache.header_cap` (or the raw unknown key). */
  key: string;
  /** The offending value as given (string form for env/flags). */
  value: unknown;
  /** Human-readable description of what is allowed. */
  allowed: string;
  /** Where the value came from. */
  source: ConfigSource;
}

/** Renders a {@linkcode ConfigSource} for messages, e.g. `env PHANTOM_RPC_PORT`. */
export function describeSource(source: ConfigSource): string {
  switch (source.kind) {
    case "default":
      return "default";
    case "file":
      return `file "${source.path}"`;
    case "env":
      return `env ${source.name}`;
    case "flag":
      return `flag ${source.name}`;
  }
}

/**
 * Invalid node configuration. Always names the key, the bad value, what is allowed and where the
 * value came from.
 *
 * @example
 * ```ts
 * import { ConfigError } from "./errors.ts";
 * const e = new ConfigError("CONFIG_OUT_OF_RANGE", {
 *   key: "rpc.port", value: 70000, allowed: "integer 0..65535", source: { kind: "default" },
 * });
 * console.assert(e.code === "CONFIG_OUT_OF_RANGE");
 * ```
 */
export class ConfigError extends Error {
  /** Machine-readable reason. */
  readonly code: ConfigErrorCode;
  /** Key, value, allowed values and source. */
  readonly data: ConfigErrorData;

  /**
   * @param code reason
   * @param data key, value, allowed, source
   * @param options standard error options (cause)
   */
  constructor(code: ConfigErrorCode, data: ConfigErrorData, options?: ErrorOptions) {
    super(ConfigError.#message(code, data), options);
    this.name = "ConfigError";
    this.code = code;
    this.data = data;
  }

  static #message(code: ConfigErrorCode, d: ConfigErrorData): string {
    const where = describeSource(d.source);
    const shown = typeof d.value === "string"
      ? `"${d.value}"`
      : JSON.stringify(d.value) ?? String(d.value);
    switch (code) {
      case "CONFIG_BAD_TOML":
        return `Cannot parse config ${where}: ${d.allowed}`;
      case "CONFIG_UNREADABLE":
        return `Cannot read config ${where}: ${d.allowed}`;
      case "CONFIG_UNKNOWN_KEY":
        return `Unknown config key "${d.key}" (${where}): ${d.allowed}`;
      case "CONFIG_BAD_TYPE":
        return `Invalid config value for "${d.key}" (${where}): ${shown} is not ${d.allowed}`;
      case "CONFIG_OUT_OF_RANGE":
        return `Invalid config value for "${d.key}" (${where}): ${shown} is outside ${d.allowed}`;
      case "CONFIG_NOT_ALLOWED":
        return `Invalid config value for "${d.key}" (${where}): ${shown} is not one of ${d.allowed}`;
    }
  }
}

/** Codes of {@linkcode NodeError}. */
export type NodeErrorCode =
  | "DATA_DIR_LOCKED"
  | "DATA_DIR_UNUSABLE"
  | "KEY_EXISTS"
  | "STORE_EMPTY"
  | "COMPONENT_START_FAILED"
  | "NOT_IMPLEMENTED"
  | "GENESIS_INVALID"
  | "CHAIN_MISMATCH"
  | "SIGNER_UNAVAILABLE"
  | "SIGNER_REFUSED"
  | "SIGNER_MISMATCH"
  | "STORE_COMMIT_REFUSED";

/** Per-code data of {@linkcode NodeError}. */
export type NodeErrorData =
  | { code: "DATA_DIR_LOCKED"; dir: string; pid: number | null }
  | { code: "DATA_DIR_UNUSABLE"; dir: string; reason: string }
  | { code: "KEY_EXISTS"; path: string }
  | { code: "STORE_EMPTY"; dir: string }
  | { code: "COMPONENT_START_FAILED"; component: string }
  | { code: "NOT_IMPLEMENTED"; feature: string }
  | { code: "GENESIS_INVALID"; path: string; detail: string }
  | { code: "CHAIN_MISMATCH"; height: number; detail: string }
  /** phantom-signer cannot be reached, dropped the connection or did not answer in time. */
  | { code: "SIGNER_UNAVAILABLE"; signer: string; reason: string }
  /**
   * phantom-signer answered with an error: `signerCode` is its wire code (e.g. SLASHING_REFUSED),
   * `slashingCode` the slashing rule that refused (docs/spec/keys.md §5.1), else null.
   */
  | {
    code: "SIGNER_REFUSED";
    signer: string;
    signerCode: string;
    slashingCode: string | null;
    detail: string;
  }
  /** phantom-signer serves another network, or answered with a key or signature that is wrong. */
  | { code: "SIGNER_MISMATCH"; signer: string; detail: string }
  /** The node KV refused an atomic commit (`what`: the record being written). */
  | { code: "STORE_COMMIT_REFUSED"; what: string };

/**
 * A runtime failure of the node a caller can handle (locked data dir, existing key file, ...).
 *
 * @example
 * ```ts
 * import { NodeError } from "./errors.ts";
 * const e = new NodeError({ code: "DATA_DIR_LOCKED", dir: "/tmp/x", pid: 42 });
 * console.assert(e.code === "DATA_DIR_LOCKED");
 * ```
 */
export class NodeError extends Error {
  /** Machine-readable reason. */
  readonly code: NodeErrorCode;
  /** Per-code details. */
  readonly data: NodeErrorData;

  /**
   * @param data the code with its details
   * @param options standard error options (cause)
   */
  constructor(data: NodeErrorData, options?: ErrorOptions) {
    super(NodeError.#message(data), options);
    this.name = "NodeError";
    this.code = data.code;
    this.data = data;
  }

  static #message(d: NodeErrorData): string {
    switch (d.code) {
      case "DATA_DIR_LOCKED":
        return `Data directory "${d.dir}" is in use: locked by ${
          d.pid === null ? "another process" : `running process ${d.pid}`
        }`;
      case "DATA_DIR_UNUSABLE":
        return `Cannot use data directory "${d.dir}": ${d.reason}`;
      case "KEY_EXISTS":
        return `Refusing to overwrite key file "${d.path}": it already exists`;
      case "STORE_EMPTY":
        return `Store "${d.dir}" holds no events: create one with --populate N`;
      case "COMPONENT_START_FAILED":
        return `Cannot start component "${d.component}"`;
      case "NOT_IMPLEMENTED":
        return `Not available yet: ${d.feature}`;
      case "GENESIS_INVALID":
        return `Invalid genesis file "${d.path}": ${d.detail}`;
      case "CHAIN_MISMATCH":
        return `Stored chain disagrees at anchor ${d.height}: ${d.detail}`;
      case "SIGNER_UNAVAILABLE":
        return `Cannot reach phantom-signer at ${d.signer}: ${d.reason}`;
      case "SIGNER_REFUSED":
        return `phantom-signer at ${d.signer} refused (${
          d.slashingCode ?? d.signerCode
        }): ${d.detail}`;
      case "SIGNER_MISMATCH":
        return `phantom-signer at ${d.signer} does not fit this node: ${d.detail}`;
      case "STORE_COMMIT_REFUSED":
        return `Cannot store ${d.what}: atomic commit refused`;
    }
  }
}
