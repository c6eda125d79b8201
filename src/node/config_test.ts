import assert from "node:assert/strict";
import fc from "fast-check";
import {
  CONFIG_KEYS,
  CONFIG_SCHEMA,
  type ConfigKey,
  defaultConfig,
  defaultConfigToml,
  defaultDataDir,
  envName,
  loadConfig,
  parseConfigText,
  parseConfigToml,
} from "./config.ts";
import { ConfigError, type ConfigErrorCode } from "./errors.ts";

function expectConfigError(fn: () => unknown, code: ConfigErrorCode, key: string, msg?: RegExp) {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ConfigError, `expected ConfigError, got ${e}`);
    assert.equal(e.code, code, e.message);
    assert.equal(e.data.key, key, e.message);
    if (msg) assert.match(e.message, msg);
    return true;
  });
}

const files = (m: Record<string, string>) => (p: string) => m[p] ?? null;

Deno.test("defaultConfigToml() round-trips to the schema defaults", () => {
  const text = defaultConfigToml();
  assert.deepEqual(parseConfigToml(text, "default.toml"), defaultConfig());
  for (const k of CONFIG_KEYS) assert.ok(text.includes(envName(k)), `env name of ${k} documented`);
});

Deno.test("defaultConfigToml() writes overrides as values", () => {
  const v = parseConfigToml(defaultConfigToml({ "node.network": "devnet", "rpc.port": 1 }), "x");
  assert.equal(v["node.network"], "devnet");
  assert.equal(v["rpc.port"], 1);
});

Deno.test("parseConfigToml() rejects malformed TOML", () => {
  expectConfigError(
    () => parseConfigToml("[rpc\nport = 1", "bad.toml"),
    "CONFIG_BAD_TOML",
    "",
    /bad\.toml/,
  );
});

Deno.test("parseConfigToml() refuses unknown keys at every depth", () => {
  expectConfigError(() => parseConfigToml("colour = 1", "x"), "CONFIG_UNKNOWN_KEY", "colour");
  expectConfigError(
    () => parseConfigToml("[rpc]\nprot = 1", "x"),
    "CONFIG_UNKNOWN_KEY",
    "rpc.prot",
    /rpc\.port/,
  );
  expectConfigError(
    () => parseConfigToml("[node.cache]\nheader_capacity = 1", "x"),
    "CONFIG_UNKNOWN_KEY",
    "node.cache.header_capacity",
  );
  expectConfigError(() => parseConfigToml("[wallet]\nx = 1", "x"), "CONFIG_UNKNOWN_KEY", "wallet");
});

Deno.test("parseConfigToml() rejects values of the wrong type", () => {
  expectConfigError(
    () => parseConfigToml('[rpc]\nport = "80"', "x"),
    "CONFIG_BAD_TYPE",
    "rpc.port",
    /"80"/,
  );
  expectConfigError(
    () => parseConfigToml("[rpc]\nport = 80.5", "x"),
    "CONFIG_BAD_TYPE",
    "rpc.port",
  );
  expectConfigError(
    () => parseConfigToml("[rpc]\nenabled = 1", "x"),
    "CONFIG_BAD_TYPE",
    "rpc.enabled",
  );
  expectConfigError(
    () => parseConfigToml('[p2p]\nlisten = "/ip4/1.2.3.4/tcp/1"', "x"),
    "CONFIG_BAD_TYPE",
    "p2p.listen",
  );
  expectConfigError(() => parseConfigToml("rpc = 5", "x"), "CONFIG_BAD_TYPE", "rpc", /a table/);
  expectConfigError(
    () => parseConfigToml("[node]\ncache = 5", "x"),
    "CONFIG_BAD_TYPE",
    "node.cache",
  );
});

