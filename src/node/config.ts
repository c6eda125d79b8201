/**
 * Node configuration: one typed schema from which the defaults, the commented default TOML, the
 * `PHANTOM_*` environment names, the CLI flags and all validation are derived.
 *
 * Precedence (lowest to highest): schema default < TOML file < environment < flags.
 * @module
 */
import { parse as parseToml, stringify as stringifyToml, TomlError } from "smol-toml";
import { NETWORK_NAMES, type NetworkName } from "../params/mod.ts";
import { ConfigError, type ConfigSource } from "./errors.ts";

interface FieldBase {
  /** One-line (or short) operator-facing description. */
  readonly doc: string;
  /** Long CLI flag that overrides this key, if any (without value), e.g. `--rpc-port`. */
  readonly flag?: string;
}

/** An integer key with an inclusive range. */
export interface IntegerField extends FieldBase {
  readonly type: "integer";
  readonly default: number;
  readonly min: number;
  readonly max: number;
}

/** A boolean key. */
export interface BooleanField extends FieldBase {
  readonly type: "boolean";
  readonly default: boolean;
}

/** A free string key with an optional validator. */
export interface StringField extends FieldBase {
  readonly type: "string";
  readonly default: string;
  /** Returns a description of what is allowed when the value is invalid, or null when valid. */
  readonly check?: (value: string) => string | null;
  /** What is allowed, for docs and --help (default "a string"). */
  readonly allowed?: string;
}

/** A key restricted to a fixed set of strings. */
export interface EnumField<V extends string = string> extends FieldBase {
  readonly type: "enum";
  readonly values: readonly V[];
  readonly default: V;
}

/** A list of strings (comma-separated in env and flags). */
export interface ListField extends FieldBase {
  readonly type: "string[]";
  readonly default: readonly string[];
  readonly maxItems: number;
  /** Returns a description of what is allowed when an item is invalid, or null when valid. */
  readonly check?: (item: string) => string | null;
  /** What one item is, for docs and --help (default "strings"). */
  readonly items?: string;
}

/** Any schema field. */
export type Field = IntegerField | BooleanField | StringField | EnumField | ListField;

/** The TypeScript value type of a field. */
export type FieldValue<F> = F extends IntegerField ? number
  : F extends BooleanField ? boolean
  : F extends EnumField<infer V> ? V
  : F extends ListField ? readonly string[]
  : string;

/** Networks a node can join (those of src/params); each gets its own data directory. */
export const NETWORKS: readonly NetworkName[] = NETWORK_NAMES;
/** A network name. */
export type Network = NetworkName;

/** Log levels (those of @logtape/logtape). */
export const LOG_LEVELS = ["trace", "debug", "info", "warning", "error", "fatal"] as const;
/** A log level. */
export type LogLevelName = typeof LOG_LEVELS[number];

/** Module names usable in `log.modules` (category ["phantom", module]). */
export const LOG_MODULES = [
  "codec",
  "crypto",
  "params",
  "state",
  "consensus",
  "mint",
  "p2p",
  "rpc",
  "wallet",
  "signer",
  "miner",
  "node",
  "metrics",
  "sim",
  "cli",
] as const;

function checkListenHost(v: string): string | null {
  // A literal IPv4/IPv6 address or "localhost": binding to a resolved name is ambiguous.
  if (v === "localhost") return null;
  if (/^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/.test(v)) return null;
  if (/^[0-9a-fA-F:]+$/.test(v) && v.includes(":")) return null;
  return 'an IPv4 or IPv6 literal or "localhost"';
}

function checkMultiaddr(v: string): string | null {
  return /^\/(ip4|ip6|dns|dns4|dns6)\/[^/\s]+\/(tcp|udp)\/\d{1,5}(\/[^\s]*)?$/.test(v)
    ? null
    : 'a multiaddr like "/ip4/0.0.0.0/tcp/9645"';
}