Deno.test("parseConfigToml() rejects out-of-range and disallowed values", () => {
  expectConfigError(
    () => parseConfigToml("[rpc]\nport = 70000", "x"),
    "CONFIG_OUT_OF_RANGE",
    "rpc.port",
    /0\.\.65535/,
  );
  expectConfigError(
    () => parseConfigToml("[node.cache]\nheader_cap = -1", "x"),
    "CONFIG_OUT_OF_RANGE",
    "node.cache.header_cap",
  );
  expectConfigError(
    () => parseConfigToml('[node]\nnetwork = "moonnet"', "x"),
    "CONFIG_NOT_ALLOWED",
    "node.network",
    /devnet/,
  );
  expectConfigError(
    () => parseConfigToml('[rpc]\nlisten = "example.com"', "x"),
    "CONFIG_NOT_ALLOWED",
    "rpc.listen",
  );
  expectConfigError(
    () => parseConfigToml('[p2p]\nbootstrap = ["nope"]', "x"),
    "CONFIG_NOT_ALLOWED",
    "p2p.bootstrap",
    /"nope"/,
  );
  expectConfigError(
    () => parseConfigToml('[log]\nmodules = ["rpc=loud"]', "x"),
    "CONFIG_NOT_ALLOWED",
    "log.modules",
  );
  expectConfigError(
    () => parseConfigToml('[log]\nmodules = ["banana=debug"]', "x"),
    "CONFIG_NOT_ALLOWED",
    "log.modules",
  );
});

Deno.test("ConfigError message names the key, the value, the allowed range and the source", () => {
  try {
    loadConfig({ env: { HOME: "/h", PHANTOM_RPC_PORT: "99999" } });
    assert.fail("must throw");
  } catch (e) {
    assert.ok(e instanceof ConfigError);
    assert.equal(
      e.message,
      'Invalid config value for "rpc.port" (env PHANTOM_RPC_PORT): "99999" is outside 0..65535',
    );
    assert.deepEqual(e.data.source, { kind: "env", name: "PHANTOM_RPC_PORT" });
  }
});

Deno.test("loadConfig() applies defaults < file < env < flags", () => {
  const path = "/h/.local/share/phantomcoin/mainnet/phantom.toml";
  const readFile = files({
    [path]: "[rpc]\nport = 1001\nmax_batch = 7\n[node.cache]\nheader_cap = 5\n",
  });
  const r = loadConfig({
    env: { HOME: "/h", PHANTOM_RPC_PORT: "1002", PHANTOM_NODE_CACHE_HEADER_CAP: "6" },
    flags: { "node.cache.header_cap": "7" },
    readFile,
  });
  assert.equal(r.configPath, path);
  assert.equal(r.config["rpc.max_batch"], 7);
  assert.deepEqual(r.sources["rpc.max_batch"], { kind: "file", path });
  assert.equal(r.config["rpc.port"], 1002);
  assert.deepEqual(r.sources["rpc.port"], { kind: "env", name: "PHANTOM_RPC_PORT" });
  assert.equal(r.config["node.cache.header_cap"], 7);
  assert.deepEqual(r.sources["node.cache.header_cap"], { kind: "flag", name: "--cache_hdr_cap" });
  assert.equal(r.config["rpc.listen"], "127.0.0.1");
  assert.deepEqual(r.sources["rpc.listen"], { kind: "default" });
});

Deno.test("loadConfig() finds the config file of the network chosen by env or flag", () => {
  const readFile = files({ "/d/testnet/phantom.toml": "[rpc]\nport = 2000\n" });
  const r = loadConfig({
    env: { PHANTOM_NODE_NETWORK: "testnet" },
    flags: { "node.data_dir": "/d" },
    readFile,
  });
  assert.equal(r.config["rpc.port"], 2000);
  assert.equal(r.networkDir, "/d/testnet");
});

Deno.test("loadConfig() rejects bad env and flag values naming their source", () => {
  expectConfigError(
    () =>
      loadConfig({ env: { HOME: "/h", PHANTOM_METRICS_ENABLED: "maybe" }, readFile: () => null }),
    "CONFIG_BAD_TYPE",
    "metrics.enabled",
    /env PHANTOM_METRICS_ENABLED/,
  );
  expectConfigError(
    () =>
      loadConfig({
        env: { HOME: "/h" },
        flags: { "node.cache.payload_cap": "12MB" },
        readFile: () => null,
      }),
    "CONFIG_BAD_TYPE",
    "node.cache.payload_cap",
    /flag --cache_pl_cap/,
  );
  expectConfigError(
    () => loadConfig({ env: { HOME: "/h" }, flags: { "log.format": "xml" }, readFile: () => null }),
    "CONFIG_NOT_ALLOWED",
    "log.format",
  );
  expectConfigError(
    () =>
      loadConfig({
        env: { HOME: "/h" },
        flags: { "no.such": "1" } as Record<string, string>,
        readFile: () => null,
      }),
    "CONFIG_UNKNOWN_KEY",
    "no.such",
  );
});