function checkModuleLevel(v: string): string | null {
  const m = /^([a-z0-9]+)=([a-z]+)$/.exec(v);
  const ok = m !== null && (LOG_MODULES as readonly string[]).includes(m[1] ?? "") &&
    (LOG_LEVELS as readonly string[]).includes(m[2] ?? "");
  return ok
    ? null
    : `"module=level" with module in {${LOG_MODULES.join(", ")}} and level in {${
      LOG_LEVELS.join(", ")
    }}`;
}

function checkPath(v: string): string | null {
  return v.includes("\0") ? "a path without NUL bytes" : null;
}

/**
 * The configuration schema. Keys are dotted TOML paths (`[node.cache] header_cap` is
 * `node.cache.header_cap`); the environment name is `PHANTOM_` + the key upper-cased with dots as
 * underscores.
 */
export const CONFIG_SCHEMA = {
  "node.network": {
    type: "enum",
    values: NETWORKS,
    default: "mainnet",
    flag: "--network",
    doc: "Network to join. Each network keeps its data in its own sub-directory of data_dir.",
  } satisfies EnumField<Network>,
  "node.data_dir": {
    type: "string",
    default: "",
    flag: "--data-dir",
    check: checkPath,
    allowed: "a directory path",
    doc:
      "Base data directory; the node uses <data_dir>/<network>. Empty: $XDG_DATA_HOME/phantomcoin, or ~/.local/share/phantomcoin.",
  } satisfies StringField,
  "node.seat_key_file": {
    type: "string",
    default: "",
    check: checkPath,
    allowed: "a file path",
    doc:
      "Dev-only: BIP-340 seat secret key file (hex, mode 0600), used when signer.socket and signer.port are unset. Empty: <data_dir>/<network>/keys/seat.key.",
  } satisfies StringField,
  "node.genesis_file": {
    type: "string",
    default: "",
    flag: "--genesis",
    check: checkPath,
    allowed: "a file path",
    doc:
      "Genesis file (JSON: committee seat keys, genesis note, allocations). Empty: <data_dir>/<network>/genesis.json; without one the node runs the RPC frame only.",
  } satisfies StringField,
  "node.event_interval_ms": {
    type: "integer",
    default: 100,
    min: 1,
    max: 60_000,
    flag: "--event-interval-ms",
    doc:
      "Least time between two events of this seat, in ms (a node timer, never part of consensus).",
  } satisfies IntegerField,
  "node.mempool_max_txs": {
    type: "integer",
    default: 20_000,
    min: 1,
    max: 10_000_000,
    doc: "Most transactions held in the mempool; submit_tx is refused above it.",
  } satisfies IntegerField,
  "node.anti_entropy_ms": {
    type: "integer",
    default: 2_000,
    min: 50,
    max: 3_600_000,
    doc: "Period of the anti-entropy round (ask peers HAVE, fetch missing event ranges), in ms.",
  } satisfies IntegerField,
  "node.cache.header_cap": {
    type: "integer",
    default: 100_000,
    min: 0,
    max: 100_000_000,
    flag: "--cache_hdr_cap",
    doc: "Event header cache capacity in entries. 0 turns the cache off.",
  } satisfies IntegerField,
  "node.cache.payload_cap": {
    type: "integer",
    default: 268_435_456,
    min: 0,
    max: 68_719_476_736,
    flag: "--cache_pl_cap",
    doc: "Event payload cache capacity in bytes. 0 turns the cache off.",
  } satisfies IntegerField,
  "node.cache.shards": {
    type: "integer",
    default: 0,
    min: 0,
    max: 256,
    doc: "Number of LRU shards per cache. 0: navigator.hardwareConcurrency.",
  } satisfies IntegerField,
  "rpc.enabled": {
    type: "boolean",
    default: true,
    doc: "Serve JSON-RPC (/rpc), /metrics and /status/node over HTTP.",
  } satisfies BooleanField,
  "rpc.listen": {
    type: "string",
    default: "127.0.0.1",
    flag: "--rpc-listen",
    check: checkListenHost,
    allowed: 'an IPv4 or IPv6 literal or "localhost"',
    doc: "RPC listen address. Keep it on loopback unless a trusted proxy fronts it.",
  } satisfies StringField,
  "rpc.port": {
    type: "integer",
    default: 8645,
    min: 0,
    max: 65535,
    flag: "--rpc-port",
    doc: "RPC TCP port. 0 picks a free ephemeral port.",
  } satisfies IntegerField,
  "rpc.max_body_bytes": {
    type: "integer",
    default: 1_048_576,
    min: 1024,
    max: 67_108_864,
    doc: "Largest accepted HTTP request body in bytes (413 above).",
  } satisfies IntegerField,
  "rpc.max_batch": {
    type: "integer",
    default: 50,
    min: 1,
    max: 1000,
    doc: "Most calls in one JSON-RPC batch.",
  } satisfies IntegerField,
  "rpc.rate_limit_rps": {
    type: "integer",
    default: 100,
    min: 0,
    max: 1_000_000,
    doc:
      "Per-client token refill rate in requests per second (batch items count). 0 turns the limit off.",
  } satisfies IntegerField,
  "rpc.rate_limit_burst": {
    type: "integer",
    default: 200,
    min: 1,
    max: 1_000_000,
    doc: "Per-client token bucket size (largest burst).",
  } satisfies IntegerField,
  "p2p.listen": {
    type: "string[]",
    default: ["/ip4/0.0.0.0/tcp/9645"],
    maxItems: 16,
    check: checkMultiaddr,
    items: "multiaddrs",
    doc: "libp2p listen multiaddrs.",
  } satisfies ListField,
  "p2p.bootstrap": {
    type: "string[]",
    default: [],
    maxItems: 64,
    check: checkMultiaddr,
    items: "multiaddrs",
    doc: "libp2p bootstrap peer multiaddrs, each ending in /p2p/<peer id>.",
  } satisfies ListField,
  "log.level": {
    type: "enum",
    values: LOG_LEVELS,
    default: "info",
    flag: "--log-level",
    doc: "Default log level for every module.",
  } satisfies EnumField<LogLevelName>,
  "log.format": {
    type: "enum",
    values: ["pretty", "json"] as const,
    default: "pretty",
    flag: "--log-format",
    doc: "pretty: coloured console lines for humans; json: one JSON object per line.",
  } satisfies EnumField<"pretty" | "json">,
  "log.modules": {
    type: "string[]",
    default: [],
    maxItems: LOG_MODULES.length,
    check: checkModuleLevel,
    items: '"module=level" items',
    doc: 'Per-module level overrides, e.g. ["consensus=debug", "rpc=warning"].',
  } satisfies ListField,
  "metrics.enabled": {
    type: "boolean",
    default: true,
    doc: "Collect Prometheus metrics and serve them at /metrics.",
  } satisfies BooleanField,
  "signer.socket": {
    type: "string",
    default: "",
    flag: "--signer-socket",
    check: checkPath,
    allowed: "a Unix socket path",
    doc:
      "phantom-signer Unix socket: the node takes its seat key from the signer and has every event signed there (slashing-protected). Empty: no remote signer.",
  } satisfies StringField,
  "signer.port": {
    type: "integer",
    default: 0,
    min: 0,
    max: 65535,
    flag: "--signer-port",
    doc:
      "phantom-signer TCP port on 127.0.0.1 (needs signer.token_file); instead of signer.socket. 0: not used.",
  } satisfies IntegerField,
  "signer.token_file": {
    type: "string",
    default: "",
    check: checkPath,
    allowed: "a file path",
    doc: "File holding the signer's bearer token (required for signer.port). Empty: no token.",
  } satisfies StringField,
  "signer.seat_account": {
    type: "integer",
    default: 0,
    min: 0,
    max: 2_147_483_647,
    doc: "Account of the seat key in the signer's key tree (m/9770'/coin'/1'/account'/index').",
  } satisfies IntegerField,
  "signer.seat_index": {
    type: "integer",
    default: 0,
    min: 0,
    max: 2_147_483_647,
    flag: "--signer-seat-index",
    doc: "Index of the seat key in the signer's key tree (see signer.seat_account).",
  } satisfies IntegerField,
  "signer.timeout_ms": {
    type: "integer",
    default: 2_000,
    min: 10,
    max: 60_000,
    doc:
      "Longest wait for one signer answer in ms; after it the connection is dropped and re-opened, and the event is sent again unchanged.",
  } satisfies IntegerField,
} as const;

/** A configuration key. */
export type ConfigKey = keyof typeof CONFIG_SCHEMA;

/** A fully validated configuration, keyed by dotted schema key. */
export type NodeConfig = { readonly [K in ConfigKey]: FieldValue<typeof CONFIG_SCHEMA[K]> };

/** All configuration keys in schema order. */
export const CONFIG_KEYS: readonly ConfigKey[] = Object.keys(CONFIG_SCHEMA) as ConfigKey[];

/**
 * Environment variable name for a key.
 * @param key dotted schema key
 * @returns e.g. `PHANTOM_NODE_CACHE_HEADER_CAP` for `node.cache.header_cap`
 * @example
 * ```ts
 * import { envName } from "./config.ts";
 * console.assert(envName("rpc.port") === "PHANTOM_RPC_PORT");
 * ```
 */
export function envName(key: ConfigKey): string {
  return "PHANTOM_" + key.replaceAll(".", "_").toUpperCase();
}

/** Env var that points at the config file (not a schema key). */
export const CONFIG_FILE_ENV = "PHANTOM_CONFIG";

/** Env vars starting with `PHANTOM_` that are not config keys but are known to other tools. */
const FOREIGN_ENV = new Set([CONFIG_FILE_ENV, "PHANTOM_NATIVE_REQUIRED"]);