Deno.test("loadConfig() fails on a missing explicit config file and on errors inside it", () => {
  expectConfigError(
    () => loadConfig({ env: { HOME: "/h" }, configFile: "/nope.toml", readFile: () => null }),
    "CONFIG_UNREADABLE",
    "",
    /nope\.toml/,
  );
  expectConfigError(
    () =>
      loadConfig({
        env: { HOME: "/h", PHANTOM_CONFIG: "/c.toml" },
        readFile: files({ "/c.toml": "x = 1" }),
      }),
    "CONFIG_UNKNOWN_KEY",
    "x",
    /file "\/c\.toml"/,
  );
});

Deno.test("loadConfig() warns about unknown PHANTOM_* variables but not about known foreign ones", () => {
  const r = loadConfig({
    env: { HOME: "/h", PHANTOM_RPC_PROT: "1", PHANTOM_NATIVE_REQUIRED: "1", OTHER: "x" },
    readFile: () => null,
  });
  assert.deepEqual(r.warnings, ["Ignoring unknown environment variable PHANTOM_RPC_PROT"]);
});

Deno.test("defaultDataDir() prefers XDG_DATA_HOME, then HOME, one directory per network", () => {
  assert.equal(defaultDataDir({ XDG_DATA_HOME: "/x/", HOME: "/h" }), "/x/phantomcoin");
  assert.equal(defaultDataDir({ HOME: "/h" }), "/h/.local/share/phantomcoin");
  assert.throws(() => defaultDataDir({}), ConfigError);
  const a = loadConfig({ env: { HOME: "/h" }, readFile: () => null });
  const b = loadConfig({
    env: { HOME: "/h" },
    flags: { "node.network": "devnet" },
    readFile: () => null,
  });
  assert.equal(a.networkDir, "/h/.local/share/phantomcoin/mainnet");
  assert.equal(b.networkDir, "/h/.local/share/phantomcoin/devnet");
});

Deno.test("parseConfigText() parses booleans, lists and integers with underscores", () => {
  const src = { kind: "env", name: "X" } as const;
  assert.equal(parseConfigText("rpc.enabled", "off", src), false);
  assert.equal(parseConfigText("rpc.enabled", "YES", src), true);
  assert.deepEqual(parseConfigText("p2p.bootstrap", "", src), []);
  assert.deepEqual(
    parseConfigText("p2p.bootstrap", "/ip4/1.2.3.4/tcp/1, /dns/a.b/tcp/2", src),
    ["/ip4/1.2.3.4/tcp/1", "/dns/a.b/tcp/2"],
  );
  assert.equal(parseConfigText("node.cache.header_cap", "10_000", src), 10000);
  expectConfigError(() => parseConfigText("rpc.port", "1e3", src), "CONFIG_BAD_TYPE", "rpc.port");
  expectConfigError(
    () => parseConfigText("rpc.port", "99999999999999999999", src),
    "CONFIG_OUT_OF_RANGE",
    "rpc.port",
  );
});

Deno.test("parseConfigText() accepts an integer exactly when it is inside the schema range", () => {
  const intKeys = CONFIG_KEYS.filter((k) => CONFIG_SCHEMA[k].type === "integer") as ConfigKey[];
  fc.assert(
    fc.property(
      fc.constantFrom(...intKeys),
      fc.integer({ min: -(2 ** 40), max: 2 ** 40 }),
      (key, n) => {
        const f = CONFIG_SCHEMA[key] as { min: number; max: number };
        const inside = n >= f.min && n <= f.max;
        try {
          assert.equal(parseConfigText(key, String(n), { kind: "default" }), n);
          return inside;
        } catch (e) {
          return !inside && e instanceof ConfigError && e.code === "CONFIG_OUT_OF_RANGE";
        }
      },
    ),
    { seed: 7, numRuns: 300 },
  );
});