function allowedText(f: Field): string {
  switch (f.type) {
    case "integer":
      return `an integer in ${f.min}..${f.max}`;
    case "boolean":
      return "a boolean (true or false)";
    case "enum":
      return `{${f.values.join(", ")}}`;
    case "string":
      return f.allowed ?? "a string";
    case "string[]":
      return `a list of at most ${f.maxItems} ${f.items ?? "strings"}`;
  }
}

function fieldOf(key: ConfigKey): Field {
  return CONFIG_SCHEMA[key] as Field;
}

/**
 * Validates a typed value (from TOML or already parsed from text) for one key.
 * @throws {ConfigError} CONFIG_BAD_TYPE, CONFIG_OUT_OF_RANGE or CONFIG_NOT_ALLOWED
 */
function validateValue(key: ConfigKey, value: unknown, source: ConfigSource): unknown {
  const f = fieldOf(key);
  const bad = (
    code: "CONFIG_BAD_TYPE" | "CONFIG_OUT_OF_RANGE" | "CONFIG_NOT_ALLOWED",
    allowed: string,
  ) => new ConfigError(code, { key, value, allowed, source });
  switch (f.type) {
    case "integer": {
      if (typeof value === "bigint") throw bad("CONFIG_OUT_OF_RANGE", `${f.min}..${f.max}`);
      if (typeof value !== "number" || !Number.isInteger(value)) {
        throw bad("CONFIG_BAD_TYPE", "an integer");
      }
      if (value < f.min || value > f.max) throw bad("CONFIG_OUT_OF_RANGE", `${f.min}..${f.max}`);
      return value;
    }
    case "boolean":
      if (typeof value !== "boolean") throw bad("CONFIG_BAD_TYPE", "a boolean (true or false)");
      return value;
    case "enum":
      if (typeof value !== "string") throw bad("CONFIG_BAD_TYPE", "a string");
      if (!(f.values as readonly string[]).includes(value)) {
        throw bad("CONFIG_NOT_ALLOWED", `{${f.values.join(", ")}}`);
      }
      return value;
    case "string": {
      if (typeof value !== "string") throw bad("CONFIG_BAD_TYPE", "a string");
      const why = f.check?.(value) ?? null;
      if (why !== null) throw bad("CONFIG_NOT_ALLOWED", why);
      return value;
    }
    case "string[]": {
      if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) {
        throw bad("CONFIG_BAD_TYPE", "a list of strings");
      }
      if (value.length > f.maxItems) {
        throw bad("CONFIG_OUT_OF_RANGE", `at most ${f.maxItems} items`);
      }
      for (const item of value as string[]) {
        const why = f.check?.(item) ?? null;
        if (why !== null) {
          throw new ConfigError("CONFIG_NOT_ALLOWED", { key, value: item, allowed: why, source });
        }
      }
      return Object.freeze([...(value as string[])]);
    }
  }
}

/**
 * Parses a textual value (environment variable or CLI flag) for one key and validates it.
 * @param key dotted schema key
 * @param text raw text; lists are comma-separated, booleans true/false/1/0/yes/no
 * @param source where it came from, for the error message
 * @returns the typed value
 * @throws {ConfigError} when the text does not parse or is out of range
 * @example
 * ```ts
 * import { parseConfigText } from "./config.ts";
 * console.assert(parseConfigText("rpc.port", "9000", { kind: "env", name: "PHANTOM_RPC_PORT" }) === 9000);
 * ```
 */
export function parseConfigText(key: ConfigKey, text: string, source: ConfigSource): unknown {
  const f = fieldOf(key);
  switch (f.type) {
    case "integer": {
      const t = text.trim().replaceAll("_", "");
      if (!/^-?\d+$/.test(t)) {
        throw new ConfigError("CONFIG_BAD_TYPE", {
          key,
          value: text,
          allowed: "an integer",
          source,
        });
      }
      const n = Number(t);
      if (!Number.isSafeInteger(n) || n < f.min || n > f.max) {
        throw new ConfigError("CONFIG_OUT_OF_RANGE", {
          key,
          value: text,
          allowed: `${f.min}..${f.max}`,
          source,
        });
      }
      return validateValue(key, n, source);
    }
    case "boolean": {
      const t = text.trim().toLowerCase();
      if (["true", "1", "yes", "on"].includes(t)) return true;
      if (["false", "0", "no", "off"].includes(t)) return false;
      throw new ConfigError("CONFIG_BAD_TYPE", {
        key,
        value: text,
        allowed: "a boolean (true/false, 1/0, yes/no, on/off)",
        source,
      });
    }
    case "string[]": {
      const items = text.trim() === "" ? [] : text.split(",").map((s) => s.trim());
      return validateValue(key, items, source);
    }
    case "enum":
    case "string":
      return validateValue(key, text, source);
  }
}

/** The schema defaults as a config. */
export function defaultConfig(): NodeConfig {
  const out: Record<string, unknown> = {};
  for (const key of CONFIG_KEYS) out[key] = fieldOf(key).default;
  return out as NodeConfig;
}

function isPlainTable(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

const SECTION_PREFIXES = new Set(
  CONFIG_KEYS.flatMap((k) => {
    const parts = k.split(".");
    return parts.slice(0, -1).map((_, i) => parts.slice(0, i + 1).join("."));
  }),
);

function keysUnder(prefix: string): string {
  const keys = prefix === "" ? CONFIG_KEYS : CONFIG_KEYS.filter((k) => k.startsWith(prefix + "."));
  return `known keys ${keys.map((k) => `"${k}"`).join(", ")}`;
}

/**
 * Parses and validates TOML config text. Every key must be in {@linkcode CONFIG_SCHEMA}.
 * @param text the TOML document
 * @param path the file path (for messages)
 * @returns the keys the document sets, typed and validated
 * @throws {ConfigError} CONFIG_BAD_TOML, CONFIG_UNKNOWN_KEY, CONFIG_BAD_TYPE, CONFIG_OUT_OF_RANGE,
 *   CONFIG_NOT_ALLOWED
 * @example
 * ```ts
 * import { parseConfigToml } from "./config.ts";
 * const v = parseConfigToml("[rpc]\nport = 9000\n", "x.toml");
 * console.assert(v["rpc.port"] === 9000);
 * ```
 */
export function parseConfigToml(text: string, path: string): Partial<NodeConfig> {
  const source: ConfigSource = { kind: "file", path };
  let doc: Record<string, unknown>;
  try {
    doc = parseToml(text) as Record<string, unknown>;
  } catch (e) {
    const detail = e instanceof TomlError ? e.message.split("\n")[0] ?? e.message : String(e);
    throw new ConfigError("CONFIG_BAD_TOML", { key: "", value: null, allowed: detail, source }, {
      cause: e,
    });
  }
  const out: Record<string, unknown> = {};
  const walk = (table: Record<string, unknown>, prefix: string) => {
    for (const [k, v] of Object.entries(table)) {
      const key = prefix === "" ? k : `${prefix}.${k}`;
      if (key in CONFIG_SCHEMA) {
        out[key] = validateValue(key as ConfigKey, v, source);
      } else if (SECTION_PREFIXES.has(key)) {
        if (!isPlainTable(v)) {
          throw new ConfigError("CONFIG_BAD_TYPE", { key, value: v, allowed: "a table", source });
        }
        walk(v, key);
      } else {
        throw new ConfigError("CONFIG_UNKNOWN_KEY", {
          key,
          value: v,
          allowed: keysUnder(prefix),
          source,
        });
      }
    }
  };
  walk(doc, "");
  return out as Partial<NodeConfig>;
}

/** Inputs of {@linkcode loadConfig}. */
export interface LoadConfigOptions {
  /** Environment (usually `Deno.env.toObject()`); only `PHANTOM_*` names are read. */
  readonly env?: Readonly<Record<string, string>>;
  /** Flag overrides by schema key, as text (e.g. from `--cache_hdr_cap 10`). */
  readonly flags?: Readonly<Partial<Record<ConfigKey, string>>>;
  /** Explicit config file (`--config`); a missing explicit file is an error. */
  readonly configFile?: string;
  /** Reads a file or returns null when it does not exist; defaults to Deno.readTextFileSync. */
  readonly readFile?: (path: string) => string | null;
}

/** Result of {@linkcode loadConfig}. */
export interface LoadedConfig {
  /** The effective, validated configuration. */
  readonly config: NodeConfig;
  /** Where each key's effective value came from. */
  readonly sources: Readonly<Record<ConfigKey, ConfigSource>>;
  /** The config file that was read, or null. */
  readonly configPath: string | null;
  /** The node's data directory: `<data_dir>/<network>`. */
  readonly networkDir: string;
  /** Non-fatal notes (e.g. an unrecognised `PHANTOM_*` variable), to be logged. */
  readonly warnings: readonly string[];
}

function defaultReadFile(path: string): string | null {
  try {
    return Deno.readTextFileSync(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
}

/**
 * The base data directory when `node.data_dir` is empty: `$XDG_DATA_HOME/phantomcoin` or
 * `$HOME/.local/share/phantomcoin`.
 * @param env environment variables
 * @returns an absolute or relative path
 * @throws {ConfigError} when neither XDG_DATA_HOME nor HOME is set
 * @example
 * ```ts
 * import { defaultDataDir } from "./config.ts";
 * console.assert(defaultDataDir({ HOME: "/home/a" }) === "/home/a/.local/share/phantomcoin");
 * ```
 */
export function defaultDataDir(env: Readonly<Record<string, string>>): string {
  const xdg = env["XDG_DATA_HOME"];
  if (xdg !== undefined && xdg !== "") return `${xdg.replace(/\/+$/, "")}/phantomcoin`;
  const home = env["HOME"];
  if (home !== undefined && home !== "") {
    return `${home.replace(/\/+$/, "")}/.local/share/phantomcoin`;
  }
  throw new ConfigError("CONFIG_NOT_ALLOWED", {
    key: "node.data_dir",
    value: "",
    allowed: "an explicit directory (neither XDG_DATA_HOME nor HOME is set)",
    source: { kind: "default" },
  });
}

/**
 * Builds the effective configuration: schema defaults, then the TOML file, then `PHANTOM_*`
 * environment variables, then flags. The file is `configFile`, else `$PHANTOM_CONFIG`, else
 * `<data_dir>/<network>/phantom.toml` when it exists (data_dir/network taken from env/flags/defaults).
 *
 * @param options env, flags, explicit file and an injectable file reader
 * @returns the validated config with the source of each value
 * @throws {ConfigError} on any invalid or unknown key, bad TOML or unreadable explicit file
 * @example
 * ```ts
 * import { loadConfig } from "./config.ts";
 * const { config } = loadConfig({ env: { HOME: "/h", PHANTOM_RPC_PORT: "9000" }, flags: { "rpc.port": "9001" } });
 * console.assert(config["rpc.port"] === 9001);
 * ```
 */
export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const env = options.env ?? {};
  const flags = options.flags ?? {};
  const readFile = options.readFile ?? defaultReadFile;
  const values: Record<string, unknown> = { ...defaultConfig() };
  const sources = Object.fromEntries(
    CONFIG_KEYS.map((k) => [k, { kind: "default" } as ConfigSource]),
  ) as Record<ConfigKey, ConfigSource>;
  const warnings: string[] = [];

  // Env and flags are parsed first (without applying) so that a bad value fails early and so
  // that data_dir/network can locate the default config file.
  const envValues: Partial<Record<ConfigKey, unknown>> = {};
  const known = new Set(CONFIG_KEYS.map(envName));
  for (const [name, text] of Object.entries(env)) {
    if (!name.startsWith("PHANTOM_")) continue;
    if (!known.has(name)) {
      if (!FOREIGN_ENV.has(name)) warnings.push(`Ignoring unknown environment variable ${name}`);
      continue;
    }
    const key = CONFIG_KEYS.find((k) => envName(k) === name) as ConfigKey;
    envValues[key] = parseConfigText(key, text, { kind: "env", name });
  }
  const flagValues: Partial<Record<ConfigKey, unknown>> = {};
  for (const [key, text] of Object.entries(flags)) {
    if (text === undefined) continue;
    if (!(key in CONFIG_SCHEMA)) {
      throw new ConfigError("CONFIG_UNKNOWN_KEY", {
        key,
        value: text,
        allowed: keysUnder(""),
        source: { kind: "flag", name: "--set" },
      });
    }
    const k = key as ConfigKey;
    flagValues[k] = parseConfigText(k, text, {
      kind: "flag",
      name: fieldOf(k).flag ?? `--set ${k}`,
    });
  }
  const early = (k: ConfigKey): unknown => flagValues[k] ?? envValues[k] ?? values[k];

  let configPath: string | null = null;
  let text: string | null = null;
  const explicit = options.configFile ?? env[CONFIG_FILE_ENV];
  if (explicit !== undefined && explicit !== "") {
    configPath = explicit;
    let got: string | null;
    try {
      got = readFile(explicit);
    } catch (e) {
      throw new ConfigError("CONFIG_UNREADABLE", {
        key: "",
        value: explicit,
        allowed: e instanceof Error ? e.message : String(e),
        source: { kind: "file", path: explicit },
      }, { cause: e });
    }
    if (got === null) {
      throw new ConfigError("CONFIG_UNREADABLE", {
        key: "",
        value: explicit,
        allowed: "file does not exist",
        source: { kind: "file", path: explicit },
      });
    }
    text = got;
  } else {
    const base = early("node.data_dir") as string;
    const dir = `${base === "" ? defaultDataDir(env) : base}/${early("node.network") as string}`;
    const candidate = `${dir}/phantom.toml`;
    text = readFile(candidate);
    if (text !== null) configPath = candidate;
  }
  if (text !== null && configPath !== null) {
    const fromFile = parseConfigToml(text, configPath);
    for (const [k, v] of Object.entries(fromFile)) {
      values[k] = v;
      sources[k as ConfigKey] = { kind: "file", path: configPath };
    }
  }
  for (const [k, v] of Object.entries(envValues)) {
    values[k] = v;
    sources[k as ConfigKey] = { kind: "env", name: envName(k as ConfigKey) };
  }
  for (const [k, v] of Object.entries(flagValues)) {
    values[k] = v;
    const key = k as ConfigKey;
    sources[key] = { kind: "flag", name: fieldOf(key).flag ?? `--set ${key}` };
  }
  const config = Object.freeze(values) as NodeConfig;
  const base = config["node.data_dir"] === "" ? defaultDataDir(env) : config["node.data_dir"];
  return {
    config,
    sources,
    configPath,
    networkDir: `${base.replace(/\/+$/, "")}/${config["node.network"]}`,
    warnings,
  };
}

function tomlValue(v: unknown): string {
  // smol-toml renders a one-key table as `v = <value>`; reuse its quoting rules for the value.
  return stringifyToml({ v }).trim().replace(/^v = /, "");
}

/**
 * Renders the commented default config TOML from the schema: every key with its doc, allowed
 * values, env name, flag and default.
 * @param overrides values to write instead of the defaults (e.g. the chosen network)
 * @returns a TOML document that {@linkcode parseConfigToml} accepts
 * @example
 * ```ts
 * import { defaultConfigToml, parseConfigToml } from "./config.ts";
 * parseConfigToml(defaultConfigToml(), "default.toml");
 * ```
 */
export function defaultConfigToml(overrides: Partial<NodeConfig> = {}): string {
  const lines = [
    "# PhantomCoin node configuration (phantom-node).",
    "# Precedence: this file < PHANTOM_* environment variables < command-line flags.",
    "# Unknown keys are refused. Generated from the schema in src/node/config.ts.",
  ];
  let section = "";
  for (const key of CONFIG_KEYS) {
    const f = fieldOf(key);
    const dot = key.lastIndexOf(".");
    const sec = key.slice(0, dot);
    const name = key.slice(dot + 1);
    if (sec !== section) {
      lines.push("", `[${sec}]`);
      section = sec;
    }
    const value = (overrides as Record<string, unknown>)[key] ?? f.default;
    lines.push(`# ${f.doc}`);
    lines.push(
      `# Type: ${allowedText(f)}. Default: ${tomlValue(f.default)}. Env: ${envName(key)}.${
        f.flag === undefined ? "" : ` Flag: ${f.flag}.`
      }`,
    );
    lines.push(`${name} = ${tomlValue(value)}`);
  }
  return lines.join("\n") + "\n";
}

/**
 * Describes the schema as rows (for `--help` texts and docs/operations.md).
 * @returns one row per key: key, env, flag, type/allowed, default, doc
 */
export function describeConfigSchema(): {
  key: ConfigKey;
  env: string;
  flag: string | null;
  allowed: string;
  default: string;
  doc: string;
}[] {
  return CONFIG_KEYS.map((key) => {
    const f = fieldOf(key);
    return {
      key,
      env: envName(key),
      flag: f.flag ?? null,
      allowed: allowedText(f),
      default: tomlValue(f.default),
      doc: f.doc,
    };
  });
}

/**
 * The genesis file a loaded configuration points at: `node.genesis_file`, else
 * `<data_dir>/<network>/genesis.json`. One rule for `run` and `snapshot export|import`, which must
 * check a checkpoint against the same committee.
 * @param loaded the loaded configuration
 * @returns the path (it may not exist: then the node runs the RPC frame only)
 * @example
 * ```ts
 * import { genesisPath, loadConfig } from "./config.ts";
 * const loaded = loadConfig({ env: {}, flags: { "node.data_dir": "/tmp/pc" } });
 * console.assert(genesisPath(loaded) === `${loaded.networkDir}/genesis.json`);
 * ```
 */
export function genesisPath(loaded: LoadedConfig): string {
  const p = loaded.config["node.genesis_file"];
  return p === "" ? `${loaded.networkDir}/genesis.json` : p;
}
